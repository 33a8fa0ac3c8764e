"""What only a browser can prove about the content security policy: it is enforced, and the
pages (htmx swaps included, and the Swagger UI) run under it without a single violation."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, ObjectiveFactory, UserFactory

NOTHING = {"violations": [], "console": [], "errors": [], "failed": []}

# Playwright injects this through the DevTools protocol, outside the page's policy.
LISTEN = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.reportViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, and what it reported: policy violations, console errors and warnings,
    script errors, and failed requests."""
    found = {key: [] for key in NOTHING}
    page.expose_function("reportViolation", lambda text: found["violations"].append(text))
    page.add_init_script(LISTEN)

    def on_console(message):
        url = message.location.get("url", "")
        # The admin declares no icon, so the browser asks for /favicon.ico: not our concern.
        if message.type in ("error", "warning") and not url.endswith("/favicon.ico"):
            found["console"].append(f"{message.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda e: found["errors"].append(str(e)))
    page.on(
        "response",
        lambda r: found["failed"].append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    return page, found


def log_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.django_db(transaction=True)
def test_pages_and_htmx_swaps_run_without_a_violation(live_server, watched, alice):
    page, found = watched
    base = live_server.url
    for n in range(3):
        ObjectiveFactory(org=alice.org, title=f"Objective number {n}", position=n)

    # Given alice logged in on the org home
    log_in(page, base, "alice@acme.test")
    expect(page.get_by_test_id("figure-members")).to_be_visible()

    # When she moves the last objective up: htmx posts and swaps the rows in place
    page.get_by_test_id("nav-group-organisation").click()
    page.get_by_role("link", name="Objectives").first.click()
    rows = page.get_by_test_id("objective-row")
    expect(rows).to_have_count(3)
    page.evaluate("window.__marker = 'same page'")
    with page.expect_response(lambda r: "/move/" in r.url) as moved:
        rows.last.get_by_role("button", name="Move up").click()
    assert moved.value.headers["content-security-policy"]
    expect(rows.nth(1)).to_contain_text("Objective number 2")
    assert page.evaluate("window.__marker") == "same page", "htmx swapped without a reload"

    # And the confirmation prompt from static/js/app.js still runs
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    rows.first.get_by_role("button", name="Retire").click()
    assert dialogs and "Retire this objective" in dialogs[0]

    # And every other page of the menu renders as well
    for path in [
        "departments/",
        "members/",
        "invitations/",
        "import/",
        "settings/",
        "inbox/",
        "account/tokens/",
        "audit/",
    ]:
        page.goto(f"{base}/o/acme/{path}")
        expect(page.locator("main h1").first).to_be_visible()
    page.goto(f"{base}/accounts/password_change/")
    expect(page.locator("main h1")).to_be_visible()

    # Then nothing was blocked and nothing failed
    assert found == NOTHING


@pytest.mark.django_db(transaction=True)
def test_the_policy_is_enforced_not_just_sent(live_server, watched, alice):
    page, found = watched
    log_in(page, live_server.url, "alice@acme.test")
    expect(page.get_by_test_id("figure-members")).to_be_visible()

    # An injected inline script, as an XSS would add, does not run.
    page.evaluate(
        """() => {
        const s = document.createElement("script");
        s.textContent = "window.__injected = true";
        document.body.appendChild(s);
    }"""
    )
    for _ in range(40):  # the report arrives asynchronously
        if found["violations"]:
            break
        page.wait_for_timeout(50)
    assert page.evaluate("window.__injected") is None
    assert any(v.startswith("script-src") for v in found["violations"]), found


@pytest.mark.django_db(transaction=True)
def test_the_api_docs_and_the_admin_render_under_the_policy(live_server, watched, alice):
    page, found = watched
    base = live_server.url
    UserFactory(email="ops@platform.test", is_staff=True, is_superuser=True)

    log_in(page, base, "alice@acme.test")
    page.goto(f"{base}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("KRA Platform API")
    expect(page.locator(".opblock").first).to_be_visible()

    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.get_by_label("Email").fill("ops@platform.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()
    page.goto(f"{base}/admin/orgs/organization/")
    expect(page.locator("#result_list")).to_be_visible()

    assert found == NOTHING


@pytest.mark.django_db(transaction=True)
def test_the_lockout_page_renders_under_the_policy(live_server, watched, alice):
    page, found = watched
    for _ in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill("alice@acme.test")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("locked-out")).to_contain_text("15 minutes")
    found["console"] = [m for m in found["console"] if "status of 429" not in m]
    found["failed"] = [f for f in found["failed"] if not f.startswith("429 ")]
    assert found == NOTHING
