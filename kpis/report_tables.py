"""Every results table as it is exported (kpis/exports.py ``ExportTable``), built from the same
selector result the page renders, with the page's numbers: a person's KRAs and KPIs, the
team grid, the department report, the objective report and the distribution of person
scores (docs/DOMAIN.md rule R50)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exports import ExportTable, no_data_or, percent

STATUS_LABELS = {
    "on_track": gettext_lazy("on track"),
    "at_risk": gettext_lazy("at risk"),
    "off_track": gettext_lazy("off track"),
}


def status_label(status: str) -> str:
    """The page's words for a status (R24); no status is "no data"."""
    return str(STATUS_LABELS[status]) if status else _("no data")


def _score_cells(score, status) -> list:
    """Achievement %, status, periods with data, periods expected, as the page shows them
    beside a score (a stored ``Score`` or a report ``Figure``; None: no row)."""
    if score is None:
        return [_("no data"), status_label(""), "", ""]
    return [
        no_data_or(percent(score.achievement)),
        status_label(status),
        score.periods_with_data,
        score.periods_expected,
    ]


_SCORE_HEADERS = ("Achievement %", "Status", "Periods with data", "Periods expected")


def _score_headers() -> list[str]:
    return [_(h) for h in _SCORE_HEADERS]


def person_table(results) -> ExportTable:
    """A person's results page (``dashboard_selectors.person_results``): the overall score,
    then each KRA and under it each KPI, year to date."""
    person = results.person
    table = ExportTable(
        name=f"results {person.display_name}",
        title=_("Results"),
        headers=[_("Person"), _("KRA"), _("KPI"), _("Weight %"), *_score_headers()],
    )
    name = person.display_name
    table.add([name, _("Overall"), "", "", *_score_cells(results.ytd, results.status)])
    for kra in results.kras:
        table.add([name, kra.kra.title, "", kra.kra.weight, *_score_cells(kra.ytd, kra.status)])
        for k in kra.kpis:
            table.add(
                [name, kra.kra.title, k.kpi.name, k.kpi.weight, *_score_cells(k.ytd, k.status)]
            )
    return table


def team_table(rows) -> ExportTable:
    """The team grid (``dashboard_selectors.team_results``): each person's overall score,
    then one row per KRA cell."""
    table = ExportTable(
        name="team results",
        title=_("Team results"),
        headers=[_("Person"), _("KRA"), *_score_headers()],
    )
    for row in rows:
        name = row.person.display_name
        table.add([name, _("Overall"), *_score_cells(row.ytd, row.status)])
        for cell in row.cells:
            table.add([name, cell.kra.title, *_score_cells(cell.ytd, cell.status)])
    return table


def _month_cells(figures) -> list:
    return [no_data_or(None if f is None else f.percent) for f in figures]


def department_table(report) -> ExportTable:
    """The department report (``report_selectors.department_report``)."""
    table = ExportTable(
        name="department results",
        title=_("Results by department"),
        headers=[
            _("Department"),
            _("People"),
            _("People with a score"),
            *_score_headers(),
            _("Months considered"),
            _("Months on track"),
            _("Months off track running"),
            _("Consistently on track"),
            _("Persistent shortfall"),
            *[m.label for m in report.months],
        ],
    )
    for row in [*report.rows, report.total]:
        c = row.consistency
        table.add(
            [
                row.name,
                row.people.people,
                row.people.scored,
                *_score_cells(row.ytd, row.ytd.status if row.ytd else ""),
                c.months,
                c.on_track,
                c.off_track_run,
                c.consistent,
                c.persistent_shortfall,
                *_month_cells(row.months),
            ]
        )
    return table


def objective_table(report) -> ExportTable:
    """The objective report (``report_selectors.objective_report``)."""
    table = ExportTable(
        name="objective results",
        title=_("Results by objective"),
        headers=[
            _("Objective"),
            _("KRA scores with data"),
            _("KRA scores"),
            _("People"),
            *_score_headers(),
            *[m.label for m in report.months],
        ],
    )
    rows = [*report.rows, *([report.unaligned] if report.unaligned else [])]
    for row in rows:
        table.add(
            [
                row.name,
                row.scores_with_data,
                row.scores,
                row.people,
                *_score_cells(row.ytd, row.ytd.status if row.ytd else ""),
                *_month_cells(row.months),
            ]
        )
    return table


def distribution_table(distribution) -> ExportTable:
    """The distribution of person scores (``report_selectors.score_distribution``)."""
    table = ExportTable(
        name="score distribution",
        title=_("Score distribution"),
        headers=[_("Band"), _("From %"), _("Below %"), _("People")],
    )
    for band in distribution.bands:
        table.add([band.label, band.low_percent, band.high_percent, band.people])
    table.add([_("Total"), None, None, distribution.people])
    return table
