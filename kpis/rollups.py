"""The rollup: every ``Score`` of one organisation, computed from its counted measurements by
set-based SQL (docs/DOMAIN.md rules R14 to R23). No Python loop touches a measurement.

For the current fiscal year up to today (in the organisation's time zone):

1. every (person, KPI, period) that is expected (the person holds the KPI's role during a
   period that has started, inside the KPI's dates) or has data: the period's actual (the
   KPI's aggregation over its values, R14) and its achievement (R15 to R19, clamped to
   ``[0, cap]``; no actual, no achievement: R20);
2. each KPI over a window (each month of the fiscal year so far, and the year to date): the
   mean of its periods with data (R21). A period belongs to the window its start falls in;
3. a KRA's score over a window: KPI weights × achievements over the weights of the KPIs
   with data (R22); a person's: KRA weights × KRA scores over the KRAs with a score (R23);
4. a role's, a department's (its direct members) and the organisation's: the plain mean of
   their people's scores, people without a score left out (R23).

Completeness beside every score: periods with data / periods expected, summed over what the
score covers. Stored: a KPI's own periods and its year to date, and every other scope per
month and for the year to date; ``Score.achievement`` NULL means no data.

Only the people whose inputs changed are recomputed. A run first reads a digest of each
person's inputs: a sum of 64-bit hashes, one per KPI they have values for (its definition and
its KRA's, the periods of its frequency begun so far, and the digest of their values of it,
``ValuesDigest``, which triggers on ``kpis_measurement`` keep as values are written, so no
value is read), one per role they hold (its live KPIs' definitions and periods begun), one
per role assignment (role, dates), their membership (active, department) and the
organisation's settings (cap, fiscal year, ``ROLLUP_VERSION``). Steps 1 to 3 run for the
people whose digest differs from the one kept with their scores (``RollupInputs``); everyone
with ``full``, or when no digest is kept yet, and then the values' digests are rebuilt from
the values. Step 4 runs, from the stored person scores, for the organisation and for the
departments and roles those people counted in before (kept beside their digest) or count in
now. Nothing that moves a score has to remember to mark anyone: the digests are read from the
same rows the scores are. A new week recomputes the people who hold a weekly KPI; a new
month, everyone.

Each step's rows are grouped by ``INSERT … SELECT … GROUP BY`` into a temporary table of this
run's scores, which is compared with the stored ones by key (one hash join): only the rows
that are new or changed are written (``INSERT … ON CONFLICT DO UPDATE``) and the rows that
are no longer scores are deleted. ``computed_at`` on a row is when it last changed;
``RollupState`` holds when the organisation's scores were last computed. The whole run is one
transaction: running it twice gives the same rows, and a run interrupted half way leaves the
previous rows (and digests) untouched.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from orgs.models import Organization
from orgs.org_settings import org_setting
from orgs.tenancy import scoped

from .measurements import fiscal_year
from .models import RollupInputs, RollupState

#: Raised whenever the SQL below changes what it computes: every person is then recomputed.
ROLLUP_VERSION = 2

_CLAMP = "GREATEST(0::numeric, LEAST(%(cap)s::numeric, {}))"


def _clamp(expression: str) -> str:
    return _CLAMP.format(expression)


# R15 to R19 over a period's actual ``j.actual`` and the KPI ``kp``: kpis/scoring.py
# ``achievement``, line by line.
ACHIEVEMENT_SQL = f"""
CASE
  WHEN j.actual IS NULL THEN NULL
  WHEN kp.direction = 'boolean' THEN
    {_clamp("CASE WHEN j.actual <> 0 THEN 1 ELSE 0 END")}
  WHEN kp.direction = 'range' THEN CASE
    WHEN kp.target_low IS NULL OR kp.target_high IS NULL THEN NULL
    WHEN j.actual BETWEEN kp.target_low AND kp.target_high THEN {_clamp("1")}
    WHEN kp.target_high - kp.target_low <= 0 THEN 0
    ELSE {
    _clamp(
        "1 - (CASE WHEN j.actual < kp.target_low THEN kp.target_low - j.actual "
        "ELSE j.actual - kp.target_high END) / (kp.target_high - kp.target_low)"
    )
}
  END
  WHEN kp.target IS NULL THEN NULL
  WHEN kp.direction = 'increase' THEN CASE
    WHEN kp.baseline IS NOT NULL AND kp.baseline < kp.target THEN
      {_clamp("(j.actual - kp.baseline) / (kp.target - kp.baseline)")}
    WHEN kp.target = 0 THEN {_clamp("CASE WHEN j.actual >= 0 THEN 1 ELSE 0 END")}
    ELSE {_clamp("j.actual / kp.target")}
  END
  WHEN kp.direction = 'decrease' THEN CASE
    WHEN kp.baseline IS NOT NULL AND kp.baseline > kp.target THEN
      {_clamp("(kp.baseline - j.actual) / (kp.baseline - kp.target)")}
    WHEN j.actual = 0 THEN {_clamp("1")}
    ELSE {_clamp("kp.target / j.actual")}
  END
