"""Who may give whom a role. Org admins and HR assign anyone. A manager of the role assigns
the people in their reporting line (direct or indirect reports) and the people of the
departments they head (and below), never themselves; nor do they end their own assignment or
change the KRAs of a role they hold: a member's own roles are their manager's to manage.
The page and the API give the same answer. The person assigned is told (inbox and email)."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kras.models import KRA, KRALevel
from orgs import policy
from orgs.models import Notification, OrgRole
from roles import services
from roles.models import RoleAssignment
from tests.factories import MembershipFactory, UserFactory

from .conftest import AssignmentFactory, RoleFactory

START = datetime.date(2030, 1, 1)


def _person(org, email, **kwargs):
    return MembershipFactory(org=org, user=UserFactory(email=email, full_name=email), **kwargs)


@pytest.fixture
def people(org_a, alice, dave, emea):
    """rita reports to dave; tess to rita; sam works in EMEA (below the Sales dave heads);
    olga reports to alice in no department: none of dave's."""
    rita = _person(org_a, "rita@acme.test", manager=dave)
    tess = _person(org_a, "tess@acme.test", manager=rita)
    sam = _person(org_a, "sam@acme.test", department=emea, manager=alice)
    olga = _person(org_a, "olga@acme.test", manager=alice)
    return {"rita": rita, "tess": tess, "sam": sam, "olga": olga}


@pytest.fixture
def hana(org_a):
    return _person(org_a, "hana@acme.test", role=OrgRole.HR)


def _assign_page(client, role, member):
    return client.post(
        reverse("role-assign", args=["acme", role.pk]),
        {"member": member.pk, "start_date": START.isoformat()},
    )


def _assign_api(client, role, member):
    return client.post(
        reverse("api:role-assignment-list", args=["acme"]),
        {"role": role.pk, "member": member.pk, "start_date": START.isoformat()},
        format="json",
    )


@pytest.mark.parametrize("name", ["rita", "tess", "sam"])
def test_a_manager_assigns_their_reports_and_their_departments_people(
    login, api, dave, role, people, name
):
    person = people[name]
    assert _assign_page(login(dave), role, person).status_code == 302
    assert RoleAssignment.objects.filter(role=role, member=person).count() == 1
    other = RoleFactory(org=role.org, department=role.department, title="Second role")
    assert _assign_api(api(dave), other, person).status_code == 201


def test_a_manager_cannot_assign_someone_outside_their_line(login, api, dave, role, people):
    olga = people["olga"]
    response = _assign_page(login(dave), role, olga)
    assert response.status_code == 200
    assert "only to people who report to you" in response.content.decode()
    response = _assign_api(api(dave), role, olga)
    assert response.status_code == 403
    assert "only to people who report to you" in response.json()["detail"]
    assert not RoleAssignment.objects.filter(member=olga).exists()


def test_a_manager_cannot_assign_themselves(login, api, dave, role):
    response = _assign_page(login(dave), role, dave)
    assert response.status_code == 200
    assert "Your own roles are managed by your manager" in response.content.decode()
    assert _assign_api(api(dave), role, dave).status_code == 403
    assert not RoleAssignment.objects.filter(member=dave).exists()
    with pytest.raises(ValidationError, match="Your own roles"):
        services.role_assign(role=role, actor=dave, member=dave, start_date=START)


@pytest.mark.parametrize("who", ["alice", "hana"])
def test_admins_and_hr_assign_anyone(request, login, api, role, people, who):
    actor = request.getfixturevalue(who)
    assert _assign_page(login(actor), role, people["olga"]).status_code == 302
    other = RoleFactory(org=role.org, department=role.department, title="Second role")
    assert _assign_api(api(actor), other, people["olga"]).status_code == 201


