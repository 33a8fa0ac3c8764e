"""The people list's status filter, a person's page, everyone's API tokens (org admins and
HR), and what HR may and may not do.

alice is an org admin, bob a plain member reporting to her, hana HR, charlie the admin of
another organisation."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orgs.models import ApiToken, AuditEvent, Membership, Notification, OrgRole
from orgs.services import api_token_create, membership_update
from roles.models import Role, RoleAssignment
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory


def url(name, *args, slug="acme"):
    return reverse(name, args=[slug, *args])


@pytest.fixture
def hana(org_a, alice):
    return MembershipFactory(
        org=org_a,
        role=OrgRole.HR,
        manager=alice,
        job_title="People Partner",
        user=UserFactory(email="hana@acme.test", full_name="Hana HR"),
    )


@pytest.fixture
def leo(org_a, alice):
    """Deactivated last month."""
    return MembershipFactory(
        org=org_a,
        manager=alice,
        is_active=False,
        deactivated_at=timezone.now() - datetime.timedelta(days=30),
        user=UserFactory(email="leo@acme.test", full_name="Leo Leaver"),
    )


@pytest.fixture
def sales(org_a):
    return DepartmentFactory(org=org_a, name="Sales")


# --- the status filter -------------------------------------------------------------------


def test_nobody_but_admins_and_hr_sees_deactivated_members(login, api, alice, bob, hana, leo):
    for member in (alice, hana):
        client = login(member)
        assert "Leo Leaver" not in client.get(url("member-list")).content.decode()
        page = client.get(url("member-list"), {"status": "all"}).content.decode()
        assert "Leo Leaver" in page and 'data-testid="status-filter"' in page
        only_gone = client.get(url("member-list"), {"status": "inactive"}).content.decode()
        assert "Leo Leaver" in only_gone and "Bob Member" not in only_gone
        names = [
            m["full_name"]
            for m in api(member)
            .get(url("api:member-list"), {"status": "inactive"})
            .json()["results"]
        ]
        assert names == ["Leo Leaver"]
        assert api(member).get(url("api:member-detail", leo.pk)).status_code == 200
    # bob asks for them every way there is and gets the active members only
    client = login(bob)
    for query in ({"status": "all"}, {"status": "inactive"}, {"inactive": "1"}):
        page = client.get(url("member-list"), query).content.decode()
        assert "Leo Leaver" not in page and 'data-testid="status-filter"' not in page
        body = api(bob).get(url("api:member-list"), query).json()
        assert "Leo Leaver" not in str(body)
    assert api(bob).get(url("api:member-detail", leo.pk)).status_code == 404
    assert client.get(url("member-detail", leo.pk)).status_code == 404


def test_an_unknown_status_is_a_400_in_the_api_and_ignored_on_the_page(login, api, alice, leo):
    assert api(alice).get(url("api:member-list"), {"status": "gone"}).status_code == 400
    page = login(alice).get(url("member-list"), {"status": "gone"}).content.decode()
    assert "Leo Leaver" not in page


def test_the_filter_bar_holds_search_department_and_status_together(login, alice):
    html = login(alice).get(url("member-list")).content.decode()
    bar = html[html.index('data-testid="member-filters"') :]
    bar = bar[: bar.index("</form>")]
    for part in ('name="q"', 'name="department"', 'name="status"', 'type="submit"'):
        assert part in bar
    assert 'class="filter-bar"' in html


# --- a person's page ---------------------------------------------------------------------


@pytest.fixture
def dora(org_a, bob, sales):
    return MembershipFactory(
        org=org_a,
        manager=bob,
        department=sales,
        job_title="Account Manager",
        start_date=datetime.date(2023, 4, 1),
        user=UserFactory(email="dora@acme.test", full_name="Dora Report"),
    )


def test_a_name_in_the_list_opens_the_person_page(login, bob, dora):
    client = login(bob)
    html = client.get(url("member-list")).content.decode()
    assert f'href="{url("member-detail", dora.pk)}"' in html
    page = client.get(url("member-detail", dora.pk))
    assert page.status_code == 200
    body = page.content.decode()
    for fact in ("Dora Report", "Account Manager", "Sales", "active"):
        assert fact in body
    # the manager is a link to their own page
    assert f'href="{url("member-detail", bob.pk)}">Bob Member</a>' in body
    # a plain member sees no tokens and no edit link
    assert 'id="tokens"' not in body and 'data-testid="edit-person"' not in body


def test_the_person_page_lists_roles_held_and_pages_the_direct_reports(login, org_a, bob, alice):
    role = Role.objects.create(org=org_a, title="Sales Director", justification_kind="revenue")
    ended = Role.objects.create(org=org_a, title="Old Job", justification_kind="revenue")
    RoleAssignment.objects.create(
        org=org_a, role=role, member=alice, start_date=datetime.date(2024, 1, 1)
    )
    RoleAssignment.objects.create(
        org=org_a,
        role=ended,
        member=alice,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 1, 1),
    )
    MembershipFactory.create_batch(24, org=org_a, manager=alice)
    client = login(bob)
    first = client.get(url("member-detail", alice.pk)).content.decode()
    assert "Sales Director" in first and "Old Job" not in first
    assert first.count('data-testid="report-row"') == 20
    assert "Direct reports (25)" in first
    second = client.get(url("member-detail", alice.pk), {"page": 2}).content.decode()
    assert second.count('data-testid="report-row"') == 5


def test_the_person_page_costs_the_same_with_few_or_many_reports(
    login, org_a, alice, bob, django_assert_max_num_queries
):
    client = login(bob)
    path = url("member-detail", alice.pk)

    def count():
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    few = count()
    MembershipFactory.create_batch(15, org=org_a, manager=alice)
    assert count() == few
    with django_assert_max_num_queries(few):
        client.get(path)


def test_admins_and_hr_see_a_members_tokens_and_revoke_one(login, alice, hana, bob):
    token, _raw = api_token_create(member=bob, name="payroll sync")
    for member in (alice, hana):
        html = login(member).get(url("member-detail", bob.pk)).content.decode()
        assert "payroll sync" in html and 'data-confirm="Revoke the token' in html
    response = login(hana).post(
        url("org-token-revoke", token.pk), {"next": url("member-detail", bob.pk) + "#tokens"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("member-detail", bob.pk) + "#tokens"
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(action="api_token.revoke", object_id=str(token.pk))
    assert event.actor == hana.user and event.changes["owner"]["new"] == "bob@acme.test"


def test_charlie_gets_404_for_a_person_page_of_acme(login, alice, bob, charlie):
    client = login(charlie)
    assert client.get(url("member-detail", bob.pk)).status_code == 404
    assert client.get(url("member-detail", charlie.pk)).status_code == 404
    assert client.get(url("member-detail", bob.pk, slug="globex")).status_code == 404


# --- everyone's API tokens ---------------------------------------------------------------


def test_an_admin_lists_every_token_and_revokes_any(login, api, alice, bob, charlie):
    token, raw = api_token_create(member=bob, name="bob script")
    api_token_create(member=charlie, name="globex script")
    page = login(alice).get(url("org-token-list")).content.decode()
    assert "bob script" in page and "globex script" not in page
    listed = api(alice).get(url("api:org-api-token-list")).json()["results"]
    assert "bob script" in [t["name"] for t in listed]
    assert "globex script" not in str(listed) and raw not in str(listed)
    mine = api(alice).get(url("api:org-api-token-list"), {"member": bob.pk}).json()["results"]
    assert [(t["name"], t["member"]) for t in mine] == [("bob script", bob.pk)]
    response = api(alice).post(url("api:org-api-token-revoke", token.pk))
    assert response.status_code == 200 and response.json()["revoked_at"]
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk)).exists()
    # The revoked key no longer opens the API.
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get(url("api:member-list")).status_code == 401
    # Listed with ?status=all only
    usable = api(alice).get(url("api:org-api-token-list")).json()["results"]
    assert "bob script" not in [t["name"] for t in usable]
    every = api(alice).get(url("api:org-api-token-list"), {"status": "all"}).json()["results"]
    assert "bob script" in [t["name"] for t in every]


def test_bob_lists_and_revokes_no_one_elses_token_and_charlie_gets_404(
    login, api, alice, bob, charlie
):
    token, _raw = api_token_create(member=alice, name="alice script")
    assert login(bob).get(url("org-token-list")).status_code == 403
    assert login(bob).post(url("org-token-revoke", token.pk)).status_code == 403
    assert api(bob).get(url("api:org-api-token-list")).status_code == 403
    assert api(bob).post(url("api:org-api-token-revoke", token.pk)).status_code == 403
    assert login(charlie).post(url("org-token-revoke", token.pk)).status_code == 404
    assert login(charlie).post(url("org-token-revoke", token.pk, slug="globex")).status_code == 404
    assert (
        api(charlie).post(url("api:org-api-token-revoke", token.pk, slug="globex")).status_code
        == 404
    )
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not AuditEvent.objects.filter(action="api_token.revoke").exists()


def test_a_member_still_manages_their_own_tokens(login, bob):
    client = login(bob)
    client.post(url("api-token-list"), {"name": "my script", "ttl_days": 30})
    token = ApiToken.objects.get(user=bob.user, name="my script")
    assert client.post(url("api-token-revoke", token.pk)).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_token_list_costs_the_same_with_few_or_many_tokens(
    login, org_a, alice, django_assert_max_num_queries
):
    client = login(alice)
    path = url("org-token-list")

    def count():
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    for _ in range(2):
        api_token_create(member=MembershipFactory(org=org_a), name="script")
    few = count()
    for _ in range(12):
        api_token_create(member=MembershipFactory(org=org_a), name="script")
    assert count() == few
    with django_assert_max_num_queries(few):
        client.get(path)


# --- HR ----------------------------------------------------------------------------------


def test_hr_manages_people(login, api, hana, bob, sales):
    client = login(hana)
    response = client.post(
        url("member-edit", bob.pk),
        {
            "role": bob.role,
            "department": sales.pk,
            "manager": hana.pk,
            "job_title": "Closer",
            "employee_id": "",
            "start_date": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    bob.refresh_from_db()
    assert (bob.department, bob.manager, bob.job_title) == (sales, hana, "Closer")
    assert client.post(url("member-deactivate", bob.pk)).status_code == 302
    bob.refresh_from_db()
    assert not bob.is_active
    assert client.post(url("member-reactivate", bob.pk)).status_code == 302
    assert client.get(url("audit-list")).status_code == 200
    assert client.get(url("org-chart-import")).status_code == 200
    assert client.get(url("invitation-create")).status_code == 200
    assert api(hana).get(url("api:audit-event-list")).status_code == 200


def test_hr_does_not_configure_the_organisation_or_change_org_roles(login, api, hana, alice, bob):
    client = login(hana)
    for name in ("org-settings", "department-create", "objective-create", "org-rules"):
        assert client.get(url(name)).status_code == 403, name
    # The org role offers only the current one to HR...
    form = client.get(url("member-edit", bob.pk)).content.decode()
    assert 'value="admin"' not in form and "Only org admins change org roles." in form
    response = client.post(
        url("member-edit", bob.pk),
        {"role": OrgRole.ADMIN, "department": "", "manager": alice.pk, "job_title": ""},
    )
    assert response.status_code == 200
    # ...and the API refuses the change.
    response = api(hana).patch(url("api:member-detail", bob.pk), {"role": OrgRole.ADMIN})
    assert response.status_code == 403
    bob.refresh_from_db()
    assert bob.role == OrgRole.MEMBER
    # HR does not invite org admins, nor deactivate one.
    invite = client.get(url("invitation-create")).content.decode()
    assert 'value="admin"' not in invite
    response = api(hana).post(url("api:member-deactivate", alice.pk))
    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.is_active


def test_a_new_manager_is_announced_to_the_member(
    login, alice, bob, hana, django_capture_on_commit_callbacks
):
    with (
        mock.patch("orgs.tasks.send_notification_email.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        membership_update(membership=bob, actor=alice, manager=hana)
    note = Notification.objects.get(recipient=bob, kind="member.manager_changed")
    assert "Hana HR" in note.title and note.url == url("member-detail", hana.pk)
    delay.assert_called_once_with(org_id=bob.org_id, notification_id=note.pk)
    # Nothing is said when the manager stays, or for other changes.
    membership_update(membership=bob, actor=alice, manager=hana, job_title="Lead")
    assert Notification.objects.filter(kind="member.manager_changed").count() == 1


def test_an_import_announces_a_new_manager(alice, bob, hana, django_capture_on_commit_callbacks):
    from orgs.imports import org_chart_import

    text = "email,full name,manager email\nbob@acme.test,Bob Member,hana@acme.test\n"
    with (
        mock.patch("orgs.tasks.send_notification_email.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        org_chart_import(org=alice.org, actor=alice, file_bytes=text.encode())
    note = Notification.objects.get(recipient=bob, kind="member.manager_changed")
    delay.assert_called_once_with(org_id=bob.org_id, notification_id=note.pk)
    assert not Notification.objects.exclude(recipient=bob).exists()
    assert Membership.objects.get(pk=bob.pk).manager == hana


def test_the_token_api_list_costs_the_same_with_few_or_many_tokens(
    api, org_a, alice, django_assert_max_num_queries
):
    client = api(alice)
    path = url("api:org-api-token-list")

    def count():
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    few = count()
    for _ in range(12):
        api_token_create(member=MembershipFactory(org=org_a), name="script")
    assert count() == few
    with django_assert_max_num_queries(few):
        assert client.get(path).json()["count"] == 13
