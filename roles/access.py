"""Scoped access helpers for roles models (see orgs.tenancy), and who may place a role in a
department."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from orgs import policy
from orgs.models import Department, Membership
from orgs.tenancy import get_scoped_or_404, scoped

from .models import AreaOfFocus, Responsibility, Role, RoleAssignment


def get_role_for_member(member: Membership, pk) -> Role:
    return get_scoped_or_404(
        scoped(Role, member.org).select_related(
            "org", "department", "reports_to", "success_checked_by__user"
        ),
        pk,
    )


def get_area_for_member(member: Membership, pk) -> AreaOfFocus:
    return get_scoped_or_404(scoped(AreaOfFocus, member.org).select_related("role"), pk)


def get_responsibility_for_member(member: Membership, pk) -> Responsibility:
    return get_scoped_or_404(scoped(Responsibility, member.org).select_related("area__role"), pk)


def get_assignment_for_member(member: Membership, pk) -> RoleAssignment:
    return get_scoped_or_404(
        scoped(RoleAssignment, member.org).select_related("role", "member__user"), pk
    )


def can_place_role(member: Membership, department: Department | None) -> bool:
    """May ``member`` create a role in (or move a role to) ``department``? Org admins may
    use any department or none; a department head only the departments they head and those
    below them."""
    if policy.is_admin(member) and member.is_active:
        return True
    return department is not None and policy.can(member, policy.Action.MANAGE_ROLE, department)


def require_place_role(member: Membership, department: Department | None) -> None:
    if not can_place_role(member, department):
        raise PermissionDenied("not allowed: place a role in this department")


def placeable_departments(member: Membership):
    """The departments ``member`` may put roles in."""
    departments = scoped(Department, member.org)
    if policy.is_admin(member):
        return departments
    return departments.filter(pk__in=policy.headed_department_ids(member))


def can_create_roles(member: Membership) -> bool:
    """Org admins, and heads of at least one department."""
    if not member.is_active:
        return False
    return policy.is_admin(member) or bool(policy.headed_department_ids(member))
