"""Writes of the kras app."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kra_platform.ordering import move_in_list, next_position
from orgs import audit
from orgs.models import Membership, Organization

from ..models import ObjectiveStatus, StrategicObjective
from .cascade import flag_descendants

_FIELDS = ("title", "description", "horizon_years", "status", "position")
# What a KRA laddering to the objective was written against: a change to any of these
# puts every KRA below it up for review.
_CASCADING = ("title", "description", "horizon_years")


def _objective_link(objective: StrategicObjective) -> str:
    """Where the people reviewing a flagged KRA can read the objective (every member may)."""
    try:
        return reverse("objective-list", kwargs={"org_slug": objective.org.slug})
    except NoReverseMatch:
        return ""


def _describe(changes: dict) -> str:
    labels = {
        "title": _("title"),
        "description": _("description"),
        "horizon_years": _("horizon"),
    }
    return ", ".join(str(labels[name]) for name in _CASCADING if name in changes)


def _validate(objective: StrategicObjective) -> None:
    objective.title = (objective.title or "").strip()
    if not objective.title:
        raise ValidationError({"title": _("An objective needs a title.")})
    objective.full_clean(exclude=["org"])


@transaction.atomic
def objective_create(
    *,
    org: Organization,
    actor: Membership | None,
    title: str,
    description: str = "",
    horizon_years: int = 3,
) -> StrategicObjective:
    position = next_position(StrategicObjective.objects.filter(org=org))
    objective = StrategicObjective(
        org=org,
        title=title,
        description=description,
        horizon_years=horizon_years,
        position=position,
    )
    _validate(objective)
    objective.save()
    audit.record_created(
        org=org, actor=actor, action="objective.create", obj=objective, fields=_FIELDS
    )
    return objective


@transaction.atomic
def objective_update(
    *, objective: StrategicObjective, actor: Membership | None, **fields
) -> StrategicObjective:
    """Change title, description or horizon."""
    unknown = set(fields) - {"title", "description", "horizon_years"}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    objective = StrategicObjective.objects.select_for_update().get(pk=objective.pk)
    with audit.tracked(objective, _FIELDS, actor=actor, action="objective.update") as seen:
        for name, value in fields.items():
            setattr(objective, name, value)
        _validate(objective)
        objective.save(update_fields=list(fields))
    changes = seen.changes
    if any(name in changes for name in _CASCADING):
        if "title" in changes:
            reason = _(
                "The strategic objective “%(old)s” changed (%(what)s); it now reads “%(new)s”."
            ) % {"old": changes["title"]["old"], "new": objective.title, "what": _describe(changes)}
        else:
            reason = _("The strategic objective “%(title)s” changed (%(what)s).") % {
                "title": objective.title,
                "what": _describe(changes),
            }
        flag_descendants(
            source=objective, reason=reason, actor=actor, link=_objective_link(objective)
        )
    return objective


@transaction.atomic
def objective_set_status(
    *, objective: StrategicObjective, actor: Membership | None, retired: bool
) -> StrategicObjective:
    """Retire an objective (it stays in history) or bring a retired one back."""
    objective = StrategicObjective.objects.select_for_update().get(pk=objective.pk)
    status = ObjectiveStatus.RETIRED if retired else ObjectiveStatus.ACTIVE
    if objective.status == status:
        return objective
    action = "objective.retire" if retired else "objective.restore"
    with audit.tracked(objective, _FIELDS, actor=actor, action=action):
        objective.status = status
        objective.retired_at = timezone.now() if retired else None
        objective.save(update_fields=["status", "retired_at"])
    if retired:
        flag_descendants(
            source=objective,
            reason=_("The strategic objective “%(title)s” was retired.")
            % {"title": objective.title},
            actor=actor,
            link=_objective_link(objective),
        )
    return objective


@transaction.atomic
def objective_move(
    *, objective: StrategicObjective, actor: Membership | None, direction: str
) -> StrategicObjective:
    """Swap an objective with its neighbour above ("up") or below ("down")."""
    old, new = move_in_list(
        StrategicObjective.objects.filter(org_id=objective.org_id), objective, direction
    )
    if old != new:
        audit.record(
            org=objective.org,
            actor=actor,
            action="objective.reorder",
            obj=objective,
            changes={"position": {"old": old, "new": new}},
        )
    return objective
