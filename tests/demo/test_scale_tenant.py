"""The scale tenant (``seed_demo --scale``, the default from 1,000 employees): everyone holds
a role of their own, a variation of their title's template, so that the shape of DESIGN's
section 10 tenant (about 5 KRAs a person, 2.4 KPIs a KRA) holds at any size, and every role
passes the readiness rules."""

import datetime
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from demo.data.positions import KRAS_PER_ROLE
from demo.positions import position_content, spread
from kpis.measurements import fiscal_year, period_containing
from kpis.models import KPI, Measurement, Score, ScoreScope
from kpis.readiness import readiness_summary, role_readiness
from kras import library
from kras.models import KRA, KRALevel
from orgs.models import Membership, Organization
from roles.models import Role, RoleAssignment

PEOPLE = 300


def seed(*args):
    out = StringIO()
    call_command("seed_demo", "--agreements", "0", *args, stdout=out)
    return out.getvalue()


def periods_started(kpi, fy_start, today, fiscal_month):
    """How many of the KPI's periods have started this fiscal year, inside its dates."""
    count, day = 0, max(fy_start, kpi.start_date or fy_start)
    while day <= today and (kpi.due_date is None or day <= kpi.due_date):
        _start, end = period_containing(kpi.frequency, day, fiscal_month)
        count += 1
        day = end + datetime.timedelta(days=1)
    return count


@pytest.mark.django_db
def test_the_scale_tenant_has_the_shape_of_the_budget_tenant_and_is_ready():
    output = seed("--employees", str(PEOPLE), "--slug", "scale", "--scale")
    org = Organization.objects.get(slug="scale")
    people = Membership.objects.filter(org=org, is_active=True)
    assert people.count() == PEOPLE
    assert "roles: 300 of 300 people" in output  # progress, as it goes

    # Everyone holds a role of their own, named after the title and the employee id.
    roles = Role.objects.filter(org=org)
    assert roles.count() == PEOPLE
    assert RoleAssignment.objects.filter(org=org).count() == PEOPLE
    assert not roles.annotate(n=Count("assignments")).exclude(n=1).exists()
    employee = people.get(user__email="employee@scale.kra")
    own = RoleAssignment.objects.get(member=employee).role
    assert own.title == f"{employee.job_title} ({employee.employee_id})"

    # About 5 KRAs a person and 2.4 KPIs a KRA: 10,000 people hold 50,000 KRAs, 120,000 KPIs.
    role_kras = KRA.objects.filter(org=org, level=KRALevel.ROLE)
    role_kpis = KPI.objects.filter(org=org, kra__level=KRALevel.ROLE)
    assert 4.8 <= role_kras.count() / PEOPLE <= KRAS_PER_ROLE
    assert 2.2 <= role_kpis.count() / role_kras.count() <= 2.6
    per_role = Counter(role_kras.values_list("role", flat=True))
    assert set(per_role.values()) <= {3, 4, 5}

    # Roles differ: other KRAs, other targets, from the same template.
    sales = list(roles.filter(title__startswith="Sales Executive (")[:20])
    contents = {
        tuple(sorted(KRA.objects.filter(role=r).values_list("title", flat=True))) for r in sales
    }
    targets = {
        tuple(
            KPI.objects.filter(kra__role=r)
            .order_by("kra__position", "position")
            .values_list("target", flat=True)
        )
        for r in sales
    }
    assert len(contents) > 1 and len(targets) > 1

    # Every role passes the drafting rules (a sample; the rules read each role's KRAs).
    for role in roles.order_by("?")[:25]:
        summary = readiness_summary(role_readiness(role))
        assert summary["ready_to_propose"], (role, [c["message"] for c in summary["blocking"]])
        # Only warnings the library's own KPIs carry (a two-word KPI name is "vague").
        assert summary["failing_codes"] <= {"smart"}, [c["message"] for c in summary["failing"]]

    # A year of results so far: most periods that have started hold a value, and scores.
    today = timezone.localdate()
    fy_start, _fy_end = fiscal_year(org, today)
    expected = sum(
        periods_started(kpi, fy_start, today, org.fiscal_year_start_month) for kpi in role_kpis
    )
    values = Measurement.objects.filter(org=org).count()
    assert 0.75 * expected <= values <= 0.95 * expected
    assert Score.objects.filter(org=org, scope=ScoreScope.PERSON).exists()

    # Running it again changes nothing.
    before = (roles.count(), role_kras.count(), role_kpis.count(), values)
    again = seed("--employees", str(PEOPLE), "--slug", "scale", "--scale")
    assert "already exists" in again
    after = (roles.count(), role_kras.count(), role_kpis.count(), Measurement.objects.count())
    assert before == after


def test_a_position_is_a_valid_variation_of_its_template():
    template = library.get("sales.sales-executive")
    for seed_value in ("E00002", "E00003", "E01234"):
        areas, kras = position_content(template, seed_value)
        assert len(kras) == KRAS_PER_ROLE
        assert sum(k["weight"] for k in kras) == 100
        assert {k["area"] for k in kras} <= set(areas)
        for kra in kras:
            assert 1 <= len(kra["kpis"]) <= 3
            assert sum(k["weight"] for k in kra["kpis"]) == 100
            assert len({k["name"] for k in kra["kpis"]}) == len(kra["kpis"])
        assert library.validate_content({"kras": kras, "areas_of_focus": areas}) == []
    # The same employee id gives the same role.
    assert position_content(template, "E00002") == position_content(template, "E00002")


def test_spread_keeps_proportions_and_the_total():
    assert spread([Decimal(50), Decimal(30), Decimal(20)], 88) == [44, 26, 18]
    assert sum(spread([Decimal(w) for w in (35, 25, 25, 15)], 88)) == 88
