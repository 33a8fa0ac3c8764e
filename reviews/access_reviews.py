"""Scoped access helpers for reviews (see orgs.tenancy): 404 for a missing review and for
another organisation's alike. Who may open one is ``ReviewAction.VIEW_REVIEW``'s to say,
which parts they see reviews/selectors_reviews.py's."""

from orgs.models import Membership
from orgs.tenancy import get_scoped_or_404, scoped

from .models import Review


def get_review_for_member(member: Membership, pk) -> Review:
    """A review of the member's organisation, with its cycle, people and agreement."""
    return get_scoped_or_404(
        scoped(Review, member.org).select_related(
            "org",
            "cycle",
            "reviewee__user",
            "reviewee__department",
            "reviewer__user",
            "agreement__role",
            "agreement_version",
        ),
        pk,
    )
