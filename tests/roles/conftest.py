"""Fixtures of the roles tests: departments, a department head who is not an org admin
(dave, head of Sales), and roles in acme and in globex."""

from __future__ import annotations

import datetime

import factory
import pytest

from orgs.models import AuditEvent, OrgRole
from roles.models import AreaOfFocus, JustificationKind, Responsibility, Role, RoleAssignment
from tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    org = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Role {n}")
    purpose = "Win and keep customers."
    justification_kind = JustificationKind.REVENUE


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AreaOfFocus

    role = factory.SubFactory(RoleFactory)
    org = factory.SelfAttribute("role.org")
    title = factory.Sequence(lambda n: f"Area {n}")
    position = factory.Sequence(lambda n: n + 1)


class ResponsibilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Responsibility

    area = factory.SubFactory(AreaFactory)
    org = factory.SelfAttribute("area.org")
    description = factory.Sequence(lambda n: f"Task {n}")
    position = factory.Sequence(lambda n: n + 1)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    role = factory.SubFactory(RoleFactory)
    org = factory.SelfAttribute("role.org")
    member = factory.SubFactory(MembershipFactory, org=factory.SelfAttribute("..org"))
    start_date = datetime.date(2025, 1, 1)


def audit_rows(org) -> int:
    # Creating an API client writes an api_token row; only domain changes count here.
    return AuditEvent.objects.filter(org=org).exclude(action__startswith="api_token.").count()


@pytest.fixture
def sales(org_a):
    return DepartmentFactory(org=org_a, name="Sales")


@pytest.fixture
def emea(org_a, sales):
    return DepartmentFactory(org=org_a, name="EMEA", parent=sales)


@pytest.fixture
def engineering(org_a):
    return DepartmentFactory(org=org_a, name="Engineering")


@pytest.fixture
def dave(org_a, alice, sales):
    """Head of Sales, not an org admin."""
    head = MembershipFactory(
        org=org_a,
        role=OrgRole.MEMBER,
        manager=alice,
        department=sales,
        job_title="Head of Sales",
        user=UserFactory(email="dave@acme.test", full_name="Dave Head"),
    )
    sales.head = head
    sales.save()
    return head


@pytest.fixture
def role(org_a, sales):
    return RoleFactory(org=org_a, department=sales, title="Account Executive")


@pytest.fixture
def eng_role(org_a, engineering):
    return RoleFactory(org=org_a, department=engineering, title="Software Engineer")


@pytest.fixture
def globex_ops(org_b):
    return DepartmentFactory(org=org_b, name="Operations")


@pytest.fixture
def globex_role(org_b, globex_ops):
    return RoleFactory(org=org_b, department=globex_ops, title="Globex Planner")
