"""The rollup's tasks: nightly for every organisation (one fan-out, one task per
organisation, at night in each organisation's time zone) and, debounced, after measurements
change. Tasks take ids and are safe to run twice (the rollup is idempotent)."""

from __future__ import annotations

import datetime
import logging
import zoneinfo

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from kra_platform.celery import PlatformTask, TenantTask
from orgs.models import Organization

from .rollups import rollup_organization

logger = logging.getLogger("kra.kpis")

#: How long after a change the rollup runs: later changes within it join the same run.
DEBOUNCE_SECONDS = 45
#: The local hour at which each organisation's nightly rollup runs.
NIGHTLY_HOUR = 2


def _pending_key(org_id: int) -> str:
    return f"kpis:rollup-pending:{org_id}"


def schedule_rollup(org_id: int) -> bool:
    """Mark the organisation's scores stale and, unless a rollup is already waiting to
    run, schedule one ``DEBOUNCE_SECONDS`` from now: many changes, one run. Call it after
    the change commits. Whether a run was scheduled."""
    try:
        # SET NX in Redis: only the first change of a burst schedules.
        if not cache.add(_pending_key(org_id), timezone.now().isoformat(), DEBOUNCE_SECONDS * 10):
            return False
        rollup_scores.apply_async(kwargs={"org_id": org_id}, countdown=DEBOUNCE_SECONDS)
    except Exception:
        # The change is committed; without Redis the nightly run brings the scores up to date.
        logger.warning("could not schedule the rollup of organisation %s", org_id, exc_info=True)
        cache_safe_delete(_pending_key(org_id))
        return False
    return True


def cache_safe_delete(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:  # noqa: S110 (Redis is down: the key expires on its own)
        pass


def rollup_is_pending(org_id: int) -> bool:
    return cache.get(_pending_key(org_id)) is not None


@shared_task(base=TenantTask)
def rollup_scores(*, org_id: int) -> str:
    """Recompute every score of one organisation (kpis/rollups.py)."""
    # Cleared first: a change committed while this runs schedules the next run.
    cache.delete(_pending_key(org_id))
    run = rollup_organization(org_id)
    return run.computed_at.isoformat()


def due_tonight(organizations, now: datetime.datetime) -> list[int]:
    """The organisations whose local time is ``NIGHTLY_HOUR`` at ``now``: ``(id, time
    zone)`` pairs in, ids out."""
    due = []
    for org_id, zone in organizations:
        try:
            local = now.astimezone(zoneinfo.ZoneInfo(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            local = now.astimezone(datetime.UTC)
        if local.hour == NIGHTLY_HOUR:
            due.append(org_id)
    return due


@shared_task(base=PlatformTask)
def rollup_nightly(*, every: bool = False) -> list[int]:
    """Run hourly by beat: one rollup task for each organisation where it is now
    ``NIGHTLY_HOUR`` (``every``: for all of them at once). Suspended organisations are
    skipped. The ids of the organisations it enqueued."""
    organizations = Organization.objects.filter(is_suspended=False).values_list("pk", "timezone")
    ids = (
        [pk for pk, _zone in organizations] if every else due_tonight(organizations, timezone.now())
    )
    for org_id in ids:
        rollup_scores.apply_async(kwargs={"org_id": org_id})
    return ids
