"""One review from self-assessment to acknowledgement (docs/DOMAIN.md rules R61 to R68), with
every refusal on the way. bob is reviewed; alice, his manager, reviews him; dave is a
colleague; hannah is HR."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from orgs.models import AuditEvent, Notification
from orgs.org_settings import organization_update_rules
from reviews.models import (
    AgreementStatus,
    CycleStatus,
    GrowthGoal,
    ReviewItem,
    ReviewStatus,
    Signature,
)
from reviews.selectors_reviews import review_view
from reviews.services import agreement_create, signature_chain_verify
from reviews.services.reviews import (
    development_needs,
    review_acknowledge,
    review_development_to_goals,
    review_manager_save,
    review_self_assessment_save,
    review_share,
)
from tests.factories import PASSWORD

from .conftest import make_request
from .factories_reviews import make_cycle, make_review, ratings

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(org_a):
    return make_cycle(org_a)


@pytest.fixture
def review(cycle, active):
    return make_review(cycle, active, kpi_achievement="0.95")


def _self(review, bob, value=4, submit=True, **extra):
    return review_self_assessment_save(
        review=review,
        actor=bob,
        items=ratings(review, value),
        lessons_learned="Qualify earlier.",
        submit=submit,
        **extra,
    )


def _manager(review, alice, value=3, submit=True, **extra):
    return review_manager_save(
        review=review,
        actor=alice,
        items=ratings(review, value),
        manager_comment="A solid year.",
        development_needs="Negotiation\nForecasting",
        submit=submit,
        **extra,
    )


def _ack(review, member, password=PASSWORD, meaning=True, **extra):
    return review_acknowledge(
        review=review,
        actor=member,
        password=password,
        meaning=meaning,
        request=make_request(),
        **extra,
    )


def test_a_review_goes_from_self_assessment_to_acknowledged(review, alice, bob):
    assert review.reviewer == alice and review.status == ReviewStatus.SELF_ASSESSMENT
    goal = review.goals.get()
    review = _self(review, bob, goals={goal.pk: {"progress": 50}})
    assert review.status == ReviewStatus.MANAGER_REVIEW
    assert Notification.objects.filter(recipient=alice, kind="review.self_submitted").exists()
    review = _manager(review, alice)
    assert review.status == ReviewStatus.READY_TO_SHARE
    # manager 3, achievement 0.95 → 3, self 4, growth 50 % → 3: weights 50/30/10/10.
    # 3 × 0.5 + 3 × 0.3 + 4 × 0.1 + 3 × 0.1 = 1.5 + 0.9 + 0.4 + 0.3 = 3.1
    assert review.final_score == Decimal("3.100")
    assert [row["key"] for row in review.breakdown] == ["manager", "achievement", "self", "growth"]
    snapshot = review_share(review=review, actor=alice)
    review.refresh_from_db()
    assert review.status == ReviewStatus.SHARED
    assert json.loads(snapshot.canonical_json)["final_score"] == "3.1"
    assert Notification.objects.filter(recipient=bob, kind="review.shared").exists()
    sig = _ack(review, bob, disagreement="I think pipeline health deserved a 4.")
    review.refresh_from_db()
    assert review.status == ReviewStatus.ACKNOWLEDGED
    assert review.disagreement.startswith("I think")
    assert sig.review_id == review.pk and sig.review_snapshot_id == snapshot.pk
    assert sig.meaning == "I have read this review"
    assert sig.content_hash == snapshot.content_hash
    assert Notification.objects.filter(recipient=alice, kind="review.acknowledged").exists()
    actions = set(
        AuditEvent.objects.filter(org=review.org, object_id=str(review.pk)).values_list(
            "action", flat=True
        )
    )
    assert {
        "review.self_submit",
        "review.manager_submit",
        "review.share",
        "review.acknowledge",
    } <= actions


def test_the_chain_still_verifies_after_review_signatures(org_a, review, alice, bob):
    _self(review, bob)
    _manager(review, alice)
    review_share(review=review, actor=alice)
    _ack(review, bob)
    result = signature_chain_verify(org=org_a)
    assert result.valid, result.findings
    # The agreement's two signatures and the acknowledgement, on one chain.
    assert result.chain_length == 3
    assert Signature.objects.filter(org=org_a, review=review).count() == 1


def test_an_absent_self_rating_is_dropped_not_counted_as_zero(review, alice, bob):
    review = _manager(review, alice, value=4)
    # manager 4 (50), achievement 3 (30); no self rating, no growth: 4 × 50/80 + 3 × 30/80.
    assert review.final_score == Decimal("3.625")
    assert review.status == ReviewStatus.READY_TO_SHARE


def test_draft_progress_does_not_count_and_a_later_self_submission_recomputes_the_score(
    review, alice, bob
):
    goal = review.goals.get()
    review_self_assessment_save(review=review, actor=bob, goals={goal.pk: {"progress": 100}})
    review = _manager(review, alice, value=4)
    # As without growth: 4 × 50/80 + 3 × 30/80; the draft's 100 % would have made it 3.778.
    assert review.final_score == Decimal("3.625")
    shown = {row["key"]: row for row in review_view(review=review, viewer=alice).breakdown}
    assert shown["growth"]["value"] is None and shown["growth"]["contribution"] is None
    review = _self(review, bob, value=4)
    # Submitted: manager 4 (50), achievement 3 (30), self 4 (10), growth 100 % → 5 (10).
    assert review.final_score == Decimal("3.800")


def test_ratings_per_dimension_make_the_kras_rating(org_a, active, alice, bob):
    cycle = make_cycle(org_a, name="By dimension", dimensions=("Quality", "Timeliness", "Cost"))
    review = make_review(cycle, active)
    review_manager_save(
        review=review,
        actor=alice,
        items=ratings(review, None, dimensions={"Quality": 4, "Timeliness": 4, "Cost": 3}),
    )
    item = review.items.first()
    item.refresh_from_db()
    assert item.manager_rating == Decimal("3.667")
    assert item.manager_dimensions == {"Quality": 4, "Timeliness": 4, "Cost": 3}


@pytest.mark.parametrize("value", [0, 6, "3.5", "many"])
def test_a_rating_off_the_scale_is_refused(review, bob, value):
    with pytest.raises(ValidationError) as caught:
        _self(review, bob, value=value, submit=False)
    assert "Choose a rating from 1 to 5." in str(caught.value)


def test_submitting_with_a_kra_unrated_is_refused(review, bob):
    first = review.items.first()
    with pytest.raises(ValidationError) as caught:
        review_self_assessment_save(
            review=review, actor=bob, items={first.pk: {"rating": 4}}, submit=True
        )
    assert "Rate every KRA before submitting" in str(caught.value)
    review.refresh_from_db()
    assert review.self_submitted_at is None


def test_a_goals_progress_is_a_percentage(review, bob):
    goal = review.goals.get()
    with pytest.raises(ValidationError) as caught:
        review_self_assessment_save(review=review, actor=bob, goals={goal.pk: {"progress": 120}})
    assert "whole number from 0 to 100" in str(caught.value)


def test_only_the_person_self_assesses_and_only_the_reviewer_rates(review, alice, bob, dave):
    with pytest.raises(PermissionDenied, match="Only Bob"):
        _self(review, alice)
    with pytest.raises(PermissionDenied, match="Only the reviewer"):
        _manager(review, dave)
    with pytest.raises(PermissionDenied, match="Only the reviewer"):
        _manager(review, bob)


def test_a_delegate_writes_the_review_in_the_managers_place(review, alice, bob, dave):
    from guardian.shortcuts import assign_perm

    assign_perm("reviews.review_as_reviewer", dave.user, review)
    review = _manager(review, dave)
    assert review.status == ReviewStatus.READY_TO_SHARE


def test_a_submitted_self_assessment_no_longer_changes(review, bob):
    _self(review, bob)
    with pytest.raises(ValidationError, match="can no longer change"):
        _self(review, bob, submit=False)


def test_only_a_submitted_review_is_shared_and_only_once(review, alice, bob):
    with pytest.raises(ValidationError, match="only a submitted review is shared"):
        review_share(review=review, actor=alice)
    _manager(review, alice)
    with pytest.raises(PermissionDenied):
        review_share(review=review, actor=bob)
    review_share(review=review, actor=alice)
    with pytest.raises(ValidationError):
        review_share(review=review, actor=alice)
    with pytest.raises(ValidationError, match="the manager's part is final"):
        _manager(review, alice)
    with pytest.raises(ValidationError, match="can no longer change"):
        _self(review, bob)


def test_acknowledging_refusals(org_a, review, alice, bob):
    with pytest.raises(ValidationError, match="nothing to acknowledge"):
        _ack(review, bob)
    _manager(review, alice)
    review_share(review=review, actor=alice)
    with pytest.raises(PermissionDenied, match="Only Bob"):
        _ack(review, alice)
    with pytest.raises(ValidationError) as caught:
        _ack(review, bob, meaning=False)
    assert "I have read this review" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        _ack(review, bob, password="wrong password")
    assert "That password is not right. Nothing was signed." in str(caught.value)
    assert not Signature.objects.filter(org=org_a, review=review).exists()
    _ack(review, bob)
    with pytest.raises(ValidationError, match="nothing to acknowledge"):
        _ack(review, bob)


def test_the_statement_is_the_organisations(org_a, review, alice, bob):
    organization_update_rules(org=org_a, actor=alice, statement_review="I have read it.")
    _manager(review, alice)
    review_share(review=review, actor=alice)
    with pytest.raises(ValidationError):
        _ack(review, bob, meaning="I have read this review")
    assert _ack(review, bob, meaning="I have read it.").meaning == "I have read it."


def test_nothing_changes_once_the_cycle_is_closed(cycle, review, alice, bob):
    cycle.status = CycleStatus.CLOSED
    cycle.save(update_fields=["status"])
    review.refresh_from_db()
    with pytest.raises(ValidationError, match="is closed"):
        _self(review, bob, submit=False)
    with pytest.raises(ValidationError, match="is closed"):
        _manager(review, alice, submit=False)
    with pytest.raises(ValidationError, match="is closed"):
        review_share(review=review, actor=alice)


def test_development_needs_become_goals_of_the_next_draft(org_a, review, active, alice, bob, role):
    _manager(review, alice)
    with pytest.raises(ValidationError, match="has no draft agreement for the next period"):
        review_development_to_goals(review=review, actor=alice)
    start = active.period_end + datetime.timedelta(days=1)
    draft = agreement_create(
        org=org_a,
        actor=alice,
        employee=bob,
        role=role,
        period_start=start,
        period_end=start + datetime.timedelta(days=364),
    )
    assert draft.status == AgreementStatus.DRAFT
    added = review_development_to_goals(review=review, actor=alice)
    assert [g.goal for g in added] == ["Negotiation", "Forecasting"]
    # A second click adds nothing twice.
    assert review_development_to_goals(review=review, actor=alice) == []
    assert GrowthGoal.objects.filter(agreement=draft).count() == 2
    with pytest.raises(PermissionDenied):
        review_development_to_goals(review=review, actor=bob)


def test_a_kra_missed_in_two_consecutive_cycles_is_flagged(org_a, active, alice, bob):
    start, end = active.period_start, active.period_end
    middle = start + (end - start) / 2
    first = make_cycle(org_a, name="First half", start=start, end=middle)
    second = make_cycle(
        org_a, name="Second half", start=middle + datetime.timedelta(days=1), end=end
    )
    earlier = make_review(first, active)
    review_manager_save(review=earlier, actor=alice, items=ratings(earlier, 2), submit=True)
    later = make_review(second, active)
    items = ratings(later, 4)
    missed = later.items.order_by("position").first()
    items[missed.pk]["rating"] = 1
    review_manager_save(review=later, actor=alice, items=items, submit=True)
    flagged = list(
        ReviewItem.objects.filter(review=later, missed_twice=True).values_list("title", flat=True)
    )
    assert flagged == [missed.title]
    # ...and offered as a development need, for the next agreement's growth plan.
    later.refresh_from_db()
    assert any(missed.title in need for need in development_needs(later))