def test_a_manager_cannot_end_their_own_assignment(login, api, alice, dave, role):
    own = AssignmentFactory(role=role, member=dave, start_date=datetime.date(2025, 1, 1))
    page = login(dave).post(
        reverse("role-assignment-end", args=["acme", own.pk]), {"end_date": "2031-01-01"}
    )
    assert page.status_code == 302
    response = api(dave).post(
        reverse("api:role-assignment-end", args=["acme", own.pk]),
        {"end_date": "2031-01-01"},
        format="json",
    )
    assert response.status_code == 403
    assert "Your own roles" in response.json()["detail"]
    own.refresh_from_db()
    assert own.end_date is None
    # Their manager (an org admin here) may.
    services.role_assignment_end(assignment=own, actor=alice, end_date=datetime.date(2031, 1, 1))
    own.refresh_from_db()
    assert own.end_date == datetime.date(2031, 1, 1)


def test_a_manager_cannot_change_the_kras_of_a_role_they_hold(login, api, alice, dave, role):
    other_role = RoleFactory(org=role.org, department=role.department, title="Other")
    own_kra = KRA.objects.create(
        org=role.org, level=KRALevel.ROLE, role=role, title="Own KRA", weight=100
    )
    other_kra = KRA.objects.create(
        org=role.org, level=KRALevel.ROLE, role=other_role, title="Other KRA", weight=100
    )
    assert policy.can(dave, policy.Action.MANAGE_KRA, own_kra)
    AssignmentFactory(role=role, member=dave, start_date=datetime.date(2025, 1, 1))
    assert not policy.can(dave, policy.Action.MANAGE_KRA, own_kra)
    assert not policy.can(dave, policy.Action.MANAGE_KRA, role)
    assert policy.can(dave, policy.Action.MANAGE_KRA, other_kra)
    assert policy.can(alice, policy.Action.MANAGE_KRA, own_kra)
    client = login(dave)
    assert client.post(reverse("kra-edit", args=["acme", own_kra.pk]), {}).status_code == 403
    response = api(dave).patch(
        reverse("api:kra-detail", args=["acme", own_kra.pk]), {"title": "Mine"}, format="json"
    )
    assert response.status_code == 403
    response = api(dave).post(
        reverse("api:kpi-list", args=["acme"]),
        {"kra": own_kra.pk, "name": "Calls", "target": "5"},
        format="json",
    )
    assert response.status_code == 403
    own_kra.refresh_from_db()
    assert own_kra.title == "Own KRA" and not own_kra.kpis.exists()


def test_the_role_page_offers_hr_the_assign_form(login, hana, role):
    html = login(hana).get(reverse("role-detail", args=["acme", role.pk])).content.decode()
    assert 'data-testid="assign-form"' in html
    assert 'data-testid="edit-role"' not in html


def test_bob_and_charlie_assign_nobody(login, api, bob, charlie, role, people):
    assert _assign_page(login(bob), role, people["olga"]).status_code == 403
    assert _assign_api(api(bob), role, people["olga"]).status_code == 403
    assert (
        login(charlie)
        .post(
            reverse("role-assign", args=["acme", role.pk]),
            {"member": people["olga"].pk, "start_date": START.isoformat()},
        )
        .status_code
        == 404
    )
    assert _assign_api(api(charlie), role, people["olga"]).status_code == 404
    assert not RoleAssignment.objects.filter(member=people["olga"]).exists()
    assert not Notification.objects.filter(kind="role.assigned").exists()


def test_the_person_assigned_gets_a_notice_and_an_email(
    login, dave, role, people, django_capture_on_commit_callbacks
):
    sam = people["sam"]
    with (
        mock.patch("orgs.tasks.send_notification_email.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert _assign_page(login(dave), role, sam).status_code == 302
    note = Notification.objects.get(recipient=sam, kind="role.assigned")
    assert role.title in note.title
    assert note.url == reverse("role-detail", args=["acme", role.pk])
    delay.assert_called_once_with(org_id=sam.org_id, notification_id=note.pk)
    # Nobody else was told.
    assert Notification.objects.filter(kind="role.assigned").count() == 1
