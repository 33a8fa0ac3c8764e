import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from orgs.models import AuditEvent, Invitation, Membership, OrgRole, User
from orgs.services import invitation_accept, invitation_create, invitation_revoke
from orgs.services.invitations import hash_token
from tests.factories import PASSWORD, DepartmentFactory, MembershipFactory, UserFactory

NEW_PASSWORD = "a long and unusual passphrase 42"


def audit_rows(org):
    # Creating an API client writes an api_token row; only domain changes count here.
    return AuditEvent.objects.filter(org=org).exclude(action__startswith="api_token.").count()


def wait_for_mail(timeout=10.0):
    """The email is sent by a real worker thread: poll the outbox until it arrives."""
    deadline = time.monotonic() + timeout
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert mail.outbox, f"no invitation email within {timeout}s"
    return mail.outbox[0]


def token_from(message) -> str:
    return re.search(r"/invite/([^/\s]+)/", message.body).group(1)


@pytest.fixture
def sales(org_a):
    return DepartmentFactory(org=org_a, name="Sales")


@pytest.fixture
def invited(org_a, alice, bob, sales):
    """A pending invitation and its raw token (no email: the test transaction never commits)."""
    return invitation_create(
        org=org_a,
        actor=alice,
        email=" Erin@Example.com ",
        full_name="Erin New",
        role=OrgRole.HR,
        job_title="People Partner",
        department=sales,
        manager=bob,
    )


# --- Services ------------------------------------------------------------------------------


def test_only_a_hash_of_the_token_is_stored(invited):
    invitation, raw = invited
    assert invitation.email == "erin@example.com"
    assert invitation.token_hash == hash_token(raw) and raw not in invitation.token_hash
    assert invitation.is_pending
    assert AuditEvent.objects.filter(action="invitation.create").count() == 1


def test_an_invalid_email_is_refused(org_a, alice):
    with pytest.raises(ValidationError) as exc:
        invitation_create(org=org_a, actor=alice, email="not-an-email")
    assert "email" in exc.value.message_dict
    assert not Invitation.objects.exists()


def test_an_existing_member_cannot_be_invited_again(org_a, alice, bob):
    with pytest.raises(ValidationError) as exc:
        invitation_create(org=org_a, actor=alice, email="BOB@acme.test")
    assert "already a member" in exc.value.message_dict["email"][0]


def test_department_and_manager_must_belong_to_the_org(org_a, org_b, alice, charlie):
    with pytest.raises(ValidationError) as exc:
        invitation_create(
            org=org_a, actor=alice, email="x@example.com", department=DepartmentFactory(org=org_b)
        )
    assert "department" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        invitation_create(org=org_a, actor=alice, email="x@example.com", manager=charlie)
    assert "manager" in exc.value.message_dict
    assert not Invitation.objects.exists()


def test_a_deactivated_manager_is_refused(org_a, alice):
    leaver = MembershipFactory(org=org_a, is_active=False)
    with pytest.raises(ValidationError) as exc:
        invitation_create(org=org_a, actor=alice, email="x@example.com", manager=leaver)
    assert "manager" in exc.value.message_dict


def test_a_new_invitation_replaces_the_pending_one(org_a, alice, invited):
    old, old_raw = invited
    new, new_raw = invitation_create(org=org_a, actor=alice, email="erin@example.com")
    old.refresh_from_db()
    assert old.revoked_at is not None and new.is_pending
    assert AuditEvent.objects.filter(action="invitation.revoke", object_id=str(old.pk)).exists()
    with pytest.raises(ValidationError):
        invitation_accept(raw_token=old_raw, full_name="", password=NEW_PASSWORD)


