"""Review cycles and reviews for the review tests: a cycle over the agreement's period,
open, and a review made by the cycles' own ``review_create`` (items per KRA of the signed
version, goals per growth goal)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from orgs.selectors import fiscal_year_bounds
from reviews.models import CycleStatus, ReviewCycle
from reviews.services.cycles import review_create


def make_cycle(
    org,
    *,
    name="Annual review",
    start=None,
    end=None,
    status=CycleStatus.OPEN,
    dimensions=(),
    weights=(50, 30, 10, 10),
) -> ReviewCycle:
    year_start, year_end = fiscal_year_bounds(org=org)
    start, end = start or year_start, end or year_end
    manager, achievement, own, growth = (Decimal(w) for w in weights)
    return ReviewCycle.objects.create(
        org=org,
        name=name,
        window_start=start,
        window_end=end,
        self_assessment_due=end,
        manager_review_due=end + datetime.timedelta(days=14),
        acknowledgement_due=end + datetime.timedelta(days=28),
        dimensions=list(dimensions),
        weight_manager=manager,
        weight_achievement=achievement,
        weight_self=own,
        weight_growth=growth,
        status=status,
    )


def make_review(cycle, agreement, *, kpi_achievement=None):
    """The review of ``agreement`` in ``cycle``; ``kpi_achievement`` stands in for the stored
    scores of the window."""
    review = review_create(cycle=cycle, agreement=agreement)
    if kpi_achievement is not None:
        review.kpi_achievement = Decimal(kpi_achievement)
        review.save(update_fields=["kpi_achievement"])
    review.refresh_from_db()
    return review


def ratings(review, value, *, comment="", dimensions=None):
    """``items`` for a save: every KRA of ``review`` rated ``value`` (or on ``dimensions``)."""
    rows = {}
    for item in review.items.all():
        entry = {"comment": comment or f"On {item.title}"}
        if dimensions is not None:
            entry["dimensions"] = dict(dimensions)
        else:
            entry["rating"] = value
        rows[item.pk] = entry
    return rows
