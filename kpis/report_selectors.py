"""Reads for the department and organisation reports: achievement by department (year to
date and per month, with which departments consistently achieve and where shortfalls
persist), by strategic objective, and the distribution of person scores.

They read the precomputed ``Score`` rows only (kpis/rollups.py) and cost a constant number
of queries whatever the organisation's size. Who reads what: HR and org admins the whole
organisation; a department head the departments they head and those below
(``kpis.policy.report_department_ids``). ``achievement`` None is "no data", never zero
(docs/DOMAIN.md rule R20).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Avg, Count, FilteredRelation, Max, Q, Sum
from django.utils.translation import gettext as _

from kras.models import ObjectiveStatus, StrategicObjective
from orgs.models import Department, Membership, Organization

from .dashboard_selectors import Thresholds, thresholds
from .exports import percent
from .measurement_selectors import AT_RISK, OFF_TRACK, ON_TRACK, scores_computed_at
from .models import Score, ScoreScope, ScoreWindow

#: How many of the latest complete months the consistency figures look at
#: (docs/DOMAIN.md rule R49).
CONSISTENCY_MONTHS = 6
#: A department is "consistently achieving" only with at least this many complete months.
CONSISTENT_MIN_MONTHS = 3
#: Off track this many complete months running, or more: a persistent shortfall.
PERSISTENT_SHORTFALL_MONTHS = 2


@dataclass
class Figure:
    """An achievement with its completeness, as a score row gives it (or an aggregate of
    several)."""

    achievement: Decimal | None
    periods_with_data: int
    periods_expected: int
    status: str = ""

    @property
    def percent(self) -> Decimal | None:
        return percent(self.achievement)

    @property
    def completeness(self) -> Decimal | None:
        if not self.periods_expected:
            return None
        return Decimal(self.periods_with_data) / Decimal(self.periods_expected)


def _figure(row, limits: Thresholds) -> Figure | None:
    if row is None:
        return None
    return Figure(
        achievement=row.achievement,
        periods_with_data=row.periods_with_data,
        periods_expected=row.periods_expected,
        status=limits.status(row.achievement),
    )


@dataclass
class Month:
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        return self.start.strftime("%b %Y")


@dataclass
class Consistency:
    """docs/DOMAIN.md rule R49 over the latest complete months (at most
    ``CONSISTENCY_MONTHS``)."""

    months: int = 0
    on_track: int = 0
    no_data: int = 0
    #: Complete months running, up to the latest, that were off track.
    off_track_run: int = 0

    @property
    def consistent(self) -> bool:
        return self.months >= CONSISTENT_MIN_MONTHS and self.on_track == self.months

    @property
    def persistent_shortfall(self) -> bool:
        return self.off_track_run >= PERSISTENT_SHORTFALL_MONTHS


def consistency(figures: list[Figure | None], months: list[Month], today) -> Consistency:
    """On track in how many of the latest complete months (a month is complete once it has
    ended), and for how many complete months running up to the latest it was off track. A
    month with no data is neither on track nor off track: it ends a run (R20)."""
    complete = [f for f, m in zip(figures, months, strict=True) if m.end < today]
    latest = complete[-CONSISTENCY_MONTHS:]
    answer = Consistency(months=len(latest))
    for figure in latest:
        status = figure.status if figure else ""
        answer.on_track += status == ON_TRACK
        answer.no_data += status == ""
    for figure in reversed(latest):
        if figure is None or figure.status != OFF_TRACK:
            break
        answer.off_track_run += 1
    return answer


@dataclass
class PeopleCount:
    """Active people, and how many of them have a year-to-date score in each band."""

    people: int = 0
    on_track: int = 0
    at_risk: int = 0
    off_track: int = 0

    @property
    def scored(self) -> int:
        return self.on_track + self.at_risk + self.off_track

    @property
    def no_data(self) -> int:
        return self.people - self.scored

    def __iadd__(self, other: PeopleCount) -> PeopleCount:
        self.people += other.people
        self.on_track += other.on_track
        self.at_risk += other.at_risk
        self.off_track += other.off_track
        return self


def _people_by_department(
    org: Organization, limits: Thresholds, department_ids: set[int] | None
) -> dict[int | None, PeopleCount]:
    """Per department (None: in none), the active people and their year-to-date person
    scores by status band (R24). One query."""
    people = Membership.objects.filter(org=org, is_active=True)
    if department_ids is not None:
        people = people.filter(department_id__in=department_ids)
    rows = (
        people.annotate(
            ytd=FilteredRelation(
                "scores",
                condition=Q(
                    scores__scope=ScoreScope.PERSON, scores__window=ScoreWindow.YEAR_TO_DATE
                ),
            )
        )
        .values("department_id")
        .annotate(
            people=Count("pk"),
            on_track=Count("pk", filter=Q(ytd__achievement__gte=limits.on_track)),
            at_risk=Count(
                "pk",
                filter=Q(ytd__achievement__gte=limits.at_risk)
                & Q(ytd__achievement__lt=limits.on_track),
            ),
            off_track=Count("pk", filter=Q(ytd__achievement__lt=limits.at_risk)),
        )
        .order_by()
    )
    return {
        row["department_id"]: PeopleCount(
            people=row["people"],
            on_track=row["on_track"],
            at_risk=row["at_risk"],
            off_track=row["off_track"],
        )
        for row in rows
    }


def _months(rows) -> list[Month]:
    seen = {r.period_start: r.period_end for r in rows if r.window == ScoreWindow.PERIOD}
    return [Month(start, seen[start]) for start in sorted(seen)]


@dataclass
class _Row:
    """A score row's shape, for figures aggregated here rather than stored."""

    window: str
    period_start: datetime.date
    period_end: datetime.date
    achievement: Decimal | None
    periods_with_data: int
    periods_expected: int


