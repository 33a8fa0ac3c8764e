"""The member picker in a real browser: type part of a name, pick the person with the
keyboard, save. Used here to assign a role and to change a member's manager."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from demo.logins import DEMO_PASSWORD
from orgs.models import Membership
from roles.models import Role, RoleAssignment

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("figure-members")).to_be_visible()


def _pick(page, box, typed, name):
    """Type into a member picker, move to ``name`` with the arrow keys and press Enter."""
    box.click()
    box.press_sequentially(typed, delay=30)
    options = page.get_by_test_id("member-option")
    expect(options.filter(has_text=name)).to_have_count(1)
    names = [text.split("\n")[0].strip() for text in options.all_inner_texts()]
    for _ in range(names.index(name) + 1):
        box.press("ArrowDown")
    expect(box).to_have_attribute("aria-expanded", "true")
    active = page.locator("[data-member-option].active")
    expect(active).to_contain_text(name)
    expect(box).to_have_attribute("aria-activedescendant", active.get_attribute("id"))
    box.press("Enter")
    expect(options).to_have_count(0)
    expect(box).to_have_value(name)


def test_assign_a_role_and_change_a_manager_with_the_keyboard(live_server, page):
    call_command("seed_demo", verbosity=0)
    base = live_server.url
    employee = Membership.objects.select_related("user").get(user__email="employee@demo.kra")
    hr = Membership.objects.select_related("user").get(user__email="hr@demo.kra")
    role = (
        Role.objects.filter(org=employee.org)
        .exclude(assignments__member=employee)
        .order_by("title")
        .first()
    )
    page.on("dialog", lambda d: d.accept())
    _log_in(page, base, "admin@demo.kra")

    # Assign the employee to a role: the picker lists nobody until one types
    page.goto(base + reverse("role-detail", args=["demo", role.pk]))
    page.get_by_text("Assign a member").click()
    form = page.get_by_test_id("assign-form")
    box = form.get_by_label("Member")
    expect(form.get_by_test_id("member-option")).to_have_count(0)
    _pick(page, box, employee.display_name[:7], employee.display_name)
    expect(form.locator("[data-member-chosen]")).to_contain_text("employee@demo.kra")
    assert form.locator("input[name=member]").input_value() == str(employee.pk)
    form.get_by_role("button", name="Assign").click()
    expect(page.get_by_text(f"{employee.display_name} holds this role from")).to_be_visible()
    assert RoleAssignment.objects.filter(role=role, member=employee).exists()

    # Change her manager to the head of HR, typed by first name
    page.goto(base + reverse("member-edit", args=["demo", employee.pk]))
    box = page.get_by_label("Manager")
    expect(box).to_have_value(employee.manager.display_name)
    box.fill("")
    _pick(page, box, hr.display_name.split()[0], hr.display_name)
    page.get_by_role("button", name=re.compile("^Save$")).click()
    expect(page.get_by_text(f"{employee.display_name} saved.")).to_be_visible()
    employee.refresh_from_db()
    assert employee.manager == hr
