"""An agreement's life (docs/DOMAIN.md rules R29 to R33): drafted by the manager, proposed
once ready, signed by the person, countersigned by the manager (and acknowledged by HR
where the organisation asks for it), amended or voided, with every refusal on the way."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied, ValidationError
from guardian.shortcuts import assign_perm

from kra_platform.canonical import GENESIS_HASH, sha256_hex
from kras.models import KRA
from orgs.models import AuditEvent, Notification
from orgs.org_settings import organization_update_rules
from orgs.selectors import fiscal_year_bounds
from reviews.models import (
    Agreement,
    AgreementComment,
    AgreementEvent,
    AgreementItem,
    AgreementKPI,
    AgreementStatus,
    AgreementVersion,
    CommentKind,
    ItemSource,
    Signature,
    SignerRole,
)
from reviews.services import (
    agreement_add_personal_kpi,
    agreement_add_personal_kra,
    agreement_amend,
    agreement_create,
    agreement_override_kpi_target,
    agreement_propose,
    agreement_remove_item,
    agreement_request_changes,
    agreement_set_kra_weight,
    agreement_verify,
    agreement_void,
    growth_goal_add,
    growth_goal_remove,
    growth_goal_update,
    statement_for,
)
from tests.factories import MembershipFactory

from .conftest import KRA_TITLES, assign, build_role


def messages(exc) -> list[str]:
    return list(exc.value.messages)


# --- creating and drafting ------------------------------------------------------------------


def test_a_new_agreement_copies_the_roles_kras_and_kpis_for_the_fiscal_year(
    org_a, alice, bob, draft
):
    start, end = fiscal_year_bounds(org=org_a)
    assert (draft.period_start, draft.period_end) == (start, end)
    assert draft.status == AgreementStatus.DRAFT
    assert draft.manager == alice
    items = list(draft.items.order_by("position"))
    assert [i.title for i in items] == list(KRA_TITLES)
    assert {i.source for i in items} == {ItemSource.ROLE}
    assert [i.weight for i in items] == [40, 30, 30]
    kpi = items[0].kpis.get()
    assert (kpi.source, kpi.target, kpi.baseline, kpi.unit, kpi.weight) == (
        ItemSource.ROLE,
        Decimal(15),
        Decimal(10),
        "deals",
        100,
    )
    assert AgreementEvent.objects.filter(agreement=draft, kind="created").count() == 1
    assert AuditEvent.objects.filter(action="agreement.create", object_id=str(draft.pk)).exists()


def test_the_next_fiscal_year_is_allowed_but_not_further(org_a, alice, bob, role):
    _start, end = fiscal_year_bounds(org=org_a)
    next_start, next_end = fiscal_year_bounds(org=org_a, today=end + datetime.timedelta(1))
    agreement = agreement_create(
        org=org_a,
        actor=alice,
        employee=bob,
        role=role,
        period_start=next_start,
        period_end=next_end,
    )
    assert agreement.period_start == next_start
    later = next_end + datetime.timedelta(1)
    with pytest.raises(ValidationError) as refused:
        agreement_create(
            org=org_a,
            actor=alice,
            employee=bob,
            role=role,
            period_start=later,
            period_end=later + datetime.timedelta(30),
        )
    assert "fiscal year" in messages(refused)[0]


def test_one_agreement_per_person_role_and_period_at_a_time(org_a, alice, bob, role, draft):
    with pytest.raises(ValidationError, match="already has an agreement"):
        agreement_create(org=org_a, actor=alice, employee=bob, role=role)
    assert Agreement.objects.count() == 1


def test_a_person_who_does_not_hold_the_role_gets_no_agreement_for_it(org_a, alice, dave, role):
    with pytest.raises(ValidationError, match="does not hold"):
        agreement_create(org=org_a, actor=alice, employee=dave, role=role)


def test_who_may_draft_an_agreement(org_a, alice, bob, dave, hannah, charlie, role):
    # bob may not draft his own; dave (a colleague) and charlie (another organisation) none.
    for actor in (bob, dave):
        with pytest.raises(PermissionDenied):
            agreement_create(org=org_a, actor=actor, employee=bob, role=role)
    with pytest.raises((PermissionDenied, ValidationError)):
        agreement_create(org=org_a, actor=charlie, employee=bob, role=role)
    assert not Agreement.objects.exists()
    # HR may, as may the manager (alice, tested by every other case).
    assert agreement_create(org=org_a, actor=hannah, employee=bob, role=role).pk


def test_personal_additions_are_kept_apart_from_the_roles(org_a, alice, draft, objective):
    item = agreement_add_personal_kra(
        agreement=draft,
        actor=alice,
        title="Partner channel revenue",
        weight=10,
        objective=objective,
        kpis=[
            {
                "name": "Partner deals closed per quarter",
                "unit": "deals",
                "target": Decimal(4),
                "frequency": "quarterly",
                "weight": 100,
            }
        ],
    )
    assert item.source == ItemSource.PERSONAL
    assert item.kpis.get().source == ItemSource.PERSONAL
    first = draft.items.order_by("position").first()
    agreement_set_kra_weight(item=first, actor=alice, weight=30)
    first.refresh_from_db()
    assert (first.weight, first.role_weight, first.weight_overridden) == (30, 40, True)
    kpi = first.kpis.get()
    agreement_override_kpi_target(kpi=kpi, actor=alice, target=18, reason="Larger territory")
    kpi.refresh_from_db()
    assert (kpi.source, kpi.target, kpi.effective_target) == (ItemSource.OVERRIDE, 15, 18)
    extra = agreement_add_personal_kpi(
        item=first,
        actor=alice,
        name="Referral deals per quarter",
        unit="deals",
        target=2,
        weight=0,
        frequency="quarterly",
    )
    assert extra.source == ItemSource.PERSONAL
    # What is personal can go; what is the role's cannot.
    with pytest.raises(ValidationError, match="comes from the role"):
        agreement_remove_item(item=first, actor=alice)
    with pytest.raises(ValidationError, match="comes from the role"):
        agreement_remove_item(item=kpi, actor=alice)
    agreement_remove_item(item=extra, actor=alice)
    agreement_remove_item(item=item, actor=alice)
    assert not AgreementItem.objects.filter(pk=item.pk).exists()
    assert not AgreementKPI.objects.filter(source=ItemSource.PERSONAL).exists()
    # Back to the role's target.
    agreement_override_kpi_target(kpi=kpi, actor=alice, clear=True)
    kpi.refresh_from_db()
    assert (kpi.source, kpi.override_target) == (ItemSource.ROLE, None)


def test_a_personal_kpi_is_checked_like_any_kpi(alice, draft):
    item = draft.items.first()
    with pytest.raises(ValidationError) as refused:
        agreement_add_personal_kpi(
            item=item,
            actor=alice,
            name="Margin band",
            direction="range",
            target_low=5,
            target_high=2,
        )
    assert "target_high" in refused.value.message_dict


def test_the_growth_plan_is_drafted_with_the_agreement(alice, bob, draft):
    due = draft.period_end - datetime.timedelta(days=30)
    goal = growth_goal_add(
        agreement=draft,
        actor=alice,
        goal="Negotiation skills",
        measurable_target="Close two deals above 50,000 USD",
        due_date=due,
        measured_by="Deal reviews with the manager",
    )
    growth_goal_update(goal=goal, actor=alice, measurable_target="Close three deals")
    goal.refresh_from_db()
    assert goal.measurable_target == "Close three deals"
    with pytest.raises(ValidationError, match="within the agreement"):
        growth_goal_update(
            goal=goal, actor=alice, due_date=draft.period_end + datetime.timedelta(1)
        )
    with pytest.raises(PermissionDenied):
        growth_goal_remove(goal=goal, actor=bob)
    growth_goal_remove(goal=goal, actor=alice)
    assert not draft.growth_goals.filter(pk=goal.pk).exists()
    assert draft.growth_goals.count() == 1  # the fixture's own


def test_nobody_edits_their_own_agreement_nor_one_of_another_organisation(bob, charlie, draft):
    for actor in (bob, charlie):
        with pytest.raises(PermissionDenied):
            agreement_add_personal_kra(agreement=draft, actor=actor, title="Own KRA", weight=5)
    assert draft.items.count() == 3


# --- proposing ------------------------------------------------------------------------------


def test_proposing_freezes_a_version_and_tells_the_person(alice, bob, draft):
    version = agreement_propose(agreement=draft, actor=alice)
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.PROPOSED
    assert draft.current_version == version
    assert version.number == 1
    assert version.content_hash == sha256_hex(version.canonical_json)
    assert '"title":"Revenue from new customers"' in version.canonical_json
    assert Notification.objects.filter(recipient=bob, kind="agreement.proposed").count() == 1
    # Only a draft changes.
    with pytest.raises(ValidationError, match="only a draft"):
        agreement_add_personal_kra(agreement=draft, actor=alice, title="Late KRA", weight=5)


def test_proposing_lists_every_failing_blocking_check(org_a, alice, draft):
    # Given a personal KRA with no ladder and no KPI, which pushes the weights to 110
    agreement_add_personal_kra(agreement=draft, actor=alice, title="Side project impact", weight=10)
    # When it is proposed, then every blocking failure is named at once
    with pytest.raises(ValidationError) as refused:
        agreement_propose(agreement=draft, actor=alice)
    codes = sorted(e.code for e in refused.value.error_list)
    assert codes == ["kpi_count", "kra_weights", "ladder"]
    text = " ".join(messages(refused))
    assert "110" in text
    assert "Side project impact" in text
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.DRAFT
    assert not AgreementVersion.objects.exists()


def test_a_kra_count_outside_the_rules_blocks_too(org_a, alice, draft):
    organization_update_rules(org=org_a, actor=alice, kra_min=4, kra_max=5)
    with pytest.raises(ValidationError) as refused:
        agreement_propose(agreement=draft, actor=alice)
    assert [e.code for e in refused.value.error_list] == ["kra_count"]


def test_the_person_asks_for_changes_and_the_comment_stays(alice, bob, proposed):
    with pytest.raises(PermissionDenied):
        agreement_request_changes(agreement=proposed, actor=alice, comment="Me?")
    with pytest.raises(ValidationError):
        agreement_request_changes(agreement=proposed, actor=bob, comment="  ")
    note = agreement_request_changes(
        agreement=proposed, actor=bob, comment="The retention target is too high."
    )
    proposed.refresh_from_db()
    assert proposed.status == AgreementStatus.DRAFT
    assert (note.kind, note.version, note.author) == (
        CommentKind.CHANGE_REQUEST,
        proposed.current_version,
        bob,
    )
    assert AgreementComment.objects.get().body == "The retention target is too high."
    assert Notification.objects.filter(recipient=alice, kind="agreement.changes_requested").exists()
    # Proposed again: version 2.
    assert agreement_propose(agreement=proposed, actor=alice).number == 2


# --- signing --------------------------------------------------------------------------------


def test_the_person_signs_then_the_manager_countersigns_and_it_is_in_force(
    org_a, alice, bob, proposed, sign
):
    first = sign(proposed, bob, ip="198.51.100.4", agent="Firefox")
    proposed.refresh_from_db()
    assert proposed.status == AgreementStatus.EMPLOYEE_SIGNED
    assert (first.signer_role, first.printed_name, first.job_title) == (
        SignerRole.EMPLOYEE,
        "Bob Member",
        "Sales Executive",
    )
    assert first.meaning == statement_for(org_a, "employee")
    assert (first.ip_address, first.user_agent, first.auth_method) == (
        "198.51.100.4",
        "Firefox",
        "password",
    )
    assert first.content_hash == proposed.current_version.content_hash
    assert (first.sequence, first.prev_hash) == (1, GENESIS_HASH)
    assert first.signed_at.utcoffset() == datetime.timedelta(0)
    assert Notification.objects.filter(recipient=alice, kind="agreement.signed").exists()

    second = sign(proposed, alice)
    proposed.refresh_from_db()
    assert proposed.status == AgreementStatus.ACTIVE
    assert second.signer_role == SignerRole.MANAGER
    assert (second.sequence, second.prev_hash) == (2, first.row_hash)
    assert agreement_verify(agreement=proposed).valid
    kinds = list(AgreementEvent.objects.filter(agreement=proposed).values_list("kind", flat=True))
    assert kinds == ["created", "proposed", "signed", "countersigned", "activated"]


def test_a_wrong_password_signs_nothing_says_so_and_counts_towards_the_lockout(
    settings, bob, proposed, sign
):
    with pytest.raises(ValidationError) as refused:
        sign(proposed, bob, password="not my password")
    assert "password" in refused.value.message_dict
    assert "Nothing was signed" in refused.value.message_dict["password"][0]
    assert not Signature.objects.exists()
    attempt = AccessAttempt.objects.get(username="bob@acme.test")
    assert attempt.failures_since_start == 1
    # After the lockout's limit, even the right password signs nothing.
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        with pytest.raises(ValidationError):
            sign(proposed, bob, password="still wrong")
    with pytest.raises(ValidationError, match="locked"):
        sign(proposed, bob)
    assert not Signature.objects.exists()
    proposed.refresh_from_db()
    assert proposed.status == AgreementStatus.PROPOSED


def test_only_the_right_signer_signs_each_step(
    org_a, alice, bob, dave, charlie, hannah, proposed, sign
):
    for wrong in (alice, dave, hannah, charlie):
        with pytest.raises(PermissionDenied):
            sign(proposed, wrong)
    sign(proposed, bob)
    for wrong in (dave, hannah, charlie):
        with pytest.raises(PermissionDenied):
            sign(proposed, wrong)
    assert Signature.objects.count() == 1


def test_signing_twice_is_refused(bob, proposed, sign):
    sign(proposed, bob)
    with pytest.raises(ValidationError, match="have signed"):
        sign(proposed, bob)
    assert Signature.objects.count() == 1


def test_a_version_no_longer_current_is_not_signed(alice, bob, proposed, sign):
    stale = proposed.current_version
    agreement_request_changes(agreement=proposed, actor=bob, comment="Lower the target.")
    # While it is a draft again there is nothing to sign.
    with pytest.raises(ValidationError, match="nothing to sign"):
        sign(proposed, bob, version=stale)
    agreement_propose(agreement=proposed, actor=alice)
    with pytest.raises(ValidationError) as refused:
        sign(proposed, bob, version=stale)
    assert "no longer current" in refused.value.message_dict["version"][0]
    assert not Signature.objects.exists()
    proposed.refresh_from_db()
    assert sign(proposed, bob, version=proposed.current_version).version.number == 2


def test_the_statement_of_meaning_must_be_the_organisations(org_a, alice, bob, proposed, sign):
    with pytest.raises(ValidationError) as refused:
        sign(proposed, bob, meaning=False)
    assert "meaning" in refused.value.message_dict
    with pytest.raises(ValidationError):
        sign(proposed, bob, meaning="I agree to whatever")
    organization_update_rules(
        org=org_a, actor=alice, statement_employee="I accept these KRAs and KPIs as my own."
    )
    signature = sign(proposed, bob, meaning="I accept these KRAs and KPIs as my own.")
    assert signature.meaning == "I accept these KRAs and KPIs as my own."


def test_a_delegate_granted_on_the_agreement_countersigns(org_a, bob, dave, proposed, sign):
    sign(proposed, bob)
    with pytest.raises(PermissionDenied):
        sign(proposed, dave)
    assign_perm("reviews.sign_agreement", dave.user, proposed)
    signature = sign(proposed, dave)
    assert signature.signer_role == SignerRole.MANAGER
    proposed.refresh_from_db()
    assert proposed.status == AgreementStatus.ACTIVE


def test_hr_acknowledges_when_the_organisation_asks_for_it(
    org_a, alice, bob, hannah, proposed, sign
):
    organization_update_rules(org=org_a, actor=alice, require_hr_acknowledgement=True)
    sign(proposed, bob)
    sign(proposed, alice)
    proposed.refresh_from_db()
    assert proposed.status == AgreementStatus.AWAITING_HR
    assert Notification.objects.filter(recipient=hannah, kind="agreement.awaiting_hr").exists()
    # alice countersigned: she may not acknowledge her own countersignature as HR too.
    with pytest.raises(ValidationError, match="already signed"):
        sign(proposed, alice)
    with pytest.raises(PermissionDenied):
        sign(proposed, bob)
    acknowledgement = sign(proposed, hannah)
    proposed.refresh_from_db()
    assert (acknowledgement.signer_role, proposed.status) == (SignerRole.HR, AgreementStatus.ACTIVE)
    assert agreement_verify(agreement=proposed).valid


# --- after: amending and voiding ---------------------------------------------------------------


def test_an_amendment_supersedes_the_agreement_in_force_only_once_fully_signed(
    alice, bob, active, sign
):
    amendment = agreement_amend(agreement=active, actor=alice)
    assert (amendment.status, amendment.supersedes) == (AgreementStatus.DRAFT, active)
    assert amendment.items.count() == 3
    with pytest.raises(ValidationError, match="already under way"):
        agreement_amend(agreement=active, actor=alice)
    item = amendment.items.order_by("position").first()
    agreement_override_kpi_target(kpi=item.kpis.get(), actor=alice, target=20)
    agreement_propose(agreement=amendment, actor=alice)
    sign(amendment, bob)
    active.refresh_from_db()
    assert active.status == AgreementStatus.ACTIVE  # still in force
    sign(amendment, alice)
    active.refresh_from_db()
    amendment.refresh_from_db()
    assert (active.status, amendment.status) == (
        AgreementStatus.SUPERSEDED,
        AgreementStatus.ACTIVE,
    )
    assert AgreementEvent.objects.filter(agreement=active, kind="superseded").exists()
    assert '"target":"20"' in amendment.current_version.canonical_json


def test_hr_voids_an_agreement_with_a_reason(alice, bob, hannah, active):
    with pytest.raises(PermissionDenied):
        agreement_void(agreement=active, actor=bob, reason="I changed my mind")
    with pytest.raises(ValidationError):
        agreement_void(agreement=active, actor=hannah, reason=" ")
    agreement_void(agreement=active, actor=hannah, reason="Bob moved to another role.")
    active.refresh_from_db()
    assert (active.status, active.void_reason) == (
        AgreementStatus.VOIDED,
        "Bob moved to another role.",
    )
    with pytest.raises(ValidationError, match="already"):
        agreement_void(agreement=active, actor=alice, reason="Again")
    assert Notification.objects.filter(recipient=bob, kind="agreement.voided").exists()


def test_a_signed_agreement_is_untouched_by_later_changes_to_the_role(org_a, alice, active):
    version = active.current_version
    kra = KRA.objects.get(org=org_a, title=KRA_TITLES[0], role=active.role)
    kra.title = "Renamed later"
    kra.save()
    assert "Renamed later" not in AgreementVersion.objects.get(pk=version.pk).canonical_json
    assert agreement_verify(agreement=active).valid


def test_a_second_role_has_its_own_agreement(org_a, alice, bob, sales, objective, active):
    other = build_role(org_a, sales, objective, title="Key Account Lead")
    assign(other, bob)
    second = agreement_create(org=org_a, actor=alice, employee=bob, role=other)
    assert second.pk != active.pk


def test_a_member_of_another_organisation_cannot_be_given_an_agreement(org_a, org_b, alice, role):
    stranger = MembershipFactory(org=org_b)
    with pytest.raises(ValidationError):
        agreement_create(org=org_a, actor=alice, employee=stranger, role=role)
