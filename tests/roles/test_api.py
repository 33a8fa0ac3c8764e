import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roles.models import AreaOfFocus, Role
from tests.factories import MembershipFactory

from .conftest import AreaFactory, AssignmentFactory, ResponsibilityFactory, RoleFactory
from .test_pages import state


def api_url(name, *args, slug="acme"):
    return reverse(f"api:{name}", args=[slug, *args])


@pytest.fixture
def filled_role(org_a, bob, role):
    first = AreaFactory(role=role, title="Lead Generation", position=1)
    second = AreaFactory(role=role, title="Closing", position=2)
    ResponsibilityFactory(area=first, description="Prospect", position=1)
    ResponsibilityFactory(area=first, description="Qualify", position=2)
    ResponsibilityFactory(area=second, description="Propose", position=1)
    AssignmentFactory(role=role, member=bob, start_date=datetime.date(2025, 1, 1))
    return role


def _objects(role):
    area = role.areas.order_by("position").first()
    return area, area.responsibilities.order_by("position").first(), role.assignments.first()


def write_requests(role, area, responsibility, assignment, member):
    """Every API write on a role and what hangs from it, with a body that would change it."""
    return [
        ("patch", api_url("role-detail", role.pk), {"title": "Hacked"}),
        ("put", api_url("role-detail", role.pk), {"title": "Hacked"}),
        ("delete", api_url("role-detail", role.pk), None),
        ("post", api_url("role-success-check", role.pk), {"is_complete": True}),
        ("post", api_url("area-of-focus-list"), {"role": role.pk, "title": "Hacked"}),
        ("patch", api_url("area-of-focus-detail", area.pk), {"title": "Hacked"}),
        ("post", api_url("area-of-focus-move", area.pk), {"direction": "down"}),
        ("delete", api_url("area-of-focus-detail", area.pk), None),
        ("post", api_url("responsibility-list"), {"area": area.pk, "description": "Hacked"}),
        ("patch", api_url("responsibility-detail", responsibility.pk), {"description": "Hacked"}),
        ("post", api_url("responsibility-move", responsibility.pk), {"direction": "down"}),
        ("delete", api_url("responsibility-detail", responsibility.pk), None),
        (
            "post",
            api_url("role-assignment-list"),
            {"role": role.pk, "member": member.pk, "start_date": "2030-01-01"},
        ),
        ("post", api_url("role-assignment-end", assignment.pk), {"end_date": "2030-12-31"}),
    ]


def _swap_slug(path, slug):
    return path.replace("/orgs/acme/", f"/orgs/{slug}/")


# --- roles ----------------------------------------------------------------------------------