END
"""

# Role assignments that overlap the year so far.
_HELD = """
SELECT ra.member_id, ra.role_id, ra.start_date, ra.end_date
FROM roles_roleassignment ra
WHERE ra.org_id = %(org)s AND ra.start_date <= %(as_of)s
  AND (ra.end_date IS NULL OR ra.end_date >= %(fy_start)s)
"""

# The periods begun in the fiscal year so far, of each frequency.
_BEGUN = """
SELECT f.frequency, s::date AS p_start, (s + f.step - interval '1 day')::date AS p_end
FROM (VALUES
  ('weekly', interval '1 week', date_trunc('week', %(fy_start)s::timestamp)),
  ('monthly', interval '1 month', %(fy_start)s::timestamp),
  ('quarterly', interval '3 months', %(fy_start)s::timestamp),
  ('annual', interval '1 year', %(fy_start)s::timestamp)
) AS f(frequency, step, anchor)
CROSS JOIN LATERAL generate_series(f.anchor, %(as_of)s::timestamp, f.step) AS s
WHERE s >= %(fy_start)s
"""

# The year's counted values, up to today.
_COUNTED = """
m.org_id = %(org)s AND m.status = 'counted' AND m.period_start BETWEEN %(fy_start)s AND %(as_of)s
"""

# Each person's inputs as one digest: a sum of 64-bit hashes (order does not matter). One per
# KPI they have values for: its definition, the periods of its frequency begun so far, and
# the digest of their values of it (``ValuesDigest``, kept by the database as values are
# written: no value is read here); one per KPI of a role they hold (its definition, the
# periods of its frequency begun); one per role assignment (role, dates); their membership
# (active, department); and ``%(settings)s`` (the cap, the fiscal year, the rollup's
# version). A KPI's definition is its own scoring fields and its KRA's.
_INPUTS = """
DROP TABLE IF EXISTS pg_temp.rollup_inputs;
CREATE TEMP TABLE rollup_inputs ON COMMIT DROP AS
WITH defs AS (
  SELECT kp.id AS kpi_id, k.role_id, kp.frequency, k.status <> 'retired' AS live,
         hash_record_extended(ROW(kp.kra_id, kp.weight, kp.frequency, kp.aggregation,
           kp.direction, kp.target, kp.target_low, kp.target_high, kp.baseline, kp.start_date,
           kp.due_date, k.role_id, k.weight, k.status), 0) AS h
  FROM kpis_kpi kp JOIN kras_kra k ON k.id = kp.kra_id
  WHERE kp.org_id = %(org)s
),
held AS (
  SELECT h.member_id AS person_id, h.role_id, h.start_date, h.end_date FROM (__HELD__) h
),
begun AS (
  SELECT frequency, sum(hash_record_extended(ROW(p_start), 2)) AS h
  FROM (__BEGUN__) b GROUP BY frequency
),
-- Per role, its live KPIs' definitions and periods begun (a KPI belongs to one role).
role_defs AS (
  SELECT d.role_id, sum(hash_record_extended(ROW(d.kpi_id, d.h, b.h), 1)) AS h
  FROM defs d LEFT JOIN begun b ON b.frequency = d.frequency
  WHERE d.live GROUP BY d.role_id
),
parts AS (
  SELECT v.person_id,
         sum(hash_record_extended(ROW(v.kpi_id, d.h, b.h, v.digest, v."values"), 0)) AS h
  FROM kpis_valuesdigest v
  JOIN defs d ON d.kpi_id = v.kpi_id
  LEFT JOIN begun b ON b.frequency = d.frequency
  WHERE v.org_id = %(org)s AND v."values" <> 0
  GROUP BY v.person_id
  UNION ALL
  SELECT x.person_id, sum(r.h)
  FROM (SELECT DISTINCT person_id, role_id FROM held) x JOIN role_defs r ON r.role_id = x.role_id
  GROUP BY x.person_id
  UNION ALL
  SELECT person_id, sum(hash_record_extended(ROW(role_id, start_date, end_date), 3))
  FROM held GROUP BY person_id
)
SELECT p.person_id,
       sum(p.h) + hash_record_extended(ROW(mb.is_active, mb.department_id), 4)
         + %(settings)s AS digest,
       mb.department_id, coalesce(r.role_ids, '{}') AS role_ids
