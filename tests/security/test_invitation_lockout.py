"""Accepting an invitation as an existing account asks for that account's password, and that
check is under the login lockout like every other: it goes through
django.contrib.auth.authenticate with the request, and its failures count with the login
page's for the same email and address."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from orgs.models import Invitation, Membership
from orgs.services import invitation_accept, invitation_create
from tests.factories import PASSWORD

from .test_login_lockout import LIMIT, LoginPage, assert_locked_out

REAL = "alice@acme.test"


class InvitationPage:
    """The accept page of an invitation to an address that has an account: it asks only for
    that account's password (the email is the invitation's)."""

    def __init__(self, client, raw_token):
        self.client = client
        self.url = reverse("invitation-accept", args=[raw_token])

    def attempt(self, password, ip="127.0.0.1"):
        return self.client.post(self.url, {"password": password}, REMOTE_ADDR=ip)

    def succeeded(self, response):
        return response.status_code == 302 and "_auth_user_id" in self.client.session

    def refused(self, response):
        return (
            response.status_code == 200
            and "enter its password" in response.content.decode()
            and "_auth_user_id" not in self.client.session
        )


@pytest.fixture
def invited(org_b, charlie, alice):
    """globex invites alice, who has an account (in acme) already."""
    invitation, raw = invitation_create(org=org_b, actor=charlie, email=REAL)
    return invitation, raw


@pytest.fixture
def accept_page(client, invited):
    return InvitationPage(client, invited[1])


def joined(alice, org_b) -> bool:
    return Membership.objects.filter(org=org_b, user=alice.user).exists()


def test_the_page_asks_an_existing_account_for_its_current_password(accept_page):
    form = accept_page.client.get(accept_page.url).content.decode()
    assert 'autocomplete="current-password"' in form
    assert "password2" not in form


def test_wrong_passwords_lock_the_account_out_even_for_the_right_one(
    accept_page, invited, alice, org_b
):
    # Given four wrong passwords, each refused on the form
    for _ in range(LIMIT - 1):
        assert accept_page.refused(accept_page.attempt("not the password"))
    # When the fifth is wrong too, the answer is the lockout
    assert_locked_out(accept_page, accept_page.attempt("not the password"))
    # Then the right password is refused as well: no membership, the link still pending
    assert_locked_out(accept_page, accept_page.attempt(PASSWORD))
    assert not joined(alice, org_b)
    invitation, _raw = invited
    invitation.refresh_from_db()
    assert invitation.is_pending
    assert AccessAttempt.objects.get(username=REAL).failures_since_start == LIMIT


def test_failures_on_the_login_page_lock_the_invitation_too(client, accept_page, alice, org_b):
    login = LoginPage(client)
    for _ in range(LIMIT):
        login.attempt(REAL, "not the password")
    assert_locked_out(accept_page, accept_page.attempt(PASSWORD))
    assert not joined(alice, org_b)


def test_failures_on_the_invitation_count_for_the_login_page(client, accept_page, alice):
    for _ in range(LIMIT):
        accept_page.attempt("not the password")
    login = LoginPage(client)
    assert_locked_out(login, login.attempt(REAL, PASSWORD))


def test_the_lockout_holds_for_one_address_only(accept_page, alice, org_b):
    for _ in range(LIMIT):
        accept_page.attempt("not the password")
    assert accept_page.succeeded(accept_page.attempt(PASSWORD, ip="203.0.113.9"))
    assert joined(alice, org_b)


def test_the_right_password_joins_and_clears_the_count(accept_page, invited, alice, org_b):
    for _ in range(LIMIT - 1):
        accept_page.attempt("not the password")
    response = accept_page.attempt(PASSWORD)
    assert accept_page.succeeded(response)
    assert response["Location"] == reverse("org-home", args=["globex"])
    assert joined(alice, org_b)
    assert not AccessAttempt.objects.filter(username=REAL, failures_since_start__gt=0).exists()


def test_the_service_will_not_check_a_password_without_the_request(invited, alice, org_b):
    # Without the request the lockout could not count the attempt, so there is no check.
    _invitation, raw = invited
    with pytest.raises(ValueError):
        invitation_accept(raw_token=raw, full_name="", password=PASSWORD)
    assert not joined(alice, org_b)
    assert Invitation.objects.get(pk=invited[0].pk).is_pending
