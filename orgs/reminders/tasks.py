"""The reminders' tasks (docs/DOMAIN.md rule R44): hourly, a fan-out that runs each
organisation's pass at its local ``reminder_hour``; the pass itself; the emails. Tasks take
ids and are safe to run twice: the pass claims unique rows, the emails claim their
notifications."""

from __future__ import annotations

import datetime
import zoneinfo

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection
from django.utils import timezone

from kra_platform.celery import PlatformTask, TenantTask
from orgs.models import Notification, Organization

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


@shared_task(base=TenantTask, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_reminder_emails(*, org_id: int, notification_ids: list[int]) -> int:
    """Email the given reminder notices, each at most once: the notices still unsent are
    claimed (``emailed_at``) by one conditional UPDATE in this task's transaction, then
    sent over one connection. A failure rolls the claims back with the task's transaction
    and the retry sends them. How many were sent."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE orgs_notification SET emailed_at = %s
             WHERE org_id = %s AND id = ANY(%s) AND emailed_at IS NULL
            RETURNING id
            """,
            [timezone.now(), org_id, list(notification_ids)],
        )
        claimed = [row[0] for row in cursor.fetchall()]
    if not claimed:
        return 0
    notes = Notification.objects.filter(org_id=org_id, pk__in=claimed).select_related(
        "recipient__user", "org"
    )
    messages = []
    for note in notes.order_by("pk"):
        link = f"{settings.SITE_URL}{note.url}" if note.url else ""
        messages.append(
            EmailMessage(
                subject=f"[{note.org.name}] {note.title}",
                body="\n\n".join(part for part in (note.body, link) if part),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[note.recipient.user.email],
            )
        )
    get_connection(fail_silently=False).send_messages(messages)
    return len(messages)
