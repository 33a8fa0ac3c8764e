"""The org admin's first day, in a real browser: log in, add a department and an objective,
reorder objectives in place (htmx), invite a member, and the invitee joins through the
emailed link."""

import re
import time

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from kras.models import StrategicObjective
from orgs.models import Department, Invitation, Membership


def _choose(select, text):
    """Select the option whose label contains ``text`` (tree options carry indentation)."""
    value = select.locator("option", has_text=text).first.get_attribute("value")
    select.select_option(value)


def _wait_for_mail_to(address, seconds=15):
    """The emails sent to ``address`` once one has arrived (the demo's own notices, sent by
    the worker while the journey runs, may come before or after it)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        sent = [m for m in mail.outbox if m.to == [address]]
        if sent:
            return sent
        time.sleep(0.1)
    return []


@pytest.mark.django_db(transaction=True)
def test_org_admin_sets_up_the_organisation(live_server, page, browser, celery_worker):
    call_command("seed_demo", verbosity=0)
    base = live_server.url
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))

    # Log in as the demo org admin
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill("admin@demo.kra")
    page.get_by_label("Password").fill("demo-pass-2026")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("figure-members")).to_have_text("40")

    # Add a department under Operations
    page.get_by_test_id("nav-group-organisation").click()
    page.get_by_role("link", name="Departments").first.click()
    page.get_by_role("button", name="Add department").click()
    page.get_by_label("Name").fill("Research & Development")
    _choose(page.get_by_label("Inside"), "Operations")
    page.get_by_role("button", name=re.compile("Save|Create|Add")).click()
    expect(page.get_by_text("Research & Development", exact=True)).to_be_visible()
    research = Department.objects.get(org__slug="demo", name="Research & Development")
    assert research.parent.name == "Operations"

    # Add a strategic objective
    page.get_by_test_id("nav-group-organisation").click()
    page.get_by_role("link", name="Objectives").first.click()
    page.get_by_role("button", name="Add objective").click()
    page.get_by_label("Title").fill("Launch two private-label product lines")
    page.get_by_label("Horizon (years)").fill("2")
    page.get_by_role("button", name="Save").click()
    rows = page.get_by_test_id("objective-row")
    expect(rows.last).to_contain_text("Launch two private-label product lines")
    count = rows.count()

    # Move it up one place without a page reload (htmx swaps the rows in place)
    page.evaluate("window.__marker = 'same page'")
    rows.last.get_by_role("button", name="Move up").click()
    expect(rows.nth(count - 2)).to_contain_text("Launch two private-label product lines")
    assert page.evaluate("window.__marker") == "same page"
    ordered = list(
        StrategicObjective.objects.filter(org__slug="demo")
        .order_by("position")
        .values_list("title", flat=True)
    )
    assert ordered[-2] == "Launch two private-label product lines"

    # Invite a member into the new department
    page.get_by_test_id("nav-group-organisation").click()
    page.get_by_role("link", name="People").first.click()
    page.get_by_role("button", name="Invite someone").click()
    page.get_by_label("Email").fill("new.hire@example.com")
    page.get_by_label("Full name").fill("Nia Newhire")
    page.get_by_label("Job title").fill("Research Analyst")
    _choose(page.get_by_label("Department"), "Research & Development")
    page.get_by_role("button", name=re.compile("Invite|Send")).click()
    expect(page.get_by_test_id("invitation-row").first).to_contain_text("new.hire@example.com")
    assert Invitation.objects.filter(email="new.hire@example.com").count() == 1

    # The real worker emails the link; the invitee follows it in a fresh browser context
    outbox = _wait_for_mail_to("new.hire@example.com")
    assert len(outbox) == 1
    link = re.search(r"https?://\S+(/invite/\S+/)", outbox[-1].body).group(1)
    invitee = browser.new_context().new_page()
    invitee.goto(f"{base}{link}")
    invitee.locator("#id_password").fill("a long new password 2026")
    invitee.locator("#id_password2").fill("a long new password 2026")
    invitee.get_by_role("button", name="Join").click()
    expect(invitee.get_by_role("heading", name="Brightline Distribution")).to_be_visible()
    joined = Membership.objects.get(user__email="new.hire@example.com")
    assert joined.department == research and joined.job_title == "Research Analyst"
