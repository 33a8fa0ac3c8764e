# ruff: noqa: F811
"""Reminders (docs/DOMAIN.md rules R44 to R47): the stages against the deadline, exactly
once across repeated passes, escalation to the manager then HR, muting, the three kinds the
apps register, and the organisation's own day."""

from __future__ import annotations

import datetime

import pytest

from kpis.models import Measurement
from kra_platform import rls
from kras.models import KRA, KRALevel, KRAStatus
from orgs.models import Notification, Organization, Reminder, ReminderMute
from orgs.org_settings import organization_update_rules
from orgs.reminders import engine
from reviews.models import Agreement, AgreementStatus
from tests.factories import MembershipFactory, UserFactory

# The agreement fixtures, used by name (pytest injects them).
from tests.reviews.conftest import (  # noqa: F401
    active,
    assign,
    build_role,
    draft,
    hannah,
    objective,
    proposed,
    role,
    sales,
    sign,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def run(org, day, **kwargs):
    """One pass as the tenant task runs it: the organisation's tenant context, as the
    application role."""
    org = Organization.objects.get(pk=org.pk)
    with rls.tenant_context(org_id=org.pk):
        return engine.run_pass(org, day, **kwargs)


def waiting_since(agreement, when: datetime.datetime):
    Agreement.objects.filter(pk=agreement.pk).update(status_changed_at=when)


def claims(**filters):
    return list(
        Reminder.objects.filter(**filters)
        .order_by("created_at", "id")
        .values_list("recipient__user__email", "stage", "muted")
    )


# Defaults: 3 days before, on the day, 2 after, manager at 5, HR at 10; an agreement is due
# 7 days after it was proposed. Proposed on 1 March (UTC org) → due 8 March.
PROPOSED_AT = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
DUE = datetime.date(2026, 3, 8)


def day(offset: int) -> datetime.date:
    return DUE + datetime.timedelta(days=offset)


def test_an_agreement_awaiting_the_employee_is_reminded_at_each_stage_once(
    org_a, alice, bob, hannah, proposed
):
    waiting_since(proposed, PROPOSED_AT)
    assert run(org_a, day(-4)).claimed == 0, "too early"
    assert run(org_a, day(-3)).claimed == 1
    assert run(org_a, day(-3)).claimed == 0, "the same day again: nothing"
    assert run(org_a, day(-1)).claimed == 0, "still the 'before' stage, already sent"
    assert run(org_a, day(0)).claimed == 1
    assert run(org_a, day(2)).claimed == 1
    assert run(org_a, day(5)).claimed == 1, "the manager"
    assert run(org_a, day(10)).claimed == 1, "HR"
    assert run(org_a, day(11)).claimed == 0
    assert claims() == [
        ("bob@acme.test", "before", False),
        ("bob@acme.test", "due", False),
        ("bob@acme.test", "after", False),
        ("alice@acme.test", "manager", False),
        ("hannah@acme.test", "hr", False),
    ]
    notes = Notification.objects.filter(recipient=bob, kind__startswith="reminder:").order_by(
        "created_at", "id"
    )
    assert [n.title for n in notes] == ["Your KRA agreement awaits your signature"] * 3
    assert notes[2].body == "Overdue since 2026-03-08."
    escalated = Notification.objects.get(recipient=alice, kind__startswith="reminder:")
    assert escalated.title == "Bob Member's KRA agreement awaits their signature"
    assert escalated.url == f"/o/acme/agreements/{proposed.pk}/"


def test_once_the_employee_signed_the_manager_is_reminded_then_hr(
    org_a, alice, bob, hannah, proposed
):
    Agreement.objects.filter(pk=proposed.pk).update(status=AgreementStatus.EMPLOYEE_SIGNED)
    waiting_since(proposed, PROPOSED_AT)
    for offset in (-3, 0, 2, 5, 10):
        run(org_a, day(offset))
    # alice has no manager: the manager stage has nobody to escalate to; HR still hears.
    assert claims() == [
        ("alice@acme.test", "before", False),
        ("alice@acme.test", "due", False),
        ("alice@acme.test", "after", False),
        ("hannah@acme.test", "hr", False),
    ]
    note = Notification.objects.filter(recipient=alice, kind="reminder:agreement.signature")[0]
    assert note.title == "Bob Member's KRA agreement awaits your countersignature"


def test_an_agreement_awaiting_hr_reminds_every_hr_member_and_escalates_no_further(
    org_a, alice, bob, hannah, proposed
):
    other_hr = MembershipFactory(
        org=org_a, role="hr", user=UserFactory(email="ivy@acme.test", full_name="Ivy")
    )
    Agreement.objects.filter(pk=proposed.pk).update(status=AgreementStatus.AWAITING_HR)
    waiting_since(proposed, PROPOSED_AT)
    for offset in (0, 5, 10):
        run(org_a, day(offset))
    assert sorted(claims()) == [
        ("hannah@acme.test", "due", False),
        (other_hr.user.email, "due", False),
    ]


def test_without_an_hr_member_the_org_admins_are_hr(org_a, alice, bob, proposed):
    waiting_since(proposed, PROPOSED_AT)
    run(org_a, day(10))
    assert claims() == [("alice@acme.test", "hr", False)]


def test_a_pass_that_did_not_run_for_days_sends_the_stage_reached_not_every_stage_missed(
    org_a, alice, bob, hannah, proposed
):
    waiting_since(proposed, PROPOSED_AT)
    run(org_a, day(6))
    assert claims() == [("alice@acme.test", "manager", False)]


def test_an_agreement_proposed_again_is_a_new_round(org_a, bob, proposed):
    waiting_since(proposed, PROPOSED_AT)
    run(org_a, day(0))
    waiting_since(proposed, PROPOSED_AT + datetime.timedelta(days=1))
    run(org_a, day(1))
    assert claims() == [("bob@acme.test", "due", False), ("bob@acme.test", "due", False)]


def test_stage_offsets_come_from_the_organisations_settings(org_a, alice, bob, proposed):
    organization_update_rules(
        org=org_a,
        actor=alice,
        reminder_days_before=0,
        agreement_signature_days=2,
        reminder_escalate_manager_days=3,
    )
    waiting_since(proposed, PROPOSED_AT)  # due 3 March
    assert run(org_a, datetime.date(2026, 3, 2)).claimed == 0, "no reminder before the day"
    run(org_a, datetime.date(2026, 3, 3))
    run(org_a, datetime.date(2026, 3, 6))
    assert claims() == [("bob@acme.test", "due", False), ("alice@acme.test", "manager", False)]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"reminder_days_after": 0}, "reminder_days_after"),
        ({"reminder_escalate_manager_days": 2}, "reminder_escalate_manager_days"),
        ({"reminder_escalate_hr_days": 5}, "reminder_escalate_hr_days"),
        ({"reminder_days_before": 91}, "reminder_days_before"),
        ({"reminder_hour": 24}, "reminder_hour"),
        ({"kpi_value_grace_days": "soon"}, "kpi_value_grace_days"),
    ],
)
def test_stage_settings_are_refused_out_of_order_or_range(org_a, alice, values, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        organization_update_rules(org=org_a, actor=alice, **values)
    assert field in refused.value.message_dict


def test_a_muted_person_gets_no_reminder_but_the_escalations_still_go(
    org_a, alice, bob, hannah, proposed
):
    from orgs.reminders.services import reminders_set_muted

    reminders_set_muted(member=bob, muted=True)
    waiting_since(proposed, PROPOSED_AT)
    for offset in (-3, 0, 2, 5, 10):
        run(org_a, day(offset))
    assert claims() == [
        ("bob@acme.test", "before", True),
        ("bob@acme.test", "due", True),
        ("bob@acme.test", "after", True),
        ("alice@acme.test", "manager", False),
        ("hannah@acme.test", "hr", False),
    ]
    assert not Notification.objects.filter(recipient=bob, kind__startswith="reminder:").exists()
    assert Reminder.objects.filter(muted=True, notification__isnull=False).count() == 0
    # Unmuting affects the stages still to come, not those already decided.
    reminders_set_muted(member=bob, muted=False)
    assert not ReminderMute.objects.filter(member=bob).exists()


def test_a_manager_who_muted_still_gets_the_escalation_about_their_report(
    org_a, alice, bob, proposed
):
    from orgs.reminders.services import reminders_set_muted

    reminders_set_muted(member=alice, muted=True)
    waiting_since(proposed, PROPOSED_AT)
    run(org_a, day(5))
    assert claims() == [("alice@acme.test", "manager", False)]


def test_deactivated_people_are_not_reminded(org_a, alice, bob, hannah, proposed):
    waiting_since(proposed, PROPOSED_AT)
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    run(org_a, day(0))
    assert claims() == []


# --- the KPI and KRA kinds -----------------------------------------------------------------


def test_kpis_without_a_value_for_a_period_are_one_reminder_per_person_and_period(
    org_a, alice, bob, role
):
    from kpis.measurements import period_containing
    from kpis.models import KPI
    from orgs.selectors import fiscal_year_bounds

    fy_start, _end = fiscal_year_bounds(org=org_a)
    q1_start, q1_end = period_containing("quarterly", fy_start, org_a.fiscal_year_start_month)
    deadline = q1_end + datetime.timedelta(days=5)
    kpi = KPI.objects.filter(kra__role=role).order_by("id").first()
    Measurement.objects.create(
        org=org_a, kpi=kpi, person=bob, period_start=q1_start, period_end=q1_end, value=12
    )
    run(org_a, deadline)
    reminder = Reminder.objects.get()
    assert (reminder.recipient, reminder.stage, reminder.deadline) == (bob, "due", deadline)
    assert reminder.object_key == f"kpis:{bob.pk}:{q1_start}:{q1_end}"
    assert reminder.subject == f"2 KPIs have no value for {q1_start} – {q1_end}"
    assert reminder.url == "/o/acme/my/kpis/"
    run(org_a, deadline + datetime.timedelta(days=5))
    escalation = Reminder.objects.get(stage="manager")
    assert escalation.recipient == alice
    assert escalation.subject == f"Bob Member: 2 KPIs have no value for {q1_start} – {q1_end}"
    assert escalation.url == f"/o/acme/people/{bob.pk}/results/"


def test_a_period_with_every_value_recorded_reminds_nobody(org_a, bob, role):
    from kpis.measurements import period_containing
    from kpis.models import KPI
    from orgs.selectors import fiscal_year_bounds

    fy_start, _end = fiscal_year_bounds(org=org_a)
    q1_start, q1_end = period_containing("quarterly", fy_start, org_a.fiscal_year_start_month)
    for kpi in KPI.objects.filter(kra__role=role):
        Measurement.objects.create(
            org=org_a, kpi=kpi, person=bob, period_start=q1_start, period_end=q1_end, value=1
        )
    run(org_a, q1_end + datetime.timedelta(days=5))
    assert claims() == []


def test_a_kra_flagged_for_review_reminds_its_owner(org_a, alice, bob, role):
    kra = KRA.objects.filter(role=role, level=KRALevel.ROLE).order_by("id").first()
    flagged = datetime.datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    KRA.objects.filter(pk=kra.pk).update(
        owner=bob, status=KRAStatus.NEEDS_REVIEW, needs_review_since=flagged
    )
    run(org_a, datetime.date(2026, 5, 15))
    reminder = Reminder.objects.get()
    assert (reminder.recipient, reminder.stage) == (bob, "due")
    assert reminder.subject == f"Your KRA “{kra.title}” needs review"
    assert reminder.url == f"/o/acme/kras/{kra.pk}/"
    # Confirmed: no more reminders.
    KRA.objects.filter(pk=kra.pk).update(status=KRAStatus.ACTIVE)
    run(org_a, datetime.date(2026, 5, 17))
    assert Reminder.objects.count() == 1


# --- the organisation's own day ------------------------------------------------------------


def test_the_deadline_and_the_day_are_the_organisations_local_dates(org_a, bob, proposed):
    from orgs.reminders.tasks import due_now

    Organization.objects.filter(pk=org_a.pk).update(timezone="Pacific/Auckland")
    # 11:30 UTC on 1 March is 00:30 on 2 March in Auckland (UTC+13): due 9 March there.
    waiting_since(proposed, datetime.datetime(2026, 3, 1, 11, 30, tzinfo=UTC))
    # On 8 March (the deadline in UTC) it is still "before" the deadline in Auckland.
    run(org_a, datetime.date(2026, 3, 8))
    assert claims() == [("bob@acme.test", "before", False)]
    run(org_a, datetime.date(2026, 3, 9))
    assert claims()[1:] == [("bob@acme.test", "due", False)]
    assert Reminder.objects.get(stage="due").deadline == datetime.date(2026, 3, 9)
    # At 19:00 UTC on 8 March it is 08:00 on 9 March in Auckland: its pass runs, for the 9th.
    evening = datetime.datetime(2026, 3, 8, 19, 0, tzinfo=UTC)
    org_a.refresh_from_db()
    assert due_now([(org_a.pk, org_a.timezone, {})], evening) == [
        (org_a.pk, datetime.date(2026, 3, 9))
    ]
    assert engine.local_today(org_a, evening) == datetime.date(2026, 3, 9)
    assert due_now([(org_a.pk, "UTC", {})], evening) == []
    assert due_now([(org_a.pk, "UTC", {"reminder_hour": 19})], evening) == [
        (org_a.pk, datetime.date(2026, 3, 8))
    ]


# --- the review kinds ----------------------------------------------------------------------


REVIEW_KINDS = ["review.self_assessment", "review.manager_review", "review.acknowledgement"]


@pytest.fixture
def review(org_a, alice, bob, active):
    from reviews.models import Review, ReviewCycle

    cycle = ReviewCycle.objects.create(
        org=org_a,
        name="H1 2026",
        window_start=datetime.date(2026, 1, 1),
        window_end=datetime.date(2026, 6, 30),
        self_assessment_due=datetime.date(2026, 7, 10),
        manager_review_due=datetime.date(2026, 7, 20),
        acknowledgement_due=datetime.date(2026, 7, 31),
        status="open",
    )
    return Review.objects.create(
        org=org_a,
        cycle=cycle,
        reviewee=bob,
        reviewer=alice,
        agreement=active,
        agreement_version=active.current_version,
    )


def test_a_review_reminds_each_step_against_the_cycles_own_date(org_a, alice, bob, hannah, review):
    from reviews.models import Review

    run(org_a, datetime.date(2026, 7, 10), only=REVIEW_KINDS)
    run(
        org_a, datetime.date(2026, 7, 15), only=REVIEW_KINDS
    )  # the reviewer escalation of the self-assessment
    Review.objects.filter(pk=review.pk).update(status="manager_review")
    run(org_a, datetime.date(2026, 7, 17), only=REVIEW_KINDS)
    Review.objects.filter(pk=review.pk).update(status="shared")
    run(org_a, datetime.date(2026, 7, 31), only=REVIEW_KINDS)
    rows = list(
        Reminder.objects.order_by("created_at", "id").values_list(
            "kind", "recipient__user__email", "stage", "subject"
        )
    )
    assert rows == [
        (
            "review.self_assessment",
            "bob@acme.test",
            "due",
            "Your self-assessment for H1 2026 is due",
        ),
        (
            "review.self_assessment",
            "alice@acme.test",
            "manager",
            "Bob Member's self-assessment for H1 2026 is due",
        ),
        (
            "review.manager_review",
            "alice@acme.test",
            "before",
            "Your review of Bob Member for H1 2026 is due",
        ),
        (
            "review.acknowledgement",
            "bob@acme.test",
            "due",
            "Your review for H1 2026 awaits your acknowledgement",
        ),
    ]
    assert Reminder.objects.first().url == f"/o/acme/reviews/{review.pk}/"


def test_a_closed_cycle_reminds_nobody(org_a, bob, review):
    from reviews.models import ReviewCycle

    ReviewCycle.objects.filter(pk=review.cycle_id).update(status="closed")
    run(org_a, datetime.date(2026, 7, 10), only=REVIEW_KINDS)
    assert claims() == []


def test_the_self_assessment_is_reminded_until_submitted_even_after_the_managers(
    org_a, alice, bob, review
):
    from django.utils import timezone

    from reviews.models import Review

    # The manager submitted first: the review is ready to share, bob's part still open.
    Review.objects.filter(pk=review.pk).update(
        status="ready_to_share", manager_submitted_at=timezone.now()
    )
    run(org_a, datetime.date(2026, 7, 7), only=["review.self_assessment"])
    assert claims(kind="review.self_assessment") == [("bob@acme.test", "before", False)]
    # Submitted: nothing more.
    Review.objects.filter(pk=review.pk).update(self_submitted_at=timezone.now())
    assert run(org_a, datetime.date(2026, 7, 10), only=["review.self_assessment"]).claimed == 0
    # Shared unsubmitted: the person's part is closed, nothing more either.
    Review.objects.filter(pk=review.pk).update(
        status="shared", shared_at=timezone.now(), self_submitted_at=None
    )
    assert run(org_a, datetime.date(2026, 7, 12), only=["review.self_assessment"]).claimed == 0


def test_the_manager_review_reminds_the_reviewer_and_each_active_delegate_once(
    org_a, alice, bob, hannah, review
):
    from reviews.models import Review
    from reviews.services.cycles import review_delegate_reviewer

    dave, erin = (
        MembershipFactory(org=org_a, user=UserFactory(email=f"{name}@acme.test"))
        for name in ("dave", "erin")
    )
    for delegate in (dave, erin):
        review_delegate_reviewer(review=review, actor=hannah, delegate=delegate)
    erin.is_active = False
    erin.save(update_fields=["is_active"])
    Review.objects.filter(pk=review.pk).update(status="manager_review")

    assert run(org_a, datetime.date(2026, 7, 20), only=["review.manager_review"]).claimed == 2
    assert run(org_a, datetime.date(2026, 7, 20), only=["review.manager_review"]).claimed == 0
    assert sorted(claims(kind="review.manager_review")) == [
        ("alice@acme.test", "due", False),
        ("dave@acme.test", "due", False),
    ]
    assert set(
        Notification.objects.filter(kind="reminder:review.manager_review").values_list(
            "recipient__user__email", "title"
        )
    ) == {
        ("alice@acme.test", "Your review of Bob Member for H1 2026 is due"),
        ("dave@acme.test", "Your review of Bob Member for H1 2026 is due"),
    }
