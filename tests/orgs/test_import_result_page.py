"""The org-chart import's result page: the confirmation redirects to it (post/redirect/get),
so reloading it shows the same figures and imports nothing again."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orgs.models import AuditEvent, Membership

pytestmark = pytest.mark.django_db

CSV = "email,full name,job title\nbob@acme.test,Bob Member,Account Manager\n"


def _preview_and_confirm(client, slug="acme"):
    url = reverse("org-chart-import", args=[slug])
    preview = client.post(url, {"file": SimpleUploadedFile("org.csv", CSV.encode())})
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', preview.content.decode())[1]
    return client.post(url, {"digest": digest})


def test_confirming_redirects_to_the_result_and_a_reload_imports_nothing(login, alice, bob):
    client = login(alice)
    confirmed = _preview_and_confirm(client)

    result_url = reverse("org-chart-import-result", args=["acme"])
    assert confirmed.status_code == 302
    assert confirmed["Location"] == result_url
    bob.refresh_from_db()
    assert bob.job_title == "Account Manager"
    events = AuditEvent.objects.filter(org=alice.org, action="org_chart.import").count()

    first = client.get(result_url)
    again = client.get(result_url)  # the browser's reload

    for page in (first, again):
        assert page.status_code == 200
        body = page.content.decode()
        assert 'data-testid="import-result"' in body
        assert "1 member updated" in body
    assert AuditEvent.objects.filter(org=alice.org, action="org_chart.import").count() == events
    assert Membership.objects.filter(org=alice.org).count() == 2


def test_without_an_import_the_result_page_says_so(login, alice):
    response = login(alice).get(reverse("org-chart-import-result", args=["acme"]))
    assert response.status_code == 200
    assert 'data-testid="no-import-result"' in response.content.decode()


def test_a_result_stays_with_its_organisation(login, alice, charlie, org_b):
    """charlie's own import shows on his organisation's page, and never under acme's."""
    client = login(charlie)
    session = client.session
    session[f"org-chart-import-result:{org_b.pk}"] = {
        "created": 7,
        "updated": 0,
        "unchanged": 0,
        "departments_created": 0,
    }
    session.save()
    assert client.get(reverse("org-chart-import-result", args=["acme"])).status_code == 404
    mine = client.get(reverse("org-chart-import-result", args=["globex"]))
    assert mine.status_code == 200 and "7 people added" in mine.content.decode()


def test_a_plain_member_may_not_see_import_results(login, bob):
    assert login(bob).get(reverse("org-chart-import-result", args=["acme"])).status_code == 403
