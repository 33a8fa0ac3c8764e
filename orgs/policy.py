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
    EDIT_ORG_RULES = "edit_org_rules"
    # Roles, KRAs and KPIs. Without an object: "may this member create/manage any?" (an org
    # admin, or a manager). With an object: the object-level rule below.
    VIEW_ROLES = "view_roles"
    MANAGE_ROLE = "manage_role"
    MANAGE_KRA = "manage_kra"
    SAVE_KRA_TEMPLATE = "save_kra_template"


_ADMIN_ONLY = {
    Action.EDIT_ORG_PROFILE,
    Action.MANAGE_OBJECTIVES,
    Action.MANAGE_DEPARTMENTS,
    Action.MANAGE_MEMBERS,
    Action.INVITE_MEMBERS,
    Action.IMPORT_ORG_CHART,
    Action.VIEW_AUDIT,
    Action.EDIT_ORG_RULES,
}
_EVERY_MEMBER = {Action.VIEW_ORG, Action.VIEW_MEMBERS, Action.VIEW_ROLES}
_MANAGERS = {Action.MANAGE_ROLE, Action.MANAGE_KRA, Action.SAVE_KRA_TEMPLATE}


def is_admin(member: Membership) -> bool:
    return member.role == OrgRole.ADMIN


def is_hr(member: Membership) -> bool:
    return member.role in (OrgRole.ADMIN, OrgRole.HR)


def is_manager(member: Membership) -> bool:
    """Has active direct reports or heads a department."""
    return member.reports.filter(is_active=True).exists() or member.headed_departments.exists()


def headed_department_ids(member: Membership) -> set[int]:
    """Departments the member heads, with every department below them."""
    from .models import Department

    rows = list(
        Department.objects.filter(org_id=member.org_id).values_list("pk", "parent_id", "head_id")
    )
    children: dict[int | None, list[int]] = {}
    for pk, parent_id, _head in rows:
        children.setdefault(parent_id, []).append(pk)
    result: set[int] = set()
    stack = [pk for pk, _parent, head in rows if head == member.pk]
    while stack:
        pk = stack.pop()
        if pk not in result:
            result.add(pk)
            stack.extend(children.get(pk, []))
    return result


def _manages_department(member: Membership, department_id: int | None) -> bool:
    return department_id is not None and department_id in headed_department_ids(member)


def can(member: Membership, action: Action, obj=None) -> bool:
    """``obj`` refines MANAGE_ROLE (a Role) and MANAGE_KRA (a KRA, or a role or department
    that new KRAs would belong to): managers act on what sits in the departments they head
    (and below); organisation-level KRAs are the org admins' (leadership's)."""
    if not member.is_active:
        return False
    if action in _EVERY_MEMBER:
        return True
    if action in _ADMIN_ONLY:
        return is_admin(member)
    if action in _MANAGERS:
        if is_admin(member):
            return True
        if obj is None:
            return is_manager(member)
        if getattr(obj, "level", None) == "organization":
            return False
        if obj._meta.label_lower == "orgs.department":
            return _manages_department(member, obj.pk)
        role = getattr(obj, "role", None) if hasattr(obj, "level") else None
        return _manages_department(member, getattr(role or obj, "department_id", None))
    return False


def require(member: Membership, action: Action, obj=None) -> None:
    if not can(member, action, obj):
        raise PermissionDenied(f"not allowed: {action}")
