"""Reads of the kras app; each takes the organisation explicitly."""

from __future__ import annotations

from django.db.models import QuerySet

from orgs.models import Organization

from .models import ObjectiveStatus, StrategicObjective


def objective_list(*, org: Organization, include_retired: bool = False) -> QuerySet:
    qs = StrategicObjective.objects.filter(org=org)
    if not include_retired:
        qs = qs.filter(status=ObjectiveStatus.ACTIVE)
    return qs.order_by("position", "id")