def test_accepting_creates_the_user_and_the_membership(org_a, alice, bob, sales, invited):
    invitation, raw = invited
    membership = invitation_accept(raw_token=raw, full_name="", password=NEW_PASSWORD)
    user = User.objects.get(email="erin@example.com")
    assert membership.user == user and user.full_name == "Erin New"
    assert user.check_password(NEW_PASSWORD)
    assert (membership.org, membership.role, membership.department, membership.manager) == (
        org_a,
        OrgRole.HR,
        sales,
        bob,
    )
    assert membership.job_title == "People Partner"
    assert membership.start_date == timezone.localdate()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    actions = set(AuditEvent.objects.filter(org=org_a).values_list("action", flat=True))
    assert {"invitation.accept", "membership.create"} <= actions


def test_the_link_works_once(invited):
    _invitation, raw = invited
    invitation_accept(raw_token=raw, full_name="Erin", password=NEW_PASSWORD)
    with pytest.raises(ValidationError):
        invitation_accept(raw_token=raw, full_name="Erin", password=NEW_PASSWORD)
    assert Membership.objects.filter(user__email="erin@example.com").count() == 1


def test_an_expired_link_is_refused(invited):
    invitation, raw = invited
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ValidationError) as exc:
        invitation_accept(raw_token=raw, full_name="Erin", password=NEW_PASSWORD)
    assert "expired" in exc.value.messages[0]
    assert not User.objects.filter(email="erin@example.com").exists()


def test_a_revoked_link_is_refused(alice, invited):
    invitation, raw = invited
    invitation_revoke(invitation=invitation, actor=alice)
    with pytest.raises(ValidationError):
        invitation_accept(raw_token=raw, full_name="Erin", password=NEW_PASSWORD)
    assert not User.objects.filter(email="erin@example.com").exists()


def test_a_weak_password_is_refused_on_the_password_field(invited):
    invitation, raw = invited
    with pytest.raises(ValidationError) as exc:
        invitation_accept(raw_token=raw, full_name="Erin", password="12345678")
    assert "password" in exc.value.message_dict
    invitation.refresh_from_db()
    assert invitation.is_pending  # the claim was rolled back: the link still works
    assert not User.objects.filter(email="erin@example.com").exists()


def test_an_existing_account_must_give_its_password(org_a, org_b, charlie, rf):
    """charlie has an account (in globex); joining acme needs his current password, checked
    with the request (so the login lockout counts it)."""
    acme_admin = MembershipFactory(org=org_a, role=OrgRole.ADMIN)
    invitation, raw = invitation_create(org=org_a, actor=acme_admin, email="charlie@globex.test")
    request = rf.post("/invite/")
    with pytest.raises(ValidationError) as exc:
        invitation_accept(raw_token=raw, full_name="", password=NEW_PASSWORD, request=request)
    assert "enter its password" in exc.value.message_dict["password"][0]
    invitation.refresh_from_db()
    assert invitation.is_pending
    assert not Membership.objects.filter(org=org_a, user=charlie.user).exists()

    membership = invitation_accept(
        raw_token=raw, full_name="Someone Else", password=PASSWORD, request=request
    )
    assert membership.user == charlie.user and membership.org == org_a
    charlie.user.refresh_from_db()
    assert charlie.user.full_name == "Charlie Other"  # the account is not rewritten
    assert charlie.user.check_password(PASSWORD)


def test_accepting_when_already_a_member_is_a_clear_error(org_a, alice, invited, rf):
    _invitation, raw = invited
    # Meanwhile someone added her another way (an org-chart import, say).
    MembershipFactory(org=org_a, user=UserFactory(email="erin@example.com"))
    with pytest.raises(ValidationError) as exc:
        invitation_accept(raw_token=raw, full_name="", password=PASSWORD, request=rf.post("/"))
    assert "already a member" in exc.value.messages[0]


def test_an_accepted_invitation_cannot_be_revoked(alice, invited):
    invitation, raw = invited
    invitation_accept(raw_token=raw, full_name="Erin", password=NEW_PASSWORD)
    with pytest.raises(ValidationError):
        invitation_revoke(invitation=invitation, actor=alice)
    invitation.refresh_from_db()
    assert invitation.revoked_at is None and invitation.accepted_at is not None


