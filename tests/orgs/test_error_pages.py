"""The 403, 404 and 500 pages: styled, with the navigation when the person and the
organisation are known, a way back, nothing of another organisation, and a refusal logged as
one line without a traceback. (Test settings run with DEBUG off, as production does.)"""

import logging

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_refusal_shows_the_styled_page_with_the_navigation_and_a_way_back(login, bob):
    response = login(bob).get(reverse("org-settings", args=[bob.org.slug]))
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    body = response.content.decode()
    assert 'data-testid="error-403"' in body
    # The organisation's navigation, and the way back to its home page
    assert reverse("objective-list", args=["acme"]) in body
    assert reverse("member-list", args=["acme"]) in body
    assert f'href="{reverse("org-home", args=["acme"])}"' in body
    assert "Back to Acme Robotics" in body


def test_a_refusal_is_logged_in_one_line_without_a_traceback(login, bob, caplog):
    client = login(bob)
    with caplog.at_level(logging.INFO):
        response = client.get(reverse("org-settings", args=[bob.org.slug]))
    assert response.status_code == 403
    path = reverse("org-settings", args=[bob.org.slug])
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in lines] == [f"Forbidden: GET {path} user={bob.user.pk}"]
    assert all(r.exc_info is None for r in caplog.records)


def test_a_refused_post_logs_its_method(login, bob, caplog):
    path = reverse("org-settings", args=[bob.org.slug])
    with caplog.at_level(logging.WARNING):
        login(bob).post(path, {"name": "Taken over"})
    assert [r.getMessage() for r in caplog.records] == [
        f"Forbidden: POST {path} user={bob.user.pk}"
    ]
    bob.org.refresh_from_db()
    assert bob.org.name == "Acme Robotics"


def test_a_missing_object_shows_the_styled_page_inside_the_organisation(login, alice):
    response = login(alice).get(reverse("role-detail", args=[alice.org.slug, 999999]))
    assert response.status_code == 404
    body = response.content.decode()
    assert 'data-testid="error-404"' in body
    assert reverse("objective-list", args=["acme"]) in body
    assert "Back to Acme Robotics" in body


def test_another_organisations_page_is_a_404_that_names_nothing_of_it(login, alice, charlie):
    response = login(charlie).get(reverse("org-home", args=[alice.org.slug]))
    assert response.status_code == 404
    body = response.content.decode()
    assert 'data-testid="error-404"' in body
    assert "Acme" not in body
    assert "/o/acme/" not in body
    # The way back is the person's own list of organisations
    assert f'href="{reverse("org-picker")}"' in body


def test_an_unknown_address_when_signed_out_offers_the_login(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert 'data-testid="error-404"' in body
    assert f'href="{reverse("login")}"' in body


def test_the_500_page_is_styled_and_reads_no_database(settings, django_assert_num_queries):
    from kra_platform import errors

    settings.ROOT_URLCONF = "tests.error_urls"
    with django_assert_num_queries(0):
        response = errors.server_error(None)
    assert response.status_code == 500
    body = response.content.decode()
    assert 'data-testid="error-500"' in body
    assert "css/app.css" in body
    assert 'href="/"' in body


def test_a_fault_in_a_view_answers_the_500_page(settings, alice):
    settings.ROOT_URLCONF = "tests.error_urls"
    client = Client(raise_request_exception=False)
    client.force_login(alice.user)
    response = client.get("/fails/")
    assert response.status_code == 500
    assert 'data-testid="error-500"' in response.content.decode()
