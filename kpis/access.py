"""Scoped access helpers for kpis models (see orgs.tenancy)."""

from orgs.models import Membership
from orgs.tenancy import get_scoped_or_404, scoped

from .models import KPI, Measurement


def get_kpi_for_member(member: Membership, pk) -> KPI:
    """A KPI of the member's organisation, with its KRA and the KRA's ladder (for the SMART
    check's R)."""
    return get_scoped_or_404(
        scoped(KPI, member.org).select_related(
            "org",
            "kra__org",
            "kra__role",
            "kra__department",
            "kra__objective",
            "kra__parent__objective",
            "kra__parent__parent__objective",
        ),
        pk,
    )


def get_measurement_for_member(member: Membership, pk) -> Measurement:
    """A recorded value of the member's organisation, with its KPI and person."""
    return get_scoped_or_404(
        scoped(Measurement, member.org).select_related(
            "org", "kpi__kra__role", "person__user", "entered_by__user"
        ),
        pk,
    )
