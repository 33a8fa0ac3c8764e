"""The cycle tracker (docs/DOMAIN.md rule R57) and calibration (R60): where each review
stands, who is late in the organisation's days, filters, counts per status, the export,
query counts at two sizes; the calibration numbers from stored final scores."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from orgs.models import Department
from reviews.models import Review, ReviewStatus
from reviews.selectors_cycles import (
    TrackerFilters,
    calibration,
    tracker_counts,
    tracker_reviews,
)
from reviews.services import cycles as services
from tests.factories import MembershipFactory, UserFactory

from .factories_cycles import WINDOW, agreement_in_force, make_cycle, simple_role

pytestmark = pytest.mark.django_db

START, END = WINDOW


def launched(org, actor):
    cycle = make_cycle(org, actor)
    services.cycle_launch(cycle=cycle, actor=actor)
    services.launch_run(cycle.pk, org_id=org.pk)
    cycle.refresh_from_db()
    return cycle


def staff(org, manager, count, *, department=None, prefix="Person"):
    role = simple_role(org, title=f"Role {prefix}", department=department)
    people = []
    for n in range(count):
        person = MembershipFactory(
            org=org,
            manager=manager,
            department=department,
            user=UserFactory(full_name=f"{prefix} {n:03d}"),
        )
        agreement_in_force(person, role, manager=manager)
        people.append(person)
    return people


@pytest.fixture
def sales(org_a):
    return Department.objects.create(org=org_a, name="Sales")


def test_late_is_the_stage_past_its_deadline_in_the_organisations_days(org_a, alice, sales):
    staff(org_a, alice, 3, department=sales)
    cycle = launched(org_a, alice)
    first, second, third = Review.objects.filter(cycle=cycle).order_by("reviewee__user__full_name")
    Review.objects.filter(pk=second.pk).update(status=ReviewStatus.MANAGER_REVIEW)
    Review.objects.filter(pk=third.pk).update(status=ReviewStatus.ACKNOWLEDGED)
    due = cycle.self_assessment_due
    on_the_day = {r.pk: r.is_late for r in tracker_reviews(cycle, today=due)}
    assert set(on_the_day.values()) == {False}
    next_day = {r.pk: r.is_late for r in tracker_reviews(cycle, today=due + datetime.timedelta(1))}
    # Past the self-assessment's day: only the review still waiting for it is late.
    assert next_day == {first.pk: True, second.pk: False, third.pk: False}
    counts, total, late = tracker_counts(cycle, today=due + datetime.timedelta(1))
    assert (total, late) == (3, 1)
    assert {c.status: c.count for c in counts} == {
        "self_assessment": 1,
        "manager_review": 1,
        "ready_to_share": 0,
        "shared": 0,
        "acknowledged": 1,
    }


def test_filters_by_department_below_status_and_lateness(org_a, alice, sales):
    inside = Department.objects.create(org=org_a, name="Inside", parent=sales)
    support = Department.objects.create(org=org_a, name="Support")
    staff(org_a, alice, 2, department=inside, prefix="Inside")
    staff(org_a, alice, 1, department=support, prefix="Support")
    cycle = launched(org_a, alice)
    names = lambda reviews: [r.reviewee.user.full_name for r in reviews]  # noqa: E731
    assert names(tracker_reviews(cycle, TrackerFilters(department_id=sales.pk))) == [
        "Inside 000",
        "Inside 001",
    ]
    one = Review.objects.get(cycle=cycle, reviewee__user__full_name="Inside 001")
    Review.objects.filter(pk=one.pk).update(status=ReviewStatus.SHARED)
    assert names(tracker_reviews(cycle, TrackerFilters(status="shared"))) == ["Inside 001"]
    late_day = cycle.self_assessment_due + datetime.timedelta(days=1)
    assert names(tracker_reviews(cycle, TrackerFilters(late=True), today=late_day)) == [
        "Inside 000",
        "Support 000",
    ]


def _page_queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("size", [3, 30])
def test_the_tracker_page_runs_the_same_queries_at_two_sizes(
    org_a, alice, sales, login, size, django_assert_num_queries
):
    staff(org_a, alice, size, department=sales)
    cycle = launched(org_a, alice)
    client = login(alice)
    url = reverse("review-cycle-tracker", args=[org_a.slug, cycle.pk])
    client.get(url)  # warm the session and caches
    # The same number at 3 and 30 people: no query per row.
    with django_assert_num_queries(QUERIES_TRACKER):
        response = client.get(url + f"?department={sales.pk}")
    assert response.status_code == 200
    assert response.content.count(b'data-testid="tracker-row"') == min(size, 25)


#: The tracker page's queries, whatever the headcount (with a department filter).
QUERIES_TRACKER = 16


def test_the_tracker_exports_csv_with_formulas_neutralised(org_a, alice, sales, login):
    person = MembershipFactory(
        org=org_a, manager=alice, department=sales, user=UserFactory(full_name="=HYPERLINK(1)")
    )
    agreement_in_force(person, simple_role(org_a), manager=alice)
    cycle = launched(org_a, alice)
    response = login(alice).get(
        reverse("review-cycle-tracker", args=[org_a.slug, cycle.pk]) + "?export=csv"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    assert "Awaiting self-assessment" in text
    xlsx = login(alice).get(
        reverse("review-cycle-tracker", args=[org_a.slug, cycle.pk]) + "?export=xlsx"
    )
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


# --- calibration ------------------------------------------------------------------------------


def test_calibration_groups_stored_scores_and_flags_outliers(org_a, alice, bob, sales):
    support = Department.objects.create(org=org_a, name="Support")
    sales_people = staff(org_a, alice, 3, department=sales, prefix="Sales")
    support_people = staff(org_a, bob, 3, department=support, prefix="Support")
    cycle = launched(org_a, alice)
    scores = dict(zip(sales_people, ("5", "4.6", "4.8"), strict=True))
    scores.update(zip(support_people, ("2", "2.4", None), strict=True))
    for person, score in scores.items():
        Review.objects.filter(cycle=cycle, reviewee=person).update(
            final_score=None if score is None else Decimal(score)
        )
    result = calibration(cycle)
    # Five stored scores: 5 + 4.6 + 4.8 + 2 + 2.4 = 18.8, mean 3.76.
    assert result.whole.count == 5 and result.whole.mean == Decimal("3.76")
    assert result.without_score == 1
    assert result.whole.distribution == [0, 2, 0, 0, 3]  # 2→2, 2.4→2, 4.6→5, 4.8→5, 5→5
    by_name = {g.name: g for g in result.departments}
    assert by_name["Sales"].mean == Decimal("4.80") and by_name["Sales"].gap == Decimal("1.04")
    # Three scores and more than a point above the cycle: an outlier.
    assert by_name["Sales"].outlier
    # Support is further below, but with two scores it is not yet called one.
    assert by_name["Support"].mean == Decimal("2.20") and not by_name["Support"].outlier
    managers = {g.name: g for g in result.managers}
    assert managers["Alice Admin"].count == 3 and managers["Bob Member"].count == 2


def test_calibration_page_shows_an_empty_state_before_any_score(org_a, alice, login, sales):
    staff(org_a, alice, 1, department=sales)
    cycle = launched(org_a, alice)
    page = login(alice).get(reverse("review-cycle-calibration", args=[org_a.slug, cycle.pk]))
    assert b'data-testid="calibration-empty"' in page.content
    Review.objects.filter(cycle=cycle).update(final_score=Decimal("3.5"))
    page = login(alice).get(reverse("review-cycle-calibration", args=[org_a.slug, cycle.pk]))
    chart = page.content.split(b"<svg", 1)[1].split(b"</svg>", 1)[0]
    assert b"<script" not in chart and b"style=" not in chart
    assert b'data-testid="calibration-mean">3.5' in page.content