def test_revoking_twice_records_it_once(alice, invited):
    invitation, _raw = invited
    invitation_revoke(invitation=invitation, actor=alice)
    invitation_revoke(invitation=invitation, actor=alice)
    assert AuditEvent.objects.filter(action="invitation.revoke").count() == 1


# --- Pages ---------------------------------------------------------------------------------


def test_admin_invites_from_the_page(login, alice, bob, sales):
    response = login(alice).post(
        reverse("invitation-create", args=["acme"]),
        {
            "email": "frank@example.com",
            "full_name": "Frank",
            "role": OrgRole.MEMBER,
            "job_title": "Engineer",
            "department": sales.pk,
            "manager": bob.pk,
        },
        follow=True,
    )
    assert "Invitation sent to frank@example.com." in response.content.decode()
    invitation = Invitation.objects.get(email="frank@example.com")
    assert (invitation.org, invitation.invited_by, invitation.department, invitation.manager) == (
        alice.org,
        alice,
        sales,
        bob,
    )


def test_inviting_a_member_is_shown_on_the_form(login, alice, bob):
    response = login(alice).post(
        reverse("invitation-create", args=["acme"]),
        {"email": "bob@acme.test", "role": OrgRole.MEMBER},
    )
    assert response.status_code == 200
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists()


def test_cross_org_department_and_manager_are_refused_on_the_form(login, alice, charlie, org_b):
    response = login(alice).post(
        reverse("invitation-create", args=["acme"]),
        {
            "email": "frank@example.com",
            "role": OrgRole.MEMBER,
            "department": DepartmentFactory(org=org_b).pk,
            "manager": charlie.pk,
        },
    )
    assert response.status_code == 200
    assert {"department", "manager"} <= set(response.context["form"].errors)
    assert not Invitation.objects.exists()
    assert audit_rows(alice.org) == 0


def test_invitation_list_shows_each_status(login, org_a, alice, invited):
    accepted, raw = invitation_create(org=org_a, actor=alice, email="acc@example.com")
    invitation_accept(raw_token=raw, full_name="Acc", password=NEW_PASSWORD)
    revoked, _raw = invitation_create(org=org_a, actor=alice, email="rev@example.com")
    invitation_revoke(invitation=revoked, actor=alice)
    expired, _raw = invitation_create(org=org_a, actor=alice, email="exp@example.com")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))

    response = login(alice).get(reverse("invitation-list", args=["acme"]))
    statuses = {i.email: i.status for i in response.context["page_obj"]}
    assert statuses == {
        "erin@example.com": "pending",
        "acc@example.com": "accepted",
        "rev@example.com": "revoked",
        "exp@example.com": "expired",
    }
    html = response.content.decode()
    assert html.count('data-testid="invitation-row"') == 4
    # Only the pending one can be revoked.
    assert html.count(reverse("invitation-revoke", args=["acme", invited[0].pk])) == 1
    assert reverse("invitation-revoke", args=["acme", accepted.pk]) not in html


def test_empty_invitation_list_says_what_to_do_next(login, alice):
    html = login(alice).get(reverse("invitation-list", args=["acme"])).content.decode()
    assert "No invitations sent yet." in html
    assert reverse("invitation-create", args=["acme"]) in html


