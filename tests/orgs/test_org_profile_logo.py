"""The organisation's logo: the first upload, through the page and the API."""

import base64

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orgs.models import AuditEvent

# The smallest valid PNG: one grey pixel.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="
)


def _png():
    return SimpleUploadedFile("logo.png", PNG, content_type="image/png")


def test_the_first_logo_is_saved_and_audited_from_the_settings_page(
    login, alice, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    org = alice.org
    response = login(alice).post(
        reverse("org-settings", args=[org.slug]),
        {"name": org.name, "fiscal_year_start_month": 1, "timezone": "UTC", "logo": _png()},
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.logo.name.startswith("logos/")
    event = AuditEvent.objects.get(org=org, action="organization.update")
    assert event.changes["logo"] == {"old": "", "new": org.logo.name}


def test_the_first_logo_is_saved_over_the_api(api, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = api(alice).patch(
        reverse("api:organization", args=[alice.org.slug]), {"logo": _png()}, format="multipart"
    )
    assert response.status_code == 200, response.content
    alice.org.refresh_from_db()
    assert alice.org.logo.name.startswith("logos/")
