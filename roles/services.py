"""Writes of the roles app: roles, their areas of focus and responsibilities, the success
check and who holds each role. Every write is atomic and audited."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kra_platform.db import save_or_refuse_duplicate
from kra_platform.ordering import move_in_list, next_position
from orgs import audit, policy
from orgs.models import Department, Membership, Organization
from orgs.notifications import notify

from .models import AreaOfFocus, JustificationKind, Responsibility, Role, RoleAssignment

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
_SUCCESS_FIELDS = ("success_is_complete", "success_missing", "success_unnecessary")
_AREA_FIELDS = ("title", "description", "position")
_RESPONSIBILITY_FIELDS = ("description", "position")
_ASSIGNMENT_FIELDS = ("role", "member", "start_date", "end_date")

_TITLE_MAX = Role._meta.get_field("title").max_length
_AREA_TITLE_MAX = AreaOfFocus._meta.get_field("title").max_length
_RESPONSIBILITY_MAX = Responsibility._meta.get_field("description").max_length
_MONEY_MAX = Decimal("999999999999.99")  # max_digits=14, decimal_places=2
_UNSET = object()


# --- roles ----------------------------------------------------------------------------------


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
    if role.reports_to_id is not None:
        if role.reports_to.org_id != org.id:
            raise ValidationError({"reports_to": _("Choose a role of this organisation.")})
        # Walk up the reporting line from the new manager role: meeting this role means
        # the line would loop back on itself.
        node, seen = role.reports_to, set()
        while node is not None and node.pk not in seen:
            if role.pk is not None and node.pk == role.pk:
                raise ValidationError(
                    {"reports_to": _("A role cannot report to itself or to a role below it.")}
                )
            seen.add(node.pk)
            node = node.reports_to
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
    audit.record(
        org=org,
        actor=actor,
        action="role.create",
        obj=role,
        changes=audit.diff({}, audit.snapshot(role, ROLE_FIELDS)),
    )
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
    before = audit.snapshot(role, ROLE_FIELDS)
    audit.record(
        org=role.org,
        actor=actor,
        action="role.delete",
        obj=role,
        changes=audit.diff(before, {}),
    )
    role.delete()


@transaction.atomic
def role_success_check_record(
    *,
    role: Role,
    actor: Membership | None,
    is_complete: bool | None,
    missing: str = "",
    unnecessary: str = "",
) -> Role:
    """Answer the success check: "if every KRA on this page were executed, is the role a
    success? what is missing?" and "is any KRA here not needed?". Dated and signed by the
    one who answered."""
    if is_complete is None:
        raise ValidationError({"is_complete": _("Answer yes or no.")})
    missing = (missing or "").strip()
    unnecessary = (unnecessary or "").strip()
    if is_complete is False and not missing:
        raise ValidationError({"missing": _("Say what is missing for the role to succeed.")})
    role = Role.objects.select_for_update(of=("self",)).select_related("org").get(pk=role.pk)
    before = audit.snapshot(role, _SUCCESS_FIELDS)
    role.success_is_complete = is_complete
    role.success_missing = missing
    role.success_unnecessary = unnecessary
    role.success_checked_at = timezone.now()
    role.success_checked_by = actor if isinstance(actor, Membership) else None
    role.save(
        update_fields=[
            *_SUCCESS_FIELDS,
            "success_checked_at",
            "success_checked_by",
        ]
    )
    audit.record(
        org=role.org,
        actor=actor,
        action="role.success_check",
        obj=role,
        changes=audit.diff(before, audit.snapshot(role, _SUCCESS_FIELDS)),
    )
    return role


# --- ordering -------------------------------------------------------------------------------


def _clean_text(value: str, *, field: str, max_length: int, required_message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: required_message})
    if len(value) > max_length:
        raise ValidationError({field: _("Keep it under %(max)d characters.") % {"max": max_length}})
    return value


# --- areas of focus -------------------------------------------------------------------------


@transaction.atomic
def area_create(
    *, role: Role, actor: Membership | None, title: str, description: str = ""
) -> AreaOfFocus:
    """Add an area of focus at the end of the role's list."""
    title = _clean_text(
        title, field="title", max_length=_AREA_TITLE_MAX, required_message=_("Name the area.")
    )
    # Locking the role keeps two additions at once from taking the same position.
    role = Role.objects.select_for_update().get(pk=role.pk)
    position = next_position(AreaOfFocus.objects.filter(org_id=role.org_id, role=role))
    area = AreaOfFocus.objects.create(
        org_id=role.org_id,
        role=role,
        title=title,
        description=(description or "").strip(),
        position=position,
    )
    audit.record(
        org=role.org,
        actor=actor,
        action="area.create",
        obj=area,
        changes=audit.diff({}, audit.snapshot(area, _AREA_FIELDS)),
    )
    return area