FROM parts p
JOIN orgs_membership mb ON mb.id = p.person_id
LEFT JOIN (
  SELECT person_id, array_agg(DISTINCT role_id ORDER BY role_id) AS role_ids
  FROM held GROUP BY person_id
) r ON r.person_id = p.person_id
GROUP BY p.person_id, mb.is_active, mb.department_id, r.role_ids;

ANALYZE rollup_inputs;

DROP TABLE IF EXISTS pg_temp.rollup_people_changed;
CREATE TEMP TABLE rollup_people_changed ON COMMIT DROP AS
SELECT coalesce(i.person_id, s.person_id) AS person_id
FROM rollup_inputs i
FULL OUTER JOIN (SELECT person_id, digest FROM kpis_rollupinputs WHERE org_id = %(org)s) s
  ON s.person_id = i.person_id
WHERE %(full)s OR i.digest IS DISTINCT FROM s.digest
UNION
-- With ``full``, also whoever has scores and no inputs any more.
SELECT DISTINCT person_id FROM kpis_score
WHERE %(full)s AND org_id = %(org)s AND person_id IS NOT NULL;

ANALYZE rollup_people_changed;
"""

# The groups whose means the people recomputed may move: the departments and roles they
# counted in before (their kept ``RollupInputs``) and now; with ``full``, every group that
# has people or stored means.
_GROUPS = """
DROP TABLE IF EXISTS pg_temp.rollup_groups;
CREATE TEMP TABLE rollup_groups ON COMMIT DROP AS
SELECT DISTINCT g.scope, g.scope_id FROM (
  SELECT 'department'::text AS scope, department_id AS scope_id FROM rollup_inputs
  WHERE %(full)s OR person_id = ANY(__RECOMPUTED__)
  UNION ALL
  SELECT 'department', department_id FROM kpis_rollupinputs
  WHERE org_id = %(org)s AND person_id = ANY(__RECOMPUTED__)
  UNION ALL
  SELECT 'role', unnest(role_ids) FROM rollup_inputs
  WHERE %(full)s OR person_id = ANY(__RECOMPUTED__)
  UNION ALL
  SELECT 'role', unnest(role_ids) FROM kpis_rollupinputs
  WHERE org_id = %(org)s AND person_id = ANY(__RECOMPUTED__)
  UNION ALL
  SELECT scope, scope_id FROM kpis_score
  WHERE %(full)s AND org_id = %(org)s AND scope IN ('role', 'department')
  UNION ALL
  SELECT 'org', %(org)s
) g
WHERE g.scope_id IS NOT NULL;
"""

# The people recomputed, as an array of ids: the planner sees how many, and reads a few
# people's rows by index and many by a scan.
_RECOMPUTED = "%(people)s::bigint[]"

# When everyone is recomputed, the values' digests are rebuilt from the values, so whatever
# wrote them (or a restore without them), the next runs start from the truth.
_REBUILD_VALUES = [
    "DELETE FROM kpis_valuesdigest WHERE org_id = %(org)s",
    """INSERT INTO kpis_valuesdigest (org_id, person_id, kpi_id, digest, "values")
       SELECT m.org_id, m.person_id, m.kpi_id, sum(kpis_value_hash(m)), count(*)
       FROM kpis_measurement m WHERE m.org_id = %(org)s
       GROUP BY m.org_id, m.person_id, m.kpi_id""",
]

_PERIODS = """
DROP TABLE IF EXISTS pg_temp.rollup_periods;
CREATE TEMP TABLE rollup_periods ON COMMIT DROP AS
WITH held AS MATERIALIZED (
  SELECT h.member_id AS person_id, h.role_id, h.start_date, h.end_date
  FROM (__HELD__ AND ra.member_id = ANY(__RECOMPUTED__)) h
  JOIN orgs_membership mb ON mb.id = h.member_id AND mb.is_active
),
-- The KPIs of the people recomputed (of the roles they hold, and those they have values
-- for), read once.
kpis AS MATERIALIZED (
  SELECT kp.id, kp.kra_id, kp.weight, k.weight AS kra_weight, k.role_id, k.status,
         kp.frequency, kp.aggregation, kp.direction, kp.target, kp.target_low,
         kp.target_high, kp.baseline, kp.start_date, kp.due_date
  FROM kpis_kpi kp JOIN kras_kra k ON k.id = kp.kra_id
  WHERE kp.org_id = %(org)s
    AND (k.role_id IN (SELECT role_id FROM held)
         OR kp.id IN (SELECT kpi_id FROM kpis_valuesdigest
                      WHERE org_id = %(org)s AND person_id = ANY(__RECOMPUTED__)))
),
periods AS (__BEGUN__),
expected AS (
  SELECT DISTINCT h.person_id, kp.id AS kpi_id, p.p_start, p.p_end
  FROM held h
  JOIN kpis kp ON kp.role_id = h.role_id AND kp.status <> 'retired'
  JOIN periods p ON p.frequency = kp.frequency
  WHERE p.p_end >= h.start_date AND (h.end_date IS NULL OR p.p_start <= h.end_date)
    AND (kp.start_date IS NULL OR p.p_end >= kp.start_date)
    AND (kp.due_date IS NULL OR p.p_start <= kp.due_date)
),
actuals AS (
  SELECT m.person_id, m.kpi_id, m.period_start AS p_start, m.period_end AS p_end,
    CASE kp.aggregation
      WHEN 'sum' THEN sum(m.value)
      WHEN 'avg' THEN avg(m.value)
      WHEN 'min' THEN min(m.value)
      WHEN 'max' THEN max(m.value)
      ELSE (array_agg(m.value ORDER BY m.entered_at DESC, m.id DESC)
              FILTER (WHERE kp.aggregation NOT IN ('sum', 'avg', 'min', 'max')))[1]
    END AS actual
  FROM kpis_measurement m
  JOIN kpis kp ON kp.id = m.kpi_id
  WHERE __COUNTED__ AND m.person_id = ANY(__RECOMPUTED__)
  GROUP BY m.person_id, m.kpi_id, m.period_start, m.period_end, kp.aggregation
),
j AS (
  SELECT coalesce(a.person_id, e.person_id) AS person_id,
         coalesce(a.kpi_id, e.kpi_id) AS kpi_id,
         coalesce(a.p_start, e.p_start) AS p_start,
         coalesce(a.p_end, e.p_end) AS p_end,
         a.actual
  FROM expected e
  FULL OUTER JOIN actuals a
    ON a.person_id = e.person_id AND a.kpi_id = e.kpi_id AND a.p_start = e.p_start
)
SELECT j.person_id, j.kpi_id, kp.kra_id, kp.weight AS kpi_weight, kp.kra_weight,
       j.p_start, j.p_end, j.actual, (__ACHIEVEMENT__) AS achievement
