"""A role's cost justification (annual cost, expected value, kind, target date, text) is seen
only by org admins, HR and the managers responsible for the role: the head of its department
and the heads of the departments above it. Nobody else receives the figures: not on the role
page, not in the role list, not over the API."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orgs import policy
from orgs.models import OrgRole
from roles.models import JustificationKind
from tests.factories import MembershipFactory, UserFactory

from .conftest import RoleFactory

COST = "85,000"
VALUE = "310,000"
NOTE = "Covers the Nordics pipeline"


@pytest.fixture
def costly_role(org_a, emea):
    """A role in EMEA (below Sales) with every cost field set."""
    return RoleFactory(
        org=org_a,
        department=emea,
        title="Regional Manager",
        annual_cost=Decimal("85000"),
        expected_value=Decimal("310000"),
        currency="EUR",
        justification_kind=JustificationKind.NOT_YET,
        justification_target_date=timezone.localdate() - datetime.timedelta(days=3),
        justification_note=NOTE,
    )


@pytest.fixture
def hana(org_a):
    return MembershipFactory(
        org=org_a, role=OrgRole.HR, user=UserFactory(email="hana@acme.test", full_name="Hana HR")
    )


@pytest.fixture
def erik(org_a, engineering):
    """Heads Engineering: a manager, but not of the role's department line."""
    head = MembershipFactory(
        org=org_a, user=UserFactory(email="erik@acme.test", full_name="Erik Eng")
    )
    engineering.head = head
    engineering.save()
    return head


@pytest.fixture
def emil(org_a, emea):
    """Heads EMEA, the role's own department."""
    head = MembershipFactory(
        org=org_a, user=UserFactory(email="emil@acme.test", full_name="Emil Emea")
    )
    emea.head = head
    emea.save()
    return head


def _page(client, role) -> str:
    return client.get(reverse("role-detail", args=["acme", role.pk])).content.decode()


def _list(client) -> str:
    return client.get(reverse("role-list", args=["acme"])).content.decode()


def _api_detail(client, role) -> dict:
    return client.get(reverse("api:role-detail", args=["acme", role.pk])).json()


def _api_list(client) -> list[dict]:
    return client.get(reverse("api:role-list", args=["acme"])).json()["results"]


def test_a_plain_employee_never_receives_the_figures(login, api, bob, costly_role):
    page = _page(login(bob), costly_role)
    assert "Regional Manager" in page
    for secret in (COST, VALUE, NOTE, "Cost justification", "justification-overdue"):
        assert secret not in page, secret
    roles = _list(login(bob))
    assert "Regional Manager" in roles
    assert "Not yet justified" not in roles and "justification-overdue" not in roles
    client = api(bob)
    for data in (_api_detail(client, costly_role), *_api_list(client)):
        assert "85000" not in str(data) and NOTE not in str(data)
        for name in ("annual_cost", "expected_value", "justification_kind", "justification_note"):
            assert data[name] is None, name
        assert data["justification_overdue"] is None


def test_a_manager_of_another_branch_does_not_see_them_either(login, api, erik, costly_role):
    assert COST not in _page(login(erik), costly_role)
    assert _api_detail(api(erik), costly_role)["annual_cost"] is None


@pytest.mark.parametrize("persona", ["alice", "hana", "dave", "emil"])
def test_admins_hr_and_the_responsible_heads_see_them(request, login, api, costly_role, persona):
    # alice: org admin; hana: HR; dave heads Sales (above EMEA); emil heads EMEA.
    member = request.getfixturevalue(persona)
    page = _page(login(member), costly_role)
    assert COST in page and VALUE in page and NOTE in page
    assert 'data-testid="justification-overdue"' in page
    assert 'data-testid="justification-overdue"' in _list(login(member))
    data = _api_detail(api(member), costly_role)
    assert Decimal(data["annual_cost"]) == Decimal("85000")
    assert data["justification_note"] == NOTE and data["justification_overdue"] is True


def test_the_list_shows_each_role_s_cost_only_to_its_managers(
    api, org_a, dave, costly_role, eng_role
):
    # dave manages the EMEA role, not the Engineering one.
    eng_role.annual_cost = Decimal("99000")
    eng_role.save()
    rows = {row["title"]: row for row in _api_list(api(dave))}
    assert Decimal(rows["Regional Manager"]["annual_cost"]) == Decimal("85000")
    assert rows["Software Engineer"]["annual_cost"] is None
    assert rows["Software Engineer"]["justification_kind"] is None


def test_a_role_in_no_department_is_for_admins_and_hr_only(org_a, alice, hana, dave):
    role = RoleFactory(org=org_a, title="Chief of Staff", annual_cost=Decimal("1"))
    assert policy.can(alice, policy.Action.VIEW_ROLE_COST, role)
    assert policy.can(hana, policy.Action.VIEW_ROLE_COST, role)
    assert not policy.can(dave, policy.Action.VIEW_ROLE_COST, role)


def test_hr_sees_cost_but_still_may_not_edit_the_role(login, hana, costly_role):
    client = login(hana)
    assert client.get(reverse("role-edit", args=["acme", costly_role.pk])).status_code == 403


def test_writes_still_refuse_a_null_cost_field(api, alice, costly_role):
    response = api(alice).patch(
        reverse("api:role-detail", args=["acme", costly_role.pk]),
        {"justification_note": None},
        format="json",
    )
    assert response.status_code == 400
    costly_role.refresh_from_db()
    assert costly_role.justification_note == NOTE


def test_charlie_sees_nothing_of_acme_roles(login, api, charlie, costly_role):
    assert (
        login(charlie).get(reverse("role-detail", args=["acme", costly_role.pk])).status_code == 404
    )
    assert api(charlie).get(reverse("api:role-list", args=["acme"])).status_code == 404


def test_the_role_list_costs_the_same_for_an_employee_with_few_or_many_roles(
    login, org_a, bob, sales, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(bob)
    path = reverse("role-list", args=["acme"])

    def count() -> int:
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    for i in range(3):
        RoleFactory(org=org_a, department=sales, title=f"Few {i}", annual_cost=Decimal("5"))
    few = count()
    for i in range(20):
        RoleFactory(org=org_a, department=sales, title=f"Many {i}", annual_cost=Decimal("5"))
    assert count() == few
    with django_assert_max_num_queries(few):
        client.get(path)
