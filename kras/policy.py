"""Who may do what with objectives, KRAs and KRA templates: the kras app's actions and their
object rules, registered with orgs' policy (``orgs.policy.Action.MANAGE_KRA``) in
``KrasConfig.ready()``.

Without an object, MANAGE_KRA and SAVE_KRA_TEMPLATE ask "may this member manage any?" (an
org admin, or a manager). With an object (a KRA, or the Role or Department that new KRAs
would belong to): managers act on what sits in the departments they head (and below);
organisation-level KRAs are the org admins' (leadership's); nobody but an org admin changes
the KRAs of a role they hold themselves (their manager does).
"""

from __future__ import annotations

import enum

from orgs.models import Membership
from orgs.policy import is_admin, is_manager, manages_department
from roles.policy import holds_role
from roles.policy import manages as manages_role


class KraAction(enum.StrEnum):
    # Strategic objectives configure the organisation: org admins only.
    MANAGE_OBJECTIVES = "manage_objectives"
    MANAGE_KRA = "manage_kra"
    SAVE_KRA_TEMPLATE = "save_kra_template"


def _is_kra(obj) -> bool:
    return hasattr(obj, "level")


def _role_id_of(obj) -> int | None:
    """The role a MANAGE_KRA object belongs to (a role KRA's role, or a Role), or None."""
    if _is_kra(obj):
        return obj.role_id
    return obj.pk if obj._meta.label_lower == "roles.role" else None


def _manages_kra(member: Membership, kra) -> bool:
    if kra.level == "organization":
        return False
    role = kra.role if kra.role_id is not None else None
    return manages_department(member, (role or kra).department_id)


def decide(member: Membership, action: KraAction, obj=None) -> bool:
    """The kras app's rule for its actions (orgs' ``can`` has already refused an inactive
    member)."""
    if is_admin(member):
        return True
    if action == KraAction.MANAGE_OBJECTIVES:
        return False
    if obj is None:
        return is_manager(member)
    if action == KraAction.MANAGE_KRA and holds_role(member, _role_id_of(obj)):
        return False
    return _manages_kra(member, obj) if _is_kra(obj) else manages_role(member, obj)
