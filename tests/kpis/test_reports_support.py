"""The organisation the report and export tests share (no tests here), with its numbers worked
out by hand.

Fiscal year from January; scores rolled up as of 15 April 2026, so January to April each
have a month of scores. Every KPI is monthly, target 100, no baseline (achievement = value
/ 100).

- Executive (no head) above Sales (headed by dana) above Inside Sales; Engineering apart.
- bob (Sales): one KRA ("Revenue", weight 100) under Sales' department KRA, itself under
  the organisation KRA serving "Grow revenue" (O1). 95, 100, 92, 99 → 0.95, 1, 0.92,
  0.99; year to date 0.965 (96.5 %), on track every month.
- erin (Inside Sales): "Retention" (weight 50) serving "Delight customers" (O2) directly:
  50, 60, 65, 60 → year to date 0.5875; and "Upsell" (weight 50) under a department KRA
  whose own objective is retired and whose parent serves O1, so it ladders to O1: 40, 40
  (January, February) → 0.4. Her months: 0.45, 0.5, 0.65, 0.6, all off track; year to date
  (0.5875 × 50 + 0.4 × 50) / 100 = 0.49375 (49.4 %).
- gina (Engineering): "Platform" (weight 100) reaching no objective: 80 in February only →
  0.8 (80 %), at risk; January, March and April have no data.
- frank (Engineering) holds no KPI: no data. alice (org admin) and dana: no role, no data.

Departments (their own members): Sales 0.965, Inside Sales 0.49375, Engineering 0.8,
Executive no data. Organisation: (0.965 + 0.49375 + 0.8) / 3 = 0.752917 (75.3 %); dana's
departments: (0.965 + 0.49375) / 2 = 0.729375 (72.9 %).
Objectives: O1 (bob's 0.965 and erin's Upsell 0.4) → 0.6825 (68.3 %); O2 0.5875 (58.8 %);
"Expand abroad" (O4) nothing; unaligned: gina's 0.8.
Distribution (everyone, 6 active): on track 1 (bob), at risk 1 (gina), off track 1 (erin),
no data 3 (alice, dana, frank).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from kpis import rollups
from kpis.measurements import measurement_bulk_upsert
from kras.models import KRALevel, ObjectiveStatus
from orgs.models import Department, Membership, OrgRole
from roles.models import RoleAssignment
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory
from tests.kras.test_kras_support import make_kpi, make_kra, make_objective, make_role

AS_OF = datetime.date(2026, 4, 15)
YEAR_START = datetime.date(2026, 1, 1)
MONTHS = ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]


def person(org, name, email, department=None, manager=None, role=OrgRole.MEMBER):
    return MembershipFactory(
        org=org,
        role=role,
        department=department,
        manager=manager,
        user=UserFactory(email=email, full_name=name),
    )


def role_kra(member, role, title, *, weight=Decimal(100), **fields):
    """A role KRA with one monthly KPI (target 100, no baseline), the role held by
    ``member`` all year: the KPI."""
    kra = make_kra(member.org, level=KRALevel.ROLE, role=role, title=title, weight=weight, **fields)
    kpi = make_kpi(kra, name=f"{title} figure", frequency="monthly", baseline=None,
                   target=Decimal(100))  # fmt: skip
    RoleAssignment.objects.get_or_create(
        org=member.org, role=role, member=member, start_date=YEAR_START
    )
    return kpi


def values(kpi, member, figures):
    return [
        {"kpi": kpi.pk, "person": member.pk, "period_start": month, "value": str(v)}
        for month, v in zip(MONTHS, figures, strict=False)
        if v is not None
    ]


@dataclass
class Reports:
    alice: Membership
    bob: Membership
    dana: Membership
    erin: Membership
    frank: Membership
    gina: Membership
    executive: Department
    sales: Department
    inside: Department
    engineering: Department
    grow: object
    delight: object
    abroad: object


def build_reports(alice, bob) -> Reports:
    org = alice.org
    executive = DepartmentFactory(org=org, name="Executive")
    dana = person(org, "Dana Head", "dana@acme.test", manager=alice)
    sales = DepartmentFactory(org=org, name="Sales", parent=executive, head=dana)
    inside = DepartmentFactory(org=org, name="Inside Sales", parent=sales)
    engineering = DepartmentFactory(org=org, name="Engineering", parent=executive)
    Membership.objects.filter(pk__in=[bob.pk, dana.pk]).update(department=sales)
    bob.refresh_from_db()
    dana.refresh_from_db()
    erin = person(org, "Erin Inside", "erin@acme.test", inside, manager=dana)
    frank = person(org, "Frank Engineer", "frank@acme.test", engineering, manager=alice)
    gina = person(org, "Gina Engineer", "gina@acme.test", engineering, manager=alice)

    grow = make_objective(org, title="Grow revenue", position=1)
    delight = make_objective(org, title="Delight customers", position=2)
    retired = make_objective(org, title="Old aim", position=3, status=ObjectiveStatus.RETIRED)
    abroad = make_objective(org, title="Expand abroad", position=4)

    top = make_kra(org, level=KRALevel.ORGANIZATION, title="Revenue", objective=grow)
    sales_kra = make_kra(
        org, level=KRALevel.DEPARTMENT, department=sales, title="Sales revenue", parent=top
    )
    upsell_parent = make_kra(
        org,
        level=KRALevel.DEPARTMENT,
        department=inside,
        title="Inside revenue",
        parent=top,
        objective=retired,
    )

    bobs = role_kra(bob, make_role(org, sales, "Account Executive"), "Revenue", parent=sales_kra)
    erins_role = make_role(org, inside, "Inside Seller")
    retention = role_kra(erin, erins_role, "Retention", weight=Decimal(50), objective=delight)
    upsell = role_kra(erin, erins_role, "Upsell", weight=Decimal(50), parent=upsell_parent)
    ginas = role_kra(gina, make_role(org, engineering, "Engineer"), "Platform")

    rows = [
        *values(bobs, bob, [95, 100, 92, 99]),
        *values(retention, erin, [50, 60, 65, 60]),
        *values(upsell, erin, [40, 40]),
        *values(ginas, gina, [None, 80]),
    ]
    measurement_bulk_upsert(org=org, actor=None, rows=rows)
    rollups.rollup_organization(org.pk, as_of=AS_OF)
    return Reports(
        alice=alice,
        bob=bob,
        dana=dana,
        erin=erin,
        frank=frank,
        gina=gina,
        executive=executive,
        sales=sales,
        inside=inside,
        engineering=engineering,
        grow=grow,
        delight=delight,
        abroad=abroad,
    )
