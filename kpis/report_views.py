"""The department and organisation reports: achievement by department (year to date and per
month, consistency and persistent shortfalls), by strategic objective, and the distribution
of person scores. HR and org admins read the organisation; a department head the
departments they head and those below (docs/DOMAIN.md rule R40). Each page exports its
table with ``?export=csv`` or ``?export=xlsx`` (kpis/exports.py): the same view, so the same
access. They read precomputed scores only (kpis/report_selectors.py)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from orgs.policy import Action
from orgs.views.base import org_view

from . import report_selectors, report_tables
from .charts import distribution_svg
from .exports import export_response, requested_format
from .policy import report_department_ids


def _answer(request, template, context, table):
    """The page, or its table as a download when the request asks for one."""
    fmt = requested_format(request)
    if fmt:
        return export_response(table(), fmt, day=timezone.localdate())
    return render(request, template, {**context, "scope_everyone": context["report"].everyone})


@require_GET
@org_view(Action.VIEW_REPORTS)
def department_report(request, member):
    report = report_selectors.department_report(
        member.org, report_department_ids(member), timezone.localdate()
    )
    return _answer(
        request,
        "kpis/report_departments.html",
        {
            "report": report,
            "consistency_months": report_selectors.CONSISTENCY_MONTHS,
            "shortfall_months": report_selectors.PERSISTENT_SHORTFALL_MONTHS,
            "active_report": "departments",
        },
        lambda: report_tables.department_table(report),
    )


@require_GET
@org_view(Action.VIEW_REPORTS)
def objective_report(request, member):
    report = report_selectors.objective_report(member.org, report_department_ids(member))
    return _answer(
        request,
        "kpis/report_objectives.html",
        {"report": report, "active_report": "objectives"},
        lambda: report_tables.objective_table(report),
    )


@require_GET
@org_view(Action.VIEW_REPORTS)
def distribution_report(request, member):
    report = report_selectors.score_distribution(member.org, report_department_ids(member))
    chart = ""
    if report.people:
        # pygal's SVG, drawn from counts and stripped of script and style.
        chart = mark_safe(  # noqa: S308
            distribution_svg([(b.key, b.label, b.people) for b in report.bands])
        )
    return _answer(
        request,
        "kpis/report_distribution.html",
        {"report": report, "chart": chart, "active_report": "distribution"},
        lambda: report_tables.distribution_table(report),
    )
