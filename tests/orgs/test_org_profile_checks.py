"""The organisation's profile: a name on one line, and a logo that is small, a real PNG, JPEG
or WebP image, and whose replaced file leaves storage. The same rules on the settings page,
over the API and in the services."""

import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from orgs.models import Organization
from orgs.services import organization_create
from orgs.services.organization import organization_update_profile

pytestmark = pytest.mark.django_db

ONE_LINE = "Write the name on one line, without line breaks or control characters."


def _image(kind="PNG", size=(4, 4), name=None) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, kind)
    extension = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}[kind]
    return SimpleUploadedFile(name or f"logo.{extension}", buffer.getvalue())


def _large_png() -> SimpleUploadedFile:
    """A real PNG of 1000 × 1000 pixels of noise: about 3 MB, since noise does not compress."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (1000, 1000), os.urandom(3 * 1000 * 1000)).save(buffer, "PNG")
    assert buffer.tell() > 2 * 1024 * 1024
    return SimpleUploadedFile("logo.png", buffer.getvalue())


def _form(org, **changes) -> dict:
    return {"name": org.name, "fiscal_year_start_month": 1, "timezone": "UTC", **changes}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- the name -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Acme\nRobotics", "Acme\r\nRobotics", "Acme\x07", "Acme\u2028Ro"])
def test_the_settings_page_refuses_a_name_on_several_lines(login, alice, name):
    response = login(alice).post(
        reverse("org-settings", args=[alice.org.slug]), _form(alice.org, name=name)
    )
    assert response.status_code == 200
    assert ONE_LINE in response.content.decode()
    alice.org.refresh_from_db()
    assert alice.org.name == "Acme Robotics"


def test_the_api_refuses_a_name_on_several_lines(api, alice):
    response = api(alice).patch(
        reverse("api:organization", args=[alice.org.slug]), {"name": "Acme\nRobotics"}
    )
    assert response.status_code == 400
    assert response.json()["name"] == [ONE_LINE]
    alice.org.refresh_from_db()
    assert alice.org.name == "Acme Robotics"


def test_the_services_refuse_a_name_on_several_lines(alice):
    with pytest.raises(ValidationError) as exc:
        organization_update_profile(org=alice.org, actor=alice, name="Acme\tRobotics")
    assert exc.value.message_dict["name"] == [ONE_LINE]
    with pytest.raises(ValidationError):
        organization_create(name="Two\nlines", slug="two-lines", admin_email="x@two.test")
    assert not Organization.objects.filter(slug="two-lines").exists()


def test_a_one_line_name_with_any_script_is_accepted(alice):
    org = organization_update_profile(org=alice.org, actor=alice, name="  Acme — Ümlaut 株式会社 ")
    assert org.name == "Acme — Ümlaut 株式会社"


# --- the logo -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "WEBP"])
def test_png_jpeg_and_webp_logos_are_accepted(login, alice, media, kind):
    response = login(alice).post(
        reverse("org-settings", args=[alice.org.slug]), _form(alice.org, logo=_image(kind))
    )
    assert response.status_code == 302
    alice.org.refresh_from_db()
    assert alice.org.logo.name.startswith("logos/")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: _image("GIF"), "The logo must be a PNG, JPEG or WebP image."),
        # A GIF by its content, whatever its name says
        (lambda: _image("GIF", name="logo.png"), "The logo must be a PNG, JPEG or WebP image."),
        (lambda: _image(size=(2001, 10)), "keep it within 2000 × 2000"),
        (_large_png, "keep it under 2 MB"),
    ],
)
def test_the_settings_page_refuses_a_logo_too_large_or_of_another_kind(
    login, alice, media, upload, message
):
    response = login(alice).post(
        reverse("org-settings", args=[alice.org.slug]), _form(alice.org, logo=upload())
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    alice.org.refresh_from_db()
    assert not alice.org.logo
    assert not list(media.rglob("*.*"))


def test_the_api_refuses_a_logo_of_another_kind(api, alice, media):
    response = api(alice).patch(
        reverse("api:organization", args=[alice.org.slug]),
        {"logo": _image("GIF", name="logo.png")},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["logo"] == ["The logo must be a PNG, JPEG or WebP image."]
    alice.org.refresh_from_db()
    assert not alice.org.logo


def test_a_replaced_logo_leaves_storage(alice, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = organization_update_profile(org=alice.org, actor=alice, logo=_image()).logo.name
    assert default_storage.exists(first)

    with django_capture_on_commit_callbacks(execute=True):
        second = organization_update_profile(
            org=alice.org, actor=alice, logo=_image("JPEG")
        ).logo.name

    assert second != first
    assert default_storage.exists(second)
    assert not default_storage.exists(first)


def test_a_cleared_logo_leaves_storage(login, alice, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        stored = organization_update_profile(org=alice.org, actor=alice, logo=_image()).logo.name
    with django_capture_on_commit_callbacks(execute=True):
        response = login(alice).post(
            reverse("org-settings", args=[alice.org.slug]),
            _form(alice.org, **{"logo-clear": "on"}),
        )
    assert response.status_code == 302
    alice.org.refresh_from_db()
    assert not alice.org.logo
    assert not default_storage.exists(stored)


def test_a_refused_change_keeps_the_stored_logo(alice, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        stored = organization_update_profile(org=alice.org, actor=alice, logo=_image()).logo.name
    with pytest.raises(ValidationError), django_capture_on_commit_callbacks(execute=True):
        organization_update_profile(org=alice.org, actor=alice, logo=_image("GIF"))
    assert default_storage.exists(stored)
