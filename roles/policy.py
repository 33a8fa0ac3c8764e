"""Who may do what with roles: the roles app's actions and their object rules, registered
with orgs' policy (``orgs.policy.Action.MANAGE_ROLE``) in ``RolesConfig.ready()``.

Without an object, MANAGE_ROLE asks "may this member create or manage any role?" (an org
admin, or a manager); with a Role (or the Department a new role would belong to): managers
act on what sits in the departments they head (and below).
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Membership
from orgs.people_rules import headed_department_ids, in_reporting_line
from orgs.policy import can, is_admin, is_hr, is_manager, manages_department


class RoleAction(enum.StrEnum):
    VIEW_ROLES = "view_roles"
    MANAGE_ROLE = "manage_role"
    # A role's cost justification (annual cost, expected value, kind, date, text). With a
    # Role: org admins, HR and the heads of its department or of a department above it.
    VIEW_ROLE_COST = "view_role_cost"
    # Who holds a role. With a Role: org admins and HR, or whoever manages the role. Which
    # people a manager may assign is ``assignment_refusal``'s to say.
    ASSIGN_ROLE = "assign_role"


def _held_today(member: Membership):
    today = timezone.localdate()
    return member.role_assignments.filter(start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )


def holds_role(member: Membership, role_id: int | None) -> bool:
    """Whether the member holds the role today."""
    return role_id is not None and _held_today(member).filter(role_id=role_id).exists()


def held_role_ids(member: Membership) -> set[int]:
    """The roles the member holds today (one query, for checks over many objects)."""
    return set(_held_today(member).values_list("role_id", flat=True))


def manages(member: Membership, obj=None) -> bool:
    """MANAGE_ROLE: an org admin manages every role; without an object, a manager may
    manage some; with a Department (or a Role, decided by its department): its head or
    the head of a department above it."""
    if is_admin(member):
        return True
    if obj is None:
        return is_manager(member)
    if obj._meta.label_lower == "orgs.department":
        return manages_department(member, obj.pk)
    return manages_department(member, getattr(obj, "department_id", None))


def role_cost_checker(member: Membership) -> Callable[[object], bool]:
    """``can(member, VIEW_ROLE_COST, role)`` for many roles at once (a list page, an API
    list), with one query for the departments the member heads instead of one per role."""
    if not member.is_active:
        return lambda role: False
    if is_hr(member):
        return lambda role: True
    headed = headed_department_ids(member)
    return lambda role: role.department_id is not None and role.department_id in headed


def decide(member: Membership, action: RoleAction, obj=None) -> bool:
    """The roles app's rule for its actions (orgs' ``can`` has already refused an inactive
    member). VIEW_ROLE_COST and ASSIGN_ROLE take a Role."""
    if action == RoleAction.VIEW_ROLES:
        return True
    if action == RoleAction.VIEW_ROLE_COST:
        return is_hr(member) if obj is None else role_cost_checker(member)(obj)
    if action == RoleAction.ASSIGN_ROLE:
        return is_hr(member) or manages(member, obj)
    return manages(member, obj)


def assignment_refusal(actor, role, person: Membership) -> str | None:
    """Why ``actor`` may not give ``person`` the role ``role`` (or end their assignment to
    it), or None when they may. Org admins and HR assign anyone. A manager of the role
    assigns the people who report to them (directly or through others) and the people of
    the departments they head (and below), never themselves: a member's own roles are
    their manager's (or an org admin's, or HR's) to manage."""
    if not isinstance(actor, Membership):
        return None  # the system (imports, seeding), or platform staff in the Django admin
    if not can(actor, RoleAction.ASSIGN_ROLE, role):
        return _("You may not change who holds this role.")
    if is_hr(actor):
        return None
    if person.pk == actor.pk:
        return _("Your own roles are managed by your manager, an org admin or HR, not by yourself.")
    if in_reporting_line(actor, person) or manages_department(actor, person.department_id):
        return None
    return _(
        "You can assign roles only to people who report to you (directly or through others) "
        "or who work in a department you head."
    )
