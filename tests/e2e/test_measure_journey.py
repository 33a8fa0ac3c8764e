"""An employee records this period's value on "My KPIs" in a browser; once the rollup has
run, the page shows the KPI's score and its status."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kpis.rollups import rollup_organization
from orgs.models import OrgRole
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory
from tests.kpis.test_measure_support import holder_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_employee_records_a_value_and_sees_the_new_status(live_server, browser):
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

    rollup_organization(org.pk)
    page.reload()
    expect(card.get_by_test_id("due-kpi-status")).to_have_text("on track")
    expect(card.get_by_test_id("due-kpi-score")).not_to_contain_text("no data")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