@transaction.atomic
def area_update(
    *,
    area: AreaOfFocus,
    actor: Membership | None,
    title: str | object = _UNSET,
    description: str | object = _UNSET,
) -> AreaOfFocus:
    area = AreaOfFocus.objects.select_for_update(of=("self",)).select_related("org").get(pk=area.pk)
    before = audit.snapshot(area, _AREA_FIELDS)
    if title is not _UNSET:
        area.title = _clean_text(
            title, field="title", max_length=_AREA_TITLE_MAX, required_message=_("Name the area.")
        )
    if description is not _UNSET:
        area.description = (description or "").strip()
    changes = audit.diff(before, audit.snapshot(area, _AREA_FIELDS))
    if changes:
        area.save(update_fields=list(changes))
        audit.record(org=area.org, actor=actor, action="area.update", obj=area, changes=changes)
    return area


@transaction.atomic
def area_delete(*, area: AreaOfFocus, actor: Membership | None) -> None:
    """Delete an area with its responsibilities; KRAs filed under it keep going without an
    area."""
    area = AreaOfFocus.objects.select_for_update(of=("self",)).select_related("org").get(pk=area.pk)
    responsibilities = list(area.responsibilities.values_list("description", flat=True))
    changes = audit.diff(audit.snapshot(area, _AREA_FIELDS), {})
    if responsibilities:
        changes["responsibilities"] = {"old": responsibilities, "new": None}
    audit.record(org=area.org, actor=actor, action="area.delete", obj=area, changes=changes)
    area.delete()


@transaction.atomic
def area_move(*, area: AreaOfFocus, actor: Membership | None, direction: str) -> AreaOfFocus:
    """Swap an area with its neighbour above ("up") or below ("down")."""
    area = AreaOfFocus.objects.select_related("org").get(pk=area.pk)
    old, new = move_in_list(
        AreaOfFocus.objects.filter(org_id=area.org_id, role_id=area.role_id), area, direction
    )
    if old != new:
        audit.record(
            org=area.org,
            actor=actor,
            action="area.reorder",
            obj=area,
            changes={"position": {"old": old, "new": new}},
        )
    return area


# --- responsibilities -----------------------------------------------------------------------


def _clean_responsibility(description: str) -> str:
    return _clean_text(
        description,
        field="description",
        max_length=_RESPONSIBILITY_MAX,
        required_message=_("Describe the responsibility."),
    )


@transaction.atomic
def responsibility_create(
    *, area: AreaOfFocus, actor: Membership | None, description: str
) -> Responsibility:
    """Add a responsibility at the end (lowest priority) of the area's list."""
    description = _clean_responsibility(description)
    area = AreaOfFocus.objects.select_for_update(of=("self",)).select_related("org").get(pk=area.pk)
    position = next_position(Responsibility.objects.filter(org_id=area.org_id, area=area))
    responsibility = Responsibility.objects.create(
        org_id=area.org_id, area=area, description=description, position=position
    )
    audit.record(
        org=area.org,
        actor=actor,
        action="responsibility.create",
        obj=responsibility,
        changes=audit.diff({}, audit.snapshot(responsibility, _RESPONSIBILITY_FIELDS)),
    )
    return responsibility


@transaction.atomic
def responsibility_update(
    *, responsibility: Responsibility, actor: Membership | None, description: str
) -> Responsibility:
    responsibility = (
        Responsibility.objects.select_for_update(of=("self",))
        .select_related("org")
        .get(pk=responsibility.pk)
    )
    before = audit.snapshot(responsibility, _RESPONSIBILITY_FIELDS)
    responsibility.description = _clean_responsibility(description)
    changes = audit.diff(before, audit.snapshot(responsibility, _RESPONSIBILITY_FIELDS))
    if changes:
        responsibility.save(update_fields=["description"])
        audit.record(
            org=responsibility.org,
            actor=actor,
            action="responsibility.update",
            obj=responsibility,
            changes=changes,
        )
    return responsibility


@transaction.atomic
def responsibility_delete(*, responsibility: Responsibility, actor: Membership | None) -> None:
    responsibility = (
        Responsibility.objects.select_for_update(of=("self",))
        .select_related("org")
        .get(pk=responsibility.pk)
    )
    audit.record(
        org=responsibility.org,
        actor=actor,
        action="responsibility.delete",
        obj=responsibility,
        changes=audit.diff(audit.snapshot(responsibility, _RESPONSIBILITY_FIELDS), {}),
    )
    responsibility.delete()


@transaction.atomic
def responsibility_move(
    *, responsibility: Responsibility, actor: Membership | None, direction: str
) -> Responsibility:
    """Raise ("up") or lower ("down") a responsibility's priority within its area."""
    responsibility = Responsibility.objects.select_related("org").get(pk=responsibility.pk)
    old, new = move_in_list(
        Responsibility.objects.filter(org_id=responsibility.org_id, area_id=responsibility.area_id),
        responsibility,
        direction,
    )
    if old != new:
        audit.record(
            org=responsibility.org,
            actor=actor,
            action="responsibility.reorder",
            obj=responsibility,
            changes={"position": {"old": old, "new": new}},
        )
    return responsibility


