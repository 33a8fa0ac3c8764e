"""A manager's journey in a real browser: build a role from a template, edit a KRA in place
(the weight total and readiness follow without a reload), ladder it up, and see the cascade
explorer flag it after leadership changes the objective above."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.logins import DEMO_PASSWORD
from kras.models import KRA, KRALevel, KRAStatus
from roles.models import Role

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("figure-members")).to_be_visible()


def _choose(select, pattern):
    value = select.locator("option", has_text=pattern).first.get_attribute("value")
    select.select_option(value)


def test_manager_builds_a_role_from_a_template_and_sees_the_cascade_flag(
    live_server, page, browser
):
    call_command("seed_demo", verbosity=0)
    base = live_server.url
    page.on("dialog", lambda d: d.accept())

    # Given the head of Sales, signed in
    _log_in(page, base, "manager@demo.kra")

    # When he creates a role in Sales
    page.goto(f"{base}/o/demo/roles/new/")
    page.locator("#id_title").fill("Key Account Manager")
    _choose(page.locator("#id_department"), re.compile(r"^\W*Sales\s*$"))
    page.locator("#id_justification_kind").select_option("revenue")
    page.get_by_role("button", name=re.compile("Save|Create")).click()
    role = Role.objects.get(org__slug="demo", title="Key Account Manager")
    expect(page).to_have_url(re.compile(rf"/o/demo/roles/{role.pk}/"))

    # And builds it from the library's Sales Executive template
    page.get_by_test_id("apply-template").click()
    page.get_by_test_id("library-template").filter(has_text="Sales Executive").get_by_role(
        "link"
    ).first.click()
    page.get_by_role("button", name="Apply to a role").click()
    expect(page.locator("#id_role")).to_have_value(str(role.pk))
    page.get_by_role("button", name="Apply", exact=True).click()

    # Then the role page shows the KRAs, weights totalling 100
    expect(page).to_have_url(re.compile(rf"/o/demo/roles/{role.pk}/"))
    total = page.get_by_test_id("kra-weight-total")
    readiness = page.get_by_test_id("readiness")
    expect(total).to_have_text("100")
    kras = list(KRA.objects.filter(role=role).order_by("position", "id"))
    assert len(kras) >= 3

    # When he lowers the first KRA's weight in place
    page.evaluate("window.__marker = 'same page'")
    first = page.get_by_test_id("kra-row").filter(has_text=kras[0].title)
    first.get_by_test_id("kra-inline-edit").click()
    form = page.get_by_test_id("kra-inline-form")
    new_weight = int(kras[0].weight) - 10
    form.get_by_label("Weight (%)").fill(str(new_weight))
    form.get_by_role("button", name="Save").click()

    # Then the total and the readiness summary follow without a reload
    expect(total).to_have_text("90")
    expect(readiness).to_contain_text("KRA weights total 90 of 100.")
    assert page.evaluate("window.__marker") == "same page"

    # When he ladders that KRA up to the Sales department's KRA
    sales_kra = KRA.objects.filter(
        org__slug="demo",
        level=KRALevel.DEPARTMENT,
        department__name="Sales",
        objective__isnull=False,
    ).first()
    page.goto(f"{base}/o/demo/kras/{kras[0].pk}/edit/")
    _choose(page.locator("#id_parent"), sales_kra.title)
    page.get_by_role("button", name="Save").click()
    kras[0].refresh_from_db()
    assert kras[0].parent_id == sales_kra.pk

    # And leadership rewrites the objective above the Sales KRA
    leader = browser.new_context().new_page()
    _log_in(leader, base, "admin@demo.kra")
    leader.goto(f"{base}/o/demo/objectives/{sales_kra.objective_id}/")
    leader.locator("#id_title").fill("Grow revenue 35% year over year")
    leader.get_by_role("button", name="Save").click()
    expect(leader.get_by_text("Objective saved.")).to_be_visible()

    # Then the cascade explorer shows his KRA as needing review, with the reason
    page.goto(f"{base}/o/demo/cascade/?needs_review=1")
    expect(page.get_by_text(kras[0].title).first).to_be_visible()
    expect(page.locator(f"#needs-review-badge-{kras[0].pk}")).to_be_visible()
    kras[0].refresh_from_db()
    assert kras[0].status == KRAStatus.NEEDS_REVIEW
    assert "Grow revenue 35%" in kras[0].needs_review_reason
