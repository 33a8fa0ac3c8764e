"""Roles: create, change and delete a role, with the rules every role keeps (a title unique
in its department, a reporting line without loops, sane money, a justification)."""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kra_platform.db import save_or_refuse_duplicate
from orgs import audit
from orgs.models import Department, Membership, Organization
from orgs.people_rules import would_cycle

from ..models import JustificationKind, Role

ROLE_FIELDS = (
    "title",
    "department",
    "purpose",
    "mission_alignment",
    "strategy_contribution",
    "reports_to",
    "annual_cost",
    "expected_value",
    "currency",
    "justification_kind",
    "justification_target_date",
    "justification_note",
    "job_description",
)

_TITLE_MAX = Role._meta.get_field("title").max_length
_MONEY_MAX = Decimal("999999999999.99")  # max_digits=14, decimal_places=2


def _duplicate_title_error(title: str) -> ValidationError:
    return ValidationError(
        {"title": _("There is already a role called “%(title)s” here.") % {"title": title}}
    )


def _check_money(role: Role, field: str) -> None:
    value = getattr(role, field)
    if value is None:
        return
    # Stored with two decimals; normalising here keeps "80000" and "80000.00" from showing
    # up as a change in the audit trail.
    value = Decimal(str(value)).quantize(Decimal("0.01"))
    setattr(role, field, value)
    if value < 0:
        raise ValidationError({field: _("Enter an amount of zero or more.")})
    if value > _MONEY_MAX:
        raise ValidationError({field: _("This amount is too large.")})


def _check_reporting_line(org: Organization, role: Role) -> None:
    if role.reports_to_id is None:
        return
    if role.reports_to.org_id != org.id:
        raise ValidationError({"reports_to": _("Choose a role of this organisation.")})
    if role.pk is None:
        return  # a new role has nothing below it yet
    reports_to = dict(Role.objects.filter(org_id=org.id).values_list("pk", "reports_to_id"))
    if would_cycle(role.pk, role.reports_to_id, reports_to.get):
        raise ValidationError(
            {"reports_to": _("A role cannot report to itself or to a role below it.")}
        )


def _check_role(org: Organization, role: Role, changed: set[str]) -> None:
    """``changed``: the fields the caller sets. The target date of a role "not yet
    justified" is asked for only when the justification is part of the change: a role made
    with nothing but a title is valid, and so is a change of its purpose."""
    title = (role.title or "").strip()
    if not title:
        raise ValidationError({"title": _("A role needs a title.")})
    if len(title) > _TITLE_MAX:
        raise ValidationError(
            {"title": _("Keep the title under %(max)d characters.") % {"max": _TITLE_MAX}}
        )
    role.title = title
    if role.department_id is not None and role.department.org_id != org.id:
        raise ValidationError({"department": _("Choose a department of this organisation.")})
    _check_reporting_line(org, role)
    _check_money(role, "annual_cost")
    _check_money(role, "expected_value")
    role.currency = (role.currency or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", role.currency):
        raise ValidationError({"currency": _("Use a three-letter currency code, e.g. USD.")})
    if role.justification_kind not in JustificationKind.values:
        raise ValidationError({"justification_kind": _("Choose how the role pays for itself.")})
    if (
        role.justification_kind == JustificationKind.NOT_YET
        and not role.justification_target_date
        and changed & {"justification_kind", "justification_target_date"}
    ):
        raise ValidationError(
            {
                "justification_target_date": _(
                    "A role that is not yet justified needs a date by which it should be."
                )
            }
        )
    duplicates = Role.objects.filter(
        org=org, department_id=role.department_id, title__iexact=title
    ).exclude(pk=role.pk)
    if duplicates.exists():
        raise _duplicate_title_error(title)


def _save_role(role: Role, **kwargs) -> None:
    save_or_refuse_duplicate(role, refusal=lambda: _duplicate_title_error(role.title), **kwargs)


@transaction.atomic
def role_create(
    *,
    org: Organization,
    actor: Membership | None,
    title: str,
    department: Department | None = None,
    **fields,
) -> Role:
    """Create a role. ``fields`` are any of the other top fields (purpose, cost, …)."""
    unknown = set(fields) - set(ROLE_FIELDS)
    if unknown:
        raise ValueError(f"not a role field: {sorted(unknown)}")
    role = Role(org=org, title=title, department=department, **fields)
    _check_role(org, role, {"title", "department", *fields})
    _save_role(role)
    audit.record_created(org=org, actor=actor, action="role.create", obj=role, fields=ROLE_FIELDS)
    return role


@transaction.atomic
def role_update(*, role: Role, actor: Membership | None, **fields) -> Role:
    """Change any of the role's top fields; the ones not given keep their value."""
    unknown = set(fields) - set(ROLE_FIELDS)
    if unknown:
        raise ValueError(f"not a role field: {sorted(unknown)}")
    if fields.get("reports_to") is not None:
        # Two concurrent changes (A reports to B, B reports to A) would each pass the cycle
        # walk on the other's uncommitted line; reporting changes in one organisation take
        # turns instead.
        Organization.objects.select_for_update().filter(pk=role.org_id).first()
    role = Role.objects.select_for_update(of=("self",)).select_related("org").get(pk=role.pk)
    before = audit.snapshot(role, ROLE_FIELDS)
    for name, value in fields.items():
        setattr(role, name, value)
    _check_role(role.org, role, set(fields))
    changes = audit.diff(before, audit.snapshot(role, ROLE_FIELDS))
    if not changes:
        return role
    role.updated_at = timezone.now()
    _save_role(role, update_fields=[*fields, "updated_at"])
    audit.record(org=role.org, actor=actor, action="role.update", obj=role, changes=changes)
    return role


@transaction.atomic
def role_delete(*, role: Role, actor: Membership | None) -> None:
    """Delete a role that has no KRAs and has never been held. Its areas of focus and
    responsibilities go with it; roles reporting to it then report to no role."""
    role = Role.objects.select_for_update().get(pk=role.pk)
    kras = role.kras.count()
    assignments = role.assignments.count()
    if kras or assignments:
        parts = []
        if kras:
            parts.append(_("%(n)d KRA(s)") % {"n": kras})
        if assignments:
            parts.append(_("%(n)d assignment(s), past or present") % {"n": assignments})
        raise ValidationError(
            _("“%(title)s” still has %(what)s. Remove them first.")
            % {"title": role.title, "what": _(" and ").join(parts)}
        )
    audit.record_deleted(
        org=role.org, actor=actor, action="role.delete", obj=role, fields=ROLE_FIELDS
    )
    role.delete()
