"""The cascade explorer page and API: the tree, its filters, the "still holds" confirmation,
who may see and do what, and a constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kras.models import KRA, KRALevel, KRAStatus
from kras.services import flag_descendants
from orgs.models import AuditEvent, Notification
from roles.models import Role, RoleAssignment
from tests.factories import DepartmentFactory, MembershipFactory, ObjectiveFactory, UserFactory

pytestmark = pytest.mark.django_db


def kra(org, title, *, level=KRALevel.ROLE, **fields):
    return KRA.objects.create(org=org, level=level, title=title, weight=25, **fields)


class Tree:
    """objective "Grow revenue" → dept KRA "Revenue growth" (Sales, head dave) → role KRA
    "Revenue generation" (Sales Executive, held by bob); objective "Reliable systems" →
    dept KRA "Uptime" (IT); and "Floating idea" (Sales) laddered to nothing."""

    def __init__(self, org, alice, bob):
        self.org = org
        self.dave = MembershipFactory(
            org=org,
            manager=alice,
            job_title="Head of Sales",
            user=UserFactory(email="dave@acme.test", full_name="Dave Head"),
        )
        self.sales = DepartmentFactory(org=org, name="Sales", head=self.dave)
        self.it = DepartmentFactory(org=org, name="IT")
        self.objective = ObjectiveFactory(org=org, title="Grow revenue")
        self.systems = ObjectiveFactory(org=org, title="Reliable systems")
        self.role = Role.objects.create(org=org, department=self.sales, title="Sales Executive")
        RoleAssignment.objects.create(
            org=org,
            role=self.role,
            member=bob,
            start_date=timezone.localdate() - datetime.timedelta(days=10),
        )
        self.revenue = kra(
            org,
            "Revenue growth",
            level=KRALevel.DEPARTMENT,
            department=self.sales,
            objective=self.objective,
        )
        self.generation = kra(org, "Revenue generation", role=self.role, parent=self.revenue)
        self.uptime = kra(
            org,
            "Uptime",
            level=KRALevel.DEPARTMENT,
            department=self.it,
            objective=self.systems,
        )
        self.floating = kra(org, "Floating idea", level=KRALevel.DEPARTMENT, department=self.sales)

    def flag(self):
        flag_descendants(
            source=self.revenue,
            reason="KRA “Revenue growth” changed: weight 40 → 50",
            actor=None,
            link=f"/o/{self.org.slug}/kras/{self.revenue.pk}/",
        )


@pytest.fixture
def tree(org_a, alice, bob):
    return Tree(org_a, alice, bob)


def page(client, **query):
    return client.get(reverse("cascade", args=["acme"]), query)


def api_tree(client, slug="acme", **query):
    return client.get(reverse("api:cascade", args=[slug]), query)


def titles(response) -> set[str]:
    found = set()

    def walk(nodes):
        for node in nodes:
            found.add(node["title"])
            walk(node["children"])

    body = response.json()
    for objective in body["objectives"]:
        walk(objective["kras"])
    walk(body["unaligned"])
    return found


def below(client, kra, **headers):
    return client.get(reverse("cascade-below", args=["acme", kra.pk]), **headers)


def test_the_page_shows_objectives_and_top_kras_and_counts_what_is_below(login, alice, tree):
    tree.flag()
    html = page(login(alice)).content.decode()
    for text in ("Grow revenue", "Revenue growth", "Reliable systems", "Uptime"):
        assert text in html
    assert "Dave Head" in html  # answers for the department KRA
    assert "Supports no strategic objective" in html and "Floating idea" in html
    # The role KRA below "Revenue growth" is counted, flagged and left to open on demand.
    assert "Revenue generation" not in html and "Bob Member" not in html
    assert "1 role KRA below" in html and "1 below needs review" in html
    assert f'hx-get="/o/acme/cascade/kras/{tree.revenue.pk}/below/"' in html
    assert 'data-testid="needs-review-badge"' not in html  # nothing on the page itself


def test_opening_a_kra_shows_its_role_kras_with_holders_and_review(login, alice, tree):
    tree.flag()
    client = login(alice)
    fragment = below(client, tree.revenue, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert "<html" not in html  # a fragment for htmx
    assert "Revenue generation" in html and "Sales Executive" in html
    assert "Bob Member" in html  # holds the role
    assert 'data-testid="needs-review-badge"' in html
    assert "weight 40 → 50" in html
    assert f'href="/o/acme/kras/{tree.revenue.pk}/"' in html  # the link to the change
    assert 'data-testid="confirm-still-holds"' in html
    assert "Uptime" not in html and "Floating idea" not in html
    # Without htmx the same list is a page of its own.
    full = below(client, tree.revenue).content.decode()
    assert "<html" in full and "Revenue generation" in full and "Bob Member" in full
    # A KRA with nothing below says so.
    assert "No role KRA ladders up" in below(client, tree.uptime).content.decode()


def test_filters_keep_matches_and_the_ladder_above_them(login, api, alice, tree):
    client, token = login(alice), api(alice)
    tree.flag()

    only_it = page(client, department=tree.it.pk).content.decode()
    assert "Uptime" in only_it and "Revenue growth" not in only_it
    assert titles(api_tree(token, department=tree.it.pk)) == {"Uptime"}

    flagged = page(client, needs_review=1).content.decode()
    assert "Revenue generation" in flagged and "Uptime" not in flagged
    assert "shown for context" in flagged  # "Revenue growth" above it
    body = api_tree(token, needs_review=1).json()
    assert [o["title"] for o in body["objectives"]] == ["Grow revenue"]
    [growth] = body["objectives"][0]["kras"]
    assert growth["context"] is True and growth["children"][0]["context"] is False
    assert body["needs_review_count"] == 1

    unaligned = page(client, unaligned=1).content.decode()
    assert "Floating idea" in unaligned and "Revenue growth" not in unaligned
    assert titles(api_tree(token, unaligned=1)) == {"Floating idea"}


def test_the_api_tree_says_who_answers_where_it_ladders_and_who_holds_the_role(api, alice, tree):
    kra(tree.org, "Leadership first", level=KRALevel.ORGANIZATION, objective=tree.objective)
    tree.flag()
    body = api_tree(api(alice)).json()
    grow = next(o for o in body["objectives"] if o["title"] == "Grow revenue")
    leadership, revenue = grow["kras"]  # organisation KRAs before department ones
    assert leadership["title"] == "Leadership first" and leadership["level"] == "organization"
    assert revenue["ladders_to"] == {
        "kind": "objective",
        "id": tree.objective.pk,
        "title": "Grow revenue",
    }
    assert revenue["answerable"]["name"] == "Dave Head"
    assert revenue["department"] == {"id": tree.sales.pk, "name": "Sales"}
    [generation] = revenue["children"]
    assert generation["ladders_to"]["kind"] == "kra"
    assert generation["role"] == {"id": tree.role.pk, "name": "Sales Executive"}
    assert [h["name"] for h in generation["holders"]] == ["Bob Member"]
    assert generation["holder_count"] == 1
    assert generation["needs_review"]["reason"].startswith("KRA “Revenue growth” changed")
    assert generation["may_confirm"] is True
    assert [k["title"] for k in body["unaligned"]] == ["Floating idea"]
    assert body["unaligned"][0]["aligned"] is False


def test_alice_confirms_on_the_page_and_the_flag_clears(login, alice, tree):
    tree.flag()
    client = login(alice)
    url = reverse("cascade-kra-confirm", args=["acme", tree.generation.pk])
    response = client.post(url, {"next": "/o/acme/cascade/?needs_review=1"})
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/cascade/?needs_review=1"
    generation = KRA.objects.get(pk=tree.generation.pk)
    assert generation.status == KRAStatus.ACTIVE and generation.needs_review_reason == ""
    assert AuditEvent.objects.filter(
        action="kra.confirm_still_holds", object_id=str(generation.pk)
    ).exists()


def test_an_outside_next_address_is_ignored(login, alice, tree):
    tree.flag()
    url = reverse("cascade-kra-confirm", args=["acme", tree.generation.pk])
    response = login(alice).post(url, {"next": "https://evil.example/"})
    assert response["Location"] == "/o/acme/cascade/"


def test_htmx_confirm_answers_with_the_fragment(login, alice, tree):
    tree.flag()
    url = reverse("cascade-kra-confirm", args=["acme", tree.generation.pk])
    response = login(alice).post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "still holds" in response.content.decode()
    assert f'id="cascade-review-{tree.generation.pk}"' in response.content.decode()


def test_the_head_of_sales_confirms_through_the_api(api, tree):
    tree.flag()
    response = api(tree.dave).post(reverse("api:kra-confirm", args=["acme", tree.generation.pk]))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"
    assert KRA.objects.get(pk=tree.generation.pk).status == KRAStatus.ACTIVE


def test_bob_reads_the_cascade_but_cannot_confirm(login, api, bob, tree):
    tree.flag()
    client = login(bob)
    html = below(client, tree.revenue, HTTP_HX_REQUEST="true").content.decode()
    assert "Revenue generation" in html
    assert 'data-testid="confirm-still-holds"' not in html
    assert api_tree(api(bob)).status_code == 200
    assert api_tree(api(bob)).json()["objectives"][0]["kras"][0]["children"][0]["may_confirm"] is (
        False
    )

    page_confirm = client.post(reverse("cascade-kra-confirm", args=["acme", tree.generation.pk]))
    api_confirm = api(bob).post(reverse("api:kra-confirm", args=["acme", tree.generation.pk]))

    assert page_confirm.status_code == 403 and api_confirm.status_code == 403
    assert KRA.objects.get(pk=tree.generation.pk).status == KRAStatus.NEEDS_REVIEW
    assert not AuditEvent.objects.filter(action="kra.confirm_still_holds").exists()


def test_a_named_owner_may_confirm_their_kra(api, bob, tree):
    KRA.objects.filter(pk=tree.generation.pk).update(owner=bob)
    tree.flag()
    response = api(bob).post(reverse("api:kra-confirm", args=["acme", tree.generation.pk]))
    assert response.status_code == 200
    assert KRA.objects.get(pk=tree.generation.pk).status == KRAStatus.ACTIVE


def test_charlie_gets_404_everywhere_and_changes_nothing(login, api, charlie, tree):
    tree.flag()
    before = list(KRA.objects.order_by("pk").values_list("pk", "status"))
    audit_before = AuditEvent.objects.filter(org=tree.org).count()
    client, token = login(charlie), api(charlie)

    assert page(client).status_code == 404
    assert api_tree(token).status_code == 404
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = below(client, tree.revenue, **headers)
        assert response.status_code == 404 and "Revenue" not in response.content.decode()
    for slug in ("acme", "globex"):
        url = reverse("cascade-kra-confirm", args=[slug, tree.generation.pk])
        assert client.post(url).status_code == 404
        api_url = reverse("api:kra-confirm", args=[slug, tree.generation.pk])
        assert token.post(api_url).status_code == 404
    # His own organisation's explorer shows nothing of acme's, and acme's department as a
    # filter is unknown there.
    own = client.get(reverse("cascade", args=["globex"])).content.decode()
    assert "Revenue" not in own and "Bob Member" not in own
    assert (
        client.get(reverse("cascade", args=["globex"]), {"department": tree.sales.pk}).status_code
        == 404
    )
    foreign = api_tree(token, slug="globex", department=tree.sales.pk)
    assert foreign.status_code == 200 and foreign.json()["objectives"] == []

    assert list(KRA.objects.order_by("pk").values_list("pk", "status")) == before
    assert AuditEvent.objects.filter(org=tree.org).count() == audit_before
    assert not Notification.objects.filter(org=charlie.org).exists()


def _grow(tree, org, *, prefix: str, roles: int, kras_per_role: int, holders: int):
    for r in (f"{prefix}{n}" for n in range(roles)):
        department = DepartmentFactory(org=org, name=f"Team {r}")
        role = Role.objects.create(org=org, department=department, title=f"Role {r}")
        for h in range(holders):
            member = MembershipFactory(org=org, user=UserFactory(email=f"p{r}-{h}@acme.test"))
            RoleAssignment.objects.create(
                org=org, role=role, member=member, start_date=timezone.localdate()
            )
        parent = kra(
            org,
            f"Team {r} KRA",
            level=KRALevel.DEPARTMENT,
            department=department,
            objective=tree.objective,
        )
        for k in range(kras_per_role):
            kra(org, f"Role {r} KRA {k}", role=role, parent=parent)
    tree.flag()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["alice", "dave"])
def test_page_and_api_cost_the_same_queries_for_small_and_large_trees(
    login, api, org_a, alice, tree, who
):
    member = alice if who == "alice" else tree.dave
    client, token = login(member), api(member)
    page_url = reverse("cascade", args=["acme"])
    api_url = reverse("api:cascade", args=["acme"])
    filtered = f"{page_url}?department={tree.sales.pk}&needs_review=1"

    # A token's first use records when it was used; warm both clients up first.
    client.get(page_url), token.get(api_url)
    _grow(tree, org_a, prefix="s", roles=1, kras_per_role=1, holders=1)
    small = (_queries(client, page_url), _queries(token, api_url), _queries(client, filtered))
    _grow(tree, org_a, prefix="l", roles=6, kras_per_role=5, holders=12)
    large = (_queries(client, page_url), _queries(token, api_url), _queries(client, filtered))

    assert small == large
    assert KRA.objects.filter(org=org_a).count() > 40


def test_opening_a_kra_costs_the_same_queries_for_few_and_many_below(
    login, org_a, alice, tree, django_assert_max_num_queries
):
    client = login(alice)
    below(client, tree.revenue, HTTP_HX_REQUEST="true")
    with django_assert_max_num_queries(20) as few:
        below(client, tree.revenue, HTTP_HX_REQUEST="true")
    for n in range(8):
        role = Role.objects.create(org=org_a, department=tree.sales, title=f"Seller {n}")
        kra(org_a, f"Seller {n} KRA", role=role, parent=tree.revenue)
        for h in range(10):
            holder = MembershipFactory(org=org_a, user=UserFactory(email=f"s{n}-{h}@acme.test"))
            RoleAssignment.objects.create(
                org=org_a, role=role, member=holder, start_date=timezone.localdate()
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = below(client, tree.revenue, HTTP_HX_REQUEST="true").content.decode()
    assert html.count('data-testid="cascade-node"') == 9
    # The page itself only counts them.
    assert "9 role KRAs below" in page(client).content.decode()


def test_the_page_counts_role_kras_that_support_no_objective_and_the_filter_lists_them(
    login, alice, tree
):
    kra(tree.org, "Stray role KRA", role=tree.role)
    client = login(alice)
    html = page(client).content.decode()
    assert "Stray role KRA" not in html
    assert "1 role KRA supports no strategic objective" in html
    assert 'href="/o/acme/cascade/?unaligned=1"' in html
    assert "Stray role KRA" in page(client, unaligned=1).content.decode()


def test_a_role_kra_laddering_straight_to_an_objective_stays_on_the_page_with_its_holders(
    login, alice, tree
):
    kra(tree.org, "Direct line", role=tree.role, objective=tree.systems)
    html = page(login(alice)).content.decode()
    assert "Direct line" in html and "Bob Member" in html
    assert "role KRA supports no strategic objective" not in html