# --- by department ----------------------------------------------------------------------------


@dataclass
class DepartmentRow:
    department: Department | None
    name: str
    depth: int
    people: PeopleCount
    ytd: Figure | None
    months: list[Figure | None]
    consistency: Consistency

    @property
    def indent(self) -> int:
        """How far the page indents the name (the stylesheet knows four steps)."""
        return min(self.depth, 4)


@dataclass
class DepartmentReport:
    everyone: bool
    months: list[Month]
    total: DepartmentRow
    rows: list[DepartmentRow]
    thresholds: Thresholds
    computed_at: datetime.datetime | None

    @property
    def consistent(self) -> list[DepartmentRow]:
        return [r for r in self.rows if r.consistency.consistent]

    @property
    def shortfalls(self) -> list[DepartmentRow]:
        return [r for r in self.rows if r.consistency.persistent_shortfall]


def _tree_order(departments: list[Department], shown: set[int]) -> list[tuple[Department, int]]:
    """``departments`` depth first, children by name under their parent; a shown department
    whose parent is not shown starts a tree of its own."""
    children: dict[int | None, list[Department]] = {}
    for d in departments:
        parent = d.parent_id if d.parent_id in shown else None
        children.setdefault(parent, []).append(d)
    ordered: list[tuple[Department, int]] = []

    def walk(parent, depth):
        for d in sorted(children.get(parent, []), key=lambda d: (d.name.lower(), d.pk)):
            ordered.append((d, depth))
            if depth < 50:  # a cycle in bad data stops here
                walk(d.pk, depth + 1)

    walk(None, 0)
    return ordered


def _total_rows(org: Organization, department_ids: set[int] | None) -> list:
    """The scores of everyone in scope: the organisation's stored rows, or for some
    departments the same rule over their people's scores (R23: the plain mean of the
    people's scores, people without one left out). One query."""
    if department_ids is None:
        return list(Score.objects.filter(org=org, scope=ScoreScope.ORGANIZATION, scope_id=org.pk))
    rows = (
        Score.objects.filter(
            org=org, scope=ScoreScope.PERSON, person__department_id__in=department_ids
        )
        .values("window", "period_start")
        .annotate(
            end=Max("period_end"),
            avg=Avg("achievement"),
            with_data=Sum("periods_with_data"),
            expected=Sum("periods_expected"),
        )
        .order_by()
    )
    return [
        _Row(
            window=r["window"],
            period_start=r["period_start"],
            period_end=r["end"],
            achievement=None if r["avg"] is None else round(r["avg"], 6),
            periods_with_data=r["with_data"] or 0,
            periods_expected=r["expected"] or 0,
        )
        for r in rows
    ]


