"""The demo's review cycles: one closed, its reviews self-assessed, rated, shared and
acknowledged by signing; one open and mid-way (some self-assessments in, some reviews
written, one shared, the rest to do), so that every review page has something to show.

Everything goes through the services (create, launch, self-assess, rate, share,
acknowledge, close), like the agreements (``demo.agreements``): acknowledging checks the
person's password, which is deliberately slow, so the closed cycle takes at most
``CLOSED_PEOPLE`` people.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.test import RequestFactory

from orgs.models import Membership, Organization, OrgRole
from orgs.selectors import fiscal_year_bounds
from reviews.models import Agreement, AgreementStatus, ParticipantScope, Review, ReviewCycle
from reviews.services.cycles import cycle_close, cycle_create, cycle_launch, launch_run
from reviews.services.reviews import (
    review_acknowledge,
    review_manager_save,
    review_self_assessment_save,
    review_share,
)

from .logins import DEMO_PASSWORD

#: How many people the closed cycle reviews (each acknowledgement checks a password).
CLOSED_PEOPLE = 8
#: Ratings the demo gives, by position: varied, so the calibration has a spread.
SELF_RATINGS = (4, 3, 5, 4, 3, 4, 2, 5)
MANAGER_RATINGS = (3, 3, 4, 5, 2, 4, 3, 4)


@dataclass
class ReviewSeed:
    closed: int = 0
    acknowledged: int = 0
    open: int = 0


def _request():
    return RequestFactory().post(
        "/demo/acknowledge/", REMOTE_ADDR="127.0.0.1", HTTP_USER_AGENT="seed_demo"
    )


def _items(review: Review, rating: int, comment: str) -> dict:
    return {item.pk: {"rating": rating, "comment": comment} for item in review.items.all()}


def _goals(review: Review, progress: int) -> dict:
    return {goal.pk: {"progress": progress} for goal in review.goals.all()}


def _launched(org, hr, *, name, start, end, people) -> ReviewCycle:
    cycle = cycle_create(
        org=org,
        actor=hr,
        name=name,
        window_start=start,
        window_end=end,
        self_assessment_due=end + datetime.timedelta(days=7),
        manager_review_due=end + datetime.timedelta(days=21),
        acknowledgement_due=end + datetime.timedelta(days=35),
        participant_scope=ParticipantScope.LIST,
        members=people,
        weights={
            "weight_manager": 50,
            "weight_achievement": 30,
            "weight_self": 10,
            "weight_growth": 10,
        },
    )
    cycle_launch(cycle=cycle, actor=hr)
    # The launch's own body, here and now (a task enqueued by the launch finds it done).
    launch_run(cycle.pk, org_id=org.pk)
    cycle.refresh_from_db()
    return cycle


def _self(review, person, index):
    review_self_assessment_save(
        review=review,
        actor=person,
        items=_items(review, SELF_RATINGS[index % 8], "Delivered what we agreed; see the KPIs."),
        goals=_goals(review, 40 + 10 * (index % 6)),
        lessons_learned="Plan the quarter's pipeline earlier.",
        submit=True,
    )


def _manager(review, index, *, submit=True):
    review_manager_save(
        review=review,
        actor=review.reviewer,
        items=_items(review, MANAGER_RATINGS[index % 8], "Solid results; keep the pace."),
        manager_comment="A good period overall.",
        development_needs="Negotiation skills\nForecasting accuracy",
        submit=submit,
    )


def reviews_seed(org: Organization) -> ReviewSeed:
    """Two cycles over the people whose agreement is in force: a closed one (the first
    quarter of the fiscal year) with every review acknowledged, and the year's open one
    mid-way. An organisation that already has cycles is left as it is."""
    result = ReviewSeed()
    if ReviewCycle.objects.filter(org=org).exists():
        return result
    hr = (
        Membership.objects.filter(org=org, is_active=True, role__in=[OrgRole.HR, OrgRole.ADMIN])
        .order_by("role", "pk")
        .first()
    )
    agreements = list(
        Agreement.objects.filter(org=org, status=AgreementStatus.ACTIVE)
        .select_related("employee__manager")
        .order_by("employee_id")
    )
    people = [a.employee for a in agreements if a.employee.manager_id]
    if hr is None or not people:
        return result
    start, end = fiscal_year_bounds(org=org)
    quarter_end = min(end, (start + datetime.timedelta(days=92)).replace(day=1))
    quarter_end -= datetime.timedelta(days=1)
    with transaction.atomic():
        closed = _launched(
            org,
            hr,
            name="First quarter review",
            start=start,
            end=quarter_end,
            people=people[:CLOSED_PEOPLE],
        )
        reviews = list(
            Review.objects.filter(org=org, cycle=closed, reviewer__isnull=False)
            .select_related("reviewee", "reviewer", "cycle")
            .order_by("pk")
        )
        for index, review in enumerate(reviews):
            _self(review, review.reviewee, index)
            _manager(review, index)
            review_share(review=review, actor=review.reviewer)
            review_acknowledge(
                review=review,
                actor=review.reviewee,
                password=DEMO_PASSWORD,
                meaning=True,
                request=_request(),
                disagreement="" if index % 4 else "I think my pipeline work deserved more.",
            )
            result.acknowledged += 1
        result.closed = len(reviews)
        cycle_close(cycle=closed, actor=hr)

        annual = _launched(org, hr, name="Annual review", start=start, end=end, people=people)
        reviews = list(
            Review.objects.filter(org=org, cycle=annual, reviewer__isnull=False)
            .select_related("reviewee", "reviewer", "cycle")
            .order_by("pk")
        )
        # Mid-way: of every four, one untouched, one self-assessed, one also rated, one
        # shared (awaiting the acknowledgement).
        for index, review in enumerate(reviews):
            stage = index % 4
            if stage >= 1:
                _self(review, review.reviewee, index)
            if stage >= 2:
                _manager(review, index)
            if stage == 3:
                review_share(review=review, actor=review.reviewer)
        result.open = len(reviews)
    return result
