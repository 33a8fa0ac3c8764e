"""Writes of KRAs at the three levels (organisation, department, role).

What is validated here is what would make a KRA wrong, not merely unfinished: fields that do
not fit its level, another organisation's objects, a ladder that points sideways or into its
own subtree (docs/DOMAIN.md rule R5). The drafting rules of docs/DOMAIN.md section 3
(counts, weights totalling 100, a ladder present, activity-verb titles) never block a write:
the selectors report them, and they block only where an agreement is proposed (rule R9).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from kra_platform.ordering import move_in_list, next_position
from orgs import audit
from orgs.models import Department, Membership, Organization
from roles.models import AreaOfFocus, Role

from ..kra_numbers import plain
from ..models import KRA, KRALevel, KRAStatus, ObjectiveStatus, StrategicObjective
from .cascade import descendant_ids, flag_descendants

KRA_FIELDS = (
    "level",
    "title",
    "definition",
    "department",
    "role",
    "area_of_focus",
    "owner",
    "weight",
    "priority",
    "parent",
    "objective",
    "status",
    "position",
)
EDITABLE = (
    "title",
    "definition",
    "area_of_focus",
    "owner",
    "weight",
    "priority",
    "parent",
    "objective",
)
#: Changes the cascade carries down (docs/DOMAIN.md rule R10).
CASCADING = ("title", "definition", "weight")

_RANK = {KRALevel.ORGANIZATION: 0, KRALevel.DEPARTMENT: 1, KRALevel.ROLE: 2}


def quote(value) -> str:
    text = Truncator(str(value if value is not None else "")).chars(80)
    return f"“{text}”" if text else _("(empty)")


def _check_level_fields(kra: KRA, errors: dict) -> None:
    org_id = kra.org_id
    if kra.level not in _RANK:
        errors["level"] = _("Choose organisation, department or role.")
        return
    if kra.level == KRALevel.ROLE:
        if kra.role_id is None:
            errors["role"] = _("A role KRA needs its role.")
        elif kra.role.org_id != org_id:
            errors["role"] = _("Choose a role of this organisation.")
        elif kra.department_id is not None:
            # The role carries the department; a second copy here would go stale when the
            # role moves, so a matching one is dropped and a different one refused.
            if kra.department_id != kra.role.department_id:
                errors["department"] = _("A role KRA belongs to its role's department.")
            kra.department = None
    else:
        if kra.role_id is not None:
            errors["role"] = _("Only a role KRA belongs to a role.")
        if kra.area_of_focus_id is not None:
            errors["area_of_focus"] = _("Only a role KRA sits in an area of focus.")
    if kra.level == KRALevel.DEPARTMENT:
        if kra.department_id is None:
            errors["department"] = _("A department KRA needs its department.")
        elif kra.department.org_id != org_id:
            errors["department"] = _("Choose a department of this organisation.")
    if kra.level == KRALevel.ORGANIZATION and kra.department_id is not None:
        errors["department"] = _("An organisation KRA belongs to no department.")
    if (
        kra.level == KRALevel.ROLE
        and kra.area_of_focus_id is not None
        and "role" not in errors
        and kra.area_of_focus.role_id != kra.role_id
    ):
        errors["area_of_focus"] = _("Choose one of this role's areas of focus.")


def _check_owner(kra: KRA, errors: dict) -> None:
    owner = kra.owner
    if owner is None:
        return
    if owner.org_id != kra.org_id:
        errors["owner"] = _("Choose a member of this organisation.")
    elif not owner.is_active:
        errors["owner"] = _("Choose an active member.")


def _check_parent(kra: KRA, errors: dict) -> None:
    parent = kra.parent
    if parent is None:
        return
    if parent.org_id != kra.org_id:
        errors["parent"] = _("Choose a KRA of this organisation.")
    elif kra.pk is not None and parent.pk == kra.pk:
        errors["parent"] = _("A KRA cannot ladder up to itself.")
    elif parent.status == KRAStatus.RETIRED:
        errors["parent"] = _("“%(title)s” is retired; choose an active KRA.") % {
            "title": parent.title
        }
    elif kra.level in _RANK and _RANK[parent.level] >= _RANK[kra.level]:
        errors["parent"] = _(
            "A %(level)s KRA ladders up to a KRA of a higher level, not to a %(parent)s KRA."
        ) % {
            "level": KRALevel(kra.level).label.lower(),
            "parent": KRALevel(parent.level).label.lower(),
        }
    elif kra.pk is not None and parent.pk in descendant_ids(kra):
        errors["parent"] = _("“%(title)s” sits below this KRA; it cannot also be above it.") % {
            "title": parent.title
        }


def _check_objective(kra: KRA, errors: dict) -> None:
    objective = kra.objective
    if objective is None:
        return
    if objective.org_id != kra.org_id:
        errors["objective"] = _("Choose an objective of this organisation.")
    elif objective.status != ObjectiveStatus.ACTIVE:
        errors["objective"] = _("“%(title)s” is retired; choose an active objective.") % {
            "title": objective.title
        }


def _validate(kra: KRA, *, changed: set[str]) -> None:
    """Raise every problem at once, keyed by field. ``changed`` limits the ladder and owner
    checks to what this write sets, so that an objective retired since, say, does not stop
    someone from fixing a typo in the title."""
    kra.title = (kra.title or "").strip()
    kra.definition = (kra.definition or "").strip()
    errors: dict[str, str] = {}
    if not kra.title:
        errors["title"] = _("A KRA needs a title.")
    _check_level_fields(kra, errors)
    if "owner" in changed:
        _check_owner(kra, errors)
    if "parent" in changed:
        _check_parent(kra, errors)
    if "objective" in changed:
        _check_objective(kra, errors)
    try:
        kra.clean_fields(
            exclude=[
                "org",
                "department",
                "role",
                "area_of_focus",
                "owner",
                "parent",
                "objective",
                *errors,
            ]
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages[0])
    if errors:
        raise ValidationError(errors)


def siblings(kra: KRA) -> QuerySet[KRA]:
    """The list ``kra`` is ordered in: its role's, its department's or the organisation's
    KRAs of its level, retired ones left out."""
    qs = KRA.objects.filter(org_id=kra.org_id, level=kra.level).exclude(status=KRAStatus.RETIRED)
    if kra.level == KRALevel.ROLE:
        return qs.filter(role_id=kra.role_id)
    if kra.level == KRALevel.DEPARTMENT:
        return qs.filter(department_id=kra.department_id)
    return qs


def flag_below(kra: KRA, *, reason: str, actor: Membership | None) -> int:
    return flag_descendants(source=kra, reason=reason, actor=actor, link=kra.get_absolute_url())


@transaction.atomic
def kra_create(
    *,
    org: Organization,
    actor: Membership | None,
    level: str,
    title: str,
    definition: str = "",
    department: Department | None = None,
    role: Role | None = None,
    area_of_focus: AreaOfFocus | None = None,
    owner: Membership | None = None,
    weight=0,
    priority: int = 2,
    parent: KRA | None = None,
    objective: StrategicObjective | None = None,
) -> KRA:
    """Add a KRA at ``level``: a role KRA names its ``role``, a department KRA its
    ``department``, an organisation KRA neither. It goes to the end of its list."""
    kra = KRA(
        org=org,
        level=level,
        title=title,
        definition=definition,
        department=department,
        role=role,
        area_of_focus=area_of_focus,
        owner=owner,
        weight=weight,
        priority=priority,
        parent=parent,
        objective=objective,
    )
    _validate(kra, changed={"owner", "parent", "objective"})
    position = next_position(siblings(kra))
    kra.position = position
    kra.save()
    audit.record_created(org=org, actor=actor, action="kra.create", obj=kra, fields=KRA_FIELDS)
    return kra


def _cascade_reason(kra: KRA, before: dict, names: list[str]) -> str:
    parts = []
    for name in names:
        old, new = before[name], getattr(kra, name)
        label = str(KRA._meta.get_field(name).verbose_name)
        if name == "weight":
            parts.append(f"{label}: {plain(old)} → {plain(new)}")
        else:
            parts.append(f"{label}: {quote(old)} → {quote(new)}")
    return _("KRA “%(title)s” changed: %(changes)s") % {
        "title": kra.title,
        "changes": "; ".join(parts),
    }


@transaction.atomic
def kra_update(*, kra: KRA, actor: Membership | None, **fields) -> KRA:
    """Change what a KRA says or where it ladders. Its level, role and department are fixed
    once created. A change of title, definition or weight flags every KRA below it."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    kra = KRA.objects.select_for_update(of=("self",)).select_related("org", "role").get(pk=kra.pk)
    before = {name: getattr(kra, name) for name in CASCADING}
    snapshot_before = audit.snapshot(kra, KRA_FIELDS)
    changed = set()
    for name, value in fields.items():
        old = getattr(kra, KRA._meta.get_field(name).attname)
        if old != getattr(value, "pk", value):
            changed.add(name)
        setattr(kra, name, value)
    _validate(kra, changed=changed)
    changes = audit.diff(snapshot_before, audit.snapshot(kra, KRA_FIELDS))
    if not changes:
        return kra
    kra.updated_at = timezone.now()
    kra.save(update_fields=[*fields, "updated_at"])
    audit.record(org=kra.org, actor=actor, action="kra.update", obj=kra, changes=changes)
    cascading = [name for name in CASCADING if name in changes]
    if cascading:
        flag_below(kra, reason=_cascade_reason(kra, before, cascading), actor=actor)
    return kra


@transaction.atomic
def kra_move(*, kra: KRA, actor: Membership | None, direction: str) -> KRA:
    """Swap a KRA with its neighbour above ("up") or below ("down") in its list."""
    try:
        old, new = move_in_list(siblings(kra), kra, direction)
    except ValueError:
        raise ValidationError(_("A retired KRA has no place in the list."))
    if old != new:
        audit.record(
            org=kra.org,
            actor=actor,
            action="kra.reorder",
            obj=kra,
            changes={"position": {"old": old, "new": new}},
        )
    return kra
