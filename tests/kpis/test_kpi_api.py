"""The KPI API: CRUD and move through the services, the SMART field, the formula on a
single KPI, scoping and permissions."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpis.models import KPI
from kras.models import KRALevel
from orgs.models import AuditEvent
from tests.factories import DepartmentFactory
from tests.kras.test_kras_support import make_head, make_kpi, make_kra, make_objective, make_role

pytestmark = pytest.mark.django_db

BODY = {
    "name": "Reduce time to hire to 20 days",
    "unit": "days",
    "direction": "decrease",
    "baseline": "45",
    "target": "20",
    "frequency": "monthly",
    "aggregation": "avg",
    "weight": "100",
    "due_date": "2030-12-31",
}


@pytest.fixture
def dave_and_sales(org_a):
    return make_head(org_a)


@pytest.fixture
def kra(org_a, dave_and_sales):
    role = make_role(org_a, dave_and_sales[1], title="Recruiter")
    return make_kra(org_a, role=role, title="Talent acquisition", objective=make_objective(org_a))


def url(name, slug="acme", *args):
    return reverse(name, args=[slug, *args])


def snapshot(org):
    return sorted(KPI.objects.filter(org=org).values_list("pk", "name", "target", "position"))


def test_alice_creates_reads_updates_moves_and_deletes(api, alice, kra):
    client = api(alice)
    created = client.post(url("api:kpi-list"), {**BODY, "kra": kra.pk}, format="json")
    assert created.status_code == 201, created.content
    kpi_id = created.json()["id"]
    assert created.json()["smart"] == {
        "ok": True,
        "failing": [],
        "letters": created.json()["smart"]["letters"],
    }
    detail = client.get(url("api:kpi-detail", "acme", kpi_id)).json()
    assert detail["formula"]["example"] == (
        "Reduce time to hire to 20 days, baseline 45: with an actual of 25, (45−25)/(45−20) = 0.80"
    )
    updated = client.patch(url("api:kpi-detail", "acme", kpi_id), {"target": "25"}, format="json")
    assert updated.status_code == 200 and updated.json()["target"] == "25.0000"
    other = make_kpi(kra, name="Offer acceptance above 85 percent")
    moved = client.post(url("api:kpi-move", "acme", other.pk), {"direction": "up"}, format="json")
    assert moved.json()["position"] == 1
    assert client.delete(url("api:kpi-detail", "acme", kpi_id)).status_code == 204
    assert not KPI.objects.filter(pk=kpi_id).exists()


def test_the_api_speaks_the_services_messages(api, alice, kra):
    response = api(alice).post(
        url("api:kpi-list"),
        {
            **BODY,
            "kra": kra.pk,
            "direction": "range",
            "target": None,
            "target_low": "9",
            "target_high": "3",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"target_high": ["The range must end above where it starts."]}
    response = api(alice).post(
        url("api:kpi-list"), {**BODY, "kra": kra.pk, "measure_type": "currency"}, format="json"
    )
    assert response.json()["currency_code"] == ["A currency measure needs its currency (e.g. USD)."]


def test_the_smart_field_names_the_failing_letters(api, bob, kra):
    make_kpi(kra, name="Hires", unit="", due_date=None)
    [kpi] = api(bob).get(url("api:kpi-list"), {"kra": kra.pk}).json()["results"]
    assert kpi["smart"]["failing"] == ["S", "M", "T"]


def test_a_kpi_stays_under_its_kra(api, alice, kra, org_a):
    kpi = make_kpi(kra)
    other = make_kra(org_a, role=kra.role, title="Retention")
    response = api(alice).patch(
        url("api:kpi-detail", "acme", kpi.pk), {"kra": other.pk}, format="json"
    )
    assert response.status_code == 400
    kpi.refresh_from_db()
    assert kpi.kra == kra


def test_another_organisations_kra_in_the_body_is_refused(api, alice, org_b, kra):
    theirs = make_kra(org_b, role=make_role(org_b, title="Theirs"), title="Theirs")
    before = snapshot(org_b)
    response = api(alice).post(url("api:kpi-list"), {**BODY, "kra": theirs.pk}, format="json")
    assert response.status_code == 400 and "kra" in response.json()
    assert not KPI.objects.filter(org=kra.org).exists()
    assert snapshot(org_b) == before


def test_bob_reads_but_cannot_write(api, bob, kra):
    kpi = make_kpi(kra)
    client = api(bob)
    before = snapshot(bob.org)
    assert client.get(url("api:kpi-detail", "acme", kpi.pk)).status_code == 200
    assert (
        client.post(url("api:kpi-list"), {**BODY, "kra": kra.pk}, format="json").status_code == 403
    )
    assert (
        client.patch(
            url("api:kpi-detail", "acme", kpi.pk), {"target": "1"}, format="json"
        ).status_code
        == 403
    )
    assert client.delete(url("api:kpi-detail", "acme", kpi.pk)).status_code == 403
    assert (
        client.post(
            url("api:kpi-move", "acme", kpi.pk), {"direction": "up"}, format="json"
        ).status_code
        == 403
    )
    assert snapshot(bob.org) == before


def test_charlie_gets_404_and_changes_nothing(api, charlie, org_a, kra):
    kpi = make_kpi(kra)
    client = api(charlie)
    before = snapshot(org_a)
    assert client.get(url("api:kpi-list")).status_code == 404
    for slug in ("acme", "globex"):
        assert client.get(url("api:kpi-detail", slug, kpi.pk)).status_code == 404
        assert (
            client.patch(
                url("api:kpi-detail", slug, kpi.pk), {"target": "1"}, format="json"
            ).status_code
            == 404
        )
        assert client.delete(url("api:kpi-detail", slug, kpi.pk)).status_code == 404
        assert (
            client.post(
                url("api:kpi-move", slug, kpi.pk), {"direction": "up"}, format="json"
            ).status_code
            == 404
        )
    assert (
        client.post(
            url("api:kpi-list", "globex"), {**BODY, "kra": kra.pk}, format="json"
        ).status_code
        == 400
    )
    assert snapshot(org_a) == before
    assert not AuditEvent.objects.filter(org=org_a).exists()


def test_a_department_head_writes_kpis_of_his_departments_kras_only(
    api, org_a, dave_and_sales, kra
):
    client = api(dave_and_sales[0])
    assert (
        client.post(url("api:kpi-list"), {**BODY, "kra": kra.pk}, format="json").status_code == 201
    )
    finance = DepartmentFactory(org=org_a, name="Finance")
    theirs = make_kra(org_a, role=make_role(org_a, finance, title="Accountant"), title="Books")
    top = make_kra(org_a, level=KRALevel.ORGANIZATION, title="Growth")
    for other in (theirs, top):
        assert (
            client.post(url("api:kpi-list"), {**BODY, "kra": other.pk}, format="json").status_code
            == 403
        )
    their_kpi = make_kpi(theirs, target=Decimal(15))
    assert (
        client.patch(
            url("api:kpi-detail", "acme", their_kpi.pk), {"target": "1"}, format="json"
        ).status_code
        == 403
    )
    their_kpi.refresh_from_db()
    assert their_kpi.target == 15


def test_listing_kpis_costs_the_same_for_few_and_many(api, alice, org_a, kra):
    make_kpi(kra)
    many = make_kra(org_a, role=make_role(org_a, title="Large"), title="Large")
    for n in range(20):
        make_kpi(many, name=f"Measure number {n}")
    client = api(alice)
    client.get(url("api:kpi-list"))  # the token's first use records itself once

    def cost(params):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("api:kpi-list"), params).status_code == 200
        return len(ctx.captured_queries)

    assert cost({"kra": kra.pk}) == cost({"kra": many.pk})
