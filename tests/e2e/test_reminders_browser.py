"""The reminders' pages in a real browser (docs/DOMAIN.md rules R45 to R47): the log with
its filters, the settings and one's own reminders fit a desktop and a phone, and muting
works from the page. ``KRA_SCREENSHOTS`` (a folder) keeps a picture of each page."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from orgs.models import OrgRole, Reminder, ReminderMute, ReminderStage
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

from .test_phone_layout import _log_in, _overflow

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def reminded():
    org = OrganizationFactory(name="Brightline Distribution", slug="brightline")
    admin = MembershipFactory(
        org=org,
        role=OrgRole.ADMIN,
        job_title="Chief Executive Officer",
        user=UserFactory(email="dana@brightline.test", full_name="Dana Whitfield"),
    )
    member = MembershipFactory(
        org=org,
        manager=admin,
        job_title="Sales Executive",
        user=UserFactory(
            email="sofia.alvarez-montenegro@brightline.test",
            full_name="Sofia Alvarez-Montenegro de la Vega",
        ),
    )
    stages = list(ReminderStage)
    for n in range(30):
        stage = stages[n % len(stages)]
        escalated = stage in (ReminderStage.MANAGER, ReminderStage.HR)
        Reminder.objects.create(
            org=org,
            recipient=admin if escalated else member,
            person=member,
            kind=("agreement.signature", "kpi.measurement_overdue", "kra.needs_review")[n % 3],
            object_key=f"agreement:{n}",
            stage=stage,
            deadline=datetime.date(2026, 3, 8) + datetime.timedelta(days=n),
            subject=(
                "Sofia Alvarez-Montenegro de la Vega: 3 KPIs have no value for "
                "2026-02-01 – 2026-02-28"
                if escalated
                else "Your KRA agreement awaits your signature"
            ),
            url="/o/brightline/",
            muted=n == 4,
            sent_at=None if n == 4 else timezone.now(),
        )
    return {"org": org, "admin": admin, "member": member}


def _shoot(page, name: str) -> None:
    folder = os.environ.get("KRA_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", SIZES)
def test_the_reminder_pages_fit_the_screen(live_server, browser, reminded, size):
    slug = reminded["org"].slug
    page = browser.new_page(viewport=SIZES[size])
    _log_in(page, live_server.url, reminded["admin"].user.email)
    pages = {
        "reminder-log": reverse("reminder-log", args=[slug]),
        "reminder-settings": reverse("reminder-settings", args=[slug]),
        "my-reminders": reverse("my-reminders", args=[slug]),
    }
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("h1")).to_be_visible()
        _shoot(page, f"{name}-{size}")
        assert _overflow(page) == "", name
    page.close()


def test_a_member_mutes_their_reminders_from_the_page(live_server, browser, reminded):
    member = reminded["member"]
    page = browser.new_page(viewport=SIZES["phone"])
    _log_in(page, live_server.url, member.user.email)
    page.goto(f"{live_server.url}{reverse('my-reminders', args=['brightline'])}")
    page.get_by_label("Mute my reminders").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("mute-state")).to_have_text("Muted")
    assert ReminderMute.objects.filter(member=member).exists()
    page.close()
