"""The review pages: "My reviews", the review page (self part, manager part, breakdown,
sharing, acknowledging), the PDF; visibility both ways, refusals, access, query counts.
bob is reviewed by alice (his manager); dave is a colleague; hannah is HR; charlie is in
another organisation."""

from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse

from kpis.models import Score, ScoreScope, ScoreWindow
from reviews.models import CycleStatus, ReviewStatus, Signature
from reviews.services.reviews import (
    review_manager_save,
    review_self_assessment_save,
    review_share,
)
from tests.factories import PASSWORD

from .factories_reviews import make_cycle, make_review, ratings

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(org_a, active):
    return make_review(make_cycle(org_a), active, kpi_achievement="0.95")


def _url(name, review):
    return reverse(name, kwargs={"org_slug": review.org.slug, "pk": review.pk})


def _self_post(review, value=4, action="submit"):
    data = {"action": action, "lessons_learned": "Qualify leads earlier."}
    for item in review.items.all():
        data[f"item-{item.pk}-rating"] = str(value)
        data[f"item-{item.pk}-comment"] = f"SELF-NOTE {item.title}"
    for goal in review.goals.all():
        data[f"goal-{goal.pk}-progress"] = "60"
        data[f"goal-{goal.pk}-comment"] = "Two deals done"
    return data


def _manager_post(review, value=3, action="submit"):
    data = {
        "action": action,
        "manager_comment": "MANAGER-OVERALL good year",
        "development_needs": "Negotiation",
    }
    for item in review.items.all():
        data[f"item-{item.pk}-rating"] = str(value)
        data[f"item-{item.pk}-comment"] = f"MGR-NOTE {item.title}"
    return data


def test_the_whole_review_through_the_pages(client, review, alice, bob):
    client.force_login(bob.user)
    page = client.get(_url("review-detail", review))
    assert page.status_code == 200
    text = page.content.decode()
    # The actuals are prefilled per KPI, in words, with their completeness.
    assert "Your target for" in text
    assert 'data-testid="self-submit"' in text
    response = client.post(_url("review-self", review), _self_post(review))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.MANAGER_REVIEW

    client.force_login(alice.user)
    text = client.get(_url("review-detail", review)).content.decode()
    assert "SELF-NOTE" not in text  # not before alice submits her own
    assert 'data-testid="self-hidden"' in text
    assert client.post(_url("review-manager", review), _manager_post(review)).status_code == 302
    text = client.get(_url("review-detail", review)).content.decode()
    assert "SELF-NOTE" in text
    assert 'data-testid="breakdown-row"' in text and 'data-testid="review-share"' in text
    assert client.post(_url("review-share", review)).status_code == 302

    client.force_login(bob.user)
    text = client.get(_url("review-detail", review)).content.decode()
    assert "MGR-NOTE" in text and "MANAGER-OVERALL" in text
    assert 'data-testid="acknowledge-box"' in text and "I have read this review" in text
    wrong = client.post(_url("review-acknowledge", review), {"password": "nope", "meaning": "1"})
    assert wrong.status_code == 200
    assert "That password is not right. Nothing was signed." in wrong.content.decode()
    unticked = client.post(_url("review-acknowledge", review), {"password": PASSWORD})
    assert "Tick the statement to sign." in unticked.content.decode()
    done = client.post(
        _url("review-acknowledge", review),
        {"password": PASSWORD, "meaning": "1", "disagreement": "DISAGREE pipeline"},
    )
    assert done.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.ACKNOWLEDGED
    assert Signature.objects.filter(review=review).count() == 1


def test_the_employee_sees_nothing_of_the_managers_part_until_shared(client, review, alice, bob):
    review_manager_save(
        review=review, actor=alice, items=ratings(review, 2, comment="MGR-SECRET"), submit=True
    )
    client.force_login(bob.user)
    text = client.get(_url("review-detail", review)).content.decode()
    assert "MGR-SECRET" not in text
    assert 'data-testid="manager-hidden"' in text
    assert 'data-testid="review-breakdown"' not in text
    assert 'data-testid="missed-twice"' not in text


