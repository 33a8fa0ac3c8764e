"""Who may do what: one policy, shared by pages and the API.

Decisions come from the member's org role and the org chart. A "manager" is not a flag: it is
whoever has direct reports or heads a department.
"""

from __future__ import annotations

import enum

from django.core.exceptions import PermissionDenied

from .models import Membership, OrgRole


class Action(enum.StrEnum):
    VIEW_ORG = "view_org"
    EDIT_ORG_PROFILE = "edit_org_profile"
    MANAGE_OBJECTIVES = "manage_objectives"
    MANAGE_DEPARTMENTS = "manage_departments"
    VIEW_MEMBERS = "view_members"
    MANAGE_MEMBERS = "manage_members"
    INVITE_MEMBERS = "invite_members"
    IMPORT_ORG_CHART = "import_org_chart"
    VIEW_AUDIT = "view_audit"


_ADMIN_ONLY = {
    Action.EDIT_ORG_PROFILE,
    Action.MANAGE_OBJECTIVES,
    Action.MANAGE_DEPARTMENTS,
    Action.MANAGE_MEMBERS,
    Action.INVITE_MEMBERS,
    Action.IMPORT_ORG_CHART,
    Action.VIEW_AUDIT,
}
_EVERY_MEMBER = {Action.VIEW_ORG, Action.VIEW_MEMBERS}


def is_admin(member: Membership) -> bool:
    return member.role == OrgRole.ADMIN


def is_hr(member: Membership) -> bool:
    return member.role in (OrgRole.ADMIN, OrgRole.HR)


def is_manager(member: Membership) -> bool:
    """Has active direct reports or heads a department."""
    return member.reports.filter(is_active=True).exists() or member.headed_departments.exists()


def can(member: Membership, action: Action, obj=None) -> bool:
    if not member.is_active:
        return False
    if action in _EVERY_MEMBER:
        return True
    if action in _ADMIN_ONLY:
        return is_admin(member)
    return False


def require(member: Membership, action: Action, obj=None) -> None:
    if not can(member, action, obj):
        raise PermissionDenied(f"not allowed: {action}")
