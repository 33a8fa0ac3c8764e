"""A NUL character in a query string or path is refused, not a server error.

PostgreSQL cannot hold NUL in a string, so a filter that reaches a query with one fails in
the database. Every GET of the cross-tenant table is sent with NUL in each query value it
knows and in a search term.
"""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from .populate import populate_org
from .test_cross_tenant_routes import ROUTES

pytestmark = pytest.mark.django_db


def test_nul_in_any_filter_answers_a_client_error_or_is_ignored():
    org = populate_org(slug="acme", marker="Acme")
    pages = Client(raise_request_exception=False)
    pages.force_login(org.admin.user)
    api = APIClient()
    api.raise_request_exception = False
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {org.admin_token_raw}")
    server_errors = []
    for key, case in ROUTES.items():
        if "GET" not in case.methods:
            continue
        names = {"q"} | {name for query in case.queries for name in query(org)}
        url = reverse(key, kwargs={"org_slug": org.slug, **case.kwargs(org)})
        for name in sorted(names):
            response = (api if key.startswith("api:") else pages).get(url, {name: "a\x00b"})
            if response.status_code >= 500:
                server_errors.append(f"GET {key}?{name}=NUL: {response.status_code}")
    response = pages.get(
        reverse("audit-object", args=[org.slug, "orgs.department\x00", org.sales.pk])
    )
    if response.status_code >= 500:
        server_errors.append(f"audit-object with NUL in the path: {response.status_code}")
    assert not server_errors, "\n".join(server_errors)


def test_the_api_names_the_malformed_filter():
    org = populate_org(slug="acme", marker="Acme")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {org.admin_token_raw}")
    response = api.get(reverse("api:member-list", args=[org.slug]), {"q": "a\x00b"})
    assert response.status_code == 400
    assert "q" in response.json()
    response = api.get(reverse("api:objective-list", args=[org.slug]), {"status": "gone"})
    assert response.status_code == 400
    assert "status" in response.json()
