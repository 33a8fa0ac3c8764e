"""The home page introduces the person by what they are in the organisation, and counts only
the active objectives."""

import pytest
from django.urls import reverse

from kras.models import ObjectiveStatus
from orgs.models import OrgRole
from tests.factories import DepartmentFactory, MembershipFactory, ObjectiveFactory, UserFactory

pytestmark = pytest.mark.django_db


def _introduction(client, org) -> str:
    page = client.get(reverse("org-home", args=[org.slug])).content.decode()
    start = page.index('data-testid="signed-in-as">') + len('data-testid="signed-in-as">')
    return page[start : page.index("</p>", start)]


def test_a_manager_is_introduced_as_the_manager_of_their_people(login, org_a, alice):
    manager = MembershipFactory(
        org=org_a, user=UserFactory(full_name="Marcus Bell"), role=OrgRole.MEMBER
    )
    for _ in range(3):
        MembershipFactory(org=org_a, manager=manager)
    MembershipFactory(org=org_a, manager=manager, is_active=False)  # a leaver is not counted

    assert _introduction(login(manager), org_a) == "Signed in as Marcus Bell (manager of 3 people)"


def test_a_department_head_is_introduced_as_its_head(login, org_a):
    head = MembershipFactory(org=org_a, user=UserFactory(full_name="Priya Raman"), role=OrgRole.HR)
    DepartmentFactory(org=org_a, name="People", head=head)
    MembershipFactory(org=org_a, manager=head)

    assert (
        _introduction(login(head), org_a)
        == "Signed in as Priya Raman (HR · manager of 1 person · head of People)"
    )


def test_the_org_admin_and_a_plain_member(login, alice, bob, org_a):
    # bob reports to alice
    assert _introduction(login(alice), org_a) == (
        "Signed in as Alice Admin (org admin · manager of 1 person)"
    )
    assert _introduction(login(bob), org_a) == "Signed in as Bob Member (member)"


def test_the_home_page_counts_and_lists_only_active_objectives(login, alice, org_a):
    ObjectiveFactory(org=org_a, title="Grow revenue")
    ObjectiveFactory(org=org_a, title="Enter Japan", status=ObjectiveStatus.RETIRED)

    page = login(alice).get(reverse("org-home", args=[org_a.slug])).content.decode()

    assert 'data-testid="figure-objectives">1<' in page
    assert "Grow revenue" in page
    assert "Enter Japan" not in page


def test_the_home_page_reads_a_bounded_number_of_queries(
    login, alice, org_a, django_assert_max_num_queries
):
    for number in range(25):
        MembershipFactory(org=org_a, manager=alice)
        ObjectiveFactory(org=org_a, title=f"Objective {number}")
    client = login(alice)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("org-home", args=[org_a.slug]))
    assert response.status_code == 200
