"""Agreement figures for HR and managers: the share of people with an agreement in force,
for the organisation and per department (a manager: the departments they head and below),
and who has not signed, for how long; the page and its API twin; alice (org admin), bob (a
plain member: refused) and charlie (another organisation: 404)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgs.models import Department
from reviews.selectors import agreement_figures, people_without_agreement
from reviews.services import agreement_create
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(org):
    return reverse("agreement-figures", kwargs={"org_slug": org.slug})


def api_url(org):
    return reverse("api:agreement-figures", kwargs={"org_slug": org.slug})


def person(org, name, department=None, manager=None):
    slug = name.lower().replace(" ", ".")
    return MembershipFactory(
        org=org,
        department=department,
        manager=manager,
        user=UserFactory(email=f"{slug}@acme.test", full_name=name),
    )


@pytest.fixture
def support(org_a, alice):
    """Support (headed by mia, a plain member) with Support EU below it, and Billing beside
    it, outside her reach."""
    mia = person(org_a, "Mia Head")
    top = Department.objects.create(org=org_a, name="Support", head=mia)
    below = Department.objects.create(org=org_a, name="Support EU", parent=top)
    billing = Department.objects.create(org=org_a, name="Billing")
    mia.department = top
    mia.save(update_fields=["department"])
    person(org_a, "Sam Support", top, mia)
    person(org_a, "Eve Europe", below, mia)
    person(org_a, "Bill Billing", billing)
    return mia


def test_hr_sees_the_organisation_and_every_department(org_a, alice, bob, active, support):
    figures = agreement_figures(org=org_a, member=alice)

    assert figures["everyone"] is True
    total = figures["total"]
    # alice, bob, mia, sam, eve, bill: bob alone has an agreement in force.
    assert (total.people, total.signed, str(total.percent)) == (6, 1, "16.7")
    rows = {row.name: (row.people, row.signed) for row in figures["departments"]}
    assert rows == {
        "Billing": (1, 0),
        "Sales": (1, 1),
        "Support": (2, 0),
        "Support EU": (1, 0),
        "No department": (1, 0),
    }


def test_a_manager_sees_the_departments_they_head_and_below(org_a, alice, bob, active, support):
    figures = agreement_figures(org=org_a, member=support)

    assert figures["everyone"] is False
    assert [row.name for row in figures["departments"]] == ["Support", "Support EU"]
    assert (figures["total"].people, figures["total"].signed) == (3, 0)
    names = [
        p.user.full_name
        for p in people_without_agreement(
            org=org_a, department_ids={row.department.pk for row in figures["departments"]}
        )
    ]
    assert sorted(names) == ["Eve Europe", "Mia Head", "Sam Support"]


def test_who_has_not_signed_shows_the_agreement_under_way_longest_waiting_first(
    org_a, alice, bob, dave, active, role
):
    from .conftest import assign

    assign(role, dave)
    draft = agreement_create(org=org_a, actor=alice, employee=dave, role=role)
    people = list(people_without_agreement(org=org_a, department_ids=None))

    assert bob not in people
    by_pk = {p.pk: p for p in people}
    assert by_pk[dave.pk].open_status == "draft"
    assert by_pk[dave.pk].waiting_since == draft.created_at
    assert by_pk[alice.pk].open_status is None
    assert by_pk[alice.pk].waiting_since == alice.created_at
    assert [p.waiting_since for p in people] == sorted(p.waiting_since for p in people)


def test_the_figures_page_for_alice(login, org_a, alice, bob, active, support):
    response = login(alice).get(url(org_a))

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="total-percent">16.7 %' in body
    assert body.count('data-testid="figures-department"') == 5
    assert body.count('data-testid="unsigned-row"') == 5
    assert "Bill Billing" in body and "Bob" not in body.split('data-testid="unsigned"')[1]


def test_the_figures_page_for_a_department_head(login, org_a, alice, bob, active, support):
    body = login(support).get(url(org_a)).content.decode()
    assert body.count('data-testid="figures-department"') == 2
    assert "Bill Billing" not in body and "Eve Europe" in body


def test_bob_and_charlie_may_not_see_the_figures(login, api, org_a, bob, charlie, active):
    assert login(bob).get(url(org_a)).status_code == 403
    assert login(charlie).get(url(org_a)).status_code == 404
    assert api(bob).get(api_url(org_a)).status_code == 403
    assert api(charlie).get(api_url(org_a)).status_code == 404


def test_the_home_page_links_the_figures_for_hr_and_managers(login, org_a, alice, bob, support):
    link = 'data-testid="home-agreement-figures"'
    home = reverse("org-home", kwargs={"org_slug": org_a.slug})
    assert link in login(alice).get(home).content.decode()
    assert link in login(support).get(home).content.decode()
    assert link not in login(bob).get(home).content.decode()


def test_the_figures_api_gives_the_same_figures(api, org_a, alice, bob, active, support):
    response = api(alice).get(api_url(org_a), {"page_size": 2})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["everyone"] is True
    assert body["total"] == {
        "department": None,
        "name": org_a.name,
        "people": 6,
        "signed": 1,
        "share": "0.167",
    }
    assert len(body["departments"]) == 5
    assert body["unsigned"]["count"] == 5 and len(body["unsigned"]["results"]) == 2
    assert body["unsigned"]["next"]
    assert set(body["unsigned"]["results"][0]) == {
        "member",
        "name",
        "department",
        "agreement_status",
        "waiting_since",
    }


def _crowd(org, n, prefix):
    departments = [Department.objects.create(org=org, name=f"{prefix} {i}") for i in range(n)]
    for i, department in enumerate(departments):
        person(org, f"{prefix} person {i}", department)


def test_the_figures_cost_the_same_queries_at_any_size(
    login, api, org_a, alice, active, django_assert_max_num_queries
):
    client, token = login(alice), api(alice)
    _crowd(org_a, 2, "Small")
    with CaptureQueriesContext(connection) as page:
        client.get(url(org_a))
    with CaptureQueriesContext(connection) as endpoint:
        token.get(api_url(org_a))
    _crowd(org_a, 30, "Large")
    with django_assert_max_num_queries(len(page.captured_queries)):
        body = client.get(url(org_a)).content.decode()
    assert body.count('data-testid="figures-department"') == 34
    with django_assert_max_num_queries(len(endpoint.captured_queries)):
        assert token.get(api_url(org_a)).json()["unsigned"]["count"] == 33