FROM j
JOIN kpis kp ON kp.id = j.kpi_id;

ANALYZE rollup_periods;

DROP TABLE IF EXISTS pg_temp.rollup_kpis;
CREATE TEMP TABLE rollup_kpis ON COMMIT DROP AS
SELECT p.person_id, p.kpi_id, p.kra_id, p.kpi_weight, p.kra_weight, 'period'::text AS win,
       date_trunc('month', p.p_start)::date AS w_start,
       (date_trunc('month', p.p_start) + interval '1 month' - interval '1 day')::date AS w_end,
       avg(p.achievement) AS achievement, count(p.actual) AS with_data, count(*) AS expected
FROM rollup_periods p
GROUP BY p.person_id, p.kpi_id, p.kra_id, p.kpi_weight, p.kra_weight,
         date_trunc('month', p.p_start)
UNION ALL
SELECT p.person_id, p.kpi_id, p.kra_id, p.kpi_weight, p.kra_weight, 'ytd', %(fy_start)s::date,
       %(fy_end)s::date, avg(p.achievement), count(p.actual), count(*)
FROM rollup_periods p
GROUP BY p.person_id, p.kpi_id, p.kra_id, p.kpi_weight, p.kra_weight;

DROP TABLE IF EXISTS pg_temp.rollup_kras;
CREATE TEMP TABLE rollup_kras ON COMMIT DROP AS
SELECT person_id, kra_id, kra_weight, win, w_start, w_end,
       sum(kpi_weight * achievement) FILTER (WHERE achievement IS NOT NULL)
         / NULLIF(sum(kpi_weight) FILTER (WHERE achievement IS NOT NULL), 0) AS achievement,
       sum(with_data) AS with_data, sum(expected) AS expected
