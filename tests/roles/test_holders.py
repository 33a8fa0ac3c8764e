"""Who holds a role, at any headcount: the role page lists its holders a page at a time (htmx
swaps the next page in place), and the roles list counts each role's holders and names
only the first three."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from roles.models import RoleAssignment
from tests.factories import MembershipFactory, UserFactory

from .conftest import AssignmentFactory, RoleFactory

pytestmark = pytest.mark.django_db

HOLDERS_PAGE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "role-holders"}


def url(name, *args, slug="acme"):
    return reverse(name, args=[slug, *args])


def hold(role, count, *, prefix="Holder", start=datetime.date(2025, 1, 1), **fields):
    """``count`` new members holding ``role``, named "<prefix> 00", "<prefix> 01", …"""
    made = []
    for i in range(count):
        member = MembershipFactory(
            org=role.org,
            user=UserFactory(email=f"{prefix.lower()}{i}@acme.test", full_name=f"{prefix} {i:02d}"),
        )
        made.append(AssignmentFactory(role=role, member=member, start_date=start, **fields))
    return made


def test_the_role_page_shows_twenty_holders_current_first_and_pages_the_rest(login, alice, role):
    today = timezone.localdate()
    ended = hold(role, 3, prefix="Former", end_date=today - datetime.timedelta(days=1))
    hold(role, 22, prefix="Holder")
    html = login(alice).get(url("role-detail", role.pk)).content.decode()
    assert html.count('data-testid="assignment-row"') == 20
    assert "25 assignments, current ones first." in html
    assert "Former" not in html  # ended assignments come last, on the next page
    assert "Page 1 of 2" in html
    # Each current row keeps its own "end" action
    assert html.count('action="/o/acme/roles/assignments/') == 20
    # The next page swaps in place, and works as a plain link too
    assert f'hx-get="/o/acme/roles/{role.pk}/?page=2"' in html
    assert 'hx-target="#role-holders"' in html
    assert f'href="/o/acme/roles/{role.pk}/?page=2#holders"' in html
    assert ended[0].member.display_name not in html


def test_the_next_page_of_holders_is_a_fragment_for_htmx(login, alice, bob, role):
    today = timezone.localdate()
    hold(role, 21, prefix="Holder")
    former = hold(role, 2, prefix="Former", end_date=today - datetime.timedelta(days=1))
    for who, end_actions in ((alice, 1), (bob, 0)):
        response = login(who).get(url("role-detail", role.pk), {"page": 2}, **HOLDERS_PAGE)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" not in html and "Areas of focus" not in html
        assert html.count('data-testid="assignment-row"') == 3
        assert "Holder 20" in html and former[0].member.display_name in html
        assert "Holder 19" not in html
        # Only the current holder can be ended, and only by whoever assigns the role.
        assert html.count('name="end_date"') == end_actions
        assert "Page 2 of 2" in html
    # Without htmx the same address is the whole page, on the second page of holders.
    full = login(alice).get(url("role-detail", role.pk), {"page": 2}).content.decode()
    assert "<html" in full and "Areas of focus" in full and "Former 00" in full


def test_bob_sees_holders_without_end_actions_and_charlie_gets_404(login, bob, charlie, role):
    hold(role, 3)
    html = login(bob).get(url("role-detail", role.pk), **HOLDERS_PAGE).content.decode()
    assert html.count('data-testid="assignment-row"') == 3
    assert 'name="end_date"' not in html
    response = login(charlie).get(url("role-detail", role.pk), **HOLDERS_PAGE)
    assert response.status_code == 404
    assert "Holder 00" not in response.content.decode()
    assert RoleAssignment.objects.filter(role=role).count() == 3


def test_holders_pages_cost_the_same_queries_for_few_and_many(
    login, alice, role, django_assert_max_num_queries
):
    hold(role, 2)
    client = login(alice)
    client.get(url("role-detail", role.pk))
    with django_assert_max_num_queries(22) as few:
        client.get(url("role-detail", role.pk))
    hold(role, 45, prefix="More")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url("role-detail", role.pk))
    with django_assert_max_num_queries(12):
        client.get(url("role-detail", role.pk), {"page": 3}, **HOLDERS_PAGE)


def test_the_roles_list_counts_holders_and_names_the_first_three(login, bob, org_a, role):
    hold(role, 45)
    ended = hold(role, 2, prefix="Former", end_date=datetime.date(2025, 6, 1))
    RoleFactory(org=org_a, title="Nobody Yet")
    html = login(bob).get(url("role-list")).content.decode()
    assert "Holder 00, Holder 01, Holder 02 and 42 more" in html
    assert "45 holders" in html
    assert "Holder 03" not in html and ended[0].member.display_name not in html
    assert "vacant" in html  # "Nobody Yet"


def test_the_roles_list_costs_the_same_queries_with_few_or_many_holders(
    login, alice, org_a, role, django_assert_max_num_queries
):
    other = RoleFactory(org=org_a, title="Other")
    hold(role, 1)
    client = login(alice)
    client.get(url("role-list"))
    with django_assert_max_num_queries(20) as few:
        client.get(url("role-list"))
    hold(role, 30, prefix="More")
    hold(other, 30, prefix="Else")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url("role-list"))
    assert "and 28 more" in response.content.decode()
