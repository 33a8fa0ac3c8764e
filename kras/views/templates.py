"""The KRA template library pages, mounted at /o/<org_slug>/kra-templates/: browse and
search the shipped templates and the organisation's own, preview one, apply it to a role,
save a role as a template, delete one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kpis.template_library import (
    template_apply,
    template_delete,
    template_save_from_role,
    template_save_warnings,
)
from orgs import policy
from orgs.policy import Action
from orgs.tenancy import scoped
from orgs.views.base import form_errors_from, org_view
from roles.access import can_create_roles, get_role_for_member
from roles.models import Role

from .. import library
from ..models import KRATemplate
from ..template_access import (
    may_delete_template,
    org_template_key,
    org_templates,
    resolve_template,
    template_summary,
)
from ..template_forms import TemplateApplyForm, TemplateSaveForm


def manageable_roles(member):
    """The roles whose KRAs ``member`` may build: every role for an org admin, the roles of
    the departments a manager heads (and those below) otherwise."""
    roles = scoped(Role, member.org).select_related("department")
    if not policy.is_admin(member):
        roles = roles.filter(department_id__in=policy.headed_department_ids(member))
    return roles.order_by("department__name", "title", "id")


def _role_url(member, role) -> str:
    try:
        return reverse("role-detail", kwargs={"org_slug": member.org.slug, "pk": role.pk})
    except NoReverseMatch:
        return reverse("cascade", kwargs={"org_slug": member.org.slug})


@org_view(Action.VIEW_ROLES)
def template_list(request, member):
    query = request.GET.get("q", "").strip()
    families = []
    for family in library.families():
        found = [role for role in family.roles if role.matches(query)]
        if found:
            families.append((family, found))
    own = list(org_templates(member, query=query))
    return render(
        request,
        "kras/template_list.html",
        {
            "query": query,
            "families": families,
            "org_templates": [(t, org_template_key(t)) for t in own],
            "may_apply": policy.can(member, Action.MANAGE_KRA),
            "may_save": policy.can(member, Action.SAVE_KRA_TEMPLATE),
        },
    )


@org_view(Action.VIEW_ROLES)
def template_detail(request, member, key):
    template = resolve_template(member, key)
    return render(
        request,
        "kras/template_detail.html",
        {
            "template": template_summary(member, template, detail=True),
            "key": key,
            "may_apply": policy.can(member, Action.MANAGE_KRA),
            "may_create_role": can_create_roles(member),
        },
    )


@org_view(Action.MANAGE_KRA)
def template_apply_view(request, member, key):
    template = resolve_template(member, key)
    roles = manageable_roles(member)
    initial = {"role": request.GET.get("role")} if request.GET.get("role") else None
    form = TemplateApplyForm(request.POST or None, roles=roles, initial=initial)
    if request.method == "POST" and form.is_valid():
        role = form.cleaned_data["role"]
        policy.require(member, Action.MANAGE_KRA, role)
        is_own = isinstance(template, KRATemplate)
        try:
            result = template_apply(
                role=role,
                actor=member,
                template_key=None if is_own else template.key,
                template=template if is_own else None,
                replace=form.cleaned_data["replace"],
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(
                request,
                _(
                    "“%(role)s” now has %(kras)d KRAs and %(kpis)d KPIs from the template. "
                    "Ladder each KRA to a department KRA or an objective, then adjust it."
                )
                % {"role": role.title, "kras": len(result.kras), "kpis": result.kpis},
            )
            return redirect(_role_url(member, role))
    return render(
        request,
        "kras/template_apply.html",
        {
            "form": form,
            "template": template_summary(member, template, detail=True),
            "key": key,
        },
    )


@org_view(Action.SAVE_KRA_TEMPLATE)
def template_save(request, member):
    roles = manageable_roles(member)
    initial = None
    if request.GET.get("role"):
        role = get_role_for_member(member, request.GET["role"])
        initial = {"role": role.pk, "name": role.title}
    form = TemplateSaveForm(request.POST or None, roles=roles, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        policy.require(member, Action.SAVE_KRA_TEMPLATE, data["role"])
        try:
            template = template_save_from_role(
                role=data["role"],
                actor=member,
                name=data["name"],
                category=data["category"],
                description=data["description"],
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Saved the template “%(name)s”.") % {"name": template.name})
            # The same warnings as while drafting the role: a role applied from this
            # template starts with them too.
            for warning in template_save_warnings(data["role"]):
                messages.warning(request, warning)
            return redirect(
                "kra-template-detail", org_slug=member.org.slug, key=org_template_key(template)
            )
    return render(request, "kras/template_save.html", {"form": form})


@require_POST
@org_view(Action.VIEW_ROLES, fetch=resolve_template, object_action=may_delete_template)
def template_delete_view(request, member, template):
    name = template.name
    template_delete(template=template, actor=member)
    messages.success(request, _("Deleted the template “%(name)s”.") % {"name": name})
    return redirect("kra-template-list", org_slug=member.org.slug)