# --- who holds the role ---------------------------------------------------------------------


def _overlap(start: datetime.date, end: datetime.date | None) -> Q:
    """Assignments whose [start_date, end_date] (open-ended when no end) meets [start, end]."""
    q = Q(end_date__isnull=True) | Q(end_date__gte=start)
    if end is not None:
        q &= Q(start_date__lte=end)
    return q


@transaction.atomic
def role_assign(
    *,
    role: Role,
    actor: Membership | None,
    member: Membership,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
) -> RoleAssignment:
    """Record that ``member`` holds ``role`` from ``start_date`` (until ``end_date``), and
    tell them (inbox and email, after commit).

    A member cannot hold the same role twice over the same days; several members may hold
    one role (a team of account executives), and a member may hold several roles. A manager
    assigns only their own people, never themselves (``policy.assignment_refusal``)."""
    # Serialises assignments to one role, so two overlapping ones cannot both pass the check.
    role = Role.objects.select_for_update(of=("self",)).select_related("org").get(pk=role.pk)
    if member.org_id != role.org_id:
        raise ValidationError({"member": _("Choose a member of this organisation.")})
    refusal = policy.assignment_refusal(actor, role, member)
    if refusal:
        raise ValidationError({"member": refusal})
    if not member.is_active:
        raise ValidationError({"member": _("Choose an active member.")})
    if start_date is None:
        raise ValidationError({"start_date": _("Say from when the member holds the role.")})
    if end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": _("The end date cannot be before the start date.")})
    clash = (
        RoleAssignment.objects.filter(org_id=role.org_id, role=role, member=member)
        .filter(_overlap(start_date, end_date))
        .order_by("start_date")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "member": _(
                    "%(name)s already holds this role from %(start)s%(until)s, which overlaps."
                )
                % {
                    "name": member.display_name,
                    "start": clash.start_date.isoformat(),
                    "until": (
                        _(" until %(end)s") % {"end": clash.end_date.isoformat()}
                        if clash.end_date
                        else ""
                    ),
                }
            }
        )
    assignment = RoleAssignment.objects.create(
        org_id=role.org_id, role=role, member=member, start_date=start_date, end_date=end_date
    )
    audit.record(
        org=role.org,
        actor=actor,
        action="role.assign",
        obj=assignment,
        changes=audit.diff({}, audit.snapshot(assignment, _ASSIGNMENT_FIELDS)),
    )
    if not (isinstance(actor, Membership) and actor.pk == member.pk):
        _notify_assigned(assignment)
    return assignment


def _notify_assigned(assignment: RoleAssignment) -> None:
    role = assignment.role
    until = (
        _(" until %(end)s") % {"end": assignment.end_date.isoformat()}
        if assignment.end_date
        else ""
    )
    notify(
        recipient=assignment.member,
        kind="role.assigned",
        title=_("You hold the role %(role)s") % {"role": role.title},
        body=_("You hold the role %(role)s%(department)s from %(start)s%(until)s.")
        % {
            "role": role.title,
            "department": f" ({role.department.name})" if role.department_id else "",
            "start": assignment.start_date.isoformat(),
            "until": until,
        },
        url=reverse("role-detail", args=[role.org.slug, role.pk]),
    )


@transaction.atomic
def role_assignment_end(
    *, assignment: RoleAssignment, actor: Membership | None, end_date: datetime.date
) -> RoleAssignment:
    """End an open assignment on ``end_date`` (the last day the member holds the role). The
    same people may end it as may make it; nobody but an org admin or HR ends their own."""
    assignment = (
        RoleAssignment.objects.select_for_update(of=("self",))
        .select_related("org", "role", "member__user")
        .get(pk=assignment.pk)
    )
    refusal = policy.assignment_refusal(actor, assignment.role, assignment.member)
    if refusal:
        raise ValidationError(refusal)
    if assignment.end_date is not None:
        raise ValidationError(
            _("This assignment already ended on %(date)s.")
            % {"date": assignment.end_date.isoformat()}
        )
    if end_date is None:
        raise ValidationError({"end_date": _("Say on which day the assignment ends.")})
    if end_date < assignment.start_date:
        raise ValidationError(
            {
                "end_date": _("The end date cannot be before the start date (%(start)s).")
                % {"start": assignment.start_date.isoformat()}
            }
        )
    before = audit.snapshot(assignment, _ASSIGNMENT_FIELDS)
    assignment.end_date = end_date
    assignment.save(update_fields=["end_date"])
    audit.record(
        org=assignment.org,
        actor=actor,
        action="role.assignment_end",
        obj=assignment,
        changes=audit.diff(before, audit.snapshot(assignment, _ASSIGNMENT_FIELDS)),
    )
    return assignment
