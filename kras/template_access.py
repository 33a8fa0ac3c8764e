"""Reaching the KRA template library from a page or the API: a library template by its key
("<family>.<role>"), one of the organisation's own by "org-<id>" (scoped, 404 otherwise),
who may delete one, and the summary both show."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from orgs import policy
from orgs.models import Membership
from orgs.tenancy import get_scoped_or_404, scoped

from . import library
from .models import KRATemplate

ORG_PREFIX = "org-"


def org_template_key(template: KRATemplate) -> str:
    return f"{ORG_PREFIX}{template.pk}"


def resolve_template(member, key: str) -> library.RoleTemplate | KRATemplate:
    """A library template by its key, or one of the organisation's own by "org-<id>"; 404
    for anything else, including another organisation's template."""
    if key.startswith(ORG_PREFIX):
        return get_scoped_or_404(
            scoped(KRATemplate, member.org).select_related("created_by__user"),
            key[len(ORG_PREFIX) :],
        )
    try:
        return library.get(key)
    except KeyError:
        raise Http404 from None


def may_delete_template(member: Membership, template) -> bool:
    """Whoever saved one of the organisation's templates may delete it, and so may an org
    admin; a library template is deleted by no one."""
    if not isinstance(template, KRATemplate):
        return False
    if not member.is_active or template.org_id != member.org_id:
        return False
    return policy.is_admin(member) or template.created_by_id == member.pk


def template_summary(member, template, *, detail: bool = False) -> dict:
    if isinstance(template, KRATemplate):
        content = template.content if isinstance(template.content, dict) else {}
        kras = content.get("kras") or []
        data = {
            "key": org_template_key(template),
            "source": "organization",
            "category": template.category,
            "name": template.name,
            "purpose": content.get("purpose", ""),
            "description": template.description,
            "created_by": template.created_by.display_name if template.created_by_id else None,
            "created_at": template.created_at,
            "may_delete": may_delete_template(member, template),
        }
    else:
        content = template.content
        kras = template.kras
        data = {
            "key": template.key,
            "source": "library",
            "category": template.category,
            "name": template.title,
            "purpose": template.purpose,
            "description": "",
            "created_by": None,
            "created_at": None,
            "may_delete": False,
        }
    data["kra_count"] = len(kras)
    data["kpi_count"] = sum(len(k.get("kpis") or []) for k in kras)
    if detail:
        data["areas_of_focus"] = content.get("areas_of_focus", [])
        data["kras"] = kras
    return data


def org_templates(member, *, query: str = ""):
    templates = scoped(KRATemplate, member.org).select_related("created_by__user")
    # PostgreSQL text cannot hold NUL; a search for it matches nothing rather than failing.
    query = query.replace("\x00", "").strip()
    if query:
        templates = templates.filter(
            Q(name__icontains=query)
            | Q(category__icontains=query)
            | Q(description__icontains=query)
        )
    return templates.order_by("category", "name", "id")
