"""Who holds a role, from when until when: assigning it (and telling the member) and ending
an assignment."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from orgs import audit
from orgs.models import Membership
from orgs.notifications import notify

from ..models import Role, RoleAssignment
from ..policy import assignment_refusal

_ASSIGNMENT_FIELDS = ("role", "member", "start_date", "end_date")


def _overlap(start: datetime.date, end: datetime.date | None) -> Q:
    """Assignments whose [start_date, end_date] (open-ended when no end) meets [start, end]."""
    q = Q(end_date__isnull=True) | Q(end_date__gte=start)
    if end is not None:
        q &= Q(start_date__lte=end)
    return q


def _refuse_clash(
    role: Role, member: Membership, start_date: datetime.date, end_date: datetime.date | None
) -> None:
    """A member cannot hold the same role twice over the same days."""
    clash = (
        RoleAssignment.objects.filter(org_id=role.org_id, role=role, member=member)
        .filter(_overlap(start_date, end_date))
        .order_by("start_date")
        .first()
    )
    if clash is None:
        return
    raise ValidationError(
        {
            "member": _("%(name)s already holds this role from %(start)s%(until)s, which overlaps.")
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


def _check_assignment(
    role: Role,
    actor: Membership | None,
    member: Membership,
    start_date: datetime.date,
    end_date: datetime.date | None,
) -> None:
    if member.org_id != role.org_id:
        raise ValidationError({"member": _("Choose a member of this organisation.")})
    refusal = assignment_refusal(actor, role, member)
    if refusal:
        raise ValidationError({"member": refusal})
    if not member.is_active:
        raise ValidationError({"member": _("Choose an active member.")})
    if start_date is None:
        raise ValidationError({"start_date": _("Say from when the member holds the role.")})
    if end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": _("The end date cannot be before the start date.")})
    _refuse_clash(role, member, start_date, end_date)


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
    assigns only their own people, never themselves (``roles.policy.assignment_refusal``)."""
    # Serialises assignments to one role, so two overlapping ones cannot both pass the check.
    role = Role.objects.select_for_update(of=("self",)).select_related("org").get(pk=role.pk)
    _check_assignment(role, actor, member, start_date, end_date)
    assignment = RoleAssignment.objects.create(
        org_id=role.org_id, role=role, member=member, start_date=start_date, end_date=end_date
    )
    audit.record_created(
        org=role.org, actor=actor, action="role.assign", obj=assignment, fields=_ASSIGNMENT_FIELDS
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
    refusal = assignment_refusal(actor, assignment.role, assignment.member)
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
    with audit.tracked(assignment, _ASSIGNMENT_FIELDS, actor=actor, action="role.assignment_end"):
        assignment.end_date = end_date
        assignment.save(update_fields=["end_date"])
    return assignment
