"""The cascade in a real browser: after the org admin rewords an objective, the head of Sales
finds the flagged KRAs in the explorer and confirms one still holds without a page reload."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.logins import DEMO_PASSWORD
from kras.models import KRA, KRAStatus, StrategicObjective
from kras.services import objective_update
from orgs.models import Membership


@pytest.mark.django_db(transaction=True)
def test_a_manager_confirms_a_flagged_kra_in_place(live_server, page):
    call_command("seed_demo", verbosity=0)
    admin = Membership.objects.get(user__email="admin@demo.kra")
    objective = StrategicObjective.objects.filter(org=admin.org).order_by("position").first()
    objective_update(objective=objective, actor=admin, title="Grow revenue 25% year over year")
    revenue = KRA.objects.get(org=admin.org, title="Revenue growth", department__name="Sales")
    assert revenue.status == KRAStatus.NEEDS_REVIEW

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("manager@demo.kra")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/o/demo/cascade/?needs_review=1")

    node = page.locator(f'[data-kra="{revenue.pk}"]')
    expect(node.get_by_test_id("needs-review-badge").first).to_be_visible()
    expect(node.get_by_test_id("cascade-review").first).to_contain_text("Grow revenue 25%")
    page.evaluate("window.__marker = 'same page'")
    node.get_by_test_id("confirm-still-holds").first.click()

    expect(page.locator(f"#cascade-review-{revenue.pk}")).to_contain_text("still holds")
    expect(page.locator(f"#needs-review-badge-{revenue.pk}")).to_have_count(1)
    expect(page.locator(f"mark#needs-review-badge-{revenue.pk}")).to_have_count(0)
    assert page.evaluate("window.__marker") == "same page"
    revenue.refresh_from_db()
    assert revenue.status == KRAStatus.ACTIVE
