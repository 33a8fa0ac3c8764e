"""An agreement's journey in a real browser: the manager starts and proposes it, the person
asks for a change, the manager gives a personal target and proposes again, the person signs
(password and statement), the manager countersigns, and HR downloads the signed PDF."""

import re
import subprocess

import pytest
from playwright.sync_api import expect

from orgs.models import Department, OrgRole
from reviews.models import Agreement, AgreementStatus
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    ObjectiveFactory,
    OrganizationFactory,
    UserFactory,
)
from tests.reviews.conftest import KRA_TITLES, assign, build_role

pytestmark = pytest.mark.django_db(transaction=True)


def _people():
    org = OrganizationFactory(name="Acme Robotics", slug="acme")
    alice = MembershipFactory(
        org=org,
        role=OrgRole.ADMIN,
        job_title="Head of Sales",
        user=UserFactory(email="alice@acme.test", full_name="Alice Admin"),
    )
    bob = MembershipFactory(
        org=org,
        manager=alice,
        job_title="Sales Executive",
        user=UserFactory(email="bob@acme.test", full_name="Bob Member"),
    )
    MembershipFactory(
        org=org,
        role=OrgRole.HR,
        job_title="HR Partner",
        user=UserFactory(email="hannah@acme.test", full_name="Hannah Human"),
    )
    sales = Department.objects.create(org=org, name="Sales", head=alice)
    role = build_role(org, sales, ObjectiveFactory(org=org, title="Grow recurring revenue"))
    assign(role, bob)
    return org, role


def _as(browser, base, email):
    """A new browser session signed in as ``email``."""
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("signed-in-as")).to_be_visible()
    return page


def test_an_agreement_is_proposed_changed_signed_countersigned_and_downloaded(
    live_server, browser, tmp_path
):
    org, role = _people()
    base = live_server.url

    # The manager starts bob's agreement from "My team" and proposes it.
    alice = _as(browser, base, "alice@acme.test")
    alice.get_by_test_id("nav-my-team").click()
    alice.get_by_test_id("create-agreement").click()
    alice.get_by_role("button", name="Create the draft").click()
    expect(alice.get_by_test_id("agreement-status")).to_have_text("Draft")
    agreement = Agreement.objects.get(org=org)
    alice.get_by_test_id("propose").click()
    expect(alice.get_by_test_id("agreement-status")).to_have_text("Awaiting the employee")

    # The person reads it from "My KRAs" and asks for a change.
    bob = _as(browser, base, "bob@acme.test")
    expect(bob.get_by_test_id("pending-sign")).to_be_visible()
    bob.get_by_test_id("nav-my-kras").click()
    bob.get_by_test_id("todo-sign").click()
    bob.get_by_test_id("request-changes-toggle").click()
    bob.get_by_label("What should change?").fill("15 deals per quarter is too many for me.")
    bob.get_by_role("button", name="Send the request").click()
    expect(bob.get_by_test_id("agreement-status")).to_have_text("Draft")

    # The manager gives a personal target, in place, and proposes again.
    alice.goto(f"{base}/o/acme/agreements/{agreement.pk}/")
    expect(alice.get_by_test_id("comment").first).to_contain_text("too many for me")
    alice.get_by_test_id("override-target").first.click()
    form = alice.get_by_test_id("kpi-target-form")
    form.get_by_label("Personal target").fill("12")
    form.get_by_label("Why").fill("First year in the role")
    form.get_by_role("button", name="Save target").click()
    expect(alice.get_by_test_id("marker-override").first).to_be_visible()
    expect(alice.get_by_test_id("kpi-target").first).to_have_text("12")
    alice.get_by_test_id("propose").click()
    expect(alice.get_by_test_id("agreement-status")).to_have_text("Awaiting the employee")

    # The person signs: a wrong password signs nothing; then the password and the statement.
    bob.goto(f"{base}/o/acme/agreements/{agreement.pk}/")
    expect(bob.get_by_test_id("statement")).to_have_text(
        "I have read and agree to these Key Result Areas and KPIs."
    )
    bob.get_by_label("Your password").fill("not my password")
    bob.get_by_test_id("sign-form").get_by_role("checkbox").check()
    bob.get_by_test_id("sign-button").click()
    expect(bob.get_by_test_id("password-error")).to_contain_text("Nothing was signed")
    bob.get_by_label("Your password").fill(PASSWORD)
    bob.get_by_test_id("sign-form").get_by_role("checkbox").check()
    bob.get_by_test_id("sign-button").click()
    expect(bob.get_by_test_id("agreement-status")).to_have_text("Awaiting the manager")

    # The manager countersigns.
    alice.goto(f"{base}/o/acme/")
    alice.get_by_test_id("pending-countersign").get_by_role("link").click()
    alice.get_by_label("Your password").fill(PASSWORD)
    alice.get_by_test_id("sign-form").get_by_role("checkbox").check()
    alice.get_by_test_id("sign-button").click()
    expect(alice.get_by_test_id("agreement-status")).to_have_text("Active")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE

    # HR downloads the signed PDF.
    hannah = _as(browser, base, "hannah@acme.test")
    hannah.goto(f"{base}/o/acme/agreements/{agreement.pk}/")
    with hannah.expect_download() as download_info:
        hannah.get_by_test_id("download-pdf").click()
    path = tmp_path / "agreement.pdf"
    download_info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for title in KRA_TITLES:
        assert re.sub(r"\s+", " ", title) in re.sub(r"\s+", " ", text)
