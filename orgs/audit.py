"""The audit trail: services record who changed what, when, with old and new values."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.text import capfirst
from django.utils.translation import gettext

from kra_platform import formatting

from .models import AuditEvent, Organization


def _plain(value):
    if isinstance(value, models.Model):
        return {"id": value.pk, "label": str(value)}
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        # Not ``.url``: an empty file field raises on it (the first logo upload did).
        return value.name or ""
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    """The current values of ``fields`` on ``obj``, ready to diff after a change."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict, after: dict) -> dict:
    """Fields whose value differs; a field present on one side only counts as changed
    (created: old is None; deleted: new is None)."""
    names = list(after) + [name for name in before if name not in after]
    return {
        name: {"old": before.get(name), "new": after.get(name)}
        for name in names
        if before.get(name) != after.get(name)
    }


def event(
    *,
    org: Organization,
    actor,
    action: str,
    obj: models.Model,
    changes: dict | None = None,
) -> AuditEvent:
    """One audit row, not yet saved: ``record`` saves one, ``record_many`` many at once.
    ``actor`` is a User, a Membership or None (the system)."""
    user = getattr(actor, "user", actor)
    return AuditEvent(
        org=org,
        actor=user,
        actor_label=(user.email if user is not None else "system"),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        changes=changes or {},
    )


def record(
    *,
    org: Organization,
    actor,
    action: str,
    obj: models.Model,
    changes: dict | None = None,
) -> AuditEvent:
    """Append one audit row. ``actor`` is a User, a Membership or None (the system)."""
    row = event(org=org, actor=actor, action=action, obj=obj, changes=changes)
    row.save(force_insert=True)
    return row


def record_many(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """Append many rows made by ``event`` in a few INSERTs (an import, a cascade)."""
    return AuditEvent.objects.bulk_create(list(events), batch_size=1000)


def record_created(
    *,
    org: Organization,
    actor,
    action: str,
    obj: models.Model,
    fields: Iterable[str],
    extra: dict | None = None,
) -> AuditEvent:
    """Record that ``obj`` was made: every field of ``fields`` from nothing to its value,
    and ``extra`` (already in the ``{"old", "new"}`` shape) after them."""
    changes = {**diff({}, snapshot(obj, fields)), **(extra or {})}
    return record(org=org, actor=actor, action=action, obj=obj, changes=changes)


def record_deleted(
    *, org: Organization, actor, action: str, obj: models.Model, fields: Iterable[str]
) -> AuditEvent:
    """Record that ``obj`` goes: every field of ``fields`` from its value to nothing. Call it
    before deleting, while ``obj`` still has its primary key."""
    return record(
        org=org, actor=actor, action=action, obj=obj, changes=diff(snapshot(obj, fields), {})
    )


@dataclass
class Tracked:
    """What ``tracked`` saw change: ``changes`` (empty when nothing did) and the row it
    recorded, if any. Both are filled in when the block ends."""

    changes: dict = field(default_factory=dict)
    event: AuditEvent | None = None


@contextmanager
def tracked(
    obj: models.Model,
    fields: Iterable[str],
    *,
    actor,
    action: str,
    org: Organization | None = None,
) -> Iterator[Tracked]:
    """Snapshot ``fields`` of ``obj`` before the block and, after it, record what changed
    (nothing at all when nothing did). ``org`` defaults to ``obj.org``. An exception in the
    block records nothing::

        with audit.tracked(department, FIELDS, actor=actor, action="department.update"):
            department.name = "Sales"
            department.save(update_fields=["name"])
    """
    fields = tuple(fields)
    before = snapshot(obj, fields)
    result = Tracked()
    yield result
    result.changes = diff(before, snapshot(obj, fields))
    if result.changes:
        result.event = record(
            org=org if org is not None else obj.org,
            actor=actor,
            action=action,
            obj=obj,
            changes=result.changes,
        )


# --- display: the trail as a person reads it -------------------------------------------------


@dataclass(frozen=True)
class ChangeLine:
    """One line of an event's changes, ready to show: ``label`` (the field's name as a person
    says it) and either ``old`` → ``new`` or, for a figure without a before (an import's
    counts), ``value``."""

    label: str
    old: str = ""
    new: str = ""
    value: str = ""
    is_figure: bool = False


EMPTY = "—"


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _label(field, name: str) -> str:
    if field is not None and getattr(field, "verbose_name", None):
        return capfirst(str(field.verbose_name))
    return capfirst(name.replace("_", " "))


def _parsed(kind, value):
    """An ISO date or moment stored by ``snapshot``, back as a date or datetime."""
    try:
        if kind == "datetime":
            return datetime.datetime.fromisoformat(value)
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def display_value(value, field=None) -> str:
    """A stored value as a person reads it: a related object by its name (not ``{'id': 32,
    'label': …}``), lists joined, yes/no, dates and numbers in the organisation's format, a
    choice by its label, and "—" for nothing."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dict):
        if "label" in value:
            return str(value["label"]) or EMPTY
        return ", ".join(f"{key}: {display_value(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(display_value(item) for item in value) or EMPTY
    if field is not None:
        choices = dict(getattr(field, "flatchoices", None) or ())
        if value in choices:
            return str(choices[value])
        if isinstance(field, models.DateTimeField):
            parsed = _parsed("datetime", value)
            return formatting.moment(parsed) if parsed else str(value)
        if isinstance(field, models.DateField):
            parsed = _parsed("date", value)
            return formatting.day(parsed) if parsed else str(value)
        if isinstance(field, models.DecimalField | models.FloatField | models.IntegerField):
            return formatting.number(value)
    if isinstance(value, int | float | decimal.Decimal):
        return formatting.number(value)
    return str(value)


def change_lines(event: AuditEvent) -> list[ChangeLine]:
    """The event's changes as lines to show, labelled by the changed model's own field names.
    Reads no database."""
    try:
        model = apps.get_model(event.object_type)
    except (LookupError, ValueError):
        model = None
    changes = event.changes if isinstance(event.changes, dict) else {}
    lines = []
    for name, change in changes.items():
        field = _field(model, name)
        label = _label(field, name)
        if isinstance(change, dict) and set(change) == {"old", "new"}:
            lines.append(
                ChangeLine(
                    label=label,
                    old=display_value(change["old"], field),
                    new=display_value(change["new"], field),
                )
            )
        else:
            lines.append(ChangeLine(label=label, value=display_value(change), is_figure=True))
    return lines
