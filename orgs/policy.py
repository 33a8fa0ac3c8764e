"""Who may do what: one policy, shared by pages and the API.

Decisions come from the member's org role and the org chart. A "manager" is not a flag: it is
whoever has direct reports or heads a department. The org chart's own rules (which
departments a head manages, who is in whose reporting line) are ``people_rules``'; this
module names them too (``policy.headed_department_ids``) for the callers that ask it.

Org admins configure the organisation. HR reads everything in it (people including the
deactivated, roles with their cost, the audit trail) and manages people (invitations, a
member's place in the org chart, deactivation, the org-chart import, sign-in links, API
tokens), but does not change the organisation's profile, objectives, department structure,
rules or anyone's org role.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Membership, OrgRole
from .people_rules import headed_department_ids, in_reporting_line


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
    # People: deactivated members, everyone's API tokens, promoting to an org role.
    VIEW_INACTIVE_MEMBERS = "view_inactive_members"
    MANAGE_API_TOKENS = "manage_api_tokens"
    CHANGE_ORG_ROLES = "change_org_roles"
    # A role's cost justification (annual cost, expected value, kind, date, text). With a
    # Role: org admins, HR and the heads of its department or of a department above it.
    VIEW_ROLE_COST = "view_role_cost"
    # Who holds a role. With a Role: org admins and HR, or whoever manages the role. Which
    # people a manager may assign is ``assignment_refusal``'s to say.
    ASSIGN_ROLE = "assign_role"
    # Agreements (docs/DOMAIN.md rules R29 to R31, R40). With an Agreement, or the Membership
    # it is for: see ``_agreement_allowed``. Signing is the agreement service's to decide
    # (the person, the manager of record or a per-object delegate, then HR).
    VIEW_AGREEMENT = "view_agreement"
    MANAGE_AGREEMENT = "manage_agreement"
    VOID_AGREEMENT = "void_agreement"
    ACKNOWLEDGE_AGREEMENT = "acknowledge_agreement"


# Configuring the organisation: org admins only.
_ADMIN_ONLY = {
    Action.EDIT_ORG_PROFILE,
    Action.MANAGE_OBJECTIVES,
    Action.MANAGE_DEPARTMENTS,
    Action.EDIT_ORG_RULES,
    Action.CHANGE_ORG_ROLES,
}
# Managing and reading people: org admins and HR.
_PEOPLE_MANAGEMENT = {
    Action.MANAGE_MEMBERS,
    Action.INVITE_MEMBERS,
    Action.IMPORT_ORG_CHART,
    Action.VIEW_AUDIT,
    Action.VIEW_INACTIVE_MEMBERS,
    Action.MANAGE_API_TOKENS,
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


def _manages_department(member: Membership, department_id: int | None) -> bool:
    return department_id is not None and department_id in headed_department_ids(member)


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


def _role_id_of(obj) -> int | None:
    """The role a MANAGE_KRA object belongs to (a role KRA's role, or a Role), or None."""
    if hasattr(obj, "level"):
        return getattr(obj, "role_id", None)
    if obj._meta.label_lower == "roles.role":
        return obj.pk
    return None


def role_cost_checker(member: Membership) -> Callable[[object], bool]:
    """``can(member, VIEW_ROLE_COST, role)`` for many roles at once (a list page, an API
    list), with one query for the departments the member heads instead of one per role."""
    if not member.is_active:
        return lambda role: False
    if is_hr(member):
        return lambda role: True
    headed = headed_department_ids(member)
    return lambda role: role.department_id is not None and role.department_id in headed


def can(member: Membership, action: Action, obj=None) -> bool:
    """``obj`` refines MANAGE_ROLE (a Role) and MANAGE_KRA (a KRA, or a role or department
    that new KRAs would belong to): managers act on what sits in the departments they head
    (and below); organisation-level KRAs are the org admins' (leadership's); nobody but an
    org admin changes the KRAs of a role they hold themselves (their manager does).
    VIEW_ROLE_COST and ASSIGN_ROLE take a Role."""
    if not member.is_active:
        return False
    if action in _EVERY_MEMBER:
        return True
    if action in _ADMIN_ONLY:
        return is_admin(member)
    if action in _PEOPLE_MANAGEMENT:
        return is_hr(member)
    if action == Action.VIEW_ROLE_COST:
        return is_hr(member) if obj is None else role_cost_checker(member)(obj)
    if action == Action.ASSIGN_ROLE:
        if is_hr(member):
            return True
        return can(member, Action.MANAGE_ROLE, obj)
    if action in _MANAGERS:
        if is_admin(member):
            return True
        if obj is None:
            return is_manager(member)
        if getattr(obj, "level", None) == "organization":
            return False
        if obj._meta.label_lower == "orgs.department":
            return _manages_department(member, obj.pk)
        if action == Action.MANAGE_KRA and holds_role(member, _role_id_of(obj)):
            return False
        role = getattr(obj, "role", None) if hasattr(obj, "level") else None
        return _manages_department(member, getattr(role or obj, "department_id", None))
    if action in _AGREEMENTS:
        return _agreement_allowed(member, action, obj)
    return False


def assignment_refusal(actor, role, person: Membership) -> str | None:
    """Why ``actor`` may not give ``person`` the role ``role`` (or end their assignment to
    it), or None when they may. Org admins and HR assign anyone. A manager of the role
    assigns the people who report to them (directly or through others) and the people of
    the departments they head (and below), never themselves: a member's own roles are
    their manager's (or an org admin's, or HR's) to manage."""
    if not isinstance(actor, Membership):
        return None  # the system (imports, seeding), or platform staff in the Django admin
    if not can(actor, Action.ASSIGN_ROLE, role):
        return _("You may not change who holds this role.")
    if is_hr(actor):
        return None
    if person.pk == actor.pk:
        return _("Your own roles are managed by your manager, an org admin or HR, not by yourself.")
    if in_reporting_line(actor, person) or _manages_department(actor, person.department_id):
        return None
    return _(
        "You can assign roles only to people who report to you (directly or through others) "
        "or who work in a department you head."
    )


#: A decision about one object that is not a single Action (confirming a flagged KRA: whoever
#: may manage it, and its owner), kept by the app that owns the object: ``(member, obj)``.
ObjectRule = Callable[[Membership, object], bool]


def require(member: Membership, action: Action | ObjectRule, obj=None) -> None:
    """PermissionDenied unless ``can(member, action, obj)``, or, for an object rule,
    ``action(member, obj)``: pages and API bases check objects through this one call."""
    allowed = can(member, action, obj) if isinstance(action, Action) else action(member, obj)
    if not allowed:
        name = action if isinstance(action, Action) else getattr(action, "__name__", "rule")
        raise PermissionDenied(f"not allowed: {name}")


# --- agreements -----------------------------------------------------------------------------

_AGREEMENTS = {
    Action.VIEW_AGREEMENT,
    Action.MANAGE_AGREEMENT,
    Action.VOID_AGREEMENT,
    Action.ACKNOWLEDGE_AGREEMENT,
}


def in_management_line(member: Membership, person: Membership, manager_id=None) -> bool:
    """Whether ``member`` manages ``person``: their manager (or ``manager_id``, an
    agreement's manager of record), anyone above in the reporting line, or the head of
    their department or of one above it."""
    return (
        member.pk in (person.manager_id, manager_id)
        or in_reporting_line(member, person)
        or _manages_department(member, person.department_id)
    )


def _agreement_allowed(member: Membership, action: Action, obj) -> bool:
    """An agreement is the person's, their management line's and HR's: docs/DOMAIN.md
    rule R40. Without an object: may the member see agreements at all (everyone: their own),
    draft any (HR, managers), void or acknowledge any (HR). With an Agreement (or the
    Membership it would be for): the person reads it; their management line and HR read
    and draft it; HR voids and acknowledges it. Nobody drafts, voids or acknowledges their
    own."""
    if obj is None:
        if action == Action.VIEW_AGREEMENT:
            return True
        if action == Action.MANAGE_AGREEMENT:
            return is_hr(member) or is_manager(member)
        return is_hr(member)
    person = obj if isinstance(obj, Membership) else getattr(obj, "employee", None)
    if person is None or person.org_id != member.org_id:
        return False
    manager_id = None if isinstance(obj, Membership) else getattr(obj, "manager_id", None)
    own = person.pk == member.pk
    if action == Action.VIEW_AGREEMENT:
        return own or is_hr(member) or in_management_line(member, person, manager_id)
    if own:
        return False
    if action == Action.MANAGE_AGREEMENT:
        return is_hr(member) or in_management_line(member, person, manager_id)
    return is_hr(member)