FROM rollup_kpis
GROUP BY person_id, kra_id, kra_weight, win, w_start, w_end;

DROP TABLE IF EXISTS pg_temp.rollup_people;
CREATE TEMP TABLE rollup_people ON COMMIT DROP AS
SELECT person_id, win, w_start, w_end,
       sum(kra_weight * achievement) FILTER (WHERE achievement IS NOT NULL)
         / NULLIF(sum(kra_weight) FILTER (WHERE achievement IS NOT NULL), 0) AS achievement,
       sum(with_data) AS with_data, sum(expected) AS expected
FROM rollup_kras
GROUP BY person_id, win, w_start, w_end;
"""


def _sql(script: str) -> str:
    return (
        script.replace("__HELD__", _HELD)
        .replace("__BEGUN__", _BEGUN)
        .replace("__COUNTED__", _COUNTED)
        .replace("__RECOMPUTED__", _RECOMPUTED)
        .replace("__ACHIEVEMENT__", ACHIEVEMENT_SQL)
        .replace("__PEOPLE__", _STORED_PEOPLE)
    )


_SCORES_TABLE = """
DROP TABLE IF EXISTS pg_temp.rollup_scores;
CREATE TEMP TABLE rollup_scores (
  scope text, scope_id bigint, person_id bigint, win text, w_start date, w_end date,
  achievement numeric, with_data integer, expected integer, completeness numeric
) ON COMMIT DROP;
"""


def _scored(select: str) -> str:
    """One scope's rows as this run's scores: ``select`` gives (scope, scope_id, person_id,
    window, start, end, achievement, with_data, expected), grouped as the scope needs."""
    return """
SELECT s.scope, s.scope_id, s.person_id, s.win, s.w_start, s.w_end, round(s.achievement, 6),
       s.with_data, s.expected, round(s.with_data::numeric / NULLIF(s.expected, 0), 6)
