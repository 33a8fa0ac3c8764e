"""The results dashboards: a person's results (their KRAs and KPIs this fiscal year, a trend
chart per KPI), the breakdown of their scores (each input, its weight and contribution), and
a manager's team grid. They read precomputed scores only (kpis/dashboard_selectors.py)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from orgs.policy import Action
from orgs.tenancy import get_membership_for_member
from orgs.views.base import org_view, paginate

from .charts import trend_svg
from .dashboard_selectors import direct_reports, person_results, team_results
from .exports import export_response, requested_format
from .policy import report_department_ids
from .report_tables import person_table, team_table

#: People per page of the team grid.
TEAM_PAGE_SIZE = 20


@require_GET
@org_view(Action.VIEW_RESULTS, fetch=get_membership_for_member)
def person_dashboard(request, member, person):
    """A person's KRAs and KPIs: year to date, status, completeness, trend (the person,
    their management line and HR: docs/DOMAIN.md rule R40)."""
    results = person_results(member.org, person)
    fmt = requested_format(request)
    if fmt:
        return export_response(person_table(results), fmt, day=timezone.localdate())
    limits = results.thresholds
    for kra in results.kras:
        for k in kra.kpis:
            if any(achievement is not None for _day, achievement in k.trend):
                # pygal's SVG, drawn from numbers and stripped of script and style.
                k.chart = mark_safe(  # noqa: S308
                    trend_svg(k.trend, on_track=limits.on_track, at_risk=limits.at_risk)
                )
    return render(
        request,
        "kpis/dashboard_person.html",
        {"results": results, "is_me": person.pk == member.pk},
    )


@require_GET
@org_view(Action.VIEW_RESULTS, fetch=get_membership_for_member)
def person_breakdown(request, member, person):
    """How the person's score and each KRA score are made (R22, R23), to recompute by hand."""
    return render(
        request,
        "kpis/dashboard_breakdown.html",
        {"results": person_results(member.org, person), "is_me": person.pk == member.pk},
    )


@require_GET
@org_view(Action.VIEW_RESULTS)
def team_dashboard(request, member):
    """The member's direct reports × their KRAs, coloured by status (a page of people). The
    export holds the whole team: bounded by the number of direct reports."""
    fmt = requested_format(request)
    if fmt:
        rows = team_results(member.org, list(direct_reports(member)))
        return export_response(team_table(rows), fmt, day=timezone.localdate())
    page = paginate(request, direct_reports(member), TEAM_PAGE_SIZE)
    return render(
        request,
        "kpis/dashboard_team.html",
        {
            "page_obj": page,
            "rows": team_results(member.org, list(page.object_list)),
            # Department heads and HR find their reports from here.
            "may_see_reports": report_department_ids(member) != set(),
        },
    )
