"""The KRA API, the role readiness endpoint and the rules endpoint: the same rules and
messages as the pages, scoped to the organisation, at a constant number of queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kras.models import KRA, KRALevel, KRAStatus
from orgs.models import AuditEvent
from orgs.org_settings import rule_settings
from tests.factories import DepartmentFactory, MembershipFactory

from .test_kras_support import make_area, make_head, make_kpi, make_kra, make_objective, make_role

pytestmark = pytest.mark.django_db

LIST = "api:kra-list"


@pytest.fixture
def dave_and_sales(org_a):
    return make_head(org_a)


@pytest.fixture
def role(org_a, dave_and_sales):
    return make_role(org_a, dave_and_sales[1])


@pytest.fixture
def objective(org_a):
    return make_objective(org_a, title="Grow recurring revenue 30%")


def url(name, slug="acme", *args):
    return reverse(name, args=[slug, *args])


def snapshot(org):
    return sorted(
        KRA.objects.filter(org=org).values_list(
            "pk", "title", "weight", "status", "parent_id", "objective_id", "position"
        )
    )


def test_alice_creates_lists_and_filters_kras(api, alice, org_a, role, objective):
    client = api(alice)
    created = client.post(
        url(LIST),
        {
            "level": "role",
            "role": role.pk,
            "title": "Revenue generation",
            "weight": "60",
            "objective": objective.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["position"] == 1 and body["status"] == "active"
    assert {c["code"] for c in body["checks"]} >= {"ladder", "activity_verb", "kpi_count"}
    make_kra(org_a, level=KRALevel.ORGANIZATION, title="Growth")
    make_kra(org_a, role=role, title="Retired one", status=KRAStatus.RETIRED)
    titles = [k["title"] for k in client.get(url(LIST), {"role": role.pk}).json()["results"]]
    assert titles == ["Revenue generation"]
    titles = [
        k["title"] for k in client.get(url(LIST), {"level": "organization"}).json()["results"]
    ]
    assert titles == ["Growth"]
    retired = client.get(url(LIST), {"status": "retired"}).json()["results"]
    assert [k["title"] for k in retired] == ["Retired one"]
    by_department = client.get(url(LIST), {"department": role.department_id}).json()["results"]
    assert [k["title"] for k in by_department] == ["Revenue generation"]
    assert client.get(url(LIST), {"role": "abc"}).status_code == 400


def test_the_api_speaks_the_services_messages(api, alice, role):
    response = api(alice).post(
        url(LIST),
        {"level": "department", "title": "No department", "role": role.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["department"] == ["A department KRA needs its department."]
    assert response.json()["role"] == ["Only a role KRA belongs to a role."]


def test_update_retire_and_move(api, alice, org_a, role, objective):
    client = api(alice)
    dept = make_kra(
        org_a,
        level=KRALevel.DEPARTMENT,
        department=role.department,
        title="Pipeline",
        objective=objective,
    )
    first = make_kra(org_a, role=role, title="First", parent=dept)
    second = make_kra(org_a, role=role, title="Second")
    detail = url("api:kra-detail", "acme", second.pk)
    response = client.patch(detail, {"weight": "40", "parent": dept.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["parent"] == dept.pk
    assert client.patch(detail, {"level": "department"}, format="json").status_code == 400
    moved = client.post(url("api:kra-move", "acme", second.pk), {"direction": "up"}, format="json")
    assert moved.status_code == 200 and moved.json()["position"] == 1
    # A KRA with children asks what becomes of them, naming them.
    refused = client.post(url("api:kra-retire", "acme", dept.pk), {}, format="json")
    assert refused.status_code == 400
    assert "“First”" in refused.json()["children"][0]
    done = client.post(
        url("api:kra-retire", "acme", dept.pk), {"children": "detach"}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == "retired"
    first.refresh_from_db()
    assert first.parent is None and first.status == KRAStatus.NEEDS_REVIEW


def test_other_organisations_ids_in_the_body_are_refused(api, alice, org_a, org_b, role, charlie):
    client = api(alice)
    their_role = make_role(org_b, title="Their role")
    their_area = make_area(their_role)
    their_kra = make_kra(org_b, level=KRALevel.ORGANIZATION, title="Theirs")
    their_objective = make_objective(org_b)
    their_dept = DepartmentFactory(org=org_b, name="Their dept")
    mine = make_kra(org_a, role=role, title="Mine")
    before_a, before_b = snapshot(org_a), snapshot(org_b)
    base = {"level": "role", "role": role.pk, "title": "Sneaky"}
    for field, value in (
        ("role", their_role.pk),
        ("area_of_focus", their_area.pk),
        ("parent", their_kra.pk),
        ("objective", their_objective.pk),
        ("owner", charlie.pk),
    ):
        response = client.post(url(LIST), {**base, field: value}, format="json")
        assert response.status_code == 400, field
        assert field in response.json()
        response = client.patch(
            url("api:kra-detail", "acme", mine.pk), {field: value}, format="json"
        )
        assert response.status_code == 400, field
    response = client.post(
        url(LIST), {"level": "department", "title": "x", "department": their_dept.pk}, format="json"
    )
    assert response.status_code == 400
    assert snapshot(org_a) == before_a and snapshot(org_b) == before_b


def test_bob_reads_but_cannot_write(api, bob, org_a, role):
    kra = make_kra(org_a, role=role, title="Revenue")
    client = api(bob)
    before = snapshot(org_a)
    assert client.get(url(LIST)).status_code == 200
    assert client.get(url("api:kra-detail", "acme", kra.pk)).status_code == 200
    assert (
        client.post(
            url(LIST), {"level": "role", "role": role.pk, "title": "x"}, format="json"
        ).status_code
        == 403
    )
    assert (
        client.patch(
            url("api:kra-detail", "acme", kra.pk), {"title": "x"}, format="json"
        ).status_code
        == 403
    )
    assert client.post(url("api:kra-retire", "acme", kra.pk), {}, format="json").status_code == 403
    assert (
        client.post(
            url("api:kra-move", "acme", kra.pk), {"direction": "up"}, format="json"
        ).status_code
        == 403
    )
    assert snapshot(org_a) == before


def test_charlie_gets_404_and_sees_nothing(api, charlie, org_a, role):
    kra = make_kra(org_a, role=role, title="Revenue")
    client = api(charlie)
    before = snapshot(org_a)
    assert client.get(url(LIST)).status_code == 404
    assert client.get(url("api:role-readiness", "acme", role.pk)).status_code == 404
    assert client.get(url("api:org-rules")).status_code == 404
    for slug in ("acme", "globex"):
        assert client.get(url("api:kra-detail", slug, kra.pk)).status_code == 404
        assert (
            client.patch(
                url("api:kra-detail", slug, kra.pk), {"title": "x"}, format="json"
            ).status_code
            == 404
        )
        assert (
            client.post(url("api:kra-retire", slug, kra.pk), {}, format="json").status_code == 404
        )
        assert (
            client.post(
                url("api:kra-move", slug, kra.pk), {"direction": "up"}, format="json"
            ).status_code
            == 404
        )
    assert client.get(url("api:role-readiness", "globex", role.pk)).status_code == 404
    assert client.get(url(LIST, "globex")).json()["count"] == 0
    assert snapshot(org_a) == before
    assert not AuditEvent.objects.filter(org=org_a).exists()


def test_a_department_head_writes_his_departments_kras_only(api, org_a, dave_and_sales, role):
    dave, sales = dave_and_sales
    client = api(dave)
    response = client.post(
        url(LIST), {"level": "role", "role": role.pk, "title": "Revenue"}, format="json"
    )
    assert response.status_code == 201
    response = client.post(
        url(LIST),
        {"level": "department", "department": sales.pk, "title": "Pipeline"},
        format="json",
    )
    assert response.status_code == 201
    finance = DepartmentFactory(org=org_a, name="Finance")
    other_role = make_role(org_a, finance, title="Accountant")
    before = snapshot(org_a)
    assert (
        client.post(
            url(LIST), {"level": "role", "role": other_role.pk, "title": "x"}, format="json"
        ).status_code
        == 403
    )
    assert (
        client.post(url(LIST), {"level": "organization", "title": "x"}, format="json").status_code
        == 403
    )
    top = make_kra(org_a, level=KRALevel.ORGANIZATION, title="Growth")
    assert (
        client.patch(
            url("api:kra-detail", "acme", top.pk), {"title": "Mine"}, format="json"
        ).status_code
        == 403
    )
    top.refresh_from_db()
    assert top.title == "Growth"
    assert len(snapshot(org_a)) == len(before) + 1


def test_listing_a_roles_kras_with_kpis_costs_the_same_for_few_and_many(
    api, alice, org_a, objective
):
    small, large = make_role(org_a, title="Small"), make_role(org_a, title="Large")
    make_kpi(make_kra(org_a, role=small, title="Only", objective=objective))
    for n in range(12):
        kra = make_kra(org_a, role=large, title=f"Area {n}", objective=objective)
        for m in range(3):
            make_kpi(kra, name=f"Measure number {n} {m}")
    client = api(alice)
    client.get(url(LIST))  # the token's first use records itself once

    def cost(role):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url(LIST), {"role": role.pk})
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()

    few, small_body = cost(small)
    many, large_body = cost(large)
    assert few == many
    assert len(large_body["results"]) == 12
    assert len(large_body["results"][0]["kpis"]) == 3
    assert large_body["results"][0]["kpis"][0]["smart"]["failing"] == ["T"]


def test_role_readiness_lists_every_check(api, bob, org_a, role, objective):
    for n, weight in enumerate((50, 40)):
        kra = make_kra(
            org_a, role=role, title=f"Revenue area {n}", weight=weight, objective=objective
        )
        make_kpi(kra, name=f"Close fifteen new accounts {n}", weight=Decimal(100))
    body = api(bob).get(url("api:role-readiness", "acme", role.pk)).json()
    assert body["role"] == role.pk and body["ok"] is False
    assert body["ready_to_propose"] is False
    assert body["kra_weight_total"] == "90.00"
    codes = {c["code"]: c for c in body["checks"] if not c["ok"]}
    assert codes["kra_count"]["message"] == "2 KRAs; the organisation asks for 3 to 5."
    assert codes["kra_weights"]["message"] == "KRA weights total 90 of 100."
    assert codes["smart"]["letters"] == ["T"]
    assert body["total"] == len(body["checks"])


def test_the_agreements_statements_and_hr_acknowledgement_over_the_api(
    api, alice, bob, charlie, org_a
):
    rules_url = url("api:org-rules")
    shown = api(bob).get(rules_url).json()
    assert shown["require_hr_acknowledgement"] is False
    assert shown["statement_hr"] == "I acknowledge this agreement on behalf of HR."
    change = {"require_hr_acknowledgement": True, "statement_manager": "I back this plan."}
    assert api(bob).patch(rules_url, change, format="json").status_code == 403
    assert api(charlie).patch(rules_url, change, format="json").status_code == 404
    org_a.refresh_from_db()
    assert rule_settings(org_a)["require_hr_acknowledgement"] is False
    response = api(alice).patch(rules_url, change, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["statement_manager"] == "I back this plan."
    assert response.json()["require_hr_acknowledgement"] is True
    bad = api(alice).patch(rules_url, {"statement_employee": ""}, format="json")
    assert bad.status_code == 400 and "statement_employee" in bad.json()
    org_a.refresh_from_db()
    rules = rule_settings(org_a)
    assert rules["statement_manager"] == "I back this plan."
    assert rules["statement_employee"].startswith("I have read and agree")


def test_role_readiness_of_another_organisations_role_is_404(api, alice, org_b):
    their_role = make_role(org_b, title="Theirs")
    assert api(alice).get(url("api:role-readiness", "acme", their_role.pk)).status_code == 404


def test_rules_read_by_members_and_changed_by_admins(api, alice, bob, org_a):
    rules_url = url("api:org-rules")
    assert api(bob).get(rules_url).json()["kra_max"] == 5
    assert api(bob).patch(rules_url, {"kra_max": 6}, format="json").status_code == 403
    response = api(alice).patch(
        rules_url,
        {"kra_min": 4, "kra_max": 6, "activity_verbs": ["Drive", "conduct"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["activity_verbs"] == ["conduct", "drive"]
    org_a.refresh_from_db()
    assert rule_settings(org_a)["kra_min"] == 4
    bad = api(alice).patch(rules_url, {"kpi_min": 5, "kpi_max": 2}, format="json")
    assert bad.status_code == 400 and "kpi_min" in bad.json()
    head = MembershipFactory(org=org_a)
    DepartmentFactory(org=org_a, head=head)
    assert api(head).patch(rules_url, {"kra_max": 9}, format="json").status_code == 403
    org_a.refresh_from_db()
    assert rule_settings(org_a)["kra_max"] == 6
