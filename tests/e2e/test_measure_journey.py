"""An employee records this period's value on "My KPIs" in a browser; the debounced rollup
runs on a real worker, and then My KPIs and the results dashboard show the KPI's score and
its status."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kpis import tasks
from orgs.models import OrgRole
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory
from tests.kpis.test_measure_support import holder_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_employee_records_a_value_and_sees_the_new_status(
    live_server, browser, celery_worker, monkeypatch
):
    # The rollup after a change waits a second here rather than most of a minute.
    monkeypatch.setattr(tasks, "DEBOUNCE_SECONDS", 1)
    org = OrganizationFactory(name="Brightline", slug="brightline")
    boss = MembershipFactory(org=org, role=OrgRole.ADMIN)
    sofia = MembershipFactory(
        org=org, manager=boss, user=UserFactory(email="sofia@b.test", full_name="Sofia Alvarez")
    )
    kpi = holder_of(
        sofia,
        name="New accounts closed",
        unit="accounts",
        target=Decimal(10),
        start=datetime.date(2020, 1, 1),
    )
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("sofia@b.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + reverse("my-kpis", args=[org.slug]))
    card = page.locator(f'[data-testid="due-kpi"][data-kpi="{kpi.pk}"]')
    expect(card.get_by_test_id("due-kpi-target")).to_contain_text("10 accounts")
    expect(card.get_by_test_id("due-kpi-score")).to_contain_text("no data")
    card.get_by_label("Value").fill("12")
    page.get_by_test_id("my-kpis-save").click()
    expect(page.get_by_text("Saved 1 value")).to_be_visible()

    # The worker rolls the organisation up shortly after the save
    results = live_server.url + reverse("person-results", args=[org.slug, sofia.pk])
    for _attempt in range(30):
        page.wait_for_timeout(500)
        page.goto(results)
        if page.get_by_test_id("kpi-result").count():
            break
    kpi_result = page.locator(f'[data-testid="kpi-result"][data-kpi="{kpi.pk}"]')
    expect(kpi_result.get_by_test_id("status")).to_have_text("on track")
    expect(kpi_result.get_by_test_id("achievement")).to_be_visible()
    expect(page.get_by_test_id("computed-at")).to_contain_text("Scores last computed")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # My KPIs shows the same status beside the field
    page.goto(live_server.url + reverse("my-kpis", args=[org.slug]))
    expect(card.get_by_test_id("due-kpi-status")).to_have_text("on track")
    expect(card.get_by_test_id("due-kpi-score")).not_to_contain_text("no data")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