def test_hr_sees_both_parts_once_submitted(client, review, alice, bob, hannah):
    review_self_assessment_save(
        review=review, actor=bob, items=ratings(review, 4, comment="SELF-X"), submit=True
    )
    review_manager_save(
        review=review, actor=alice, items=ratings(review, 3, comment="MGR-X"), submit=True
    )
    review_share(review=review, actor=alice)
    client.force_login(hannah.user)
    text = client.get(_url("review-detail", review)).content.decode()
    assert "SELF-X" in text and "MGR-X" in text
    assert 'data-testid="acknowledge-box"' not in text


def test_refusals_come_back_as_clear_messages(client, review, bob):
    client.force_login(bob.user)
    data = _self_post(review)
    first = review.items.first()
    data[f"item-{first.pk}-rating"] = ""
    response = client.post(_url("review-self", review), data)
    assert response.status_code == 200
    assert "Rate every KRA before submitting" in response.content.decode()
    data[f"item-{first.pk}-rating"] = "9"
    response = client.post(_url("review-self", review), data)
    assert "Choose a rating from 1 to 5." in response.content.decode()


def test_a_closed_cycle_locks_the_page(client, review, bob):
    review.cycle.status = CycleStatus.CLOSED
    review.cycle.save(update_fields=["status"])
    client.force_login(bob.user)
    text = client.get(_url("review-detail", review)).content.decode()
    assert 'data-testid="cycle-closed"' in text and 'data-testid="self-submit"' not in text
    response = client.post(_url("review-self", review), _self_post(review))
    assert "is closed" in response.content.decode()


@pytest.mark.parametrize(
    "name",
    ["review-detail", "review-pdf"],
)
def test_access_alice_bob_charlie_and_a_colleague(client, review, alice, bob, charlie, dave, name):
    for member, expected in ((alice, 200), (bob, 200), (charlie, 404), (dave, 403)):
        client.force_login(member.user)
        assert client.get(_url(name, review)).status_code == expected, member


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("review-self", "bob"),
        ("review-manager", "alice"),
        ("review-share", "alice"),
        ("review-acknowledge", "bob"),
        ("review-development-goals", "alice"),
    ],
)
def test_writes_are_refused_to_the_wrong_person(
    client, review, alice, bob, charlie, dave, name, allowed
):
    people = {"alice": alice, "bob": bob}
    wrong = [m for key, m in people.items() if key != allowed] + [dave]
    for member in wrong:
        client.force_login(member.user)
        assert client.post(_url(name, review), {}).status_code == 403, member
    client.force_login(charlie.user)
    assert client.post(_url(name, review), {}).status_code == 404


def test_my_reviews_lists_mine_and_those_i_write(client, review, alice, bob, dave):
    client.force_login(bob.user)
    text = client.get(reverse("my-reviews", kwargs={"org_slug": "acme"})).content.decode()
    assert 'data-testid="my-review-row"' in text and 'data-testid="none-to-write"' in text
    client.force_login(alice.user)
    text = client.get(reverse("my-reviews", kwargs={"org_slug": "acme"})).content.decode()
    assert 'data-testid="to-write-row"' in text and "Bob Member" in text
    client.force_login(dave.user)
    text = client.get(reverse("my-reviews", kwargs={"org_slug": "acme"})).content.decode()
    assert 'data-testid="no-reviews"' in text


