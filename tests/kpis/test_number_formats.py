"""Numbers, money and dates read the same way on every page, in the organisation's locale:
thousands grouped, no trailing zeros, money once with its currency, one date format."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kpis.services import kpi_create
from kra_platform import formatting
from kras.kra_numbers import plain
from kras.models import KRALevel
from kras.services import kra_create
from roles.models import JustificationKind, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def revenue_kpi(org_a, alice):
    role = Role.objects.create(
        org=org_a,
        title="Account Executive",
        annual_cost=Decimal("80000.00"),
        expected_value=Decimal("250000.50"),
        currency="USD",
        justification_kind=JustificationKind.REVENUE,
    )
    kra = kra_create(
        org=org_a, actor=alice, level=KRALevel.ROLE, title="Revenue", role=role, weight=100
    )
    return kpi_create(
        kra=kra,
        actor=alice,
        name="Revenue closed in the quarter",
        measure_type="currency",
        currency_code="USD",
        unit="USD",
        baseline=Decimal("120000"),
        target=Decimal("250000"),
        weight=Decimal("100"),
        start_date=datetime.date(2026, 1, 1),
        due_date=datetime.date(2026, 12, 31),
    )


def test_formatting_groups_thousands_and_drops_trailing_zeros():
    assert formatting.number(Decimal("250000.0000")) == "250,000"
    assert formatting.number(Decimal("4.2500")) == "4.25"
    assert formatting.number(Decimal("-1234567.5")) == "-1,234,567.5"
    assert formatting.number(None) == ""
    assert formatting.money(Decimal("250000.00"), "USD") == "250,000 USD"
    assert formatting.money(Decimal("1234.5"), "EUR") == "1,234.50 EUR"
    assert formatting.day(datetime.date(2025, 12, 31)) == "Dec. 31, 2025"
    assert plain(Decimal("250000")) == "250,000"  # the numbers inside messages


def test_formatting_follows_the_active_locale():
    with translation.override("de"):
        assert formatting.number(Decimal("250000.5")) == "250.000,5"
        assert formatting.day(datetime.date(2025, 12, 31)) == "31. Dezember 2025"


def test_a_moment_is_shown_in_the_organisations_time_zone():
    moment = datetime.datetime(2026, 1, 2, 23, 30, tzinfo=datetime.UTC)
    with timezone.override("Asia/Tokyo"):
        assert formatting.moment(moment) == "Jan. 3, 2026, 8:30 a.m."
        assert formatting.day(moment) == "Jan. 3, 2026"


def test_the_kpi_page_shows_money_grouped_and_its_currency_once(login, alice, revenue_kpi):
    page = login(alice).get(reverse("kpi-detail", args=["acme", revenue_kpi.pk])).content.decode()
    assert "≥ 250,000 USD" in page
    assert "250000" not in page
    assert "120,000" in page
    assert "Currency (USD)</dd>" in page
    assert "Currency (USD) · USD" not in page
    assert "Jan. 1, 2026 – Dec. 31, 2026" in page


def test_the_kra_page_lists_targets_grouped(login, alice, revenue_kpi):
    page = (
        login(alice).get(reverse("kra-detail", args=["acme", revenue_kpi.kra_id])).content.decode()
    )
    assert "≥ 250,000 USD" in page


def test_the_role_page_shows_cost_and_value_as_money(login, alice, revenue_kpi):
    role = revenue_kpi.kra.role
    page = login(alice).get(reverse("role-detail", args=["acme", role.pk])).content.decode()
    assert "80,000 USD" in page
    assert "80,000.00" not in page
    assert "250,000.50 USD" in page


def test_a_library_template_shows_its_targets_grouped(login, alice):
    page = (
        login(alice)
        .get(reverse("kra-template-detail", args=["acme", "sales.sales-executive"]))
        .content.decode()
    )
    assert "≥ 250,000 USD" in page
    assert "250000" not in page


def test_dates_read_the_same_on_every_page(login, alice, org_a):
    role = Role.objects.create(
        org=org_a,
        title="Marketing Analyst",
        justification_kind=JustificationKind.NOT_YET,
        justification_target_date=datetime.date(2025, 12, 31),
    )
    client = login(alice)
    home = client.get(reverse("org-home", args=["acme"])).content.decode()
    roles = client.get(reverse("role-list", args=["acme"])).content.decode()
    detail = client.get(reverse("role-detail", args=["acme", role.pk])).content.decode()
    for page in (home, roles, detail):
        assert "Dec. 31, 2025" in page
        assert "12/31/2025" not in page
