"""Fixtures of the agreement tests: a Sales department headed by alice (org admin), a role
ready to propose (three laddered KRAs, SMART KPIs, weights totalling 100) held by bob, who
reports to alice; hannah is HR; dave is another of alice's reports."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import RequestFactory

from kpis.models import KPI, Direction, Frequency, MeasureType
from kras.models import KRA, KRALevel
from orgs.models import Department, OrgRole
from orgs.selectors import fiscal_year_bounds
from reviews.services import (
    agreement_create,
    agreement_propose,
    agreement_sign,
    growth_goal_add,
)
from roles.models import Role, RoleAssignment
from tests.factories import PASSWORD, MembershipFactory, ObjectiveFactory, UserFactory

KRA_TITLES = ("Revenue from new customers", "Customer retention", "Pipeline health")


@pytest.fixture
def sales(org_a, alice, bob):
    department = Department.objects.create(org=org_a, name="Sales", head=alice)
    bob.department = department
    bob.save(update_fields=["department"])
    return department


@pytest.fixture
def objective(org_a):
    return ObjectiveFactory(org=org_a, title="Grow recurring revenue")


@pytest.fixture
def hannah(org_a):
    return MembershipFactory(
        org=org_a,
        role=OrgRole.HR,
        job_title="HR Partner",
        user=UserFactory(email="hannah@acme.test", full_name="Hannah Human"),
    )


@pytest.fixture
def dave(org_a, alice):
    return MembershipFactory(
        org=org_a,
        manager=alice,
        job_title="Account Executive",
        user=UserFactory(email="dave@acme.test", full_name="Dave Dealer"),
    )


def build_role(org, department, objective, *, title="Sales Executive", weights=(40, 30, 30)):
    """A role every readiness check passes: each KRA on the ladder, one SMART KPI each."""
    _start, end = fiscal_year_bounds(org=org)
    role = Role.objects.create(
        org=org,
        department=department,
        title=title,
        purpose="Win new customers and keep them.",
        mission_alignment="Revenue funds the mission.",
    )
    org_kra = KRA.objects.create(
        org=org,
        level=KRALevel.ORGANIZATION,
        title="Recurring revenue growth",
        objective=objective,
        weight=100,
    )
    for position, (kra_title, weight) in enumerate(zip(KRA_TITLES, weights, strict=False), 1):
        kra = KRA.objects.create(
            org=org,
            level=KRALevel.ROLE,
            role=role,
            department=department,
            title=kra_title,
            definition=f"What {kra_title.lower()} means for the team.",
            parent=org_kra,
            weight=weight,
            position=position,
        )
        KPI.objects.create(
            org=org,
            kra=kra,
            name=f"{kra_title} per quarter",
            measure_type=MeasureType.NUMBER,
            unit="deals",
            direction=Direction.INCREASE,
            baseline=Decimal("10"),
            target=Decimal("15"),
            frequency=Frequency.QUARTERLY,
            weight=100,
            due_date=end,
        )
    return role


def assign(role, member):
    start, _end = fiscal_year_bounds(org=role.org)
    return RoleAssignment.objects.create(
        org=role.org, role=role, member=member, start_date=start - datetime.timedelta(days=30)
    )


@pytest.fixture
def role(org_a, sales, objective, bob):
    role = build_role(org_a, sales, objective)
    assign(role, bob)
    return role


@pytest.fixture
def draft(org_a, alice, bob, role):
    agreement = agreement_create(org=org_a, actor=alice, employee=bob, role=role)
    growth_goal_add(
        agreement=agreement,
        actor=alice,
        goal="Negotiation skills",
        measurable_target="Win three deals above list price",
        due_date=agreement.period_end - datetime.timedelta(days=60),
        measured_by="Deal reviews with the manager",
    )
    return agreement


@pytest.fixture
def proposed(draft, alice):
    agreement_propose(agreement=draft, actor=alice)
    draft.refresh_from_db()
    return draft


def make_request(ip="203.0.113.7", agent="Mozilla/5.0 (test browser)"):
    return RequestFactory().post("/sign/", REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)


@pytest.fixture
def sign():
    """``sign(agreement, member)`` with the right password and the ticked statement."""

    def _sign(agreement, member, *, password=PASSWORD, meaning=True, version=None, **request):
        agreement.refresh_from_db()
        return agreement_sign(
            agreement=agreement,
            signer=member,
            password=password,
            meaning=meaning,
            request=make_request(**request),
            version=version,
        )

    return _sign


@pytest.fixture
def active(proposed, bob, alice, sign):
    sign(proposed, bob)
    sign(proposed, alice)
    proposed.refresh_from_db()
    return proposed
