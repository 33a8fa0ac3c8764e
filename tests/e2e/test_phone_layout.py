"""Every page fits a phone: at 390 px wide no page is wider than the screen, and the
navigation folds behind a menu button that opens and closes it. Checked in a real browser
with an organisation like the demo one: an org admin, a department head with people, a plain
member, and the long names and unbroken words that real data has."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kpis.services import kpi_create
from kras.models import KRALevel
from kras.services import kra_create, objective_create
from orgs.models import OrgRole
from orgs.services.departments import department_create, department_update
from roles.models import JustificationKind
from roles.services import role_assign, role_create
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LONG_WORD = "Supercalifragilisticexpialidocious-" * 4
LONG_ADDRESS = "https://intranet.example.com/" + "strategy/" * 12


@pytest.fixture
def people():
    """An organisation with the shapes of real data, and its three kinds of member."""
    org = OrganizationFactory(
        name="Brightline Distribution and Logistics International",
        slug="brightline",
        mission=f"Keep every workplace stocked. See {LONG_ADDRESS}",
    )
    admin = MembershipFactory(
        org=org,
        role=OrgRole.ADMIN,
        job_title="Chief Executive Officer",
        user=UserFactory(email="dana@brightline.test", full_name="Dana Whitfield"),
    )
    manager = MembershipFactory(
        org=org,
        manager=admin,
        job_title="Head of Sales",
        user=UserFactory(email="marcus@brightline.test", full_name="Marcus Bell"),
    )
    member = MembershipFactory(
        org=org,
        manager=manager,
        job_title="Sales Executive",
        user=UserFactory(
            email="sofia.alvarez-montenegro@brightline.test", full_name="Sofia Alvarez"
        ),
    )
    sales = department_create(org=org, actor=admin, name="Sales and Business Development")
    department_update(department=sales, actor=admin, head=manager)
    objective = objective_create(
        org=org,
        actor=admin,
        title="Grow revenue 20% year over year",
        description=f"Win new mid-sized accounts. {LONG_WORD}",
        horizon_years=3,
    )
    top = kra_create(
        org=org,
        actor=admin,
        level=KRALevel.ORGANIZATION,
        title="Profitable growth",
        objective=objective,
        weight=Decimal("100"),
    )
    role = role_create(
        org=org,
        actor=admin,
        title="Business Development Representative",
        department=sales,
        purpose=f"Turn qualified opportunities into signed revenue. {LONG_WORD}",
        annual_cost=Decimal("85000"),
        expected_value=Decimal("340000"),
        currency="USD",
        justification_kind=JustificationKind.REVENUE,
    )
    role_assign(role=role, actor=admin, member=member, start_date=datetime.date(2026, 1, 1))
    department_kra = kra_create(
        org=org,
        actor=admin,
        level=KRALevel.DEPARTMENT,
        department=sales,
        title="Revenue growth in every territory",
        parent=top,
        weight=Decimal("100"),
    )
    role_kra = kra_create(
        org=org,
        actor=admin,
        level=KRALevel.ROLE,
        role=role,
        title="Revenue generation",
        parent=department_kra,
        weight=Decimal("100"),
    )
    kpi_create(
        kra=role_kra,
        actor=admin,
        name="Revenue closed in the quarter",
        measure_type="currency",
        currency_code="USD",
        unit="USD",
        target=Decimal("250000"),
        weight=Decimal("100"),
    )
    return {"org": org, "admin": admin, "manager": manager, "member": member, "role": role}


def _log_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("figure-members")).to_be_visible()


def _overflow(page) -> str:
    """What sticks out of the screen, or "" when the page fits."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width) return "";
            const wide = [...document.querySelectorAll("body *")]
                .filter((el) => el.getBoundingClientRect().right > width + 1)
                .slice(0, 3)
                .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
            return `scrollWidth ${document.documentElement.scrollWidth}: ${wide.join(", ")}`;
        }"""
    )


def _pages(people) -> dict[str, str]:
    slug = people["org"].slug
    return {
        "home": reverse("org-home", args=[slug]),
        "people": reverse("member-list", args=[slug]),
        "roles": reverse("role-list", args=[slug]),
        "a role": reverse("role-detail", args=[slug, people["role"].pk]),
        "KRAs": reverse("kra-list", args=[slug]),
        "cascade": reverse("cascade", args=[slug]),
        "objectives": reverse("objective-list", args=[slug]),
        "templates": reverse("kra-template-list", args=[slug]),
        "a template": reverse("kra-template-detail", args=[slug, "sales.sales-executive"]),
        "new role": reverse("role-create", args=[slug]),
        "settings": reverse("org-settings", args=[slug]),
        "audit": reverse("audit-list", args=[slug]),
        "inbox": reverse("inbox", args=[slug]),
        "departments": reverse("department-list", args=[slug]),
        "import": reverse("org-chart-import", args=[slug]),
    }


def test_every_page_fits_a_phone_and_the_menu_opens_and_closes(live_server, browser, people):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    base = live_server.url
    _log_in(page, base, people["admin"].user.email)

    # The links are folded away; the menu button opens them and closes them again
    my_kras = page.get_by_test_id("nav-my-kras")
    people_link = page.locator("#site-menu").get_by_role("link", name="People")
    organisation = page.get_by_test_id("nav-group-organisation")
    toggle = page.get_by_test_id("nav-toggle")
    expect(toggle).to_be_visible()
    expect(my_kras).to_be_hidden()
    toggle.click()
    expect(my_kras).to_be_visible()
    assert _overflow(page) == ""
    toggle.click()
    expect(my_kras).to_be_hidden()

    # And the menu leads somewhere: open it, open the organisation's group, follow a link
    toggle.click()
    expect(people_link).to_be_hidden()
    organisation.click()
    expect(people_link).to_be_visible()
    assert _overflow(page) == ""
    people_link.click()
    expect(page).to_have_url(re.compile(r"/o/brightline/members/"))

    problems = []
    for name, path in _pages(people).items():
        response = page.goto(base + path)
        if response.status != 200:
            problems.append(f"{name}: answered {response.status}")
        elif why := _overflow(page):
            problems.append(f"{name} ({path}) is wider than the phone: {why}")
    assert not problems, "\n".join(problems)
    context.close()


@pytest.mark.parametrize("persona", ["manager", "member"])
def test_the_pages_of_a_manager_and_a_member_fit_a_phone(live_server, browser, people, persona):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    base = live_server.url
    _log_in(page, base, people[persona].user.email)
    slug = people["org"].slug
    paths = [
        reverse("org-home", args=[slug]),
        reverse("member-list", args=[slug]),
        reverse("role-detail", args=[slug, people["role"].pk]),
        reverse("kra-list", args=[slug]),
        reverse("cascade", args=[slug]),
        reverse("objective-list", args=[slug]),
        # A page this person may not open: the refusal fits too
        reverse("audit-list", args=[slug]),
    ]
    problems = []
    for path in paths:
        page.goto(base + path)
        if why := _overflow(page):
            problems.append(f"{path}: {why}")
    assert not problems, "\n".join(problems)
    context.close()


def test_the_menu_stays_out_of_the_way_on_a_desktop(live_server, browser, people):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    _log_in(page, live_server.url, people["admin"].user.email)
    expect(page.get_by_test_id("nav-toggle")).to_be_hidden()
    expect(page.get_by_test_id("nav-my-kras")).to_be_visible()
    people_link = page.locator("#site-menu").get_by_role("link", name="People")
    expect(people_link).to_be_hidden()
    page.get_by_test_id("nav-group-organisation").click()
    expect(people_link).to_be_visible()
    assert _overflow(page) == ""
    context.close()
