"""The reminder about results not recorded (docs/DOMAIN.md rule R44), registered with orgs'
reminder registry (orgs/reminders/registry.py) from ``KpisConfig.ready()``.

KPI measurement overdue: one reminder per person and period, "N KPIs have no value for
<period>", for the KPIs of the roles they held at the period's end that have no value of
theirs for that period (docs/DOMAIN.md rule R43: a value awaiting confirmation counts as
entered); the deadline is ``kpi_value_grace_days`` after the period's end."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kras.models import KRALevel, KRAStatus
from orgs.org_settings import Setting
from orgs.reminders.registry import ReminderKind

from .measurements import period_containing
from .models import Frequency

SETTINGS = (
    # Days after a period's end by which its values are due.
    Setting(
        "kpi_value_grace_days",
        5,
        clean=int,
        validate=lambda days: None if 0 <= days <= 60 else _("Choose from 0 to 60 days."),
        unreadable=gettext_lazy("Enter a whole number of days."),
    ),
)


def periods_with_deadlines(
    fiscal_start_month: int, grace: int, deadline_from: datetime.date, deadline_to: datetime.date
) -> list[tuple[str, datetime.date, datetime.date]]:
    """Every KPI period (any frequency) whose deadline, its end plus ``grace`` days, lies
    between ``deadline_from`` and ``deadline_to``."""
    first_end = deadline_from - datetime.timedelta(days=grace)
    last_end = deadline_to - datetime.timedelta(days=grace)
    found = set()
    for frequency in Frequency.values:
        day = first_end
        while day <= last_end:
            start, end = period_containing(frequency, day, fiscal_start_month)
            if first_end <= end <= last_end:
                found.add((frequency, start, end))
            day = end + datetime.timedelta(days=1)
    return sorted(found, key=lambda p: (p[2], p[1], p[0]))


_MISSING = """
WITH periods(frequency, period_start, period_end) AS (
    SELECT * FROM unnest(%(p_frequency)s::text[], %(p_start)s::date[], %(p_end)s::date[])
),
missing AS (
    SELECT DISTINCT ra.member_id AS person_id, k.id AS kpi_id, p.period_start, p.period_end
      FROM periods p
      JOIN kpis_kpi k ON k.org_id = %(org_id)s AND k.frequency = p.frequency
      JOIN kras_kra kra ON kra.id = k.kra_id AND kra.level = %(role_level)s
                       AND kra.status <> %(retired)s
      JOIN roles_roleassignment ra ON ra.org_id = %(org_id)s AND ra.role_id = kra.role_id
     WHERE ra.member_id BETWEEN %(lo)s AND %(hi)s
       AND ra.start_date <= p.period_end
       AND (ra.end_date IS NULL OR ra.end_date >= p.period_end)
       AND (k.start_date IS NULL OR k.start_date <= p.period_end)
       AND (k.due_date IS NULL OR k.due_date >= p.period_start)
       AND NOT EXISTS (
           SELECT 1 FROM kpis_measurement v
            WHERE v.org_id = %(org_id)s AND v.kpi_id = k.id AND v.person_id = ra.member_id
              AND v.period_start = p.period_start
       )
)
SELECT x.person_id,
       x.person_id AS recipient_id,
       m.manager_id,
       true AS escalate_hr,
       'kpis:' || x.person_id || ':' || x.period_start || ':' || x.period_end AS object_key,
       x.period_end + %(grace)s::int AS deadline,
       replace(replace(CASE WHEN count(*) = 1 THEN %(one)s ELSE %(many)s END,
                       '{n}', count(*)::text),
               '{period}', to_char(x.period_start, 'YYYY-MM-DD') || ' – '
                           || to_char(x.period_end, 'YYYY-MM-DD')) AS subject,
       replace(replace(replace(CASE WHEN count(*) = 1 THEN %(e_one)s ELSE %(e_many)s END,
                               '{n}', count(*)::text),
                       '{period}', to_char(x.period_start, 'YYYY-MM-DD') || ' – '
                                   || to_char(x.period_end, 'YYYY-MM-DD')),
               '{name}', coalesce(nullif(u.full_name, ''), u.email)) AS escalation_subject,
       %(url)s AS url,
       %(people_url)s || x.person_id || '/results/' AS escalation_url
  FROM missing x
  JOIN orgs_membership m ON m.id = x.person_id AND m.is_active
  JOIN orgs_user u ON u.id = m.user_id
 GROUP BY x.person_id, x.period_start, x.period_end, m.manager_id, u.full_name, u.email
"""


def measurement_candidates(org, today: datetime.date, settings: dict) -> tuple[str, dict]:
    """People with KPIs that have no value for a period whose deadline has a stage today
    (one query per batch; the periods are computed here, without a query)."""
    grace = settings["kpi_value_grace_days"]
    # The engine's window of deadlines, recomputed from the same settings.
    from orgs.reminders.engine import deadline_window

    deadline_from, deadline_to = deadline_window(today, settings)
    periods = periods_with_deadlines(org.fiscal_year_start_month, grace, deadline_from, deadline_to)
    results = reverse("person-results", args=[org.slug, 0])
    return _MISSING, {
        "p_frequency": [p[0] for p in periods],
        "p_start": [p[1] for p in periods],
        "p_end": [p[2] for p in periods],
        "role_level": KRALevel.ROLE,
        "retired": KRAStatus.RETIRED,
        "grace": grace,
        "url": reverse("my-kpis", args=[org.slug]),
        "people_url": results[: -len("0/results/")],
        "one": _("1 KPI has no value for {period}"),
        "many": _("{n} KPIs have no value for {period}"),
        "e_one": _("{name}: 1 KPI has no value for {period}"),
        "e_many": _("{name}: {n} KPIs have no value for {period}"),
    }


MEASUREMENT_OVERDUE = ReminderKind(
    name="kpi.measurement_overdue",
    label=gettext_lazy("KPI measurement overdue"),
    candidates=measurement_candidates,
)

KINDS = (MEASUREMENT_OVERDUE,)