def _reviews_of(review, n, start):
    """``n`` more reviews of bob's agreement written by alice, one per cycle."""
    from reviews.models import Review

    for i in range(start, start + n):
        cycle = make_cycle(review.org, name=f"Cycle {i}")
        Review.objects.create(
            org=review.org,
            cycle=cycle,
            reviewee=review.reviewee,
            reviewer=review.reviewer,
            agreement=review.agreement,
            agreement_version=review.agreement_version,
        )


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_my_reviews_queries_do_not_grow_with_the_list(
    client, review, alice, bob, who, django_assert_max_num_queries
):
    member = {"alice": alice, "bob": bob}[who]
    client.force_login(member.user)
    url = reverse("my-reviews", kwargs={"org_slug": "acme"})
    _reviews_of(review, 2, 0)
    with django_assert_max_num_queries(25) as few:
        assert client.get(url).status_code == 200
    _reviews_of(review, 20, 2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_pdf_reads_back(client, org_a, review, alice, bob):
    from django.utils import timezone

    kpi = review.agreement.kpis.filter(source_kpi__isnull=False).first()
    start = review.cycle.window_start
    for month, achievement in ((0, "0.9"), (3, None), (6, "1.05")):
        period = start.replace(month=(start.month - 1 + month) % 12 + 1)
        Score.objects.create(
            org=org_a,
            scope=ScoreScope.KPI,
            scope_id=kpi.source_kpi_id,
            person=bob,
            window=ScoreWindow.PERIOD,
            period_start=period,
            period_end=period,
            achievement=achievement,
            computed_at=timezone.now(),
        )
    review_self_assessment_save(review=review, actor=bob, items=ratings(review, 4), submit=True)
    review_manager_save(
        review=review, actor=alice, items=ratings(review, 3, comment="Steady work"), submit=True
    )
    review_share(review=review, actor=alice)
    client.force_login(bob.user)
    response = client.get(_url("review-pdf", review))
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Bob Member" in text and review.cycle.name in text
    assert "Score breakdown" in text and "Manager rating" in text
    assert "Steady work" in text
    assert "Your target for" in text


@pytest.fixture
def frank(org_a, bob):
    """bob's manager from now on: a plain member, neither HR nor an admin."""
    from tests.factories import MembershipFactory, UserFactory

    frank = MembershipFactory(
        org=org_a,
        job_title="Sales Lead",
        user=UserFactory(email="frank@acme.test", full_name="Frank Lead"),
    )
    bob.manager = frank
    bob.save(update_fields=["manager"])
    return frank


def test_the_needs_button_shows_to_those_who_may_plan_the_next_agreement(
    client, org_a, active, role, bob, dave, frank, hannah
):
    """The reviewer (bob's manager) and HR draft bob's next agreement; a colleague HR let
    write the review does not (docs/DOMAIN.md rules R29, R59, R66): the page offers the
    button to exactly those the service lets turn the needs into goals."""
    import datetime

    from django.core.exceptions import PermissionDenied

    from reviews.models import GrowthGoal
    from reviews.services import agreement_create
    from reviews.services.cycles import review_delegate_reviewer
    from reviews.services.reviews import review_development_to_goals

    review = make_review(make_cycle(org_a), active)
    assert review.reviewer == frank
    review_delegate_reviewer(review=review, actor=hannah, delegate=dave)
    review_manager_save(
        review=review,
        actor=dave,
        items=ratings(review, 3),
        development_needs="Negotiation",
        submit=True,
    )
    start = active.period_end + datetime.timedelta(days=1)
    draft = agreement_create(
        org=org_a,
        actor=hannah,
        employee=bob,
        role=role,
        period_start=start,
        period_end=start + datetime.timedelta(days=364),
    )

    # The delegate wrote the review but is not in bob's management line: no button, and
    # the service refuses them with the reason.
    client.force_login(dave.user)
    page = client.get(_url("review-detail", review))
    assert page.status_code == 200
    assert 'data-testid="development-box"' not in page.content.decode()
    assert client.post(_url("review-development-goals", review)).status_code == 403
    with pytest.raises(PermissionDenied, match="among those who draft Bob Member's next"):
        review_development_to_goals(review=review, actor=dave)

    # The manager sees the button, and it adds the needs to the next agreement.
    client.force_login(frank.user)
    page = client.get(_url("review-detail", review)).content.decode()
    assert 'data-testid="development-to-goals"' in page
    assert client.post(_url("review-development-goals", review)).status_code == 302
    assert list(GrowthGoal.objects.filter(agreement=draft).values_list("goal", flat=True)) == [
        "Negotiation"
    ]
