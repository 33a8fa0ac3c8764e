"""A role's areas of focus and, inside each, its responsibilities in priority order."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kra_platform.ordering import move_in_list, next_position
from orgs import audit
from orgs.models import Membership

from ..models import AreaOfFocus, Responsibility, Role

_AREA_FIELDS = ("title", "description", "position")
_RESPONSIBILITY_FIELDS = ("description", "position")

_AREA_TITLE_MAX = AreaOfFocus._meta.get_field("title").max_length
_RESPONSIBILITY_MAX = Responsibility._meta.get_field("description").max_length
_UNSET = object()


def _clean_text(value: str, *, field: str, max_length: int, required_message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: required_message})
    if len(value) > max_length:
        raise ValidationError({field: _("Keep it under %(max)d characters.") % {"max": max_length}})
    return value


# --- areas of focus -------------------------------------------------------------------------


@transaction.atomic
def area_create(
    *, role: Role, actor: Membership | None, title: str, description: str = ""
) -> AreaOfFocus:
    """Add an area of focus at the end of the role's list."""
    title = _clean_text(
        title, field="title", max_length=_AREA_TITLE_MAX, required_message=_("Name the area.")
    )
    # Locking the role keeps two additions at once from taking the same position.
    role = Role.objects.select_for_update().get(pk=role.pk)
    position = next_position(AreaOfFocus.objects.filter(org_id=role.org_id, role=role))
    area = AreaOfFocus.objects.create(
        org_id=role.org_id,
        role=role,
        title=title,
        description=(description or "").strip(),
        position=position,
    )
    audit.record_created(
        org=role.org, actor=actor, action="area.create", obj=area, fields=_AREA_FIELDS
    )
    return area


@transaction.atomic
def area_update(
    *,
    area: AreaOfFocus,
    actor: Membership | None,
    title: str | object = _UNSET,
    description: str | object = _UNSET,
) -> AreaOfFocus:
    area = AreaOfFocus.objects.select_for_update(of=("self",)).select_related("org").get(pk=area.pk)
    given = []
    with audit.tracked(area, _AREA_FIELDS, actor=actor, action="area.update"):
        if title is not _UNSET:
            area.title = _clean_text(
                title,
                field="title",
                max_length=_AREA_TITLE_MAX,
                required_message=_("Name the area."),
            )
            given.append("title")
        if description is not _UNSET:
            area.description = (description or "").strip()
            given.append("description")
        if given:
            area.save(update_fields=given)
    return area


@transaction.atomic
def area_delete(*, area: AreaOfFocus, actor: Membership | None) -> None:
    """Delete an area with its responsibilities; KRAs filed under it keep going without an
    area."""
    area = AreaOfFocus.objects.select_for_update(of=("self",)).select_related("org").get(pk=area.pk)
    responsibilities = list(area.responsibilities.values_list("description", flat=True))
    changes = audit.diff(audit.snapshot(area, _AREA_FIELDS), {})
    if responsibilities:
        changes["responsibilities"] = {"old": responsibilities, "new": None}
    audit.record(org=area.org, actor=actor, action="area.delete", obj=area, changes=changes)
    area.delete()


@transaction.atomic
def area_move(*, area: AreaOfFocus, actor: Membership | None, direction: str) -> AreaOfFocus:
    """Swap an area with its neighbour above ("up") or below ("down")."""
    area = AreaOfFocus.objects.select_related("org").get(pk=area.pk)
    old, new = move_in_list(
        AreaOfFocus.objects.filter(org_id=area.org_id, role_id=area.role_id), area, direction
    )
    if old != new:
        audit.record(
            org=area.org,
            actor=actor,
            action="area.reorder",
            obj=area,
            changes={"position": {"old": old, "new": new}},
        )
    return area


# --- responsibilities -----------------------------------------------------------------------


def _clean_responsibility(description: str) -> str:
    return _clean_text(
        description,
        field="description",
        max_length=_RESPONSIBILITY_MAX,
        required_message=_("Describe the responsibility."),
    )


@transaction.atomic
def responsibility_create(
    *, area: AreaOfFocus, actor: Membership | None, description: str
) -> Responsibility:
    """Add a responsibility at the end (lowest priority) of the area's list."""
    description = _clean_responsibility(description)
    area = AreaOfFocus.objects.select_for_update(of=("self",)).select_related("org").get(pk=area.pk)
    position = next_position(Responsibility.objects.filter(org_id=area.org_id, area=area))
    responsibility = Responsibility.objects.create(
        org_id=area.org_id, area=area, description=description, position=position
    )
    audit.record_created(
        org=area.org,
        actor=actor,
        action="responsibility.create",
        obj=responsibility,
        fields=_RESPONSIBILITY_FIELDS,
    )
    return responsibility


@transaction.atomic
def responsibility_update(
    *, responsibility: Responsibility, actor: Membership | None, description: str
) -> Responsibility:
    responsibility = (
        Responsibility.objects.select_for_update(of=("self",))
        .select_related("org")
        .get(pk=responsibility.pk)
    )
    with audit.tracked(
        responsibility, _RESPONSIBILITY_FIELDS, actor=actor, action="responsibility.update"
    ):
        responsibility.description = _clean_responsibility(description)
        responsibility.save(update_fields=["description"])
    return responsibility


@transaction.atomic
def responsibility_delete(*, responsibility: Responsibility, actor: Membership | None) -> None:
    responsibility = (
        Responsibility.objects.select_for_update(of=("self",))
        .select_related("org")
        .get(pk=responsibility.pk)
    )
    audit.record_deleted(
        org=responsibility.org,
        actor=actor,
        action="responsibility.delete",
        obj=responsibility,
        fields=_RESPONSIBILITY_FIELDS,
    )
    responsibility.delete()


@transaction.atomic
def responsibility_move(
    *, responsibility: Responsibility, actor: Membership | None, direction: str
) -> Responsibility:
    """Raise ("up") or lower ("down") a responsibility's priority within its area."""
    responsibility = Responsibility.objects.select_related("org").get(pk=responsibility.pk)
    old, new = move_in_list(
        Responsibility.objects.filter(org_id=responsibility.org_id, area_id=responsibility.area_id),
        responsibility,
        direction,
    )
    if old != new:
        audit.record(
            org=responsibility.org,
            actor=actor,
            action="responsibility.reorder",
            obj=responsibility,
            changes={"position": {"old": old, "new": new}},
        )
    return responsibility
