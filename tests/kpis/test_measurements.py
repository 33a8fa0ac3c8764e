"""Recording results: who may, what is refused (with nothing written), upserts by source
reference, confirmation of a person's own values, and bulk calls all or nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kpis.measurements import (
    BULK_LIMIT,
    MeasurementRowsInvalid,
    measurement_bulk_upsert,
    measurement_confirm,
    measurement_delete,
    measurement_record,
    period_containing,
)
from kpis.models import Measurement, MeasurementStatus
from orgs.models import AuditEvent
from tests.factories import MembershipFactory

from .test_measure_support import holder_of

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)


@pytest.fixture
def kpi(bob):
    return holder_of(bob)


def _record(kpi, person, actor, **fields):
    values = {"period_start": MARCH, "value": "80", **fields}
    return measurement_record(kpi=kpi, person=person, actor=actor, **values)


def test_a_person_records_their_own_value_and_it_counts_and_is_audited(
    kpi, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as scheduled:
        m = _record(kpi, bob, bob, note="Good month", evidence_url="https://crm.test/r/1")
    assert (m.value, m.period_end, m.status) == (
        Decimal(80),
        datetime.date(2026, 3, 31),
        MeasurementStatus.COUNTED,
    )
    assert m.entered_by == bob
    assert AuditEvent.objects.filter(action="measurement.record", object_id=str(m.pk)).exists()
    assert len(scheduled) == 1, "a change schedules the rollup once it commits"


@pytest.mark.parametrize(
    ("fields", "kpi_fields", "field", "words"),
    [
        ({"value": "eighty"}, {}, "value", "not a number"),
        ({"value": "7"}, {"measure_type": "boolean", "direction": "boolean"}, "value", "1 (done)"),
        ({"period_start": datetime.date(2026, 3, 5)}, {}, "period_start", "first of a month"),
        (
            {"period_start": datetime.date(2026, 2, 1)},
            {"frequency": "quarterly"},
            "period_start",
            "quarter",
        ),
        ({"period_start": "2026-13-01"}, {}, "period_start", "not a date"),
        ({}, {"due_date": datetime.date(2026, 2, 15)}, "period_start", "outside the KPI's dates"),
        ({"evidence_url": "not a link"}, {}, "evidence_url", "web address"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(
    bob, fields, kpi_fields, field, words
):
    kpi = holder_of(bob, **kpi_fields)
    with pytest.raises(ValidationError) as excinfo:
        _record(kpi, bob, bob, **fields)
    assert words in excinfo.value.message_dict[field][0]
    assert not Measurement.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="measurement.").exists()


def test_a_person_who_does_not_hold_the_kpis_role_is_refused(kpi, alice, bob):
    outsider = MembershipFactory(org=bob.org, manager=alice)
    with pytest.raises(ValidationError) as excinfo:
        _record(kpi, outsider, alice)
    assert "does not hold the role" in excinfo.value.message_dict["person"][0]
    # Nor before the role was held.
    late = holder_of(outsider, start=datetime.date(2026, 6, 1))
    with pytest.raises(ValidationError):
        _record(late, outsider, alice)
    assert not Measurement.objects.exists()


def test_who_may_record_the_person_their_manager_hr_not_a_colleague(kpi, alice, bob):
    colleague = MembershipFactory(org=bob.org)
    with pytest.raises(PermissionDenied):
        _record(kpi, bob, colleague)
    hr = MembershipFactory(org=bob.org, role="hr")
    _record(kpi, bob, hr, source_ref="hr")
    _record(kpi, bob, alice, source_ref="manager")  # bob's manager (and an org admin)
    assert Measurement.objects.count() == 2


def test_the_same_source_reference_twice_is_stored_once(kpi, bob):
    first = _record(kpi, bob, bob, source_ref="crm-17", value="10")
    again = _record(kpi, bob, bob, source_ref="crm-17", value="12")
    assert first.pk == again.pk
    assert Measurement.objects.get().value == Decimal(12)
    # Without a reference, two values of one period are two measurements (combined by the
    # KPI's aggregation).
    _record(kpi, bob, bob, value="3")
    _record(kpi, bob, bob, value="3")
    assert Measurement.objects.count() == 3


def test_own_values_wait_for_the_managers_confirmation_when_the_org_says_so(kpi, alice, bob):
    org = bob.org
    org.settings = {**(org.settings or {}), "own_values_need_confirmation": True}
    org.save(update_fields=["settings"])
    own = _record(kpi, bob, bob)
    assert own.status == MeasurementStatus.AWAITING_CONFIRMATION
    by_manager = _record(kpi, bob, alice, source_ref="m")
    assert by_manager.status == MeasurementStatus.COUNTED

    with pytest.raises(PermissionDenied):
        measurement_confirm(measurement=own, actor=bob)
    assert Measurement.objects.get(pk=own.pk).status == MeasurementStatus.AWAITING_CONFIRMATION
    confirmed = measurement_confirm(measurement=own, actor=alice)
    assert (confirmed.status, confirmed.confirmed_by) == (MeasurementStatus.COUNTED, alice)
    assert AuditEvent.objects.filter(action="measurement.confirm").count() == 1


def test_delete_is_for_whoever_may_record(kpi, bob):
    m = _record(kpi, bob, bob)
    with pytest.raises(PermissionDenied):
        measurement_delete(measurement=m, actor=MembershipFactory(org=bob.org))
    measurement_delete(measurement=m, actor=bob)
    assert not Measurement.objects.exists()
    assert AuditEvent.objects.filter(action="measurement.delete").exists()


def _row(kpi, person, start=MARCH, **fields):
    return {"kpi": kpi.pk, "person": person.pk, "period_start": start.isoformat(), **fields}


def test_a_bulk_call_is_all_or_nothing_with_every_rows_errors(kpi, alice, bob):
    rows = [
        _row(kpi, bob, value="5", source_ref="a"),
        _row(kpi, bob, value="five"),
        _row(kpi, bob, datetime.date(2026, 3, 2), value="5"),
        _row(kpi, bob, value="6", source_ref="a"),
        {"kpi": 999999, "person": bob.pk, "period_start": "2026-03-01", "value": "1"},
    ]
    with pytest.raises(MeasurementRowsInvalid) as excinfo:
        measurement_bulk_upsert(org=bob.org, actor=alice, rows=rows)
    by_row = {e.row: e.errors for e in excinfo.value.row_errors}
    assert set(by_row) == {2, 3, 4, 5}
    assert "value" in by_row[2] and "period_start" in by_row[3]
    assert "source_ref" in by_row[4] and "kpi" in by_row[5]
    assert not Measurement.objects.exists()


def test_a_bulk_call_upserts_by_source_reference(kpi, alice, bob):
    rows = [_row(kpi, bob, value=str(n), source_ref=f"r{n}") for n in range(3)]
    first = measurement_bulk_upsert(org=bob.org, actor=alice, rows=rows)
    rows[0]["value"] = "40"
    second = measurement_bulk_upsert(org=bob.org, actor=alice, rows=rows)
    assert (first.created, first.updated, second.created, second.updated) == (3, 0, 0, 3)
    assert Measurement.objects.get(source_ref="r0").value == Decimal(40)


def test_more_than_the_limit_is_refused(kpi, alice, bob):
    rows = [_row(kpi, bob, value="1")] * (BULK_LIMIT + 1)
    with pytest.raises(ValidationError):
        measurement_bulk_upsert(org=bob.org, actor=alice, rows=rows)
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("size", [10, 2000])
def test_a_bulk_call_costs_the_same_queries_whatever_its_size(
    kpi, alice, bob, size, django_assert_max_num_queries
):
    weeks = holder_of(bob, frequency="weekly", name="Weekly calls")
    rows = [
        _row(weeks, bob, datetime.date(2026, 1, 5), value=str(n), source_ref=f"s{n}")
        for n in range(size)
    ]
    with django_assert_max_num_queries(14):
        result = measurement_bulk_upsert(org=bob.org, actor=alice, rows=rows)
    assert result.created == size


def test_ten_thousand_rows_are_one_call(kpi, alice, bob):
    rows = [_row(kpi, bob, value="1", source_ref=f"x{n}") for n in range(BULK_LIMIT)]
    assert measurement_bulk_upsert(org=bob.org, actor=alice, rows=rows).created == BULK_LIMIT
    assert Measurement.objects.count() == BULK_LIMIT


def test_periods_follow_the_frequency_and_the_fiscal_year():
    day = datetime.date(2026, 5, 20)  # a Wednesday
    assert period_containing("weekly", day) == (
        datetime.date(2026, 5, 18),
        datetime.date(2026, 5, 24),
    )
    assert period_containing("monthly", day) == (
        datetime.date(2026, 5, 1),
        datetime.date(2026, 5, 31),
    )
    # A fiscal year starting in April: Q1 is April to June.
    assert period_containing("quarterly", day, 4) == (
        datetime.date(2026, 4, 1),
        datetime.date(2026, 6, 30),
    )
    assert period_containing("annual", datetime.date(2026, 2, 1), 4) == (
        datetime.date(2025, 4, 1),
        datetime.date(2026, 3, 31),
    )