FROM (__SELECT__) AS s""".replace("__SELECT__", select)


def _insert(select: str) -> str:
    return "INSERT INTO rollup_scores " + _scored(select)


#: A person's own scores (steps 1 to 3), for the people recomputed.
_PERSON_SCORES = [
    # A KPI's own periods.
    _insert(
        "SELECT 'kpi' AS scope, kpi_id AS scope_id, person_id, 'period'::text AS win, "
        "p_start AS w_start, min(p_end) AS w_end, avg(achievement) AS achievement, "
        "count(actual) AS with_data, count(*) AS expected "
        "FROM rollup_periods GROUP BY kpi_id, person_id, p_start"
    ),
    # A KPI's year to date.
    _insert(
        "SELECT 'kpi' AS scope, kpi_id AS scope_id, person_id, win, w_start, w_end, "
        "achievement, with_data, expected FROM rollup_kpis WHERE win = 'ytd'"
    ),
    _insert(
        "SELECT 'kra' AS scope, kra_id AS scope_id, person_id, win, w_start, w_end, "
        "achievement, with_data, expected FROM rollup_kras"
    ),
    _insert(
        "SELECT 'person' AS scope, person_id AS scope_id, person_id, win, w_start, w_end, "
        "achievement, with_data, expected FROM rollup_people"
    ),
]

# Every person's score as stored (after step 3 was written), for the averages of step 4.
_STORED_PEOPLE = """
SELECT person_id, "window" AS win, period_start AS w_start, period_end AS w_end, achievement,
       periods_with_data AS with_data, periods_expected AS expected
FROM kpis_score WHERE org_id = %(org)s AND scope = 'person'
"""

#: The averages over people (step 4), for everyone.
_GROUP_SCORES = [
    "TRUNCATE rollup_scores",
    _insert(
        "SELECT 'role' AS scope, h.role_id AS scope_id, NULL::bigint AS person_id, p.win, "
        "p.w_start, p.w_end, avg(p.achievement) AS achievement, sum(p.with_data) AS with_data, "
        "sum(p.expected) AS expected "
        "FROM (__PEOPLE__) p JOIN (SELECT DISTINCT member_id, role_id FROM (__HELD__) x "
        "WHERE role_id IN (SELECT scope_id FROM rollup_groups WHERE scope = 'role')) h "
        "ON h.member_id = p.person_id GROUP BY h.role_id, p.win, p.w_start, p.w_end"
    ),
    # Departments (their direct members) and the organisation in one pass over the people.
    _insert(
        "SELECT CASE WHEN GROUPING(mb.department_id) = 1 THEN 'org' ELSE 'department' END "
        "AS scope, CASE WHEN GROUPING(mb.department_id) = 1 THEN %(org)s::bigint "
        "ELSE mb.department_id END AS scope_id, NULL::bigint AS person_id, p.win, p.w_start, "
        "p.w_end, avg(p.achievement) AS achievement, sum(p.with_data) AS with_data, "
        "sum(p.expected) AS expected "
        "FROM (__PEOPLE__) p JOIN orgs_membership mb ON mb.id = p.person_id "
        "GROUP BY GROUPING SETS ((mb.department_id, p.win, p.w_start, p.w_end), "
        "(p.win, p.w_start, p.w_end)) "
        "HAVING GROUPING(mb.department_id) = 1 OR mb.department_id IN "
        "(SELECT scope_id FROM rollup_groups WHERE scope = 'department')"
    ),
]

# This run's scores against the stored ones of the same people (``__STORED__``), by key: what
# is new, what changed, what is no longer a score (a value deleted, a role ended). Only those
# rows are written: a run that changes nothing writes nothing.
_CHANGES = """
DROP TABLE IF EXISTS pg_temp.rollup_changes;
CREATE TEMP TABLE rollup_changes ON COMMIT DROP AS
SELECT k.id AS score_id, s.*
FROM rollup_scores s
FULL OUTER JOIN (
  SELECT id, scope, scope_id, person_id, "window", period_start, period_end, achievement,
         periods_with_data, periods_expected, completeness
  FROM kpis_score WHERE org_id = %(org)s AND __STORED__
) k ON (coalesce(k.person_id, 0), k.scope, k.scope_id, k."window", k.period_start)
     = (coalesce(s.person_id, 0), s.scope, s.scope_id, s.win, s.w_start)
WHERE k.id IS NULL OR s.scope IS NULL
   OR (k.period_end, k.achievement, k.periods_with_data, k.periods_expected, k.completeness)
      IS DISTINCT FROM (s.w_end, s.achievement, s.with_data, s.expected, s.completeness);
