"""The org chart's rules have one home, ``orgs/people_rules.py`` (docs/DOMAIN.md rule R42):
the membership service, the org-chart import, invitations, the departments service and the
policy refuse and answer alike, in the same words; and concurrent manager changes take
turns, so two of them cannot close a reporting cycle together."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from kra_platform import rls
from orgs import people_rules, policy
from orgs.imports import org_chart_import, org_chart_preview
from orgs.models import Department, Membership
from orgs.services import invitation_create, membership_update
from orgs.services import members as member_services
from roles.selectors import department_with_descendants
from tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

HEADER = "Email,Full name,Employee ID,Department,Job title,Manager email\n"
INACTIVE = "Choose an active member as manager."


@pytest.fixture
def leaver(org_a):
    return MembershipFactory(
        org=org_a,
        is_active=False,
        user=UserFactory(email="leaver@acme.test", full_name="Lee Leaver"),
    )


def managers(org) -> dict[int, int | None]:
    return dict(Membership.objects.filter(org=org).values_list("pk", "manager_id"))


# --- the walks -------------------------------------------------------------------------------


def test_the_walks_stop_on_a_cycle_and_find_every_member_of_one():
    parent_of = {"a": "b", "b": "c", "c": "a", "d": "a", "e": None}
    assert people_rules.chain_above("d", parent_of.get) == ["d", "a", "b", "c"]
    assert people_rules.would_cycle("e", "d", parent_of.get) is False
    assert people_rules.would_cycle("b", "d", parent_of.get) is True
    assert people_rules.would_cycle("e", None, parent_of.get) is False
    cycles = people_rules.find_cycles(parent_of)
    assert set(cycles) == {"a", "b", "c"}
    assert sorted(cycles["a"]) == ["a", "b", "c"]
    children = people_rules.children_of([(2, 1), (3, 2), (4, None), (5, 1)])
    assert people_rules.subtree([1], children) == {1, 2, 3, 5}


# --- a deactivated manager: the same refusal everywhere --------------------------------------


@pytest.mark.django_db
def test_the_import_and_the_service_refuse_a_deactivated_manager_alike(org_a, alice, bob, leaver):
    # The service refuses him as bob's new manager.
    with pytest.raises(ValidationError) as refused:
        membership_update(membership=bob, actor=alice, manager=leaver)
    assert refused.value.message_dict["manager"] == [INACTIVE]
    assert people_rules.inactive_manager_message() == INACTIVE

    # So does the import, whether the file lists him (he stays deactivated) or not.
    before = managers(org_a)
    text = HEADER + (
        "bob@acme.test,Bob Member,,,,leaver@acme.test\n"
        "new.person@acme.test,New Person,,,,leaver@acme.test\n"
        "leaver@acme.test,Lee Leaver,,,,\n"
    )
    preview = org_chart_preview(org=org_a, file_bytes=text.encode())
    assert preview.messages == [f"Row 2: {INACTIVE}", f"Row 3: {INACTIVE}"]
    with pytest.raises(ValidationError):
        org_chart_import(org=org_a, actor=alice, file_bytes=text.encode())
    assert managers(org_a) == before
    assert not Membership.objects.filter(user__email="new.person@acme.test").exists()

    # And an invitation.
    with pytest.raises(ValidationError) as invited:
        invitation_create(org=org_a, actor=alice, email="someone@acme.test", manager=leaver)
    assert invited.value.message_dict["manager"] == [INACTIVE]


@pytest.mark.django_db
def test_a_manager_who_has_left_may_be_kept_by_the_service_and_the_import(
    org_a, alice, bob, leaver
):
    Membership.objects.filter(pk=bob.pk).update(manager=leaver)
    bob.refresh_from_db()
    membership_update(membership=bob, actor=alice, manager=leaver, job_title="Lead")
    text = HEADER + "bob@acme.test,Bob Member,,,Lead,leaver@acme.test\n"
    preview = org_chart_preview(org=org_a, file_bytes=text.encode())
    assert preview.is_valid and preview.messages == []
    org_chart_import(org=org_a, actor=alice, file_bytes=text.encode())
    bob.refresh_from_db()
    assert bob.manager == leaver


@pytest.mark.django_db
def test_the_import_and_the_service_name_a_reporting_cycle_through_the_same_walk(org_a, alice, bob):
    # bob reports to alice: alice may not report to bob, on the form or in a file.
    with pytest.raises(ValidationError) as refused:
        membership_update(membership=alice, actor=alice, manager=bob)
    assert refused.value.message_dict["manager"] == [
        people_rules.cycle_message(manager="Bob Member", member="Alice Admin")
    ]
    text = HEADER + "alice@acme.test,Alice Admin,,,,bob@acme.test\n"
    preview = org_chart_preview(org=org_a, file_bytes=text.encode())
    assert preview.messages == [
        "Row 2: "
        + people_rules.cycle_path_message(["alice@acme.test", "bob@acme.test", "alice@acme.test"])
    ]


# --- the department tree and reporting lines: one walk for every caller -----------------------


@pytest.mark.django_db
def test_the_policy_and_the_role_filters_use_the_one_department_subtree(org_a, alice, bob):
    sales = DepartmentFactory(org=org_a, name="Sales", head=bob)
    emea = DepartmentFactory(org=org_a, name="EMEA", parent=sales)
    uk = DepartmentFactory(org=org_a, name="UK", parent=emea)
    DepartmentFactory(org=org_a, name="Finance")
    assert policy.headed_department_ids is people_rules.headed_department_ids
    assert policy.headed_department_ids(bob) == {sales.pk, emea.pk, uk.pk}
    assert department_with_descendants(org=org_a, department=emea) == {emea.pk, uk.pk}
    assert people_rules.department_subtree(org_id=org_a.pk, roots=[emea.pk]) == {emea.pk, uk.pk}
    # A department cannot move under one of its own sub-departments.
    assert people_rules.department_would_cycle(sales, uk.pk)
    assert not people_rules.department_would_cycle(uk, sales.pk)
    assert not people_rules.department_would_cycle(Department(org=org_a, name="New"), uk.pk)


@pytest.mark.django_db
def test_the_reporting_line_reaches_indirect_reports_only(org_a, alice, bob):
    dora = MembershipFactory(org=org_a, manager=bob)
    assert policy.in_reporting_line is people_rules.in_reporting_line
    assert people_rules.in_reporting_line(alice, dora)
    assert people_rules.in_reporting_line(bob, dora)
    assert not people_rules.in_reporting_line(dora, bob)
    assert not people_rules.in_reporting_line(bob, alice)


# --- concurrent changes take turns -----------------------------------------------------------


def test_two_concurrent_manager_changes_cannot_close_a_cycle(transactional_db, monkeypatch):
    # Given two members with no manager, changed at the same moment: A under B, B under A.
    org = OrganizationFactory(name="Race Inc", slug="race")
    a = MembershipFactory(org=org, user=UserFactory(full_name="Ann Able"))
    b = MembershipFactory(org=org, user=UserFactory(full_name="Ben Baker"))
    # Each change waits, after its checks and before saving, for the other to get as far:
    # without a lock both pass their checks on the line as it was; with one, the second
    # waits for the first to commit (the wait then gives up) and sees its change.
    both_checked = threading.Barrier(2)
    save = member_services.save_or_refuse_duplicate

    def save_once_both_checked(*args, **kwargs):
        try:
            both_checked.wait(timeout=3)
        except threading.BrokenBarrierError:
            pass
        return save(*args, **kwargs)

    monkeypatch.setattr(member_services, "save_or_refuse_duplicate", save_once_both_checked)
    start = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def change(member, manager):
        try:
            start.wait(timeout=10)
            with rls.tenant_context(org_id=org.pk):
                membership_update(membership=member, actor=None, manager=manager)
            outcomes[member.pk] = "changed"
        except ValidationError as exc:
            outcomes[member.pk] = exc.message_dict["manager"][0]
        finally:
            connection.close()

    # When both run at once
    threads = [
        threading.Thread(target=change, args=(a, b)),
        threading.Thread(target=change, args=(b, a)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then exactly one succeeds, the other is refused as a cycle, and no cycle exists
    assert sorted(outcomes.values(), key=len)[0] == "changed", outcomes
    assert list(outcomes.values()).count("changed") == 1, outcomes
    refusal = next(text for text in outcomes.values() if text != "changed")
    assert "reporting cycle" in refusal
    assert people_rules.find_cycles(managers(org)) == {}
