"""Login lockout (django-axes) on every way in with a password: the login page, the Django
admin's login and the API token endpoint. Five failures for one email from one address lock
that pair out for the cool-off; the right password is refused meanwhile."""

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from orgs.models import ApiToken
from orgs.services import organization_set_suspended
from tests.factories import PASSWORD

LIMIT = 5
OTHER_IP = "203.0.113.9"


class LoginPage:
    url = "/accounts/login/"

    def __init__(self, client):
        self.client = client

    def attempt(self, email, password, ip="127.0.0.1"):
        return self.client.post(self.url, {"username": email, "password": password}, REMOTE_ADDR=ip)

    def succeeded(self, response):
        return response.status_code == 302 and "_auth_user_id" in self.client.session

    def refused(self, response):
        return response.status_code == 200 and "_auth_user_id" not in self.client.session


class AdminLogin(LoginPage):
    url = "/admin/login/?next=/admin/"


class TokenEndpoint:
    def __init__(self, client):
        self.client = APIClient()

    def attempt(self, email, password, ip="127.0.0.1", organization="acme"):
        return self.client.post(
            reverse("api:auth-token"),
            {
                "email": email,
                "password": password,
                "organization": organization,
                "name": "ci",
                "ttl_days": 7,
            },
            format="json",
            REMOTE_ADDR=ip,
        )

    def succeeded(self, response):
        return response.status_code == 201 and response.json()["key"].startswith("kra_")

    def refused(self, response):
        return response.status_code == 400


PATHS = {"login page": LoginPage, "admin login": AdminLogin, "token endpoint": TokenEndpoint}


@pytest.fixture(params=PATHS)
def way_in(request, client, alice):
    # alice may use the admin, so the admin's refusals below come from the lockout alone.
    alice.user.is_staff = True
    alice.user.save(update_fields=["is_staff"])
    return PATHS[request.param](client)


