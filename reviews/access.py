"""Scoped access helpers for reviews models (see orgs.tenancy)."""

from orgs.models import Membership
from orgs.tenancy import get_scoped_or_404, scoped

from .models import Agreement


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