"""
_PERSON_CHANGES = _CHANGES.replace("__STORED__", f"person_id = ANY({_RECOMPUTED})")
_GROUP_CHANGES = _CHANGES.replace(
    "__STORED__",
    "scope IN ('role', 'department', 'org') "
    "AND (scope, scope_id) IN (SELECT scope, scope_id FROM rollup_groups)",
)

_APPLY = [
    # No longer a score.
    """DELETE FROM kpis_score k USING rollup_changes c
       WHERE k.org_id = %(org)s AND k.id = c.score_id AND c.scope IS NULL""",
    # Changed or new: an upsert of those rows only.
    """INSERT INTO kpis_score (org_id, scope, scope_id, person_id, "window", period_start,
                               period_end, achievement, periods_with_data, periods_expected,
                               completeness, computed_at)
       SELECT %(org)s, c.scope, c.scope_id, c.person_id, c.win, c.w_start, c.w_end,
              c.achievement, c.with_data, c.expected, c.completeness, %(now)s
       FROM rollup_changes c WHERE c.scope IS NOT NULL
       -- A person's rows side by side on disk: a later run reads them from few pages.
       ORDER BY c.person_id, c.scope, c.scope_id, c.win, c.w_start
       ON CONFLICT ON CONSTRAINT score_once_per_scope_and_period DO UPDATE SET
         period_end = EXCLUDED.period_end, achievement = EXCLUDED.achievement,
         periods_with_data = EXCLUDED.periods_with_data,
         periods_expected = EXCLUDED.periods_expected, completeness = EXCLUDED.completeness,
         computed_at = EXCLUDED.computed_at""",
]

# The digests of the people recomputed, as of this run.
_KEEP_INPUTS = [
    """DELETE FROM kpis_rollupinputs s USING rollup_people_changed c
       WHERE s.org_id = %(org)s AND s.person_id = c.person_id""",
    """INSERT INTO kpis_rollupinputs (person_id, org_id, digest, department_id, role_ids)
       SELECT i.person_id, %(org)s, i.digest, i.department_id, i.role_ids
       FROM rollup_inputs i JOIN rollup_people_changed c ON c.person_id = i.person_id""",
]

_COUNTS = """
SELECT count(*) FILTER (WHERE scope IS NULL),
       count(*) FILTER (WHERE scope IS NOT NULL AND score_id IS NOT NULL),
       count(*) FILTER (WHERE score_id IS NULL)
