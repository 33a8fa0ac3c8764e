"""Builders shared by the KRA and KPI tests (no tests here). Rows are made directly, so that
a test of one service does not depend on the others."""

from __future__ import annotations

from decimal import Decimal

from kpis.models import KPI
from kras.models import KRA, KRALevel
from orgs.models import OrgRole
from roles.models import AreaOfFocus, Role
from tests.factories import DepartmentFactory, MembershipFactory, ObjectiveFactory, UserFactory


def make_head(org, department_name="Sales", email="dave@acme.test"):
    """A plain member who heads a department (a manager by the org chart), and that
    department."""
    dave = MembershipFactory(
        org=org,
        role=OrgRole.MEMBER,
        job_title="Head of Sales",
        user=UserFactory(email=email, full_name="Dave Head"),
    )
    department = DepartmentFactory(org=org, name=department_name, head=dave)
    return dave, department


def make_role(org, department=None, title="Account Executive") -> Role:
    return Role.objects.create(org=org, department=department, title=title)


def make_area(role, title="Lead conversion") -> AreaOfFocus:
    return AreaOfFocus.objects.create(org=role.org, role=role, title=title)


def make_kra(org, *, level=KRALevel.ROLE, title="Revenue generation", position=None, **fields):
    if position is None:
        position = KRA.objects.filter(org=org).count() + 1
    return KRA.objects.create(org=org, level=level, title=title, position=position, **fields)


def make_kpi(kra, *, name="Close fifteen new accounts per quarter", **fields) -> KPI:
    values = {
        "unit": "accounts",
        "direction": "increase",
        "baseline": Decimal(10),
        "target": Decimal(15),
        "frequency": "quarterly",
        "weight": Decimal(100),
        "position": KPI.objects.filter(kra=kra).count() + 1,
    }
    values.update(fields)
    return KPI.objects.create(org=kra.org, kra=kra, name=name, **values)


def make_objective(org, **fields):
    return ObjectiveFactory(org=org, **fields)
