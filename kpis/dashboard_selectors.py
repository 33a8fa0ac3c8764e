"""Reads for the results dashboards: a person's KRAs and KPIs with their year-to-date scores
and trends, the breakdown of a person's scores, a manager's team grid. They read only the
precomputed ``Score`` rows (kpis/rollups.py) and cost a constant number of queries whatever
the organisation's size. ``achievement`` None is "no data", never zero."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from kras.models import KRA
from orgs.models import Membership, Organization
from orgs.org_settings import org_setting

from .measurement_selectors import score_status, scores_computed_at
from .models import KPI, Score, ScoreScope, ScoreWindow


@dataclass(frozen=True)
class Thresholds:
    on_track: Decimal
    at_risk: Decimal

    def status(self, achievement) -> str:
        return score_status(achievement, on_track=self.on_track, at_risk=self.at_risk)


def thresholds(org: Organization) -> Thresholds:
    """The organisation's "on track" / "at risk" thresholds (docs/DOMAIN.md rule R24)."""
    return Thresholds(
        on_track=Decimal(str(org_setting(org, "on_track_threshold"))),
        at_risk=Decimal(str(org_setting(org, "at_risk_threshold"))),
    )


@dataclass
class KpiResult:
    kpi: KPI
    ytd: Score | None
    status: str
    trend: list[tuple[datetime.date, Decimal | None]]
    #: R22: weight × achievement over the weights of the KRA's KPIs with data.
    contribution: Decimal | None = None
    #: The trend chart's SVG (set by the page).
    chart: str = ""


@dataclass
class KraResult:
    kra: KRA
    ytd: Score | None
    status: str
    kpis: list[KpiResult] = field(default_factory=list)
    #: R23: weight × score over the weights of the person's KRAs with a score.
    contribution: Decimal | None = None
    #: The sum of the weights of the KPIs with data: the divisor of R22.
    weight_with_data: Decimal = Decimal(0)


@dataclass
class PersonResults:
    person: Membership
    ytd: Score | None
    status: str
    kras: list[KraResult]
    computed_at: datetime.datetime | None
    thresholds: Thresholds
    weight_with_data: Decimal = Decimal(0)


def _achievement(score: Score | None) -> Decimal | None:
    return None if score is None else score.achievement


def _contributions(items, weight_of, achievement_of) -> Decimal:
    """Fill each item's ``contribution`` (R22/R23: weight × achievement / Σ weights of the
    items with data) and answer that divisor."""
    total = sum(
        (weight_of(i) for i in items if achievement_of(i) is not None),
        Decimal(0),
    )
    for item in items:
        achievement = achievement_of(item)
        if achievement is not None and total > 0:
            item.contribution = weight_of(item) * achievement / total
    return total


def person_results(org: Organization, person: Membership) -> PersonResults:
    """Every KRA and KPI the person has a score for this fiscal year: year to date, status,
    completeness, the KPI's trend per period, and each input's contribution (five queries)."""
    rows = list(
        Score.objects.filter(
            org=org,
            person=person,
            scope__in=[ScoreScope.KPI, ScoreScope.KRA, ScoreScope.PERSON],
        ).order_by("period_start")
    )
    ytd: dict[tuple[str, int], Score] = {}
    trends: dict[int, list[Score]] = {}
    for row in rows:
        if row.window == ScoreWindow.YEAR_TO_DATE:
            ytd[(row.scope, row.scope_id)] = row
        elif row.scope == ScoreScope.KPI:
            trends.setdefault(row.scope_id, []).append(row)
    kpi_ids = {scope_id for scope, scope_id in ytd if scope == ScoreScope.KPI}
    kra_ids = {scope_id for scope, scope_id in ytd if scope == ScoreScope.KRA}
    kpis = list(
        KPI.objects.filter(org=org, pk__in=kpi_ids | set(trends)).order_by("position", "id")
    )
    kra_ids |= {k.kra_id for k in kpis}
    kras = list(KRA.objects.filter(org=org, pk__in=kra_ids).order_by("level", "position", "id"))
    limits = thresholds(org)
    by_kra: dict[int, list[KpiResult]] = {}
    for kpi in kpis:
        score = ytd.get((ScoreScope.KPI, kpi.pk))
        by_kra.setdefault(kpi.kra_id, []).append(
            KpiResult(
                kpi=kpi,
                ytd=score,
                status=limits.status(_achievement(score)),
                trend=[(s.period_start, s.achievement) for s in trends.get(kpi.pk, [])],
            )
        )
    results = []
    for kra in kras:
        score = ytd.get((ScoreScope.KRA, kra.pk))
        result = KraResult(
            kra=kra,
            ytd=score,
            status=limits.status(_achievement(score)),
            kpis=by_kra.get(kra.pk, []),
        )
        result.weight_with_data = _contributions(
            result.kpis, lambda r: r.kpi.weight, lambda r: _achievement(r.ytd)
        )
        results.append(result)
    own = ytd.get((ScoreScope.PERSON, person.pk))
    answer = PersonResults(
        person=person,
        ytd=own,
        status=limits.status(_achievement(own)),
        kras=results,
        computed_at=scores_computed_at(org),
        thresholds=limits,
    )
    answer.weight_with_data = _contributions(
        results, lambda r: r.kra.weight, lambda r: _achievement(r.ytd)
    )
    return answer


def direct_reports(member: Membership):
    """The member's active direct reports, by name (a queryset: the page paginates it)."""
    return (
        Membership.objects.filter(org_id=member.org_id, manager=member, is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email", "id")
    )


@dataclass
class TeamCell:
    kra: KRA
    ytd: Score | None
    status: str


@dataclass
class TeamRow:
    person: Membership
    ytd: Score | None
    status: str
    cells: list[TeamCell]


def team_results(org: Organization, people: list[Membership]) -> list[TeamRow]:
    """Each person's year-to-date person score and KRA scores, status by the organisation's
    thresholds (three queries for the whole page)."""
    scores = list(
        Score.objects.filter(
            org=org,
            person__in=[p.pk for p in people],
            scope__in=[ScoreScope.KRA, ScoreScope.PERSON],
            window=ScoreWindow.YEAR_TO_DATE,
        )
    )
    kras = {
        k.pk: k
        for k in KRA.objects.filter(
            org=org, pk__in={s.scope_id for s in scores if s.scope == ScoreScope.KRA}
        )
    }
    limits = thresholds(org)
    rows = []
    for person in people:
        own = [s for s in scores if s.person_id == person.pk]
        total = next((s for s in own if s.scope == ScoreScope.PERSON), None)
        cells = [
            TeamCell(kra=kras[s.scope_id], ytd=s, status=limits.status(s.achievement))
            for s in own
            if s.scope == ScoreScope.KRA and s.scope_id in kras
        ]
        cells.sort(key=lambda c: (c.kra.level, c.kra.position, c.kra.pk))
        rows.append(
            TeamRow(
                person=person,
                ytd=total,
                status=limits.status(_achievement(total)),
                cells=cells,
            )
        )
    return rows