FROM rollup_changes
"""


def _statements(script: str) -> list[str]:
    return [part for part in re.split(r";\s*\n", _sql(script)) if part.strip()]


@dataclass(frozen=True)
class RollupRun:
    org_id: int
    as_of: datetime.date
    fiscal_year_start: datetime.date
    computed_at: datetime.datetime
    #: The organisation's scores after the run, and what the run wrote of them.
    scores: int = 0
    removed: int = 0
    changed: int = 0
    added: int = 0
    #: The people whose scores were recomputed (their inputs changed).
    recomputed: int = 0


def _settings_digest(org: Organization, cap: Decimal, fy_start, fy_end) -> int:
    """The organisation-wide inputs of every score, as a signed 64-bit number."""
    text = f"{ROLLUP_VERSION}|{org.pk}|{cap.normalize()}|{fy_start}|{fy_end}"
    return int.from_bytes(
        hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True
    )


def rollup_parameters(
    org: Organization, as_of: datetime.date | None = None, *, full: bool = False
) -> dict:
    if as_of is None:
        as_of = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(org.timezone)).date()
    fy_start, fy_end = fiscal_year(org, as_of)
    cap = Decimal(str(org_setting(org, "overachievement_cap")))
    return {
        "org": org.pk,
        "as_of": as_of,
        "fy_start": fy_start,
        "fy_end": fy_end,
        "cap": cap,
        "settings": _settings_digest(org, cap, fy_start, fy_end),
        "now": timezone.now(),
        # Recompute everyone: asked for, or no digest kept yet (a tenant's first run).
        "full": full or not scoped(RollupInputs, org).exists(),
    }


#: Planner settings for the run's statements, each restored when the run ends (the caller's
#: transaction may go on). Every statement joins or groups whole sets: hash joins suit them at
#: any size, but with statistics taken while the tables were nearly empty (a new tenant before
#: autovacuum's next analyse) the planner picks nested loops, and a statement of seconds runs
#: for many minutes. The memory lets the groupings of a large tenant stay off disk. Just-in-time
#: compilation is off: the cost that keeps nested loops out makes every plan look expensive
#: enough to compile, and compiling took longer (1.8 s) than the statement it was for.
_SETTINGS = {"enable_nestloop": "off", "enable_mergejoin": "off", "work_mem": "64MB", "jit": "off"}


def _apply(cursor, changes: str, params: dict) -> tuple[int, int, int]:
    """Compare ``rollup_scores`` with the stored scores ``changes`` selects, write the
    difference; (removed, changed, added)."""
    for statement in [*_statements(changes), *_APPLY]:
        cursor.execute(statement, params)
    cursor.execute(_COUNTS, params)
    return cursor.fetchone()


def _run(cursor, params: dict) -> tuple[int, tuple[int, int, int]]:
    for statement in [*(_REBUILD_VALUES if params["full"] else []), *_statements(_INPUTS)]:
        cursor.execute(statement, params)
    cursor.execute("SELECT array_agg(person_id ORDER BY person_id) FROM rollup_people_changed")
    params = {**params, "people": cursor.fetchone()[0] or []}
    recomputed = len(params["people"])
    for statement in _statements(_SCORES_TABLE):
        cursor.execute(statement, params)
    own = (0, 0, 0)
    if recomputed:
        for statement in [*_statements(_PERIODS), *_PERSON_SCORES]:
            cursor.execute(statement, params)
        own = _apply(cursor, _PERSON_CHANGES, params)
    for statement in [*_statements(_GROUPS), *_GROUP_SCORES]:
        cursor.execute(_sql(statement), params)
    groups = _apply(cursor, _GROUP_CHANGES, params)
    for statement in _KEEP_INPUTS:
        cursor.execute(statement, params)
    return recomputed, tuple(a + b for a, b in zip(own, groups, strict=True))


@transaction.atomic
def rollup_organization(
    org_id: int, *, as_of: datetime.date | None = None, full: bool = False
) -> RollupRun:
    """Bring every score of the organisation up to date, in one transaction (see the module's
    docstring), and note the run in its ``RollupState``. ``as_of`` (default: today in the
    organisation's time zone) ends the year to date; ``full`` recomputes every person, whatever
    their digest says."""
    org = Organization.objects.get(pk=org_id)
    with connection.cursor() as cursor:
        # Two runs of one organisation take turns, so neither undoes what the other wrote.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('kpis.rollup'), %s)", [org.pk])
        params = rollup_parameters(org, as_of, full=full)
        previous = scoped(RollupState, org).values_list("scores", flat=True).first()
        before = {}
        for name, value in _SETTINGS.items():
            cursor.execute(
                "SELECT current_setting(%s), set_config(%s, %s, true)", [name] * 2 + [value]
            )
            before[name] = cursor.fetchone()[0]
        recomputed, (removed, changed, added) = _run(cursor, params)
        if previous is None or params["full"]:
            cursor.execute("SELECT count(*) FROM kpis_score WHERE org_id = %s", [org.pk])
            scores = cursor.fetchone()[0]
        else:
            scores = previous + added - removed
        for name, value in before.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
    RollupState.objects.update_or_create(
        org=org,
        defaults={
            "computed_at": params["now"],
            "as_of": params["as_of"],
            "scores": scores,
            "written": removed + changed + added,
        },
    )
    return RollupRun(
        org_id=org.pk,
        as_of=params["as_of"],
        fiscal_year_start=params["fy_start"],
        computed_at=params["now"],
        scores=scores,
        removed=removed,
        changed=changed,
        added=added,
        recomputed=recomputed,
    )
