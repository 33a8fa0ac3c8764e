"""Scoped access helpers for reviews models (see orgs.tenancy)."""

from orgs.models import Membership
from orgs.tenancy import get_scoped_or_404, scoped

from .models import (
    Agreement,
    AgreementItem,
    AgreementKPI,
    ExportJob,
    GrowthGoal,
    Review,
    ReviewCycle,
)


def get_agreement_for_member(member: Membership, pk) -> Agreement:
    """An agreement of the member's organisation, with the people, role and current version
    its pages show. Whether the member may read it is ``Action.VIEW_AGREEMENT``'s to say."""
    return get_scoped_or_404(
        scoped(Agreement, member.org).select_related(
            "org",
            "employee__user",
            "employee__department",
            "manager__user",
            "role__department",
            "current_version",
        ),
        pk,
    )


def get_agreement_item_for_member(member: Membership, pk, item_pk) -> AgreementItem:
    """A KRA of agreement ``pk`` of the member's organisation, with its agreement."""
    return get_scoped_or_404(
        scoped(AgreementItem, member.org)
        .filter(agreement_id=pk)
        .select_related("agreement__employee", "agreement__org"),
        item_pk,
    )


def get_agreement_kpi_for_member(member: Membership, pk, kpi_pk) -> AgreementKPI:
    """A KPI of agreement ``pk`` of the member's organisation, with its agreement."""
    return get_scoped_or_404(
        scoped(AgreementKPI, member.org)
        .filter(agreement_id=pk)
        .select_related("agreement__employee", "agreement__org", "item"),
        kpi_pk,
    )


def get_growth_goal_for_member(member: Membership, pk, goal_pk) -> GrowthGoal:
    """A growth goal of agreement ``pk`` of the member's organisation, with its agreement."""
    return get_scoped_or_404(
        scoped(GrowthGoal, member.org)
        .filter(agreement_id=pk)
        .select_related("agreement__employee", "agreement__org"),
        goal_pk,
    )


def get_export_job_for_member(member: Membership, pk) -> ExportJob:
    """An export of the member's organisation. Who may see it is
    ``Action.ACKNOWLEDGE_AGREEMENT``'s to say (HR and org admins)."""
    return get_scoped_or_404(
        scoped(ExportJob, member.org).select_related("department", "requested_by__user"), pk
    )


def get_agreement_for_verification_link(org_id: int, pk: int) -> Agreement:
    """The agreement a genuine public verification link names (reviews/verification_links.py:
    the link is signed, so its organisation and id are the ones issued), with its current
    version; 404 when it no longer exists."""
    return get_scoped_or_404(scoped(Agreement, org_id).select_related("current_version"), pk)


def get_review_cycle_for_member(member: Membership, pk) -> ReviewCycle:
    """A review cycle of the member's organisation. Who may manage it is
    ``Action.MANAGE_REVIEW_CYCLES``'s to say (HR and org admins)."""
    return get_scoped_or_404(
        scoped(ReviewCycle, member.org).select_related(
            "org", "launched_by__user", "closed_by__user"
        ),
        pk,
    )


def get_cycle_review_for_member(member: Membership, pk, review_pk) -> Review:
    """A review of cycle ``pk`` of the member's organisation, with its people and cycle."""
    return get_scoped_or_404(
        scoped(Review, member.org)
        .filter(cycle_id=pk)
        .select_related("org", "cycle__org", "reviewee__user", "reviewer__user"),
        review_pk,
    )
