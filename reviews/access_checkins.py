"""Scoped access helpers for check-ins (see orgs.tenancy): 404 for a missing row and for
another organisation's alike. Who may read or change one is ``CheckInAction``'s to say."""

from orgs.models import Membership
from orgs.tenancy import get_scoped_or_404, scoped

from .models import CheckIn, CheckInAction


def get_check_in_for_member(member: Membership, pk) -> CheckIn:
    """A check-in of the member's organisation, with its people."""
    return get_scoped_or_404(
        scoped(CheckIn, member.org).select_related(
            "org", "employee__user", "manager__user", "created_by__user"
        ),
        pk,
    )


def get_check_in_action_for_member(member: Membership, pk) -> CheckInAction:
    """An action agreed at a check-in of the member's organisation, with its check-in."""
    return get_scoped_or_404(
        scoped(CheckInAction, member.org).select_related(
            "check_in__employee__user", "check_in__manager__user", "owner__user"
        ),
        pk,
    )
