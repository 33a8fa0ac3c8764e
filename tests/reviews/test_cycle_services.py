"""Review cycles' services (docs/DOMAIN.md rules R51 to R60): settings refused with a clear
message on the right field, launch (the task's body) with people lacking an agreement
listed, reviews made once, actuals prefilled from the stored scores, reviewer delegation,
close and reopen."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from guardian.shortcuts import get_user_perms

from kpis.models import KPI, Measurement, Score
from orgs.models import AuditEvent, Department, Notification, OrgRole
from reviews.models import (
    AgreementStatus,
    CycleStatus,
    LaunchStatus,
    ParticipantScope,
    Review,
    ReviewGoal,
    ReviewItem,
)
from reviews.selectors_cycles import reopen_reasons
from reviews.services import cycles as services
from tests.factories import MembershipFactory, UserFactory

from .factories_cycles import (
    WINDOW,
    agreement_in_force,
    make_cycle,
    simple_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hannah(org_a):
    return MembershipFactory(
        org=org_a,
        role=OrgRole.HR,
        user=UserFactory(email="hannah@acme.test", full_name="Hannah Human"),
    )


def launch(cycle, actor):
    """Launch and run the launch's body here (the worker's part is tested elsewhere)."""
    services.cycle_launch(cycle=cycle, actor=actor)
    report = services.launch_run(cycle.pk, org_id=cycle.org_id)
    cycle.refresh_from_db()
    return report


# --- settings ---------------------------------------------------------------------------------

START, END = WINDOW


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"window_end": START - datetime.timedelta(days=1)}, "window_end", "ends before"),
        ({"window_end": START + datetime.timedelta(days=400)}, "window_end", "at most 366"),
        (
            {"self_assessment_due": START - datetime.timedelta(days=1)},
            "self_assessment_due",
            "before the window starts",
        ),
        (
            {"manager_review_due": END + datetime.timedelta(days=5)},
            "manager_review_due",
            "on or after the self-assessment",
        ),
        (
            {"acknowledgement_due": END + datetime.timedelta(days=15)},
            "acknowledgement_due",
            "on or after the manager review",
        ),
        (
            {"acknowledgement_due": END + datetime.timedelta(days=400)},
            "acknowledgement_due",
            "within 180 days",
        ),
        ({"rating_scale": [{"value": 1, "label": "Low"}]}, "rating_scale", "from 2 to 10"),
        (
            {"rating_scale": [{"value": 2, "label": "A"}, {"value": 1, "label": "B"}]},
            "rating_scale",
            "lowest up",
        ),
        (
            {"rating_scale": [{"value": 1, "label": "Same"}, {"value": 2, "label": "same"}]},
            "rating_scale",
            "labels two points",
        ),
        (
            {"rating_scale": [{"value": 1, "label": "A"}, {"value": 2, "label": ""}]},
            "rating_scale",
            "needs a label",
        ),
        ({"dimensions": ["Quality", "quality"]}, "dimensions", "listed twice"),
        ({"dimensions": [f"D{i}" for i in range(7)]}, "dimensions", "at most 6"),
        ({"weights": {"weight_manager": 70}}, "weights", "total 110"),
        ({"weights": {"weight_self": 120}}, "weight_self", "from 0 to 100"),
        (
            {"weights": {"weight_manager": 0, "weight_achievement": 0, "weight_self": 100}},
            "weight_manager",
            "needs one of them",
        ),
        (
            {
                "achievement_bands": [
                    {"at_least": "1", "rating": 5},
                    {"at_least": "1.1", "rating": 4},
                    {"at_least": None, "rating": 1},
                ]
            },
            "achievement_bands",
            "highest down",
        ),
        (
            {
                "achievement_bands": [
                    {"at_least": "1", "rating": 7},
                    {"at_least": None, "rating": 1},
                ]
            },
            "achievement_bands",
            "point of the rating scale",
        ),
        (
            {
                "achievement_bands": [
                    {"at_least": "1", "rating": 2},
                    {"at_least": None, "rating": 4},
                ]
            },
            "achievement_bands",
            "cannot give a higher rating",
        ),
        (
            {
                "achievement_bands": [
                    {"at_least": "1", "rating": 5},
                    {"at_least": "0.5", "rating": 1},
                ]
            },
            "achievement_bands",
            "leave its threshold empty",
        ),
        ({"participant_scope": ParticipantScope.DEPARTMENTS}, "departments", "at least one"),
        ({"participant_scope": ParticipantScope.LIST}, "members", "at least one person"),
    ],
)
def test_each_refusal_names_its_field(org_a, alice, overrides, field, message):
    with pytest.raises(ValidationError) as refused:
        make_cycle(org_a, alice, **overrides)
    errors = refused.value.message_dict
    assert list(errors) == [field]
    assert message in errors[field][0]


def test_a_cycle_name_is_unique_in_the_organisation(org_a, alice):
    make_cycle(org_a, alice)
    with pytest.raises(ValidationError) as refused:
        make_cycle(org_a, alice, name="annual REVIEW")
    assert "Another cycle" in refused.value.message_dict["name"][0]


def test_hr_creates_a_cycle_with_the_defaults_and_it_is_audited(org_a, hannah):
    cycle = make_cycle(org_a, hannah, dimensions=[" Quality ", "Timeliness", ""])
    assert cycle.status == CycleStatus.DRAFT
    assert [p["value"] for p in cycle.rating_scale] == [1, 2, 3, 4, 5]
    assert cycle.dimensions == ["Quality", "Timeliness"]
    assert (cycle.weight_manager, cycle.weight_achievement) == (Decimal(60), Decimal(40))
    assert cycle.achievement_bands[0] == {"at_least": "1.1", "rating": 5}
    assert cycle.achievement_bands[-1] == {"at_least": None, "rating": 1}
    assert AuditEvent.objects.filter(action="review_cycle.create", object_id=str(cycle.pk)).exists()


def test_a_plain_member_may_not_manage_cycles(org_a, bob):
    with pytest.raises(PermissionDenied):
        make_cycle(org_a, bob)


def test_a_launched_cycle_changes_only_its_name_and_deadlines(org_a, alice):
    cycle = make_cycle(org_a, alice)
    launch(cycle, alice)
    services.cycle_update(
        cycle=cycle,
        actor=alice,
        name="Annual review (extended)",
        acknowledgement_due=END + datetime.timedelta(days=40),
    )
    cycle.refresh_from_db()
    assert cycle.name == "Annual review (extended)"
    with pytest.raises(ValidationError) as refused:
        services.cycle_update(cycle=cycle, actor=alice, dimensions=["Quality"])
    assert "only its name and deadlines" in refused.value.message_dict["dimensions"][0]
    assert AuditEvent.objects.filter(action="review_cycle.update").count() == 1


# --- launch -----------------------------------------------------------------------------------


@pytest.fixture
def people(org_a, alice, bob):
    """bob (reports to alice) and dave (reports to bob) with agreements in force; erin with an
    agreement awaiting signatures; frank with none."""
    sales = Department.objects.create(org=org_a, name="Sales")
    role = simple_role(org_a, department=sales)
    dave = MembershipFactory(
        org=org_a, manager=bob, department=sales, user=UserFactory(full_name="Dave Dealer")
    )
    erin = MembershipFactory(org=org_a, manager=alice, user=UserFactory(full_name="Erin Early"))
    frank = MembershipFactory(
        org=org_a, manager=alice, department=sales, user=UserFactory(full_name="Frank Fresh")
    )
    bob.department = sales
    bob.save(update_fields=["department"])
    agreements = {
        "bob": agreement_in_force(bob, role, manager=alice),
        "dave": agreement_in_force(dave, role, manager=alice),
        "erin": agreement_in_force(erin, role, manager=alice, status=AgreementStatus.PROPOSED),
    }
    return {
        "role": role,
        "dave": dave,
        "erin": erin,
        "frank": frank,
        "sales": sales,
        **{f"{k}_agreement": v for k, v in agreements.items()},
    }


def test_launch_reviews_each_agreement_in_force_and_lists_who_has_none(org_a, alice, bob, people):
    cycle = make_cycle(org_a, alice)
    report = launch(cycle, alice)
    assert cycle.status == CycleStatus.OPEN and cycle.launch_status == LaunchStatus.DONE
    reviews = {r.reviewee_id: r for r in Review.objects.filter(cycle=cycle)}
    assert set(reviews) == {bob.pk, people["dave"].pk}
    # The reviewer is the person's current manager (dave's is bob, though alice signed).
    assert reviews[people["dave"].pk].reviewer_id == bob.pk
    assert reviews[bob.pk].reviewer_id == alice.pk
    review = reviews[bob.pk]
    assert review.agreement_version_id == people["bob_agreement"].current_version_id
    assert [i.title for i in ReviewItem.objects.filter(review=review)] == ["Revenue", "Retention"]
    assert [g.goal for g in ReviewGoal.objects.filter(review=review)] == ["Negotiation skills"]
    assert report["created"] == 2
    missing = {p["name"]: p for p in report["without_agreement"]}
    # alice has no agreement either: everyone without one is listed, with the reason.
    assert set(missing) == {"Alice Admin", "Erin Early", "Frank Fresh"}
    assert missing["Erin Early"]["reason"] == "Agreement not yet signed"
    assert missing["Frank Fresh"] == {
        "member": people["frank"].pk,
        "name": "Frank Fresh",
        "department": "Sales",
        "reason": "No agreement for the window",
    }
    # Each reviewee is told, and each reviewer once.
    assert Notification.objects.filter(kind="review.launched").count() == 2
    assert Notification.objects.filter(kind="review.to_write", recipient=alice).count() == 1


def test_launching_again_creates_only_what_is_missing(org_a, alice, bob, people):
    cycle = make_cycle(org_a, alice)
    launch(cycle, alice)
    people["erin_agreement"].status = AgreementStatus.ACTIVE
    people["erin_agreement"].save(update_fields=["status"])
    report = launch(cycle, alice)
    assert (report["created"], report["already"]) == (1, 2)
    assert Review.objects.filter(cycle=cycle).count() == 3
    assert ReviewItem.objects.filter(review__cycle=cycle).count() == 6
    # The same body run once more (a retried task) finds nothing to do.
    services.launch_run(cycle.pk, org_id=org_a.pk)
    assert Review.objects.filter(cycle=cycle).count() == 3


def test_review_create_is_made_once(org_a, alice, bob, people):
    cycle = make_cycle(org_a, alice)
    first = services.review_create(cycle=cycle, agreement=people["bob_agreement"])
    again = services.review_create(cycle=cycle, agreement=people["bob_agreement"])
    assert first.pk == again.pk
    with pytest.raises(ValidationError):
        services.review_create(cycle=cycle, agreement=people["erin_agreement"])


def test_participants_by_department_include_those_below(org_a, alice, bob, people):
    inside = Department.objects.create(org=org_a, name="Inside Sales", parent=people["sales"])
    people["dave"].department = inside
    people["dave"].save(update_fields=["department"])
    cycle = make_cycle(
        org_a, alice, participant_scope=ParticipantScope.DEPARTMENTS, departments=[people["sales"]]
    )
    report = launch(cycle, alice)
    assert set(Review.objects.filter(cycle=cycle).values_list("reviewee_id", flat=True)) == {
        bob.pk,
        people["dave"].pk,
    }
    assert [p["name"] for p in report["without_agreement"]] == ["Frank Fresh"]


def test_actuals_are_prefilled_from_the_stored_scores_of_the_window(org_a, alice, bob, people):
    revenue, retention = KPI.objects.filter(kra__role=people["role"]).order_by("kra__position")
    now = timezone.now()
    for month, achievement in ((1, "0.8"), (2, "1.0"), (3, None)):
        start = datetime.date(START.year, month, 1)
        Score.objects.create(
            org=org_a,
            scope="kpi",
            scope_id=revenue.pk,
            person=bob,
            window="period",
            period_start=start,
            period_end=start + datetime.timedelta(days=27),
            achievement=None if achievement is None else Decimal(achievement),
            periods_with_data=0 if achievement is None else 1,
            periods_expected=1,
            computed_at=now,
        )
    for month, value in ((1, "80"), (2, "100")):
        start = datetime.date(START.year, month, 1)
        Measurement.objects.create(
            org=org_a,
            kpi=revenue,
            person=bob,
            period_start=start,
            period_end=start + datetime.timedelta(days=27),
            value=Decimal(value),
        )
    cycle = make_cycle(org_a, alice)
    launch(cycle, alice)
    review = Review.objects.get(cycle=cycle, reviewee=bob)
    first, second = ReviewItem.objects.filter(review=review).order_by("position")
    assert first.actuals == [
        {
            "name": "Revenue index",
            "unit": "",
            "measure": "number",
            "direction": "increase",
            "target": "100",
            "target_low": None,
            "target_high": None,
            "actual": "90",
            "achievement": "0.9",
            "periods_with_data": 2,
            "periods_expected": 3,
        }
    ]
    assert first.achievement == Decimal("0.9")
    assert (first.periods_with_data, first.periods_expected) == (2, 3)
    # No score for retention: no data, never zero; the person's figure is revenue's alone.
    assert second.achievement is None and second.actuals[0]["actual"] is None
    assert review.kpi_achievement == Decimal("0.9")
    assert retention.pk  # the second KPI exists, with nothing measured


# --- delegation -------------------------------------------------------------------------------


def test_hr_lets_someone_else_write_a_review_and_takes_it_back(org_a, alice, hannah, bob, people):
    cycle = make_cycle(org_a, alice)
    launch(cycle, alice)
    review = Review.objects.get(cycle=cycle, reviewee=people["dave"])
    frank = people["frank"]
    services.review_delegate_reviewer(review=review, actor=hannah, delegate=frank)
    assert "review_as_reviewer" in get_user_perms(frank.user, review)
    assert Notification.objects.filter(recipient=frank, kind="review.delegated").exists()
    with pytest.raises(ValidationError) as refused:
        services.review_delegate_reviewer(review=review, actor=hannah, delegate=frank)
    assert "may review already" in refused.value.message_dict["delegate"][0]
    with pytest.raises(ValidationError) as refused:
        services.review_delegate_reviewer(review=review, actor=hannah, delegate=people["dave"])
    assert "Nobody reviews themselves" in refused.value.message_dict["delegate"][0]
    with pytest.raises(PermissionDenied):
        services.review_delegate_reviewer(review=review, actor=bob, delegate=frank)
    services.review_revoke_delegate(review=review, actor=hannah, delegate=frank)
    assert "review_as_reviewer" not in get_user_perms(frank.user, review)
    assert AuditEvent.objects.filter(action="review.revoke_delegate").exists()


# --- close and reopen -------------------------------------------------------------------------


def test_closing_locks_every_review_and_reopening_needs_a_reason(org_a, alice, bob, people):
    cycle = make_cycle(org_a, alice)
    with pytest.raises(ValidationError):
        services.cycle_close(cycle=cycle, actor=alice)  # a draft is not closed
    launch(cycle, alice)
    review = Review.objects.get(cycle=cycle, reviewee=bob)
    services.ensure_cycle_open(review)
    services.cycle_close(cycle=cycle, actor=alice)
    review.refresh_from_db()
    with pytest.raises(ValidationError, match="is closed"):
        services.ensure_cycle_open(review)
    with pytest.raises(ValidationError):
        services.cycle_launch(cycle=cycle, actor=alice)
    with pytest.raises(ValidationError) as refused:
        services.cycle_reopen(cycle=cycle, actor=alice, reason="  ")
    assert "Say why" in refused.value.message_dict["reason"][0]
    services.cycle_reopen(cycle=cycle, actor=alice, reason="Two reviews were filed late.")
    review.refresh_from_db()
    services.ensure_cycle_open(review)
    assert [r["reason"] for r in reopen_reasons(cycle)] == ["Two reviews were filed late."]
    assert AuditEvent.objects.filter(action="review_cycle.close").exists()
