"""A department head fills in a role's areas of focus in a real browser: add, edit in
place, reorder and delete with confirmation, all without a page reload (htmx under the
content security policy)."""

import os
import shutil

import pytest
from playwright.sync_api import expect

from roles.models import AreaOfFocus

from .conftest import RoleFactory

# Playwright's sync API runs an event loop in this thread; the test body still talks to the
# database through the ORM, which Django would otherwise refuse from such a thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium") or "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-gpu", "--no-first-run"],
    }


def test_a_department_head_builds_the_areas_of_focus_in_place(
    live_server, page, org_a, dave, sales, password
):
    role = RoleFactory(org=org_a, department=sales, title="Account Executive")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("dave@acme.test")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/o/acme/roles/{role.pk}/")
    # A marker on the document: it survives htmx swaps and disappears on a full reload.
    page.evaluate("window.__noReload = true")

    add_area = page.get_by_test_id("add-area-form")
    for title in ("Lead Generation", "Closing"):
        add_area = page.get_by_test_id("add-area-form")
        add_area.get_by_label("Add an area of focus").fill(title)
        add_area.get_by_role("button", name="Add area of focus").click()
        expect(page.get_by_test_id("area-row").filter(has_text=title)).to_be_visible()
    areas = page.get_by_test_id("area-row")
    expect(areas).to_have_count(2)

    closing = areas.filter(has_text="Closing")
    closing.get_by_label("Next responsibility or task").fill("Send proposals within a day")
    closing.get_by_role("button", name="Add responsibility").click()
    expect(page.get_by_test_id("responsibility-row")).to_contain_text(
        ["Send proposals within a day"]
    )

    # Reorder: Closing goes first.
    areas.filter(has_text="Closing").get_by_role("button", name="Move area up").click()
    expect(page.locator("[data-testid=area-row] h3")).to_have_text(["Closing", "Lead Generation"])

    # Edit in place, then delete with confirmation.
    lead = page.get_by_test_id("area-row").filter(has_text="Lead Generation")
    lead.get_by_role("link", name="Edit").click()
    form = page.get_by_test_id("area-edit-form")
    form.get_by_label("Area of focus").fill("Pipeline")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("[data-testid=area-row] h3")).to_have_text(["Closing", "Pipeline"])
    page.get_by_test_id("area-row").filter(has_text="Pipeline").get_by_role(
        "button", name="Delete"
    ).click()
    expect(page.get_by_test_id("area-row")).to_have_count(1)
    assert dialogs and dialogs[-1].startswith("Delete this area of focus")

    assert page.evaluate("window.__noReload === true"), "the page reloaded"
    if os.environ.get("SHOT"):
        page.screenshot(path=os.environ["SHOT"], full_page=True)
    assert list(AreaOfFocus.objects.filter(role=role).values_list("title", flat=True)) == [
        "Closing"
    ]
    assert not [e for e in errors if "Content Security Policy" in e]
