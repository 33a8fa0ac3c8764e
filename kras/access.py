"""Scoped access helpers for kras models (see orgs.tenancy)."""

from orgs.models import Membership
from orgs.tenancy import get_scoped_or_404, scoped

from .models import KRA, KRATemplate, StrategicObjective


def get_objective_for_member(member: Membership, pk) -> StrategicObjective:
    return get_scoped_or_404(scoped(StrategicObjective, member.org), pk)


def get_kra_for_member(member: Membership, pk) -> KRA:
    """A KRA of the member's organisation, with what its page shows and its ladder up."""
    return get_scoped_or_404(
        scoped(KRA, member.org).select_related(
            "org",
            "role__department",
            "department",
            "area_of_focus",
            "owner__user",
            "objective",
            "parent__objective",
            "parent__parent__objective",
        ),
        pk,
    )


def get_template_for_member(member: Membership, pk) -> KRATemplate:
    return get_scoped_or_404(scoped(KRATemplate, member.org).select_related("created_by__user"), pk)
