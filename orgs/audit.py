"""The audit trail: services record who changed what, when, with old and new values."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable

from django.db import models
from django.db.models.fields.files import FieldFile

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


def record(
    *,
    org: Organization,
    actor,
    action: str,
    obj: models.Model,
    changes: dict | None = None,
) -> AuditEvent:
    """Append one audit row. ``actor`` is a User, a Membership or None (the system)."""
    user = getattr(actor, "user", actor)
    return AuditEvent.objects.create(
        org=org,
        actor=user,
        actor_label=(user.email if user is not None else "system"),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        changes=changes or {},
    )
