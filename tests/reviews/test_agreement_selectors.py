"""Reads of agreements: a manager's team with each person's status and wait, what awaits a
member's signature, and how many people have an agreement in force; each at a constant
number of queries."""

from __future__ import annotations

import datetime

from django.utils import timezone
from guardian.shortcuts import assign_perm

from kpis.models import KPI
from orgs.models import Department
from reviews.models import AgreementStatus
from reviews.selectors import (
    TeamStatus,
    agreements_for_person,
    pending_signatures,
    signed_share,
    team_agreements,
)
from reviews.services import (
    agreement_amend,
    agreement_create,
    agreement_propose,
    agreement_request_changes,
)
from tests.factories import MembershipFactory

from .conftest import assign, build_role


def add_reports(org, manager, role, count):
    people = [MembershipFactory(org=org, manager=manager) for _ in range(count)]
    for person in people:
        assign(role, person)
    return people


def test_the_team_shows_each_persons_status_and_wait(org_a, alice, bob, dave, role, sign):
    # Given bob proposed, dave signed, erin drafted, frank active, gina with none
    erin, frank, gina = add_reports(org_a, alice, role, 3)
    assign(role, dave)
    for person in (bob, dave, erin, frank):
        agreement_create(org=org_a, actor=alice, employee=person, role=role)
    for person in (bob, dave, frank):
        agreement = agreements_for_person(org=org_a, member=person).get()
        agreement_propose(agreement=agreement, actor=alice)
    sign(agreements_for_person(org=org_a, member=dave).get(), dave)
    franks = agreements_for_person(org=org_a, member=frank).get()
    sign(franks, frank)
    sign(franks, alice)
    later = timezone.now() + datetime.timedelta(days=3)

    rows = {row.member.pk: row for row in team_agreements(org=org_a, manager=alice, now=later)}

    assert rows[bob.pk].status == TeamStatus.AWAITING_EMPLOYEE
    assert rows[dave.pk].status == TeamStatus.AWAITING_MANAGER
    assert rows[erin.pk].status == TeamStatus.DRAFT
    assert rows[frank.pk].status == TeamStatus.ACTIVE
    assert rows[gina.pk].status == TeamStatus.NONE
    assert rows[gina.pk].agreement is None and rows[gina.pk].waited is None
    assert rows[bob.pk].waited >= datetime.timedelta(days=3) - datetime.timedelta(minutes=5)
    assert rows[dave.pk].status_label == "Awaiting the manager"


def test_an_agreement_whose_role_changed_since_needs_an_amendment(org_a, alice, bob, active):
    row = team_agreements(org=org_a, manager=alice)[0]
    assert row.status == TeamStatus.ACTIVE
    kpi = KPI.objects.filter(org=org_a, kra__role=active.role).first()
    kpi.target = 17
    kpi.updated_at = timezone.now()
    kpi.save()
    row = team_agreements(org=org_a, manager=alice)[0]
    assert (row.member, row.status) == (bob, TeamStatus.NEEDS_AMENDMENT)
    # The amendment under way is what the team page shows.
    agreement_amend(agreement=active, actor=alice)
    assert team_agreements(org=org_a, manager=alice)[0].status == TeamStatus.DRAFT


def test_the_team_costs_the_same_queries_for_any_size(
    org_a, alice, role, django_assert_max_num_queries
):
    for person in add_reports(org_a, alice, role, 12):
        agreement_create(org=org_a, actor=alice, employee=person, role=role)
    with django_assert_max_num_queries(3):
        rows = team_agreements(org=org_a, manager=alice)
    assert len(rows) == 13  # bob (without an agreement) and the twelve
    assert sum(row.status == TeamStatus.DRAFT for row in rows) == 12


def test_what_awaits_a_members_signature(org_a, alice, bob, dave, hannah, charlie, role, sign):
    assign(role, dave)
    bobs = agreement_create(org=org_a, actor=alice, employee=bob, role=role)
    daves = agreement_create(org=org_a, actor=alice, employee=dave, role=role)
    agreement_propose(agreement=bobs, actor=alice)
    agreement_propose(agreement=daves, actor=alice)
    assert pending_signatures(org=org_a, member=bob) == [bobs]
    assert pending_signatures(org=org_a, member=alice) == []
    sign(bobs, bob)
    assert pending_signatures(org=org_a, member=bob) == []
    assert pending_signatures(org=org_a, member=alice) == [bobs]
    # A delegate sees what they may countersign; HR nothing until HR's turn.
    assign_perm("reviews.sign_agreement", hannah.user, bobs)
    assert pending_signatures(org=org_a, member=hannah) == [bobs]
    assert pending_signatures(org=org_a, member=charlie) == []
    agreement_request_changes(agreement=daves, actor=dave, comment="Not yet.")
    assert pending_signatures(org=org_a, member=dave) == []


def test_pending_signatures_cost_the_same_queries_for_any_number(
    org_a, alice, role, django_assert_max_num_queries
):
    people = add_reports(org_a, alice, role, 10)
    for person in people:
        agreement = agreement_create(org=org_a, actor=alice, employee=person, role=role)
        agreement_propose(agreement=agreement, actor=alice)
    with django_assert_max_num_queries(3):
        waiting = pending_signatures(org=org_a, member=people[0])
        [a.role.title for a in waiting]
    assert len(waiting) == 1


def test_the_share_signed_per_department_and_for_the_organisation(
    org_a, alice, bob, sales, role, active, django_assert_max_num_queries
):
    support = Department.objects.create(org=org_a, name="Support")
    for _ in range(3):
        MembershipFactory(org=org_a, department=support)
    MembershipFactory(org=org_a, department=sales)
    with django_assert_max_num_queries(2):
        shares = signed_share(org=org_a)
    by_name = {share.name: share for share in shares["departments"]}
    assert (by_name["Sales"].people, by_name["Sales"].signed) == (2, 1)
    assert str(by_name["Sales"].percent) == "50.0"
    assert (by_name["Support"].people, by_name["Support"].signed) == (3, 0)
    assert (by_name["No department"].people, by_name["No department"].signed) == (1, 0)  # alice
    total = shares["organisation"]
    assert (total.people, total.signed) == (6, 1)
    # Outside the period nobody has one in force.
    assert (
        signed_share(org=org_a, on=active.period_end + datetime.timedelta(1))["organisation"].signed
        == 0
    )


def test_a_persons_own_agreements(org_a, alice, bob, active, dave):
    assert list(agreements_for_person(org=org_a, member=bob)) == [active]
    assert not agreements_for_person(org=org_a, member=dave).exists()
    assert active.status == AgreementStatus.ACTIVE


def test_a_persons_agreements_are_one_query(
    org_a, alice, bob, sales, objective, role, django_assert_num_queries
):
    for title in ("Key Account Lead", "Channel Lead", "Team Lead"):
        other = build_role(org_a, sales, objective, title=title)
        assign(other, bob)
        agreement_create(org=org_a, actor=alice, employee=bob, role=other)
    with django_assert_num_queries(1):
        [
            (a.role.title, a.employee.user.email)
            for a in agreements_for_person(org=org_a, member=bob)
        ]