def _row(department, name, depth, people, rows, months, limits, today) -> DepartmentRow:
    ytd = next((r for r in rows if r.window == ScoreWindow.YEAR_TO_DATE), None)
    by_month = {r.period_start: r for r in rows if r.window == ScoreWindow.PERIOD}
    figures = [_figure(by_month.get(m.start), limits) for m in months]
    return DepartmentRow(
        department=department,
        name=name,
        depth=depth,
        people=people,
        ytd=_figure(ytd, limits),
        months=figures,
        consistency=consistency(figures, months, today),
    )


def department_report(
    org: Organization, department_ids: set[int] | None, today: datetime.date
) -> DepartmentReport:
    """Each department in scope (``department_ids``; None: every one, for HR): its stored
    score (its own members', R23) year to date and per month, its people by status, and
    R49's consistency; with the total of everyone in scope. Five queries."""
    limits = thresholds(org)
    departments = Department.objects.filter(org=org)
    if department_ids is not None:
        departments = departments.filter(pk__in=department_ids)
    departments = list(departments)
    shown = {d.pk for d in departments}
    scores = Score.objects.filter(org=org, scope=ScoreScope.DEPARTMENT)
    if department_ids is not None:
        scores = scores.filter(scope_id__in=department_ids)
    by_department: dict[int, list] = {}
    for row in scores:
        by_department.setdefault(row.scope_id, []).append(row)
    total_rows = _total_rows(org, department_ids)
    months = _months([*total_rows, *(r for rows in by_department.values() for r in rows)])
    people = _people_by_department(org, limits, department_ids)
    rows = [
        _row(d, d.name, depth, people.get(d.pk, PeopleCount()), by_department.get(d.pk, []),
             months, limits, today)
        for d, depth in _tree_order(departments, shown)
    ]  # fmt: skip
    everyone = PeopleCount()
    for count in people.values():
        everyone += count
    name = org.name if department_ids is None else _("Your departments")
    total = _row(None, name, 0, everyone, total_rows, months, limits, today)
    return DepartmentReport(
        everyone=department_ids is None,
        months=months,
        total=total,
        rows=rows,
        thresholds=limits,
        computed_at=scores_computed_at(org),
    )


# --- by strategic objective -------------------------------------------------------------------

# Each KRA with a score, and the objective it ladders to (docs/DOMAIN.md rule R48): the first
# active objective going up from the KRA (its own, its parent's, …), the walk stopping at a
# retired parent, as kras/selectors.py ``ladder_status`` decides it. Then every person's KRA
# score, by that objective (NULL: none), window and period: their plain mean, how many
# scores have data, how many people, and the completeness sums.
_BY_OBJECTIVE = """
WITH RECURSIVE scored AS (
  SELECT DISTINCT s.scope_id AS kra_id
  FROM kpis_score s WHERE s.org_id = %(org)s AND s.scope = 'kra'
),
ladder AS (
  SELECT sc.kra_id, k.parent_id, CASE WHEN o.status = 'active' THEN o.id END AS objective_id,
         0 AS depth
  FROM scored sc
  JOIN kras_kra k ON k.id = sc.kra_id AND k.org_id = %(org)s
  LEFT JOIN kras_strategicobjective o ON o.id = k.objective_id
  UNION ALL
  SELECT l.kra_id, p.parent_id, CASE WHEN o.status = 'active' THEN o.id END, l.depth + 1
  FROM ladder l
  JOIN kras_kra p ON p.id = l.parent_id AND p.org_id = %(org)s AND p.status <> 'retired'
  LEFT JOIN kras_strategicobjective o ON o.id = p.objective_id
  WHERE l.objective_id IS NULL AND l.depth < 20
),
reached AS (
  SELECT DISTINCT ON (kra_id) kra_id, objective_id
  FROM ladder WHERE objective_id IS NOT NULL
  ORDER BY kra_id, depth
)
SELECT r.objective_id, s."window", s.period_start, max(s.period_end),
       avg(s.achievement), count(s.achievement), count(*), count(DISTINCT s.person_id),
       sum(s.periods_with_data), sum(s.periods_expected)
FROM kpis_score s
JOIN orgs_membership mb ON mb.id = s.person_id
LEFT JOIN reached r ON r.kra_id = s.scope_id
WHERE s.org_id = %(org)s AND s.scope = 'kra' __DEPARTMENTS__
GROUP BY r.objective_id, s."window", s.period_start
"""


@dataclass
class ObjectiveRow:
    objective: StrategicObjective | None
    name: str
    ytd: Figure | None
    #: Year to date: person × KRA scores with data, all of them, and how many people.
    scores_with_data: int
    scores: int
    people: int
    months: list[Figure | None]


