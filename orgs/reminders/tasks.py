"""The reminders' tasks (docs/DOMAIN.md rule R44): hourly, a fan-out that runs each
organisation's pass at its local ``reminder_hour``; the pass itself (its emails go through
``orgs.notifications.email_on_commit``). Tasks take ids and are safe to run twice: the pass
claims unique rows, the emails claim their notifications."""

from __future__ import annotations

import datetime
import zoneinfo

from celery import shared_task
from django.utils import timezone

from kra_platform.celery import PlatformTask, TenantTask
from orgs.models import Organization

from .engine import run_pass
from .org_settings import HOUR_DEFAULT


def due_now(organizations, now: datetime.datetime) -> list[tuple[int, datetime.date]]:
    """The organisations whose local hour at ``now`` is their ``reminder_hour``, each with
    its local date: ``(id, time zone, settings)`` in, ``(id, date)`` out."""
    due = []
    for org_id, zone, org_settings in organizations:
        try:
            local = now.astimezone(zoneinfo.ZoneInfo(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            local = now.astimezone(datetime.UTC)
        if local.hour == (org_settings or {}).get("reminder_hour", HOUR_DEFAULT):
            due.append((org_id, local.date()))
    return due


@shared_task(base=PlatformTask)
def reminders_daily(*, every: bool = False) -> list[int]:
    """Run hourly by beat: one reminder pass for each organisation where it is now its
    ``reminder_hour`` (``every``: all of them, for today in their own time zone).
    Suspended organisations are skipped. The ids of the organisations it enqueued. Beat
    ticking twice, or two beats, enqueue two passes: the claims make the second a no-op."""
    now = timezone.now()
    organizations = list(
        Organization.objects.filter(is_suspended=False).values_list("pk", "timezone", "settings")
    )
    if every:
        due = [(pk, _local_date(zone, now)) for pk, zone, _s in organizations]
    else:
        due = due_now(organizations, now)
    for org_id, day in due:
        run_reminders.apply_async(kwargs={"org_id": org_id, "day": day.isoformat()})
    return [org_id for org_id, _day in due]


def _local_date(zone: str, now: datetime.datetime) -> datetime.date:
    try:
        return now.astimezone(zoneinfo.ZoneInfo(zone)).date()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return now.astimezone(datetime.UTC).date()


@shared_task(base=TenantTask)
def run_reminders(*, org_id: int, day: str | None = None) -> int:
    """One organisation's reminder pass for ``day`` (ISO date; its local today by
    default), in this task's one transaction. How many notices it sent."""
    org = Organization.objects.get(pk=org_id)
    today = datetime.date.fromisoformat(day) if day else None
    return run_pass(org, today).claimed