def test_revoke_from_the_page(login, alice, invited):
    invitation, raw = invited
    response = login(alice).post(reverse("invitation-revoke", args=["acme", invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert login(alice).get(reverse("invitation-accept", args=[raw])).status_code == 404


def test_accept_page_joins_and_logs_in_then_the_link_is_dead(client, invited):
    _invitation, raw = invited
    url = reverse("invitation-accept", args=[raw])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"full_name": "Erin N.", "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("org-home", args=["acme"])
    assert client.get(response.url).status_code == 200  # logged in as Erin
    assert User.objects.get(email="erin@example.com").full_name == "Erin N."
    again = client.get(url)
    assert again.status_code == 404
    assert "does not work" in again.content.decode()


def test_accept_page_refuses_an_expired_link(client, invited):
    invitation, raw = invited
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    response = client.post(
        reverse("invitation-accept", args=[raw]),
        {"full_name": "Erin", "password": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 404
    assert not User.objects.filter(email="erin@example.com").exists()


def test_accept_page_asks_an_existing_account_for_its_password(client, org_a, alice, charlie):
    _invitation, raw = invitation_create(org=org_a, actor=alice, email="charlie@globex.test")
    url = reverse("invitation-accept", args=[raw])
    assert "confirm with its password" in client.get(url).content.decode()
    response = client.post(url, {"password": "wrong password"})
    assert response.status_code == 200
    assert "enter its password" in response.content.decode()
    assert not Membership.objects.filter(org=org_a, user=charlie.user).exists()
    response = client.post(url, {"password": PASSWORD})
    assert response.status_code == 302
    assert Membership.objects.filter(org=org_a, user=charlie.user).exists()


def test_bob_is_refused_every_invitation_page(login, org_a, alice, bob, invited):
    invitation, _raw = invited
    before = audit_rows(org_a)
    client = login(bob)
    assert client.get(reverse("invitation-list", args=["acme"])).status_code == 403
    assert client.get(reverse("invitation-create", args=["acme"])).status_code == 403
    response = client.post(
        reverse("invitation-create", args=["acme"]),
        {"email": "friend@example.com", "role": OrgRole.ADMIN},
    )
    assert response.status_code == 403
    response = client.post(reverse("invitation-revoke", args=["acme", invitation.pk]))
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.is_pending
    assert Invitation.objects.count() == 1
    assert audit_rows(org_a) == before


def test_charlie_gets_404_for_every_invitation_page_of_acme(login, org_a, charlie, invited):
    invitation, _raw = invited
    before = audit_rows(org_a)
    client = login(charlie)
    assert client.get(reverse("invitation-list", args=["acme"])).status_code == 404
    assert client.get(reverse("invitation-create", args=["acme"])).status_code == 404
    response = client.post(
        reverse("invitation-create", args=["acme"]), {"email": "x@example.com", "role": "admin"}
    )
    assert response.status_code == 404
    for slug in ("acme", "globex"):
        response = client.post(reverse("invitation-revoke", args=[slug, invitation.pk]))
        assert response.status_code == 404
    html = client.get(reverse("invitation-list", args=["globex"])).content.decode()
    assert "erin@example.com" not in html
    invitation.refresh_from_db()
    assert invitation.is_pending
    assert Invitation.objects.count() == 1
    assert audit_rows(org_a) == before and audit_rows(charlie.org) == 0


def test_invitation_list_page_uses_a_constant_number_of_queries(
    login, org_a, alice, bob, sales, django_assert_max_num_queries
):
    for i in range(30):
        invitation_create(
            org=org_a, actor=alice, email=f"p{i}@example.com", department=sales, manager=bob
        )
    client = login(alice)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("invitation-list", args=["acme"]))
    assert response.content.decode().count('data-testid="invitation-row"') == 25


# --- API -----------------------------------------------------------------------------------


def test_api_creates_lists_and_revokes_invitations(api, alice, bob, sales):
    client = api(alice)
    url = reverse("api:invitation-list", args=["acme"])
    response = client.post(
        url,
        {"email": "gina@example.com", "role": "member", "department": sales.pk, "manager": bob.pk},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["invited_by"] == alice.pk
    assert not {"token", "token_hash", "key"} & set(body)
    assert [i["email"] for i in client.get(url).json()["results"]] == ["gina@example.com"]

    revoke = reverse("api:invitation-revoke", args=["acme", body["id"]])
    response = client.post(revoke)
    assert response.status_code == 200 and response.json()["status"] == "revoked"


def test_api_refuses_bad_input_with_the_service_message(api, alice, bob):
    client = api(alice)
    url = reverse("api:invitation-list", args=["acme"])
    response = client.post(url, {"email": "bob@acme.test"})
    assert response.status_code == 400
    assert "already a member" in response.json()["email"][0]
    assert client.post(url, {"email": "x@example.com", "role": "owner"}).status_code == 400
    assert not Invitation.objects.exists()


def test_api_refuses_department_and_manager_from_another_org(api, org_b, alice, charlie):
    client = api(alice)
    before = audit_rows(alice.org)
    url = reverse("api:invitation-list", args=["acme"])
    response = client.post(url, {"email": "x@example.com", "manager": charlie.pk})
    assert response.status_code == 400 and "manager" in response.json()
    response = client.post(
        url, {"email": "x@example.com", "department": DepartmentFactory(org=org_b).pk}
    )
    assert response.status_code == 400 and "department" in response.json()
    assert not Invitation.objects.exists()
    assert audit_rows(alice.org) == before


def test_api_bob_cannot_even_read_invitations(api, org_a, bob, invited):
    invitation, _raw = invited
    client = api(bob)
    before = audit_rows(org_a)
    url = reverse("api:invitation-list", args=["acme"])
    assert client.get(url).status_code == 403
    assert (
        client.get(reverse("api:invitation-detail", args=["acme", invitation.pk])).status_code
        == 403
    )
    assert client.post(url, {"email": "friend@example.com", "role": "admin"}).status_code == 403
    response = client.post(reverse("api:invitation-revoke", args=["acme", invitation.pk]))
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.is_pending and Invitation.objects.count() == 1
    assert audit_rows(org_a) == before


def test_api_charlie_gets_404_for_acme_invitations(api, org_a, charlie, invited):
    invitation, _raw = invited
    client = api(charlie)
    before = audit_rows(org_a)
    assert client.get(reverse("api:invitation-list", args=["acme"])).status_code == 404
    assert (
        client.post(
            reverse("api:invitation-list", args=["acme"]), {"email": "x@example.com"}
        ).status_code
        == 404
    )
    for slug in ("acme", "globex"):
        detail = reverse("api:invitation-detail", args=[slug, invitation.pk])
        assert client.get(detail).status_code == 404
        assert (
            client.post(reverse("api:invitation-revoke", args=[slug, invitation.pk])).status_code
            == 404
        )
    assert client.get(reverse("api:invitation-list", args=["globex"])).json()["count"] == 0
    invitation.refresh_from_db()
    assert invitation.is_pending and Invitation.objects.count() == 1
    assert audit_rows(org_a) == before


def test_invitation_list_api_uses_a_constant_number_of_queries(
    api, org_a, alice, bob, sales, django_assert_max_num_queries
):
    for i in range(30):
        invitation_create(
            org=org_a, actor=alice, email=f"p{i}@example.com", department=sales, manager=bob
        )
    client = api(alice)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("api:invitation-list", args=["acme"]))
    assert response.json()["count"] == 30


# --- The email, sent by a real Celery worker ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_invitation_email_is_sent_by_the_worker_and_its_link_joins(
    celery_worker, login, alice, client
):
    # Given alice invites someone from the page...
    response = login(alice).post(
        reverse("invitation-create", args=["acme"]),
        {"email": "hana@example.com", "full_name": "Hana", "role": OrgRole.MEMBER},
    )
    assert response.status_code == 302
    # ...the worker emails a one-time link...
    message = wait_for_mail()
    assert message.to == ["hana@example.com"]
    assert "Acme Robotics" in message.subject
    raw = token_from(message)
    assert Invitation.objects.get(email="hana@example.com").token_hash == hash_token(raw)
    # ...which lets Hana join once.
    client.logout()
    url = reverse("invitation-accept", args=[raw])
    response = client.post(
        url, {"full_name": "Hana H.", "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(org=alice.org, user__email="hana@example.com").exists()
    client.logout()
    assert client.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_api_never_returns_the_token_that_the_email_carries(celery_worker, api, alice):
    response = api(alice).post(
        reverse("api:invitation-list", args=["acme"]), {"email": "ivan@example.com"}
    )
    assert response.status_code == 201
    raw = token_from(wait_for_mail())
    assert raw not in response.content.decode()
