"""In a real browser: a KRA edited in place on the role panel updates the weight total and
the readiness summary without a page reload, under the content security policy."""

import os
import shutil

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

from .test_kras_support import make_kpi, make_kra, make_objective, make_role

# Playwright's sync API runs an event loop in this thread; the test body still uses the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium") or "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-gpu", "--no-first-run"],
    }


def test_inline_edit_updates_total_and_readiness_in_place(live_server, page, alice):
    org = alice.org
    objective = make_objective(org, title="Grow recurring revenue 30%")
    role = make_role(org, title="Account Executive")
    for title, weight in (
        ("Revenue generation", 40),
        ("Customer retention", 30),
        ("Referral generation", 20),
    ):
        make_kpi(
            make_kra(org, role=role, title=title, weight=weight, objective=objective),
            name=f"{title} measured quarterly",
            due_date="2030-12-31",
        )
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # Given alice on the role's KRA page, with weights totalling 90
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("alice@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/o/acme/kras/role/{role.pk}/")
    total = page.get_by_test_id("kra-weight-total")
    readiness = page.get_by_test_id("readiness")
    expect(total).to_have_text("90")
    expect(readiness).to_contain_text("KRA weights total 90 of 100.")
    page.evaluate("window.__marker = 'same page'")

    # When she edits the last KRA's weight in place
    row = page.get_by_test_id("kra-row").filter(has_text="Referral generation")
    row.get_by_test_id("kra-inline-edit").click()
    form = page.get_by_test_id("kra-inline-form")
    form.get_by_label("Weight (%)").fill("30")
    form.get_by_role("button", name="Save").click()

    # Then the total and the readiness summary follow, without a reload
    expect(total).to_have_text("100")
    expect(readiness).to_contain_text("Ready: all")
    expect(readiness).not_to_contain_text("KRA weights total")
    assert page.evaluate("window.__marker") == "same page"

    # And a KRA added from the panel counts at once
    page.get_by_test_id("kra-add-form").get_by_label("Title").fill("Conduct weekly meetings")
    page.get_by_test_id("kra-add-form").get_by_label("Weight (%)").fill("10")
    page.get_by_role("button", name="Add KRA").click()
    expect(total).to_have_text("110")
    expect(readiness).to_contain_text("KRAs are outcomes, not tasks")
    assert page.evaluate("window.__marker") == "same page"
    assert errors == []
