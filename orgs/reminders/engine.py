"""The daily reminder pass of one organisation (docs/DOMAIN.md rules R44 to R47).

For each batch of people (a range of membership ids) and each registered kind, one SQL
statement: the kind's candidates (registry.py), the stage each is at today, the recipients
of that stage (the person, their manager, HR), the claims (``INSERT … ON CONFLICT DO NOTHING
RETURNING`` on the unique (org, recipient, kind, object, stage) row) and, for the claims
actually inserted and not muted, the inbox notices. The emails are enqueued when the
surrounding transaction commits (``orgs.notifications.email_on_commit``), in chunks.

So the unique row decides before anything is sent: two passes at once (the second waits on
the first's uncommitted claims, then finds them taken), a retried or repeated pass, a pass
whose worker died after committing: none reminds twice. A pass that dies before committing
leaves no claim and no notice, and the next pass sends them.

A stage is due from its day until the next stage's day (the HR escalation for
``CATCH_UP_DAYS``): a pass that did not run for a few days sends the stage each object is at
now, not every stage it missed."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Organization, OrgRole, ReminderStage
from orgs.notifications import email_on_commit
from orgs.org_settings import rule_settings

from .registry import ReminderKind, kinds

#: How many people one batch covers: its statements stay bounded whatever the headcount.
BATCH_SIZE = 1000
#: How long the last stage (the HR escalation) stays due after its day.
CATCH_UP_DAYS = 7

#: The stages a person may mute (docs/DOMAIN.md rule R46); escalations always go.
MUTABLE_STAGES = (ReminderStage.BEFORE, ReminderStage.DUE, ReminderStage.AFTER)


@dataclass
class BatchResult:
    lo: int
    hi: int
    queries: int = 0
    claimed: int = 0
    seconds: float = 0.0
    #: Seconds per kind.
    kinds: dict[str, float] = field(default_factory=dict)


@dataclass
class PassResult:
    org_id: int
    today: datetime.date
    batches: list[BatchResult] = field(default_factory=list)
    notification_ids: list[int] = field(default_factory=list)
    #: Notices sent (claims of muted reminders send none).
    claimed: int = 0
    queries: int = 0


def local_today(org: Organization, now: datetime.datetime | None = None) -> datetime.date:
    """The date it is now in the organisation's time zone."""
    import zoneinfo

    now = now or timezone.now()
    try:
        zone = zoneinfo.ZoneInfo(org.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = datetime.UTC
    return now.astimezone(zone).date()


def stage_offsets(settings: dict) -> list[tuple[str, int, int]]:
    """``(stage, first day, first day of the next stage)`` in days from the deadline."""
    before = settings["reminder_days_before"]
    after = settings["reminder_days_after"]
    manager = settings["reminder_escalate_manager_days"]
    hr = settings["reminder_escalate_hr_days"]
    return [
        (ReminderStage.BEFORE.value, -before, 0),
        (ReminderStage.DUE.value, 0, after),
        (ReminderStage.AFTER.value, after, manager),
        (ReminderStage.MANAGER.value, manager, hr),
        (ReminderStage.HR.value, hr, hr + CATCH_UP_DAYS),
    ]


def deadline_window(today: datetime.date, settings: dict) -> tuple[datetime.date, datetime.date]:
    """The first and last deadline that has a stage due on ``today``."""
    offsets = stage_offsets(settings)
    earliest = min(first for _stage, first, _next in offsets)
    latest = max(nxt for _stage, _first, nxt in offsets)
    return today - datetime.timedelta(days=latest - 1), today - datetime.timedelta(days=earliest)


def person_batches(org_id: int, batch_size: int = BATCH_SIZE) -> list[tuple[int, int]]:
    """The organisation's membership ids cut into ranges of ``batch_size`` people (one
    query)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM orgs_membership WHERE org_id = %s ORDER BY id", [org_id])
        ids = [row[0] for row in cursor.fetchall()]
    return [
        (ids[i], ids[min(i + batch_size, len(ids)) - 1]) for i in range(0, len(ids), batch_size)
    ]


def hr_ids(org_id: int) -> list[int]:
    """Who "HR" is for reminders: the active HR members, or the org admins when the
    organisation has no HR member (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT id, role FROM orgs_membership
             WHERE org_id = %s AND is_active AND role IN (%s, %s)
            """,
            [org_id, OrgRole.HR, OrgRole.ADMIN],
        )
        rows = cursor.fetchall()
    hr = [pk for pk, role in rows if role == OrgRole.HR]
    return hr or [pk for pk, role in rows if role == OrgRole.ADMIN]


_STATEMENT = """
WITH cand AS (
{candidates}
),
stages(stage, first_day, next_day) AS (VALUES {stage_values}),
due AS (
    SELECT c.*, s.stage
      FROM cand c
      JOIN stages s
        ON %(today)s >= c.deadline + s.first_day AND %(today)s < c.deadline + s.next_day
),
targets AS (
    SELECT d.person_id, d.recipient_id AS target_id, d.object_key, d.deadline, d.stage,
           d.subject AS subject, d.url AS url
      FROM due d
     WHERE d.stage IN ('before', 'due', 'after')
    UNION ALL
    SELECT d.person_id, d.manager_id, d.object_key, d.deadline, d.stage,
           d.escalation_subject, d.escalation_url
      FROM due d
     WHERE d.stage = 'manager' AND d.manager_id IS NOT NULL AND d.manager_id <> d.recipient_id
    UNION ALL
    SELECT d.person_id, h.id, d.object_key, d.deadline, d.stage,
           d.escalation_subject, d.escalation_url
      FROM due d
      CROSS JOIN unnest(%(hr_ids)s::bigint[]) AS h(id)
     WHERE d.stage = 'hr' AND d.escalate_hr AND h.id <> d.recipient_id
),
chosen AS (
    SELECT DISTINCT ON (t.target_id, t.object_key, t.stage)
           t.*, (mute.id IS NOT NULL AND t.stage IN ('before', 'due', 'after')) AS muted
      FROM targets t
      JOIN orgs_membership m ON m.id = t.target_id AND m.org_id = %(org_id)s AND m.is_active
      LEFT JOIN orgs_remindermute mute
        ON mute.member_id = t.target_id AND mute.org_id = %(org_id)s
     ORDER BY t.target_id, t.object_key, t.stage
),
claimed AS (
    INSERT INTO orgs_reminder
           (org_id, recipient_id, person_id, kind, object_key, stage, deadline, subject, url,
            muted, notification_id, created_at, sent_at)
    SELECT %(org_id)s, c.target_id, c.person_id, %(kind)s, left(c.object_key, 120), c.stage,
           c.deadline, left(c.subject, 200), left(c.url, 500), c.muted,
           CASE WHEN c.muted THEN NULL
                ELSE nextval(pg_get_serial_sequence('orgs_notification', 'id')) END,
           %(now)s, CASE WHEN c.muted THEN NULL ELSE %(now)s END
      FROM chosen c
        ON CONFLICT (org_id, recipient_id, kind, object_key, stage) DO NOTHING
    RETURNING notification_id, recipient_id, subject, url, stage, deadline
)
INSERT INTO orgs_notification
       (id, org_id, recipient_id, kind, title, body, url, created_at, read_at, emailed_at)
SELECT c.notification_id, %(org_id)s, c.recipient_id, %(notification_kind)s, c.subject,
       replace(CASE c.stage
                 WHEN 'before' THEN %(body_before)s
                 WHEN 'due' THEN %(body_due)s
                 WHEN 'after' THEN %(body_after)s
                 WHEN 'manager' THEN %(body_manager)s
                 ELSE %(body_hr)s
               END, '{{deadline}}', to_char(c.deadline, 'YYYY-MM-DD')),
       c.url, %(now)s, NULL, NULL
  FROM claimed c
 WHERE c.notification_id IS NOT NULL
RETURNING id
"""


def _bodies() -> dict:
    return {
        "body_before": _("Due on {deadline}."),
        "body_due": _("Due today ({deadline})."),
        "body_after": _("Overdue since {deadline}."),
        "body_manager": _("Overdue since {deadline}. You are reminded as the manager."),
        "body_hr": _("Overdue since {deadline}. HR is reminded."),
    }


def _statement(kind: ReminderKind, candidates: str, offsets) -> str:
    stage_values = ", ".join(
        f"('{stage}', {int(first)}, {int(nxt)})" for stage, first, nxt in offsets
    )
    return _STATEMENT.format(candidates=candidates, stage_values=stage_values)


def run_pass(
    org: Organization,
    today: datetime.date | None = None,
    *,
    batch_size: int = BATCH_SIZE,
    only: list[str] | None = None,
) -> PassResult:
    """Claim and send today's reminders of ``org`` (``today``: its local date by default).
    Runs inside the caller's transaction (the tenant task's); the emails leave when it
    commits. ``only``: the kinds to run (all registered by default)."""
    today = today or local_today(org)
    settings = rule_settings(org)
    offsets = stage_offsets(settings)
    deadline_from, deadline_to = deadline_window(today, settings)
    result = PassResult(org_id=org.pk, today=today)
    batches = person_batches(org.pk, batch_size)
    hr = hr_ids(org.pk)
    selected = [k for k in kinds() if only is None or k.name in only]
    prepared = []
    for kind in selected:
        sql, params = kind.candidates(org, today, settings)
        prepared.append((kind, _statement(kind, sql, offsets), params))
    common = {
        "org_id": org.pk,
        "today": today,
        "tz": org.timezone,
        # A deadline has a stage today only if today lies between its first and last day.
        "deadline_from": deadline_from,
        "deadline_to": deadline_to,
        "hr_ids": hr,
        "now": timezone.now(),
        **_bodies(),
    }
    result.queries = 2  # the batches and HR
    for lo, hi in batches:
        batch = BatchResult(lo=lo, hi=hi)
        began = time.perf_counter()
        with connection.cursor() as cursor:
            for kind, statement, params in prepared:
                kind_began = time.perf_counter()
                cursor.execute(
                    statement,
                    {
                        **common,
                        **params,
                        "lo": lo,
                        "hi": hi,
                        "kind": kind.name,
                        "notification_kind": f"reminder:{kind.name}",
                    },
                )
                ids = [row[0] for row in cursor.fetchall()]
                batch.kinds[kind.name] = time.perf_counter() - kind_began
                batch.queries += 1
                batch.claimed += len(ids)
                result.notification_ids.extend(ids)
        batch.seconds = time.perf_counter() - began
        result.batches.append(batch)
        result.queries += batch.queries
    result.claimed = len(result.notification_ids)
    email_on_commit(org.pk, result.notification_ids)
    return result
