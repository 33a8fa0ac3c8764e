"""Pages that must not grow with headcount: every member picker, the role page, the roles
list, the cascade explorer (and what it opens on demand) and the member search weigh the
same for an organisation of a few dozen people as for one of hundreds more."""

import datetime

import pytest
from django.urls import reverse

from kras.models import KRA, KRALevel
from orgs.models import Membership, User
from roles.models import Role, RoleAssignment
from tests.factories import DepartmentFactory, MembershipFactory, ObjectiveFactory, UserFactory

pytestmark = pytest.mark.django_db

#: What may change between the two sizes: a few digits ("25 holders" → "225 holders").
DIGITS = 16


class World:
    def __init__(self, org, alice, bob):
        self.org = org
        self.head = MembershipFactory(
            org=org, user=UserFactory(email="hana@acme.test", full_name="Hana Head")
        )
        self.sales = DepartmentFactory(org=org, name="Sales", head=self.head)
        self.role = Role.objects.create(org=org, department=self.sales, title="Account Executive")
        objective = ObjectiveFactory(org=org, title="Grow revenue")
        self.top = KRA.objects.create(
            org=org,
            level=KRALevel.DEPARTMENT,
            department=self.sales,
            objective=objective,
            title="Revenue growth",
            weight=50,
        )
        self.kra = KRA.objects.create(
            org=org,
            level=KRALevel.ROLE,
            role=self.role,
            parent=self.top,
            title="New logos",
            weight=40,
        )
        self.bob = bob
        self.added = 0
        self.grow(25)

    def grow(self, count: int) -> list[str]:
        """``count`` more members, each holding the role; their names."""
        start = self.added
        self.added += count
        names = [f"Newcomer {i:04d}" for i in range(start, start + count)]
        users = User.objects.bulk_create(
            [
                User(email=f"newcomer{i}@acme.test", full_name=name, password="!")
                for i, name in zip(range(start, start + count), names, strict=True)
            ]
        )
        members = Membership.objects.bulk_create(
            [Membership(org=self.org, user=user, job_title="Account Executive") for user in users]
        )
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(
                    org=self.org, role=self.role, member=m, start_date=datetime.date(2025, 1, 1)
                )
                for m in members
            ]
        )
        return names

    def pages(self) -> dict[str, tuple[str, dict]]:
        slug = self.org.slug
        return {
            "member edit": (reverse("member-edit", args=[slug, self.bob.pk]), {}),
            "department edit": (reverse("department-edit", args=[slug, self.sales.pk]), {}),
            "invitation form": (reverse("invitation-create", args=[slug]), {}),
            "KRA edit": (reverse("kra-edit", args=[slug, self.kra.pk]), {}),
            "role page": (reverse("role-detail", args=[slug, self.role.pk]), {}),
            "roles list": (reverse("role-list", args=[slug]), {}),
            "cascade": (reverse("cascade", args=[slug]), {}),
            "cascade below": (
                reverse("cascade-below", args=[slug, self.top.pk]),
                {"HTTP_HX_REQUEST": "true"},
            ),
            "member search": (
                reverse("member-search", args=[slug]) + "?q=newcomer",
                {"HTTP_HX_REQUEST": "true"},
            ),
        }


@pytest.fixture
def world(org_a, alice, bob):
    return World(org_a, alice, bob)


def weigh(client, world) -> dict[str, tuple[int, str]]:
    found = {}
    for name, (path, headers) in world.pages().items():
        response = client.get(path, **headers)
        assert response.status_code == 200, name
        found[name] = (len(response.content), response.content.decode())
    return found


def test_no_page_grows_when_two_hundred_people_join(login, alice, world):
    client = login(alice)
    weigh(client, world)  # first visits settle anything cached
    before = weigh(client, world)
    joined = world.grow(200)
    after = weigh(client, world)
    for name in before:
        size_before, _html = before[name]
        size_after, html = after[name]
        assert abs(size_after - size_before) <= DIGITS, (name, size_before, size_after)
        # Of the 200 who joined, no page lists more than a page's worth.
        shown = sum(1 for person in joined if person in html)
        assert shown <= 20, (name, shown)
    # The pickers show nobody but the person already chosen.
    for name in ("member edit", "department edit", "invitation form", "KRA edit"):
        html = after[name][1]
        assert "Newcomer" not in html and "<option" not in html.split("data-member-picker")[1]
