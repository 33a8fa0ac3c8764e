"""A lone UTF-16 surrogate ("\\ud800") in a JSON string is refused with a 400, not a server
error: Python decodes it into text no database column can hold, so it used to fail only when
a query sent it. Form posts cannot carry one (their bytes decode with replacement)."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from kras.models import StrategicObjective
from orgs.models import ApiToken, Department
from orgs.services.tokens import api_token_create
from tests.factories import PASSWORD

from .populate import populate_org
from .test_cross_tenant_routes import ROUTES

LONE = "\ud800"
MESSAGE = "lone surrogate"
#: Refused to any token before the body is read (403).
TOKENS_REFUSED = {"api:api-token-list"}


def raw_json(value) -> str:
    # ensure_ascii spells the surrogate "\ud800", as a client would send it.
    return json.dumps(value, ensure_ascii=True)


def send(client, method, url, value):
    return getattr(client, method.lower())(url, raw_json(value), content_type="application/json")


def poisoned(value):
    """``value`` with a lone surrogate in every string, and in an extra field."""
    if isinstance(value, str):
        return f"x{LONE}"
    if isinstance(value, dict):
        return {k: poisoned(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [poisoned(v) for v in value]
    return value


@pytest.fixture
def token_client(api, alice):
    client = api(alice)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    "method, name, body",
    [
        ("POST", "api:department-list", {"name": f"Sales{LONE}"}),
        ("PATCH", "api:organization", {"vision": f"{LONE} everywhere"}),
        ("POST", "api:objective-list", {"title": LONE, "description": "fine"}),
        ("POST", "api:department-list", {"name": "Sales", "extra": {"deep": [1, [LONE]]}}),
        ("POST", "api:department-list", {f"na{LONE}me": "Sales"}),
    ],
)
def test_a_lone_surrogate_anywhere_in_the_body_is_a_400(token_client, alice, method, name, body):
    vision = alice.org.vision
    response = send(token_client, method, reverse(name, args=["acme"]), body)
    assert response.status_code == 400, response.content
    assert MESSAGE in response.json()["detail"]
    assert not Department.objects.exists()
    assert not StrategicObjective.objects.exists()
    alice.org.refresh_from_db()
    assert alice.org.vision == vision


def test_the_message_names_where_the_surrogate_is(token_client):
    url = reverse("api:department-list", args=["acme"])
    response = send(token_client, "POST", url, {"name": "ok", "items": [{"title": LONE}]})
    assert "items[0].title" in response.json()["detail"]


def test_the_token_endpoint_refuses_one_in_the_credentials(alice):
    client = APIClient()
    client.raise_request_exception = False
    body = {
        "email": f"alice{LONE}@acme.test",
        "password": PASSWORD,
        "organization": "acme",
        "name": "ci",
    }
    response = send(client, "POST", reverse("api:auth-token"), body)
    assert response.status_code == 400
    assert MESSAGE in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_a_surrogate_pair_is_an_ordinary_character(token_client):
    # "\ud83d\ude00" is one character, U+1F600.
    url = reverse("api:department-list", args=["acme"])
    response = send(token_client, "POST", url, {"name": "Smile \U0001f600"})
    assert response.status_code == 201
    assert Department.objects.get().name == "Smile \U0001f600"


@pytest.mark.django_db
def test_no_write_endpoint_answers_a_surrogate_with_a_server_error():
    org = populate_org(slug="acme", marker="Acme")
    server_errors, not_refused = [], []
    for key, case in ROUTES.items():
        if not key.startswith("api:") or case.multipart:
            continue
        url = reverse(key, kwargs={"org_slug": org.slug, **case.kwargs(org)})
        for method in sorted(set(case.methods) - {"GET", "DELETE"}):
            # A fresh token each time: some of these calls revoke or deactivate things.
            _token, raw = api_token_create(member=org.admin, name="sweep")
            api = APIClient()
            api.raise_request_exception = False
            api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
            body = {**poisoned(case.body(org) if case.body else {}), "note": LONE}
            response = send(api, method, url, body)
            if response.status_code >= 500:
                server_errors.append(f"{method} {key}: {response.status_code}")
            elif case.body and response.status_code != 400 and key not in TOKENS_REFUSED:
                not_refused.append(f"{method} {key}: {response.status_code}")
    assert not server_errors, "\n".join(server_errors)
    assert not not_refused, "\n".join(not_refused)


def test_a_form_post_with_an_encoded_surrogate_is_no_server_error(login, alice):
    # %ED%A0%80 is the surrogate encoded as UTF-8 bytes, which UTF-8 forbids.
    client = login(alice)
    client.raise_request_exception = False
    response = client.post(
        reverse("department-create", args=["acme"]),
        "name=Sales%ED%A0%80",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (200, 302)
    # Saved with the bytes replaced, if at all: nothing unencodable reached the database.
    for name in Department.objects.values_list("name", flat=True):
        name.encode("utf-8")


def test_a_page_query_with_an_encoded_surrogate_is_no_server_error(login, alice):
    client = login(alice)
    client.raise_request_exception = False
    response = client.get(reverse("member-list", args=["acme"]) + "?q=%ED%A0%80")
    assert response.status_code == 200


def test_a_browser_login_with_an_encoded_surrogate_is_refused(alice):
    client = Client(raise_request_exception=False)
    response = client.post(
        reverse("login"),
        f"username=alice%ED%A0%80%40acme.test&password={PASSWORD.replace(' ', '+')}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_body_nested_too_deeply_is_a_400_too(token_client):
    url = reverse("api:department-list", args=["acme"])
    body = '{"name": ' + "[" * 50_000 + "]" * 50_000 + "}"
    response = token_client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
