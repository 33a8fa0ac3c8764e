"""Recorded results over the API: list (filtered, paginated, only what the caller may read),
record one, bulk upsert (all or nothing, every row's errors), confirm, delete. alice is an
org admin, bob a plain member reporting to her, charlie in another organisation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kpis.measurements import measurement_bulk_upsert
from kpis.models import Measurement, MeasurementStatus
from orgs.models import AuditEvent
from tests.factories import MembershipFactory

from .test_measure_support import holder_of

pytestmark = pytest.mark.django_db

MARCH = "2026-03-01"


@pytest.fixture
def kpi(bob):
    return holder_of(bob)


def _list(org):
    return reverse("api:measurement-list", args=[org.slug])


def _body(kpi, person, **fields):
    return {"kpi": kpi.pk, "person": person.pk, "period_start": MARCH, "value": "12", **fields}


def test_bob_records_his_own_value(api, bob, kpi):
    response = api(bob).post(_list(bob.org), _body(kpi, bob, source_ref="x1"), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["period_end"] == "2026-03-31"
    assert response.json()["status"] == MeasurementStatus.COUNTED
    again = api(bob).post(
        _list(bob.org), _body(kpi, bob, source_ref="x1", value="13"), format="json"
    )
    assert again.json()["id"] == response.json()["id"]
    assert Measurement.objects.get().value == 13


def test_alice_records_for_bob_and_bob_not_for_alice(api, alice, bob, kpi):
    holder_of(alice, role=kpi.kra.role)
    assert api(alice).post(_list(bob.org), _body(kpi, bob), format="json").status_code == 201
    refused = api(bob).post(_list(bob.org), _body(kpi, alice), format="json")
    assert refused.status_code == 403
    assert Measurement.objects.count() == 1


def test_bad_values_answer_400_with_the_services_message(api, bob, kpi):
    response = api(bob).post(
        _list(bob.org), _body(kpi, bob, period_start="2026-03-04"), format="json"
    )
    assert response.status_code == 400
    assert "first of a month" in response.json()["period_start"][0]
    assert not Measurement.objects.exists()


def test_charlie_gets_404_and_changes_nothing(api, charlie, bob, kpi):
    client = api(charlie)
    assert client.get(_list(bob.org)).status_code == 404
    assert client.post(_list(bob.org), _body(kpi, bob), format="json").status_code == 404
    bulk = reverse("api:measurement-bulk", args=[bob.org.slug])
    assert client.post(bulk, {"rows": [_body(kpi, bob)]}, format="json").status_code == 404
    assert not Measurement.objects.exists()


def test_the_list_shows_only_what_the_caller_may_read_and_filters(api, alice, bob, kpi):
    carol = MembershipFactory(org=bob.org)
    holder_of(carol, role=kpi.kra.role)
    rows = [
        _body(kpi, bob),
        _body(kpi, bob, period_start="2026-04-01"),
        _body(kpi, carol),
    ]
    measurement_bulk_upsert(org=bob.org, actor=None, rows=rows)
    assert len(api(alice).get(_list(bob.org)).json()["results"]) == 3
    mine = api(bob).get(_list(bob.org)).json()
    assert {r["person"] for r in mine["results"]} == {bob.pk}
    by_period = api(alice).get(_list(bob.org), {"period": "2026-04-15"}).json()
    assert len(by_period["results"]) == 1
    assert len(api(alice).get(_list(bob.org), {"person": carol.pk}).json()["results"]) == 1
    assert api(alice).get(_list(bob.org), {"kpi": "x"}).status_code == 400
    carols = Measurement.objects.get(person=carol)
    detail = reverse("api:measurement-detail", args=[bob.org.slug, carols.pk])
    assert api(bob).get(detail).status_code == 404


@pytest.mark.parametrize("size", [5, 60])
def test_the_list_costs_the_same_queries_at_two_sizes(
    api, alice, bob, kpi, size, django_assert_max_num_queries
):
    rows = [_body(kpi, bob, source_ref=f"r{n}") for n in range(size)]
    measurement_bulk_upsert(org=bob.org, actor=None, rows=rows)
    client = api(alice)
    with django_assert_max_num_queries(13):
        response = client.get(_list(bob.org), {"page_size": 50})
    assert len(response.json()["results"]) == min(size, 50)
    assert (response.json()["next"] is not None) == (size > 50)
    if size > 50:
        with django_assert_max_num_queries(13):
            following = client.get(response.json()["next"])
        assert len(following.json()["results"]) == size - 50


def _walk(client, url, **params):
    """Every page of the list from the first, following ``next``: the rows and the pages."""
    pages, rows = 0, []
    response = client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        pages += 1
        rows += response.json()["results"]
        if not response.json()["next"]:
            return rows, pages
        response = client.get(response.json()["next"])


def test_the_pages_hold_every_value_once_newest_first_through_ties(api, alice, bob, kpi):
    carol = MembershipFactory(org=bob.org)
    holder_of(carol, role=kpi.kra.role)
    months = [f"2026-0{m}-01" for m in (1, 2, 3)]
    rows = [
        _body(kpi, person, period_start=month, source_ref=f"{person.pk}-{month}-{n}")
        for person in (bob, carol)
        for month in months
        for n in range(4)
    ]
    measurement_bulk_upsert(org=bob.org, actor=None, rows=rows)
    # One bulk call enters every value at the same moment: only the id breaks the ties.
    assert Measurement.objects.values("entered_at").distinct().count() == 1

    seen, pages = _walk(api(alice), _list(bob.org), page_size=5)
    assert pages == 5
    ids = [row["id"] for row in seen]
    expected = list(
        Measurement.objects.order_by("-period_start", "-entered_at", "-id").values_list(
            "id", flat=True
        )
    )
    assert ids == expected and len(set(ids)) == 24
    # A filter holds across pages.
    carols, _pages = _walk(api(alice), _list(bob.org), page_size=5, person=carol.pk)
    assert {row["person"] for row in carols} == {carol.pk} and len(carols) == 12


def test_a_cursor_the_list_never_gave_is_refused_clearly(api, alice, bob, kpi):
    for cursor in ("not-base64!", "WzEsIDJd", "WyJ4IiwgIjIwMjYtMDEtMDEiLCAxXQ=="):
        response = api(alice).get(_list(bob.org), {"cursor": cursor})
        assert response.status_code == 400
        assert "start again without it" in response.json()["cursor"][0]


def test_a_bulk_call_is_all_or_nothing_with_every_rows_errors(api, alice, bob, kpi):
    bulk = reverse("api:measurement-bulk", args=[bob.org.slug])
    rows = [
        _body(kpi, bob, source_ref="a"),
        _body(kpi, bob, value="ten"),
        _body(kpi, bob, period_start="2026-03-02"),
    ]
    response = api(alice).post(bulk, {"rows": rows}, format="json")
    assert response.status_code == 400
    assert [r["row"] for r in response.json()["rows"]] == [2, 3]
    assert not Measurement.objects.exists()
    ok = api(alice).post(bulk, {"rows": rows[:1]}, format="json")
    assert ok.json() == {"created": 1, "updated": 0}
    assert api(alice).post(bulk, {"rows": rows[:1]}, format="json").json() == {
        "created": 0,
        "updated": 1,
    }
    assert Measurement.objects.count() == 1


def test_a_bulk_row_for_someone_the_caller_may_not_record_for_is_403(api, alice, bob, kpi):
    holder_of(alice, role=kpi.kra.role)
    bulk = reverse("api:measurement-bulk", args=[bob.org.slug])
    response = api(bob).post(bulk, {"rows": [_body(kpi, bob), _body(kpi, alice)]}, format="json")
    assert response.status_code == 403
    assert response.json()["rows"][0]["row"] == 2
    assert not Measurement.objects.exists()


def test_ten_thousand_rows_in_one_request(api, alice, bob, kpi):
    bulk = reverse("api:measurement-bulk", args=[bob.org.slug])
    rows = [_body(kpi, bob, source_ref=f"n{n}") for n in range(10_000)]
    response = api(alice).post(bulk, {"rows": rows}, format="json")
    assert response.json() == {"created": 10_000, "updated": 0}


def test_the_manager_confirms_an_own_value_and_the_person_cannot(api, alice, bob, kpi):
    org = bob.org
    org.settings = {"own_values_need_confirmation": True}
    org.save(update_fields=["settings"])
    created = api(bob).post(_list(org), _body(kpi, bob), format="json").json()
    assert created["status"] == MeasurementStatus.AWAITING_CONFIRMATION
    confirm = reverse("api:measurement-confirm", args=[org.slug, created["id"]])
    assert api(bob).post(confirm).status_code == 403
    answer = api(alice).post(confirm)
    assert answer.status_code == 200 and answer.json()["status"] == MeasurementStatus.COUNTED
    assert AuditEvent.objects.filter(action="measurement.confirm").count() == 1


def test_delete(api, alice, bob, kpi):
    created = api(bob).post(_list(bob.org), _body(kpi, bob), format="json").json()
    detail = reverse("api:measurement-detail", args=[bob.org.slug, created["id"]])
    colleague = MembershipFactory(org=bob.org)
    assert api(colleague).delete(detail).status_code == 404
    assert api(alice).delete(detail).status_code == 204
    assert not Measurement.objects.exists()


def test_charlie_cannot_read_confirm_or_delete_a_value_of_another_organisation(
    api, alice, bob, charlie, kpi
):
    created = api(bob).post(_list(bob.org), _body(kpi, bob), format="json").json()
    client = api(charlie)
    for slug in (bob.org.slug, charlie.org.slug):
        detail = reverse("api:measurement-detail", args=[slug, created["id"]])
        confirm = reverse("api:measurement-confirm", args=[slug, created["id"]])
        assert client.get(detail).status_code == 404
        assert client.post(confirm).status_code == 404
        assert client.delete(detail).status_code == 404
    assert Measurement.objects.filter(pk=created["id"]).exists()
    assert (
        api(alice)
        .get(reverse("api:measurement-detail", args=[bob.org.slug, created["id"]]))
        .json()["value"]
        == "12"
    )


def test_a_body_larger_than_the_server_reads_is_refused_in_json(api, alice, bob, kpi, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    bulk = reverse("api:measurement-bulk", args=[bob.org.slug])
    rows = [_body(kpi, bob, note="x" * 2000, source_ref=f"r{n}") for n in range(600)]
    response = api(alice).post(bulk, {"rows": rows}, format="json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "larger than the 1 MB" in response.json()["detail"]
    assert not Measurement.objects.exists()
