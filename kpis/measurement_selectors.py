"""Reads about recorded results: what is due for a person this period, who a member may
record a KPI's values for, the recent values of a KPI, when scores were last computed. Each
takes the organisation (or a member of it) explicitly and costs a constant number of
queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from kras.models import KRALevel, KRAStatus
from orgs.models import Membership, Organization
from orgs.org_settings import org_setting
from roles.models import RoleAssignment

from .measurements import period_containing
from .models import KPI, Measurement, RollupState, Score, ScoreScope, ScoreWindow
from .policy import visible_person_ids

#: The source reference of a value entered on "My KPIs": one per KPI and period, so
#: saving the page again corrects the value instead of adding another.
MY_KPIS_REF = "my-kpis:{start}"


def my_kpis_ref(start: datetime.date) -> str:
    return MY_KPIS_REF.format(start=start.isoformat())


def _roles_held(member: Membership, day: datetime.date) -> list[int]:
    """The roles ``member`` holds on ``day``. Read on their own: joined into the KPIs' query,
    the planner cannot see the organisation's size behind row-level security's settings and
    may walk every KRA of the organisation to find one person's."""
    return list(
        RoleAssignment.objects.filter(member=member, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .values_list("role_id", flat=True)
        .distinct()
    )


@dataclass
class DueKPI:
    kpi: KPI
    period_start: datetime.date
    period_end: datetime.date
    entered: Measurement | None
    values_this_period: int
    year_to_date: Score | None
    status: str = ""


ON_TRACK, AT_RISK, OFF_TRACK = "on_track", "at_risk", "off_track"


def score_status(achievement, *, on_track, at_risk) -> str:
    """docs/DOMAIN.md rule R24: at or above ``on_track`` on track, at or above ``at_risk``
    at risk, below it off track; no score, no status ("")."""
    if achievement is None:
        return ""
    achievement = Decimal(str(achievement))
    if achievement >= Decimal(str(on_track)):
        return ON_TRACK
    if achievement >= Decimal(str(at_risk)):
        return AT_RISK
    return OFF_TRACK


def kpis_due(member: Membership, today: datetime.date) -> list[DueKPI]:
    """Every KPI of the roles ``member`` holds today, with the period holding today, the
    value they entered on "My KPIs" for it, how many values the period has, and the KPI's
    year-to-date score for them (four queries)."""
    org = member.org
    kpis = list(
        KPI.objects.filter(org=org, kra__level=KRALevel.ROLE)
        .exclude(kra__status=KRAStatus.RETIRED)
        .filter(kra__role_id__in=_roles_held(member, today))
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=today))
        .filter(Q(due_date__isnull=True) | Q(due_date__gte=today))
        .select_related("kra__role")
        .order_by("kra__role__title", "kra__position", "position", "id")
    )
    periods = {
        kpi.pk: period_containing(kpi.frequency, today, org.fiscal_year_start_month) for kpi in kpis
    }
    this_period = Q()
    for kpi in kpis:
        this_period |= Q(kpi_id=kpi.pk, period_start=periods[kpi.pk][0])
    values: dict[int, list[Measurement]] = {}
    if kpis:
        for m in Measurement.objects.filter(org=org, person=member).filter(this_period):
            values.setdefault(m.kpi_id, []).append(m)
    scores = {
        s.scope_id: s
        for s in Score.objects.filter(
            org=org,
            person=member,
            scope=ScoreScope.KPI,
            window=ScoreWindow.YEAR_TO_DATE,
            scope_id__in=[k.pk for k in kpis],
        )
    }
    on_track = org_setting(org, "on_track_threshold")
    at_risk = org_setting(org, "at_risk_threshold")
    due = []
    for kpi in kpis:
        start, end = periods[kpi.pk]
        mine = [m for m in values.get(kpi.pk, []) if m.source_ref == my_kpis_ref(start)]
        due.append(
            DueKPI(
                kpi=kpi,
                period_start=start,
                period_end=end,
                entered=mine[0] if mine else None,
                values_this_period=len(values.get(kpi.pk, [])),
                year_to_date=scores.get(kpi.pk),
                status=score_status(
                    getattr(scores.get(kpi.pk), "achievement", None),
                    on_track=on_track,
                    at_risk=at_risk,
                ),
            )
        )
    return due


def recordable_people(member: Membership, kpi: KPI, day: datetime.date) -> list[Membership]:
    """The active people holding ``kpi``'s role on ``day`` whom ``member`` may record for
    (themselves, their management line's people; HR: everyone). Two queries."""
    if kpi.kra.role_id is None:
        return []
    holders = Membership.objects.filter(
        org=kpi.org_id,
        is_active=True,
        role_assignments__role_id=kpi.kra.role_id,
        role_assignments__start_date__lte=day,
    ).filter(Q(role_assignments__end_date__isnull=True) | Q(role_assignments__end_date__gte=day))
    visible = visible_person_ids(member)
    if visible is not None:
        holders = holders.filter(pk__in=visible | {member.pk})
    return list(holders.select_related("user").distinct().order_by("user__full_name", "pk"))


def recent_values(member: Membership, kpi: KPI, limit: int = 10) -> list[Measurement]:
    """The latest values of ``kpi`` that ``member`` may read (one query)."""
    queryset = Measurement.objects.filter(org=kpi.org_id, kpi=kpi)
    visible = visible_person_ids(member)
    if visible is not None:
        queryset = queryset.filter(person_id__in=visible | {member.pk})
    return list(
        queryset.select_related("person__user").order_by("-period_start", "-entered_at", "-id")[
            :limit
        ]
    )


def scores_computed_at(org: Organization) -> datetime.datetime | None:
    """When the organisation's scores were last computed (None: never): its ``RollupState``,
    one row by its key (a run writes only the scores that changed, so the score rows do not
    say it)."""
    times = RollupState.objects.filter(org=org).values_list("computed_at", flat=True)
    return next(iter(times), None)