@dataclass
class ObjectiveReport:
    everyone: bool
    months: list[Month]
    rows: list[ObjectiveRow]
    #: The KRA scores that reach no active objective (None when there are none).
    unaligned: ObjectiveRow | None
    thresholds: Thresholds
    computed_at: datetime.datetime | None


def objective_report(org: Organization, department_ids: set[int] | None) -> ObjectiveReport:
    """Each active strategic objective's achievement (R48), year to date and per month, over
    the KRA scores of the people in scope (``department_ids``; None: everyone), and the
    scores that reach no active objective. Three queries."""
    limits = thresholds(org)
    params: dict = {"org": org.pk}
    sql = _BY_OBJECTIVE.replace("__DEPARTMENTS__", "")
    if department_ids is not None:
        sql = _BY_OBJECTIVE.replace("__DEPARTMENTS__", "AND mb.department_id = ANY(%(depts)s)")
        params["depts"] = sorted(department_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        raw = cursor.fetchall()
    rows: dict[int | None, list[_Row]] = {}
    counts: dict[int | None, tuple[int, int, int]] = {}
    for objective_id, window, start, end, avg, with_data_n, n, people, with_data, expected in raw:
        rows.setdefault(objective_id, []).append(
            _Row(
                window=window,
                period_start=start,
                period_end=end,
                achievement=None if avg is None else round(avg, 6),
                periods_with_data=int(with_data or 0),
                periods_expected=int(expected or 0),
            )
        )
        if window == ScoreWindow.YEAR_TO_DATE:
            counts[objective_id] = (with_data_n, n, people)
    months = _months([r for group in rows.values() for r in group])

    def build(objective, name, key) -> ObjectiveRow:
        group = rows.get(key, [])
        ytd = next((r for r in group if r.window == ScoreWindow.YEAR_TO_DATE), None)
        by_month = {r.period_start: r for r in group if r.window == ScoreWindow.PERIOD}
        with_data_n, n, people = counts.get(key, (0, 0, 0))
        return ObjectiveRow(
            objective=objective,
            name=name,
            ytd=_figure(ytd, limits),
            scores_with_data=with_data_n,
            scores=n,
            people=people,
            months=[_figure(by_month.get(m.start), limits) for m in months],
        )

    objectives = StrategicObjective.objects.filter(org=org, status=ObjectiveStatus.ACTIVE).order_by(
        "position", "id"
    )
    return ObjectiveReport(
        everyone=department_ids is None,
        months=months,
        rows=[build(o, o.title, o.pk) for o in objectives],
        unaligned=build(None, _("Supports no active objective"), None) if None in rows else None,
        thresholds=limits,
        computed_at=scores_computed_at(org),
    )


# --- the distribution of person scores --------------------------------------------------------


@dataclass
class Band:
    key: str
    label: str
    #: The band's lower and upper bounds as achievements (None: open).
    low: Decimal | None
    high: Decimal | None
    people: int

    @property
    def low_percent(self) -> Decimal | None:
        return percent(self.low)

    @property
    def high_percent(self) -> Decimal | None:
        return percent(self.high)


@dataclass
class Distribution:
    everyone: bool
    people: int
    bands: list[Band] = field(default_factory=list)
    thresholds: Thresholds | None = None
    computed_at: datetime.datetime | None = None

    @property
    def scored(self) -> int:
        return sum(b.people for b in self.bands if b.key != "no_data")


def score_distribution(org: Organization, department_ids: set[int] | None) -> Distribution:
    """The active people in scope by their year-to-date person score's status band (R24:
    off track, at risk, on track by the organisation's thresholds), and how many have no
    score yet. Two queries."""
    limits = thresholds(org)
    total = PeopleCount()
    for count in _people_by_department(org, limits, department_ids).values():
        total += count
    bands = [
        Band(OFF_TRACK, _("Off track"), None, limits.at_risk, total.off_track),
        Band(AT_RISK, _("At risk"), limits.at_risk, limits.on_track, total.at_risk),
        Band(ON_TRACK, _("On track"), limits.on_track, None, total.on_track),
        Band("no_data", _("No data"), None, None, total.no_data),
    ]
    return Distribution(
        everyone=department_ids is None,
        people=total.people,
        bands=bands,
        thresholds=limits,
        computed_at=scores_computed_at(org),
    )