def assert_locked_out(way_in, response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60
    if isinstance(way_in, TokenEndpoint):
        assert "Too many failed attempts" in response.json()["detail"]
    else:
        page = response.content.decode()
        assert 'data-testid="locked-out"' in page and "15 minutes" in page
        assert "_auth_user_id" not in way_in.client.session


def fail(way_in, times, email="alice@acme.test", **kwargs):
    return [way_in.attempt(email, "not the password", **kwargs) for _ in range(times)]


def test_five_failures_lock_the_account_out_even_for_the_right_password(way_in):
    # Given four failures, each refused the ordinary way
    for response in fail(way_in, LIMIT - 1):
        assert way_in.refused(response)
    # When the fifth fails too, the answer is already the lockout
    assert_locked_out(way_in, fail(way_in, 1)[0])
    # Then the right password is refused as well, and nothing was issued
    assert_locked_out(way_in, way_in.attempt("alice@acme.test", PASSWORD))
    assert ApiToken.objects.count() == 0


def test_the_lockout_ends_after_the_cool_off(way_in):
    fail(way_in, LIMIT)
    assert_locked_out(way_in, way_in.attempt("alice@acme.test", PASSWORD))
    # Fourteen minutes on it still holds; refusals during it do not extend it.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert_locked_out(way_in, way_in.attempt("alice@acme.test", PASSWORD))
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert way_in.succeeded(way_in.attempt("alice@acme.test", PASSWORD))


def test_case_variants_of_the_email_share_one_count(way_in):
    for email in ["alice@acme.test", "ALICE@acme.test", " Alice@Acme.Test"] * 2:
        way_in.attempt(email, "not the password")
    assert_locked_out(way_in, way_in.attempt("alice@acme.test", PASSWORD))


def test_the_lock_holds_one_email_at_one_address_only(way_in, bob):
    fail(way_in, LIMIT)
    # The owner elsewhere is not locked out by someone guessing from here...
    assert way_in.succeeded(way_in.attempt("alice@acme.test", PASSWORD, ip=OTHER_IP))
    if not isinstance(way_in, TokenEndpoint):
        way_in.client.logout()
    # ...and other people at this address are not either.
    bob.user.is_staff = True
    bob.user.save(update_fields=["is_staff"])
    assert way_in.succeeded(way_in.attempt("bob@acme.test", PASSWORD))


def test_a_success_before_the_limit_clears_only_that_emails_failures(way_in, bob):
    # Given four failures each for alice and for bob from this address
    fail(way_in, LIMIT - 1)
    fail(way_in, LIMIT - 1, email="bob@acme.test")
    # When alice gets her password right
    assert way_in.succeeded(way_in.attempt("alice@acme.test", PASSWORD))
    if not isinstance(way_in, TokenEndpoint):
        way_in.client.logout()
    # Then her count starts again, and bob's does not: one more failure locks him out
    for response in fail(way_in, LIMIT - 1):
        assert way_in.refused(response)
    assert_locked_out(way_in, fail(way_in, 1, email="bob@acme.test")[0])
    assert AccessAttempt.objects.get(username="bob@acme.test").failures_since_start == LIMIT


def test_behind_a_proxy_a_forged_forwarded_for_does_not_buy_more_attempts(client, alice, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    login = LoginPage(client)

    def attempt(forged, password="not the password"):
        # The proxy at REMOTE_ADDR appends the address it saw to whatever the client sent.
        return client.post(
            login.url,
            {"username": "alice@acme.test", "password": password},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"{forged}, 198.51.100.7",
        )

    for n in range(LIMIT):
        attempt(f"192.0.2.{n}")
    assert_locked_out(login, attempt("192.0.2.99", PASSWORD))
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"
    # Someone else behind the same proxy is not locked out.
    response = client.post(
        login.url,
        {"username": "alice@acme.test", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert login.succeeded(response)


# --- the token endpoint ---


def test_a_member_gets_a_working_token_for_that_organisation_only(alice, org_b):
    response = TokenEndpoint(None).attempt("Alice@acme.test", PASSWORD)
    assert response.status_code == 201
    body = response.json()
    assert body["organization"] == "acme" and body["name"] == "ci"
    token = ApiToken.objects.get(user=alice.user)
    assert token.org == alice.org and token.key_hash != body["key"]
    assert timedelta(days=6) < token.expires_at - timezone.now() <= timedelta(days=7)

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {body['key']}")
    assert api.get(reverse("api:objective-list", args=["acme"])).status_code == 200
    assert api.get(reverse("api:objective-list", args=["globex"])).status_code == 404


def test_a_non_member_is_told_exactly_what_a_wrong_password_is_told(alice, charlie):
    endpoint = TokenEndpoint(None)
    wrong_password = endpoint.attempt("alice@acme.test", "not the password")
    not_a_member = endpoint.attempt("charlie@globex.test", PASSWORD, organization="acme")
    no_such_org = endpoint.attempt("alice@acme.test", PASSWORD, organization="initech")
    unknown_email = endpoint.attempt("nobody@acme.test", PASSWORD)

    answers = {
        (r.status_code, r.content)
        for r in (wrong_password, not_a_member, no_such_org, unknown_email)
    }
    assert answers == {(400, b'{"detail":"Invalid credentials or organisation."}')}
    assert ApiToken.objects.count() == 0


def test_right_passwords_for_the_wrong_organisation_count_as_failures(charlie, alice):
    # Otherwise the lockout would give away which guess was the password.
    endpoint = TokenEndpoint(None)
    for _ in range(LIMIT - 1):
        assert (
            endpoint.attempt("charlie@globex.test", PASSWORD, organization="acme").status_code
            == 400
        )
    assert endpoint.attempt("charlie@globex.test", PASSWORD, organization="acme").status_code == 429
    assert (
        endpoint.attempt("charlie@globex.test", PASSWORD, organization="globex").status_code == 429
    )


def test_an_inactive_membership_gets_the_generic_answer(alice, bob):
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    response = TokenEndpoint(None).attempt("bob@acme.test", PASSWORD)
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=bob.user).exists()


def test_a_suspended_organisation_issues_no_token(alice):
    organization_set_suspended(org=alice.org, suspended=True, reason="Unpaid invoice")
    response = TokenEndpoint(None).attempt("alice@acme.test", PASSWORD)
    assert response.status_code == 403
    assert "suspended" in response.json()["detail"]
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize(
    "change",
    [{"name": "   "}, {"ttl_days": 0}, {"ttl_days": 366}, {"organization": "not a slug!"}],
)
def test_bad_input_is_refused_field_by_field(alice, change):
    payload = {
        "email": "alice@acme.test",
        "password": PASSWORD,
        "organization": "acme",
        "name": "ci",
        "ttl_days": 7,
        **change,
    }
    response = APIClient().post(reverse("api:auth-token"), payload, format="json")
    assert response.status_code == 400
    assert set(response.json()) == set(change)
    assert ApiToken.objects.count() == 0


def test_the_endpoint_takes_json_only(alice):
    # A cross-site HTML form cannot send JSON, so it cannot post credentials here.
    response = APIClient().post(
        reverse("api:auth-token"),
        {"email": "alice@acme.test", "password": PASSWORD, "organization": "acme", "name": "x"},
        format="multipart",
    )
    assert response.status_code == 415
    assert ApiToken.objects.count() == 0


def test_the_limit_and_cool_off_come_from_the_environment():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(), "
        "s.AUTHENTICATION_BACKENDS[0], s.AXES_LOCKOUT_PARAMETERS]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kra_platform.settings.test",
        "AXES_FAILURE_LIMIT": "3",
        "AXES_COOLOFF_MINUTES": "60",
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    limit, cooloff, first_backend, parameters = json.loads(out.strip().splitlines()[-1])
    assert (limit, cooloff) == (3, 3600)
    assert first_backend == "axes.backends.AxesStandaloneBackend"
    assert parameters == [["username", "ip_address"]]
    assert settings.AXES_FAILURE_LIMIT == LIMIT
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