def test_api_creates_reads_updates_and_deletes_a_role(api, alice, sales):
    client = api(alice)
    created = client.post(
        api_url("role-list"),
        {
            "title": "Account Executive",
            "department": sales.pk,
            "purpose": "Bring in new revenue.",
            "annual_cost": "80000.00",
            "expected_value": "240000.00",
            "justification_kind": "revenue",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["department"], body["justification_overdue"]) == (sales.pk, False)
    detail = api_url("role-detail", body["id"])

    changed = client.patch(
        detail,
        {"justification_kind": "not_yet", "justification_target_date": "2020-01-01"},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["justification_overdue"] is True
    listed = client.get(api_url("role-list")).json()
    assert [(r["title"], r["justification_overdue"]) for r in listed["results"]] == [
        ("Account Executive", True)
    ]
    assert client.delete(detail).status_code == 204
    assert not Role.objects.exists()


def test_api_role_detail_has_areas_responsibilities_and_holders_in_order(api, bob, filled_role):
    body = api(bob).get(api_url("role-detail", filled_role.pk)).json()
    assert [a["title"] for a in body["areas"]] == ["Lead Generation", "Closing"]
    assert [r["description"] for r in body["areas"][0]["responsibilities"]] == [
        "Prospect",
        "Qualify",
    ]
    assert [(a["member"], a["member_name"]) for a in body["assignments"]] == [
        (bob.pk, "Bob Member")
    ]


def test_api_speaks_the_service_messages(api, alice, role):
    client = api(alice)
    response = client.post(
        api_url("role-list"), {"title": "Chief of Staff", "justification_kind": "not_yet"}
    )
    assert response.status_code == 400
    assert "needs a date by which it should be" in response.json()["justification_target_date"][0]
    response = client.post(
        api_url("role-list"),
        {
            "title": "account executive",
            "department": role.department_id,
            "justification_kind": "revenue",
        },
    )
    assert response.status_code == 400
    assert "already a role called" in response.json()["title"][0]
    response = client.post(api_url("role-list"), {"title": "X", "annual_cost": "-1"})
    assert response.status_code == 400 and "annual_cost" in response.json()
    below = RoleFactory(org=role.org, title="SDR", reports_to=role)
    response = client.patch(api_url("role-detail", role.pk), {"reports_to": below.pk})
    assert response.status_code == 400
    assert "cannot report to itself" in response.json()["reports_to"][0]
    assert Role.objects.count() == 2


def test_api_refuses_to_delete_a_role_that_is_held(api, alice, filled_role):
    response = api(alice).delete(api_url("role-detail", filled_role.pk))
    assert response.status_code == 400
    assert "still has 1 assignment(s)" in response.json()["non_field_errors"][0]
    assert Role.objects.filter(pk=filled_role.pk).exists()


def test_api_role_list_filters(api, org_a, alice, sales, emea, engineering):
    RoleFactory(org=org_a, department=sales, title="Sales Director")
    RoleFactory(org=org_a, department=emea, title="EMEA Rep")
    RoleFactory(org=org_a, department=engineering, title="Engineer")
    client = api(alice)

    def titles(**params):
        return sorted(
            r["title"] for r in client.get(api_url("role-list"), params).json()["results"]
        )

    assert titles(department=sales.pk) == ["EMEA Rep", "Sales Director"]
    assert titles(q="engineer") == ["Engineer"]
    assert titles(department="abc") == []
    assert titles(department=999999) == []


def test_api_success_check(api, alice, role):
    client = api(alice)
    path = api_url("role-success-check", role.pk)
    response = client.post(path, {"is_complete": False})
    assert response.status_code == 400 and "missing" in response.json()
    response = client.post(path, {"is_complete": False, "missing": "Referrals"})
    assert response.status_code == 200, response.content
    assert response.json()["success_missing"] == "Referrals"
    role.refresh_from_db()
    assert role.success_checked_by == alice and role.success_checked_at is not None


# --- areas, responsibilities, assignments ---------------------------------------------------


def test_api_areas_are_created_listed_and_moved(api, alice, role, eng_role):
    client = api(alice)
    for title in ("Lead Generation", "Closing"):
        response = client.post(api_url("area-of-focus-list"), {"role": role.pk, "title": title})
        assert response.status_code == 201, response.content
    AreaFactory(role=eng_role)
    closing = role.areas.get(title="Closing")
    moved = client.post(api_url("area-of-focus-move", closing.pk), {"direction": "up"})
    assert moved.status_code == 200 and moved.json()["position"] == 1
    listed = client.get(api_url("area-of-focus-list"), {"role": role.pk}).json()["results"]
    assert [a["title"] for a in listed] == ["Closing", "Lead Generation"]
    bad = client.post(api_url("area-of-focus-move", closing.pk), {"direction": "left"})
    assert bad.status_code == 400
    # An area stays with its role.
    response = client.patch(api_url("area-of-focus-detail", closing.pk), {"role": eng_role.pk})
    assert response.status_code == 400
    closing.refresh_from_db()
    assert closing.role == role


def test_api_responsibilities_are_created_moved_edited_and_deleted(api, alice, filled_role):
    client = api(alice)
    area, first, _ = _objects(filled_role)
    created = client.post(
        api_url("responsibility-list"), {"area": area.pk, "description": "Book demos"}
    )
    assert created.status_code == 201, created.content
    assert created.json()["position"] == 3 and created.json()["role"] == filled_role.pk
    new_id = created.json()["id"]
    client.post(api_url("responsibility-move", new_id), {"direction": "up"})
    listed = client.get(api_url("responsibility-list"), {"area": area.pk}).json()["results"]
    assert [r["description"] for r in listed] == ["Prospect", "Book demos", "Qualify"]
    response = client.patch(
        api_url("responsibility-detail", first.pk), {"description": "  Prospect more "}
    )
    assert response.json()["description"] == "Prospect more"
    response = client.patch(api_url("responsibility-detail", first.pk), {"description": ""})
    assert response.status_code == 400
    assert client.delete(api_url("responsibility-detail", new_id)).status_code == 204
    by_role = client.get(api_url("responsibility-list"), {"role": filled_role.pk}).json()
    assert by_role["count"] == 3


def test_api_assignments_refuse_overlap_and_end(api, org_a, alice, bob, role):
    client = api(alice)
    path = api_url("role-assignment-list")
    created = client.post(path, {"role": role.pk, "member": bob.pk, "start_date": "2026-01-01"})
    assert created.status_code == 201, created.content
    overlapping = client.post(path, {"role": role.pk, "member": bob.pk, "start_date": "2025-06-01"})
    assert overlapping.status_code == 400
    assert "already holds this role" in overlapping.json()["member"][0]
    ended = client.post(
        api_url("role-assignment-end", created.json()["id"]), {"end_date": "2026-03-31"}
    )
    assert ended.status_code == 200 and ended.json()["end_date"] == "2026-03-31"
    again = client.post(
        api_url("role-assignment-end", created.json()["id"]), {"end_date": "2026-04-30"}
    )
    assert again.status_code == 400 and "already ended" in again.json()["non_field_errors"][0]
    other = MembershipFactory(org=org_a)
    AssignmentFactory(role=role, member=other, start_date=datetime.date(2020, 1, 1))
    current = client.get(path, {"role": role.pk, "current": "1"}).json()["results"]
    assert [a["member"] for a in current] == [other.pk]
    mine = client.get(path, {"member": bob.pk}).json()["results"]
    assert len(mine) == 1


# --- who may do what ------------------------------------------------------------------------


def test_api_bob_reads_everything_but_every_write_is_403(api, bob, filled_role):
    client = api(bob)
    area, responsibility, assignment = _objects(filled_role)
    for name in ("role", "area-of-focus", "responsibility", "role-assignment"):
        assert client.get(api_url(f"{name}-list")).status_code == 200
    assert client.get(api_url("role-detail", filled_role.pk)).status_code == 200
    assert client.get(api_url("area-of-focus-detail", area.pk)).status_code == 200
    before = state(bob.org)
    assert client.post(api_url("role-list"), {"title": "Mine"}).status_code == 403
    for method, path, body in write_requests(filled_role, area, responsibility, assignment, bob):
        response = getattr(client, method)(path, body)
        assert response.status_code == 403, (method, path)
    assert state(bob.org) == before


def test_api_charlie_gets_404_for_everything_of_acme(api, bob, charlie, filled_role):
    client = api(charlie)
    area, responsibility, assignment = _objects(filled_role)
    before = state(filled_role.org)
    for name in ("role", "area-of-focus", "responsibility", "role-assignment"):
        assert client.get(api_url(f"{name}-list")).status_code == 404
        listed = client.get(api_url(f"{name}-list", slug="globex")).json()
        assert listed["count"] == 0
    for slug in ("acme", "globex"):
        assert client.get(api_url("role-detail", filled_role.pk, slug=slug)).status_code == 404
        for method, path, body in write_requests(
            filled_role, area, responsibility, assignment, bob
        ):
            response = getattr(client, method)(_swap_slug(path, slug), body)
            if path.endswith(("/areas-of-focus/", "/responsibilities/", "/role-assignments/")):
                # A create names acme's objects in its body: through acme's URL he is not a
                # member (404); through his own, acme's ids are unknown (400).
                assert response.status_code == (404 if slug == "acme" else 400), (slug, path)
            else:
                assert response.status_code == 404, (slug, method, path)
    assert state(filled_role.org) == before
    assert not Role.objects.filter(org=charlie.org).exists()
    assert not AreaOfFocus.objects.filter(org=charlie.org).exists()


def test_api_a_department_head_manages_his_departments_roles_only(
    api, org_a, bob, dave, sales, engineering, filled_role, eng_role
):
    client = api(dave)
    eng_area = AreaFactory(role=eng_role, position=1)
    AreaFactory(role=eng_role, position=2)
    eng_responsibility = ResponsibilityFactory(area=eng_area, position=1)
    ResponsibilityFactory(area=eng_area, position=2)
    eng_assignment = AssignmentFactory(role=eng_role, member=MembershipFactory(org=org_a))
    before = state(org_a)
    for method, path, body in write_requests(
        eng_role, eng_area, eng_responsibility, eng_assignment, bob
    ):
        response = getattr(client, method)(path, body)
        assert response.status_code == 403, (method, path)
    assert client.post(api_url("role-list"), {"title": "Mine"}).status_code == 403
    response = client.post(api_url("role-list"), {"title": "Mine", "department": engineering.pk})
    assert response.status_code == 403
    response = client.patch(api_url("role-detail", filled_role.pk), {"department": engineering.pk})
    assert response.status_code == 403
    assert state(org_a) == before
    # His own department: allowed.
    response = client.post(
        api_url("role-list"),
        {"title": "Sales Director", "department": sales.pk, "justification_kind": "revenue"},
    )
    assert response.status_code == 201, response.content
    response = client.patch(api_url("role-detail", filled_role.pk), {"purpose": "Grow"})
    assert response.status_code == 200


def test_api_refuses_another_orgs_ids_in_bodies(api, alice, charlie, role, globex_ops, globex_role):
    client = api(alice)
    globex_area = AreaFactory(role=globex_role)
    before = state(alice.org)
    before_globex = state(globex_role.org)
    cases = [
        ("post", api_url("role-list"), {"title": "X", "department": globex_ops.pk}),
        ("post", api_url("role-list"), {"title": "X", "reports_to": globex_role.pk}),
        ("patch", api_url("role-detail", role.pk), {"department": globex_ops.pk}),
        ("patch", api_url("role-detail", role.pk), {"reports_to": globex_role.pk}),
        ("post", api_url("area-of-focus-list"), {"role": globex_role.pk, "title": "X"}),
        ("post", api_url("responsibility-list"), {"area": globex_area.pk, "description": "X"}),
        (
            "post",
            api_url("role-assignment-list"),
            {"role": role.pk, "member": charlie.pk, "start_date": "2026-01-01"},
        ),
        (
            "post",
            api_url("role-assignment-list"),
            {"role": globex_role.pk, "member": alice.pk, "start_date": "2026-01-01"},
        ),
    ]
    for method, path, body in cases:
        response = getattr(client, method)(path, body)
        assert response.status_code == 400, (method, path, body)
        assert set(body) & set(response.json()), response.json()
    assert state(alice.org) == before
    assert state(globex_role.org) == before_globex
    # Filters naming another organisation's objects find nothing.
    assert client.get(api_url("area-of-focus-list"), {"role": globex_role.pk}).json()["count"] == 0


# --- constant queries -----------------------------------------------------------------------


def _fill(org, department, n, tag):
    boss = RoleFactory(org=org, title=f"Boss {tag}")
    for i in range(n):
        role = RoleFactory(org=org, department=department, title=f"{tag} {i}", reports_to=boss)
        area = AreaFactory(role=role)
        ResponsibilityFactory(area=area)
        ResponsibilityFactory(area=area)
        AssignmentFactory(role=role, member=MembershipFactory(org=org))


def _count(client, path):
    # The token's first use of the day is recorded once; measure the steady state.
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["role", "area-of-focus", "responsibility", "role-assignment"])
def test_api_lists_cost_the_same_with_3_or_30_rows(
    api, org_a, alice, sales, name, django_assert_max_num_queries
):
    client = api(alice)
    path = api_url(f"{name}-list")
    _fill(org_a, sales, 3, "few")
    few = _count(client, path)
    _fill(org_a, sales, 30, "many")
    many = _count(client, path)
    assert few == many
    with django_assert_max_num_queries(15):
        response = client.get(path)
    assert response.json()["count"] >= 30


def test_api_role_detail_costs_the_same_whatever_the_role_holds(
    api, org_a, alice, sales, django_assert_max_num_queries
):
    small = RoleFactory(org=org_a, department=sales, title="Small")
    AreaFactory(role=small)
    big = RoleFactory(org=org_a, department=sales, title="Big")
    for _ in range(10):
        area = AreaFactory(role=big)
        for _ in range(5):
            ResponsibilityFactory(area=area)
        AssignmentFactory(role=big, member=MembershipFactory(org=org_a))
    client = api(alice)
    assert _count(client, api_url("role-detail", small.pk)) == _count(
        client, api_url("role-detail", big.pk)
    )
    with django_assert_max_num_queries(15):
        client.get(api_url("role-detail", big.pk))
