"""Scoped access helpers for kras models (see orgs.tenancy)."""

from orgs.models import Membership
from orgs.tenancy import get_scoped_or_404, scoped

from .models import StrategicObjective


def get_objective_for_member(member: Membership, pk) -> StrategicObjective:
    return get_scoped_or_404(scoped(StrategicObjective, member.org), pk)
