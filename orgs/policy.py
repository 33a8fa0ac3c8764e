"""Who may do what: one policy, shared by pages and the API.

Decisions come from the member's org role and the org chart. A "manager" is not a flag: it is
whoever has direct reports or heads a department. The org chart's own rules (which
departments a head manages, who is in whose reporting line) are ``people_rules``'; this
module names them too (``policy.headed_department_ids``) for the callers that ask it.

This module holds the primitives (``is_admin``, ``is_hr``, ``is_manager``,
``manages_department``, ``in_management_line``), the one check (``can`` / ``require``), the
registry of actions, and the organisation's own actions (``OrgAction``). Each domain app
declares its actions and their object rules in its own ``policy`` module (roles/policy.py,
kras/policy.py, reviews/policy.py) and registers them here from its ``AppConfig.ready()``,
so ``Action`` names every action of every app (``policy.Action.MANAGE_KRA``) while orgs
imports none of them.

Org admins configure the organisation. HR reads everything in it (people including the
deactivated, roles with their cost, the audit trail) and manages people (invitations, a
member's place in the org chart, deactivation, the org-chart import, sign-in links, API
tokens), but does not change the organisation's profile, objectives, department structure,
rules or anyone's org role.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator

from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from .models import Membership, OrgRole
from .people_rules import headed_department_ids, in_reporting_line

__all__ = [
    "Action",
    "ActionRule",
    "ObjectRule",
    "OrgAction",
    "can",
    "headed_department_ids",
    "in_management_line",
    "in_reporting_line",
    "is_admin",
    "is_hr",
    "is_manager",
    "manages_department",
    "register",
    "require",
]


# --- primitives -----------------------------------------------------------------------------


def is_admin(member: Membership) -> bool:
    return member.role == OrgRole.ADMIN


def is_hr(member: Membership) -> bool:
    return member.role in (OrgRole.ADMIN, OrgRole.HR)


def is_manager(member: Membership) -> bool:
    """Has active direct reports or heads a department."""
    return member.reports.filter(is_active=True).exists() or member.headed_departments.exists()


def manages_department(member: Membership, department_id: int | None) -> bool:
    """Whether the member heads the department or one above it."""
    return department_id is not None and department_id in headed_department_ids(member)


def in_management_line(member: Membership, person: Membership, manager_id=None) -> bool:
    """Whether ``member`` manages ``person``: their manager (or ``manager_id``, an
    agreement's manager of record), anyone above in the reporting line, or the head of
    their department or of one above it."""
    return (
        member.pk in (person.manager_id, manager_id)
        or in_reporting_line(member, person)
        or manages_department(member, person.department_id)
    )


# --- the registry of actions ----------------------------------------------------------------

#: How an app decides its actions: ``(member, action, obj) -> bool``, asked only about an
#: active member and only for the actions it registered.
ActionRule = Callable[[Membership, enum.StrEnum, object], bool]

_BY_NAME: dict[str, enum.StrEnum] = {}
_RULES: dict[str, ActionRule] = {}


class _Registry(type):
    """``Action.X`` is the registered action named X, whichever app declared it;
    ``isinstance(a, Action)`` holds for every registered action."""

    def __getattr__(cls, name: str) -> enum.StrEnum:
        try:
            return _BY_NAME[name]
        except KeyError:
            raise AttributeError(f"no action {name} is registered") from None

    def __getitem__(cls, name: str) -> enum.StrEnum:
        return _BY_NAME[name]

    def __call__(cls, value: str) -> enum.StrEnum:
        for action in _BY_NAME.values():
            if action.value == value:
                return action
        raise ValueError(f"{value!r} is not a registered action")

    def __iter__(cls) -> Iterator[enum.StrEnum]:
        return iter(list(_BY_NAME.values()))

    def __len__(cls) -> int:
        return len(_BY_NAME)

    def __contains__(cls, action) -> bool:
        return isinstance(action, enum.Enum) and _BY_NAME.get(action.name) is action

    def __instancecheck__(cls, action) -> bool:
        return cls.__contains__(action)


class Action(metaclass=_Registry):
    """Every registered action: the organisation's own (``OrgAction``) and those each app
    registers (``RoleAction``, ``KraAction``, ``AgreementAction``)."""


def register(actions: type[enum.StrEnum], rule: ActionRule) -> None:
    """Make ``actions`` known as ``Action.<name>``, decided by ``rule``. Called from the
    owning app's ``AppConfig.ready()``; registering the same enum again is a no-op, a name
    or value another enum already uses is a configuration error."""
    for action in actions:
        known = _BY_NAME.get(action.name)
        if known is action:
            continue
        clash = known is not None or action.value in _RULES
        if clash:
            raise ImproperlyConfigured(f"action {action.name} ({action.value}) is registered twice")
        _BY_NAME[action.name] = action
        _RULES[action.value] = rule


def can(member: Membership, action: Action, obj=None) -> bool:
    """Whether ``member`` may do ``action`` (on ``obj``, where the action takes one). An
    inactive member may do nothing; otherwise the app that registered the action decides
    (see its ``policy`` module for what ``obj`` may be)."""
    if action not in Action:
        raise ImproperlyConfigured(f"{action!r} is not a registered action")
    if not member.is_active:
        return False
    return _RULES[action.value](member, action, obj)


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


# --- the organisation's own actions ---------------------------------------------------------


class OrgAction(enum.StrEnum):
    VIEW_ORG = "view_org"
    EDIT_ORG_PROFILE = "edit_org_profile"
    MANAGE_DEPARTMENTS = "manage_departments"
    VIEW_MEMBERS = "view_members"
    MANAGE_MEMBERS = "manage_members"
    INVITE_MEMBERS = "invite_members"
    IMPORT_ORG_CHART = "import_org_chart"
    VIEW_AUDIT = "view_audit"
    EDIT_ORG_RULES = "edit_org_rules"
    # People: deactivated members, everyone's API tokens, promoting to an org role.
    VIEW_INACTIVE_MEMBERS = "view_inactive_members"
    MANAGE_API_TOKENS = "manage_api_tokens"
    CHANGE_ORG_ROLES = "change_org_roles"


# Configuring the organisation: org admins only.
_ADMIN_ONLY = {
    OrgAction.EDIT_ORG_PROFILE,
    OrgAction.MANAGE_DEPARTMENTS,
    OrgAction.EDIT_ORG_RULES,
    OrgAction.CHANGE_ORG_ROLES,
}
# Managing and reading people: org admins and HR.
_PEOPLE_MANAGEMENT = {
    OrgAction.MANAGE_MEMBERS,
    OrgAction.INVITE_MEMBERS,
    OrgAction.IMPORT_ORG_CHART,
    OrgAction.VIEW_AUDIT,
    OrgAction.VIEW_INACTIVE_MEMBERS,
    OrgAction.MANAGE_API_TOKENS,
}


def _org_rule(member: Membership, action: OrgAction, obj=None) -> bool:
    if action in _ADMIN_ONLY:
        return is_admin(member)
    if action in _PEOPLE_MANAGEMENT:
        return is_hr(member)
    return action in (OrgAction.VIEW_ORG, OrgAction.VIEW_MEMBERS)


register(OrgAction, _org_rule)
