"""Check-ins in a real browser (docs/DOMAIN.md rules R71 to R74): a manager records one,
adds an action row (htmx swaps the form in place), sees the open actions carried from the
last check-in and marks one done in one click; every check-in page fits a phone."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from orgs.models import OrgRole
from reviews.models import CheckIn
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory
from tests.reviews.factories_checkins import record_check_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def people():
    org = OrganizationFactory(name="Brightline Distribution", slug="brightline")
    admin = MembershipFactory(
        org=org,
        role=OrgRole.ADMIN,
        job_title="Chief Executive Officer",
        user=UserFactory(email="dana@brightline.test", full_name="Dana Whitfield"),
    )
    manager = MembershipFactory(
        org=org,
        manager=admin,
        job_title="Head of Sales",
        user=UserFactory(email="marcus@brightline.test", full_name="Marcus Bell"),
    )
    member = MembershipFactory(
        org=org,
        manager=manager,
        job_title="Sales Executive",
        user=UserFactory(email="sofia@brightline.test", full_name="Sofia Alvarez"),
    )
    earlier = record_check_in(
        member,
        held_on=timezone.localdate() - datetime.timedelta(days=14),
        actions=[("Send the Initech proposal", member), ("Introduce Sofia to the CFO", manager)],
        blockers="Legal review of the contract template takes two weeks",
    )
    return {"org": org, "manager": manager, "member": member, "earlier": earlier}


def _log_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("nav-my-kras")).to_be_attached()


def _overflow(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def test_a_manager_records_a_check_in_and_closes_a_carried_action(live_server, browser, people):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    base = live_server.url
    _log_in(page, base, people["manager"].user.email)
    member = people["member"]

    page.goto(base + reverse("check-in-list", args=["brightline", member.pk]))
    assert not _overflow(page)
    page.get_by_test_id("new-check-in").click()
    carried = page.get_by_test_id("carried-actions")
    expect(carried).to_contain_text("Send the Initech proposal")
    assert not _overflow(page)

    # One click closes a carried action, and the form comes back without it.
    carried.get_by_test_id("check-in-action").filter(
        has_text="Send the Initech proposal"
    ).get_by_test_id("action-done").click()
    expect(page.get_by_test_id("carried-actions")).not_to_contain_text("Send the Initech proposal")
    expect(page.get_by_test_id("carried-actions")).to_contain_text("Introduce Sofia to the CFO")

    page.get_by_label("Wins to celebrate").fill("Closed the Initech deal")
    rows = page.get_by_test_id("action-row")
    expect(rows).to_have_count(2)
    page.get_by_test_id("add-action").click()
    expect(page.get_by_test_id("action-row")).to_have_count(3)
    expect(page.get_by_label("Wins to celebrate")).to_have_value("Closed the Initech deal")
    page.locator('[name="actions-2-description"]').fill("Book the negotiation course")
    page.get_by_test_id("save-check-in").click()

    expect(page).to_have_url(re.compile(r"/check-ins/\d+/$"))
    expect(page.get_by_test_id("check-in-wins")).to_contain_text("Closed the Initech deal")
    expect(page.get_by_test_id("check-in-actions")).to_contain_text("Book the negotiation course")
    assert not _overflow(page)
    check_in = CheckIn.objects.exclude(pk=people["earlier"].pk).get()
    assert [a.description for a in check_in.actions.all()] == ["Book the negotiation course"]

    for path in (
        reverse("check-in-edit", args=["brightline", check_in.pk]),
        reverse("check-in-delete", args=["brightline", check_in.pk]),
        reverse("my-actions", args=["brightline"]),
    ):
        assert page.goto(base + path).status == 200
        assert not _overflow(page), path
    context.close()
