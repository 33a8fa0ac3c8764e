"""KPI services: consistency is enforced, incompleteness is allowed while drafting, and a
changed target reaches the KRAs below."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kpis.models import KPI
from kpis.services import kpi_create, kpi_delete, kpi_move, kpi_update
from kras.models import KRALevel, KRAStatus
from orgs.models import AuditEvent
from tests.factories import DepartmentFactory
from tests.kras.test_kras_support import make_kpi, make_kra, make_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def kra(org_a):
    return make_kra(org_a, role=make_role(org_a), title="Talent acquisition")


def refused(excinfo) -> set:
    return set(excinfo.value.message_dict)


def test_it_creates_a_kpi_at_the_end_of_its_kras_list_and_audits_it(kra, alice):
    first = kpi_create(
        kra=kra,
        actor=alice,
        name="Reduce time to hire to 20 days",
        unit="days",
        direction="decrease",
        baseline=Decimal(45),
        target=Decimal(20),
        weight=Decimal(60),
    )
    second = kpi_create(
        kra=kra,
        actor=alice,
        name="Offer acceptance rate above 85%",
        measure_type="percent",
        target=Decimal(85),
    )
    assert (first.position, second.position) == (1, 2)
    assert first.org_id == kra.org_id
    event = AuditEvent.objects.get(object_type="kpis.kpi", object_id=str(first.pk))
    assert event.action == "kpi.create"
    assert event.changes["target"]["new"] == "20"


def test_a_draft_without_target_unit_or_due_date_is_allowed(kra, alice):
    kpi = kpi_create(kra=kra, actor=alice, name="Hiring speed")
    assert kpi.pk and kpi.target is None


def test_a_name_is_required(kra, alice):
    with pytest.raises(ValidationError) as excinfo:
        kpi_create(kra=kra, actor=alice, name="  ")
    assert refused(excinfo) == {"name"}


def test_a_range_kpi_has_a_range_and_no_single_target(kra, alice):
    with pytest.raises(ValidationError) as excinfo:
        kpi_create(
            kra=kra,
            actor=alice,
            name="Stock",
            direction="range",
            target=Decimal(5),
            target_low=Decimal(1),
            target_high=Decimal(9),
        )
    assert refused(excinfo) == {"target"}
    kpi = kpi_create(
        kra=kra,
        actor=alice,
        name="Stock",
        direction="range",
        target_low=Decimal(1),
        target_high=Decimal(9),
    )
    assert (kpi.target_low, kpi.target_high) == (1, 9)


def test_a_range_needs_both_ends_with_low_below_high(kra, alice):
    with pytest.raises(ValidationError) as excinfo:
        kpi_create(kra=kra, actor=alice, name="Stock", direction="range", target_low=Decimal(1))
    assert refused(excinfo) == {"target_high"}
    with pytest.raises(ValidationError) as excinfo:
        kpi_create(
            kra=kra,
            actor=alice,
            name="Stock",
            direction="range",
            target_low=Decimal(9),
            target_high=Decimal(9),
        )
    assert refused(excinfo) == {"target_high"}
    with pytest.raises(ValidationError):
        kpi_create(
            kra=kra,
            actor=alice,
            name="Stock",
            direction="range",
            target_low=Decimal(10),
            target_high=Decimal(2),
        )
    assert not KPI.objects.exists()


def test_a_higher_or_lower_is_better_kpi_takes_no_range(kra, alice):
    with pytest.raises(ValidationError) as excinfo:
        kpi_create(
            kra=kra,
            actor=alice,
            name="Deals",
            direction="increase",
            target_low=Decimal(1),
            target_high=Decimal(2),
        )
    assert refused(excinfo) == {"target_low"}


def test_done_or_not_done_goes_with_a_boolean_measure_both_ways(kra, alice):
    with pytest.raises(ValidationError) as excinfo:
        kpi_create(
            kra=kra, actor=alice, name="Launch", measure_type="boolean", direction="increase"
        )
    assert refused(excinfo) == {"direction"}
    with pytest.raises(ValidationError):
        kpi_create(kra=kra, actor=alice, name="Launch", measure_type="number", direction="boolean")
    with pytest.raises(ValidationError) as excinfo:
        kpi_create(
            kra=kra,
            actor=alice,
            name="Launch",
            measure_type="boolean",
            direction="boolean",
            target=Decimal(7),
        )
    assert refused(excinfo) == {"target"}
    assert kpi_create(
        kra=kra,
        actor=alice,
        name="Launch the partner portal",
        measure_type="boolean",
        direction="boolean",
    )


def test_a_currency_measure_needs_a_three_letter_code(kra, alice):
    with pytest.raises(ValidationError) as excinfo:
        kpi_create(kra=kra, actor=alice, name="Revenue", measure_type="currency")
    assert refused(excinfo) == {"currency_code"}
    with pytest.raises(ValidationError):
        kpi_create(
            kra=kra, actor=alice, name="Revenue", measure_type="currency", currency_code="E1"
        )
    kpi = kpi_create(
        kra=kra, actor=alice, name="Revenue", measure_type="currency", currency_code=" inr "
    )
    assert kpi.currency_code == "INR"
    # A code means nothing for another measure: it is dropped, not kept by mistake.
    kpi = kpi_update(kpi=kpi, actor=alice, measure_type="number", unit="deals")
    kpi.refresh_from_db()
    assert kpi.currency_code == ""


def test_dates_must_be_in_order(kra, alice):
    with pytest.raises(ValidationError) as excinfo:
        kpi_create(
            kra=kra,
            actor=alice,
            name="Deals",
            start_date=datetime.date(2025, 6, 1),
            due_date=datetime.date(2025, 1, 1),
        )
    assert refused(excinfo) == {"due_date"}


def test_weight_outside_0_to_100_is_refused(kra, alice):
    with pytest.raises(ValidationError) as excinfo:
        kpi_create(kra=kra, actor=alice, name="Deals", weight=Decimal(101))
    assert refused(excinfo) == {"weight"}


def test_a_retired_kra_takes_no_new_kpis(org_a, alice):
    retired = make_kra(org_a, role=make_role(org_a, title="Old"), status=KRAStatus.RETIRED)
    with pytest.raises(ValidationError):
        kpi_create(kra=retired, actor=alice, name="Deals")


def test_a_changed_target_flags_the_kras_below_its_kra(org_a, alice):
    sales = DepartmentFactory(org=org_a, name="Sales")
    dept = make_kra(org_a, level=KRALevel.DEPARTMENT, department=sales, title="Pipeline")
    child = make_kra(org_a, role=make_role(org_a, sales), title="Revenue", parent=dept)
    kpi = make_kpi(dept, name="Qualified pipeline of 2M per quarter", target=Decimal(15))
    # A new name only: nothing to review below.
    kpi_update(kpi=kpi, actor=alice, name="Qualified pipeline worth 2M per quarter")
    child.refresh_from_db()
    assert child.status == KRAStatus.ACTIVE
    kpi_update(kpi=kpi, actor=alice, target=Decimal(20))
    child.refresh_from_db()
    assert child.status == KRAStatus.NEEDS_REVIEW
    assert "target: 15 → 20" in child.needs_review_reason
    assert child.needs_review_link == f"/o/acme/kpis/{kpi.pk}/"


def test_a_changed_baseline_flags_too(org_a, alice):
    top = make_kra(org_a, level=KRALevel.ORGANIZATION, title="Growth")
    child = make_kra(
        org_a,
        level=KRALevel.DEPARTMENT,
        department=DepartmentFactory(org=org_a),
        title="Pipeline",
        parent=top,
    )
    kpi = make_kpi(top, baseline=None)
    kpi_update(kpi=kpi, actor=alice, baseline=Decimal(3))
    child.refresh_from_db()
    assert "baseline: (none) → 3" in child.needs_review_reason


def test_an_invalid_update_changes_nothing(kra, alice):
    kpi = make_kpi(kra)
    with pytest.raises(ValidationError):
        kpi_update(kpi=kpi, actor=alice, direction="range")
    kpi.refresh_from_db()
    assert kpi.direction == "increase"


def test_delete_removes_it_and_keeps_a_record(kra, alice):
    kpi = make_kpi(kra)
    kpi_delete(kpi=kpi, actor=alice)
    assert not KPI.objects.filter(pk=kpi.pk).exists()
    event = AuditEvent.objects.get(action="kpi.delete")
    assert event.changes["name"]["old"] == kpi.name


def test_move_swaps_neighbours_under_the_same_kra(kra, alice):
    first = make_kpi(kra, name="First one here")
    second = make_kpi(kra, name="Second one here")
    kpi_move(kpi=second, actor=alice, direction="up")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.position, first.position) == (1, 2)
