"""KPI pages: create under a KRA, the page with its SMART check and worked formula, edit,
delete and move (from the role panel with htmx), and who may do what."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.models import KPI
from kras.models import KRALevel, KRAStatus
from orgs.models import AuditEvent
from tests.factories import DepartmentFactory
from tests.kras.test_kras_support import make_head, make_kpi, make_kra, make_objective, make_role

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}

VALID = {
    "name": "Reduce time to hire to 20 days",
    "measure_type": "number",
    "unit": "days",
    "direction": "decrease",
    "baseline": "45",
    "target": "20",
    "frequency": "monthly",
    "aggregation": "avg",
    "weight": "100",
    "due_date": "2030-12-31",
    "data_source": "manual",
}


@pytest.fixture
def dave_and_sales(org_a):
    return make_head(org_a)


@pytest.fixture
def role(org_a, dave_and_sales):
    return make_role(org_a, dave_and_sales[1], title="Recruiter")


@pytest.fixture
def kra(org_a, role):
    return make_kra(org_a, role=role, title="Talent acquisition", objective=make_objective(org_a))


@pytest.fixture
def kpi(kra):
    return make_kpi(
        kra,
        name="Reduce time to hire to 20 days",
        unit="days",
        direction="decrease",
        baseline=Decimal(45),
        target=Decimal(20),
        frequency="monthly",
        due_date=datetime.date(2030, 12, 31),
    )


def snapshot(org):
    return sorted(KPI.objects.filter(org=org).values_list("pk", "name", "target", "position"))


def test_alice_adds_a_kpi_and_returns_where_she_came_from(login, alice, kra, role):
    url = reverse("kpi-create", args=["acme", kra.pk])
    client = login(alice)
    assert client.get(url).status_code == 200
    back = reverse("role-kras", args=["acme", role.pk])
    response = client.post(url + f"?next={back}", {**VALID, "next": back})
    assert response.status_code == 302 and response["Location"] == back
    kpi = KPI.objects.get(kra=kra)
    assert kpi.target == 20 and kpi.org_id == kra.org_id


def test_the_form_shows_the_services_message(login, alice, kra):
    response = login(alice).post(
        reverse("kpi-create", args=["acme", kra.pk]),
        {**VALID, "direction": "range", "target": "", "target_low": "10", "target_high": "5"},
    )
    assert response.status_code == 200
    assert "The range must end above where it starts." in response.content.decode()
    assert not KPI.objects.exists()


def test_the_kpi_page_shows_the_smart_check_and_the_worked_formula(login, bob, kpi):
    page = login(bob).get(reverse("kpi-detail", args=["acme", kpi.pk])).content.decode()
    assert "This KPI is SMART." in page
    assert "(baseline − actual) / (baseline − target)" in page
    assert (
        "Reduce time to hire to 20 days, baseline 45: with an actual of 25, (45−25)/(45−20) = 0.80"
    ) in page


def test_the_kpi_page_names_the_failing_letters(login, alice, kra):
    kpi = make_kpi(kra, name="Hires", unit="", target=None, due_date=None)
    page = login(alice).get(reverse("kpi-detail", args=["acme", kpi.pk])).content.decode()
    assert "Fails: S, M, T" in page
    assert "Set a target to see a worked example" in page


def test_edit_changes_the_target_and_flags_the_kras_below(login, alice, org_a):
    sales = DepartmentFactory(org=org_a, name="Field sales")
    dept = make_kra(org_a, level=KRALevel.DEPARTMENT, department=sales, title="Pipeline")
    child = make_kra(org_a, role=make_role(org_a, sales), title="Revenue", parent=dept)
    kpi = make_kpi(
        dept, name="Qualified pipeline worth two million", target=Decimal(15), baseline=Decimal(10)
    )
    response = login(alice).post(
        reverse("kpi-edit", args=["acme", kpi.pk]),
        {
            **VALID,
            "name": kpi.name,
            "direction": "increase",
            "baseline": "10",
            "target": "18",
            "unit": "deals",
        },
    )
    assert response.status_code == 302
    kpi.refresh_from_db()
    child.refresh_from_db()
    assert kpi.target == 18
    assert child.status == KRAStatus.NEEDS_REVIEW and "15 → 18" in child.needs_review_reason


def test_delete_asks_first_and_from_the_panel_answers_the_panel(login, alice, kra, kpi, role):
    client = login(alice)
    url = reverse("kpi-delete", args=["acme", kpi.pk])
    assert "confirm-delete" in client.get(url).content.decode()
    body = client.post(url, {"next": "/o/acme/"}, **HX).content.decode()
    assert 'id="kra-panel"' in body and "<html" not in body
    assert not KPI.objects.filter(pk=kpi.pk).exists()


def test_move_from_the_panel(login, alice, kra, kpi):
    other = make_kpi(kra, name="Offer acceptance above 85 percent")
    body = (
        login(alice)
        .post(reverse("kpi-move", args=["acme", other.pk]), {"direction": "up"}, **HX)
        .content.decode()
    )
    assert body.index("Offer acceptance") < body.index("Reduce time to hire")


def test_bob_reads_but_cannot_change_kpis(login, bob, kra, kpi):
    client = login(bob)
    before = snapshot(bob.org)
    assert client.get(reverse("kpi-detail", args=["acme", kpi.pk])).status_code == 200
    assert client.get(reverse("kpi-create", args=["acme", kra.pk])).status_code == 403
    assert client.post(reverse("kpi-create", args=["acme", kra.pk]), VALID).status_code == 403
    assert client.post(reverse("kpi-edit", args=["acme", kpi.pk]), VALID).status_code == 403
    assert client.post(reverse("kpi-delete", args=["acme", kpi.pk])).status_code == 403
    assert (
        client.post(reverse("kpi-move", args=["acme", kpi.pk]), {"direction": "up"}).status_code
        == 403
    )
    assert snapshot(bob.org) == before


def test_charlie_gets_404_everywhere_and_changes_nothing(login, charlie, org_a, kra, kpi):
    client = login(charlie)
    before = snapshot(org_a)
    for slug in ("acme", "globex"):
        assert client.get(reverse("kpi-detail", args=[slug, kpi.pk])).status_code == 404
        assert client.post(reverse("kpi-create", args=[slug, kra.pk]), VALID).status_code == 404
        assert client.post(reverse("kpi-edit", args=[slug, kpi.pk]), VALID).status_code == 404
        assert client.post(reverse("kpi-delete", args=[slug, kpi.pk])).status_code == 404
        assert (
            client.post(reverse("kpi-move", args=[slug, kpi.pk]), {"direction": "up"}).status_code
            == 404
        )
    assert snapshot(org_a) == before
    assert not AuditEvent.objects.filter(org=org_a).exists()


def test_a_department_head_manages_kpis_of_his_departments_roles_only(
    login, org_a, dave_and_sales, kra, kpi
):
    dave, _sales = dave_and_sales
    client = login(dave)
    assert (
        client.post(
            reverse("kpi-create", args=["acme", kra.pk]),
            {**VALID, "name": "Offer acceptance above 85 percent"},
        ).status_code
        == 302
    )
    finance = DepartmentFactory(org=org_a, name="Finance")
    theirs = make_kra(org_a, role=make_role(org_a, finance, title="Accountant"), title="Books")
    top = make_kra(org_a, level=KRALevel.ORGANIZATION, title="Growth")
    assert client.post(reverse("kpi-create", args=["acme", theirs.pk]), VALID).status_code == 403
    assert client.post(reverse("kpi-create", args=["acme", top.pk]), VALID).status_code == 403
    their_kpi = make_kpi(theirs)
    assert client.post(reverse("kpi-delete", args=["acme", their_kpi.pk])).status_code == 403
    assert KPI.objects.filter(pk=their_kpi.pk).exists()
    assert not KPI.objects.filter(kra__in=[theirs, top]).exclude(pk=their_kpi.pk).exists()
