"""A member HR lets write a review in the reviewer's place reads, and only reads, the
reviewee's check-ins held within that review's window, while the grant holds: the review
page's links open, on the pages and over the API alike (docs/DOMAIN.md rules R59, R73, R75)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from reviews.models import CheckIn
from reviews.services.cycles import review_delegate_reviewer, review_revoke_delegate
from tests.factories import MembershipFactory, UserFactory

from .factories_checkins import record_check_in
from .factories_reviews import make_cycle, make_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(org_a, active):
    """bob's review in an open cycle over the agreement's fiscal year."""
    return make_review(make_cycle(org_a), active)


@pytest.fixture
def inside(bob, review):
    """A check-in of bob's with alice, within the review's window, with an open action."""
    return record_check_in(
        bob, held_on=review.cycle.window_start, wins="Inside the window", actions=[("Demo", bob)]
    )


@pytest.fixture
def outside(bob, review):
    return record_check_in(
        bob, held_on=review.cycle.window_start - datetime.timedelta(days=1), wins="Before it"
    )


@pytest.fixture
def delegated(review, hannah, dave):
    """dave (a colleague of bob's) writes bob's review in alice's place."""
    review_delegate_reviewer(review=review, actor=hannah, delegate=dave)
    return dave


def _detail(check_in) -> str:
    return reverse("check-in-detail", args=["acme", check_in.pk])


def _api_detail(check_in) -> str:
    return reverse("api:check-in-detail", args=["acme", check_in.pk])


def test_the_delegate_opens_the_check_in_from_the_review_page_read_only(
    review, inside, delegated, client
):
    client.force_login(delegated.user)
    body = client.get(reverse("review-detail", args=["acme", review.pk])).content.decode()
    assert _detail(inside) in body
    page = client.get(_detail(inside))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Inside the window" in body and "Demo" in body
    for control in ("edit-check-in", "delete-check-in", "action-done", "action-reopen"):
        assert f'data-testid="{control}"' not in body, control
    # No link to the person's list of check-ins, which is not theirs to read.
    assert reverse("check-in-list", args=["acme", inside.employee_id]) not in body


def test_the_delegate_reads_it_over_the_api_and_finds_it_in_the_lists(
    inside, outside, delegated, api
):
    client = api(delegated)
    answer = client.get(_api_detail(inside))
    assert answer.status_code == 200 and answer.json()["wins"] == "Inside the window"
    listed = client.get(reverse("api:check-in-list", args=["acme"])).json()["results"]
    assert [row["id"] for row in listed] == [inside.pk]
    action = inside.actions.get()
    actions = client.get(reverse("api:check-in-action-list", args=["acme"])).json()["results"]
    assert [row["id"] for row in actions] == [action.pk]
    assert (
        client.get(reverse("api:check-in-action-detail", args=["acme", action.pk])).status_code
        == 200
    )


def test_the_delegate_changes_nothing(inside, delegated, client, api):
    action = inside.actions.get()
    client.force_login(delegated.user)
    for url in (
        reverse("check-in-edit", args=["acme", inside.pk]),
        reverse("check-in-delete", args=["acme", inside.pk]),
        reverse("check-in-action-done", args=["acme", action.pk]),
        reverse("check-in-create", args=["acme", inside.employee_id]),
    ):
        assert client.post(url, {"held_on": inside.held_on, "wins": "Mine"}).status_code == 403
    assert client.get(reverse("check-in-list", args=["acme", inside.employee_id])).status_code == (
        403
    )
    token = api(delegated)
    assert token.patch(_api_detail(inside), {"wins": "Mine"}, format="json").status_code == 403
    assert token.delete(_api_detail(inside)).status_code == 403
    done = reverse("api:check-in-action-done", args=["acme", action.pk])
    assert token.post(done).status_code == 403
    inside.refresh_from_db()
    action.refresh_from_db()
    assert inside.wins == "Inside the window" and action.done_at is None
    assert CheckIn.objects.count() == 1


def test_outside_the_window_another_review_and_after_the_revocation_are_refused(
    org_a, alice, review, inside, outside, delegated, hannah, client, api
):
    erin = MembershipFactory(
        org=org_a, manager=alice, user=UserFactory(email="erin@acme.test", full_name="Erin E")
    )
    erins = record_check_in(erin, held_on=review.cycle.window_start, wins="Erin's")
    client.force_login(delegated.user)
    for check_in in (outside, erins):
        assert client.get(_detail(check_in)).status_code == 403
        assert api(delegated).get(_api_detail(check_in)).status_code == 403
    review_revoke_delegate(review=review, actor=hannah, delegate=delegated)
    assert client.get(_detail(inside)).status_code == 403
    token = api(delegated)
    assert token.get(_api_detail(inside)).status_code == 403
    assert token.get(reverse("api:check-in-list", args=["acme"])).json()["count"] == 0


def test_access_alice_bob_charlie(inside, dave, alice, bob, charlie, client, api):
    """alice (bob's manager, org admin) reads it; dave, a colleague without a grant, is
    refused; charlie (another organisation) finds nothing."""
    for member, expected in ((alice, 200), (bob, 200), (dave, 403), (charlie, 404)):
        client.force_login(member.user)
        assert client.get(_detail(inside)).status_code == expected, member
        assert api(member).get(_api_detail(inside)).status_code == expected, member


def test_a_skip_level_manager_sees_the_review_but_not_its_check_ins(
    org_a, review, inside, alice, dave, client
):
    """The review page lists only the check-ins its reader may open (docs/DOMAIN.md rules
    R73, R75): dave, above bob's new manager, reads the review and none of bob's 1:1s."""
    mia = MembershipFactory(
        org=org_a, manager=dave, user=UserFactory(email="mia@acme.test", full_name="Mia M")
    )
    bob = review.reviewee
    bob.manager = mia
    bob.save(update_fields=["manager"])
    client.force_login(dave.user)
    page = client.get(reverse("review-detail", args=["acme", review.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="no-review-check-ins"' in body
    assert "Inside the window" not in body and _detail(inside) not in body
    client.force_login(alice.user)
    assert (
        "Inside the window"
        in client.get(reverse("review-detail", args=["acme", review.pk])).content.decode()
    )


def test_only_the_grant_on_ones_own_account_makes_a_delegate_everywhere_alike(
    org_a, review, inside, dave, hannah
):
    """One answer to "may dave write this review in the reviewer's place" for the review's
    policy, "My reviews" and the check-ins: a grant to a group dave is in, or a platform
    superuser's account, is no grant (docs/DOMAIN.md rule R59)."""
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm

    from orgs import policy
    from orgs.policy import Action
    from reviews.selectors_reviews import reviews_to_write

    def delegate_everywhere() -> list[bool]:
        return [
            policy.can(dave, Action.WRITE_MANAGER_REVIEW, review),
            reviews_to_write(org=org_a, member=dave).filter(pk=review.pk).exists(),
            policy.can(dave, Action.VIEW_CHECK_INS, inside),
        ]

    group = Group.objects.create(name="Stand-in reviewers")
    dave.user.groups.add(group)
    assign_perm("reviews.review_as_reviewer", group, review)
    assert delegate_everywhere() == [False, False, False]

    dave.user.is_superuser = True
    dave.user.save(update_fields=["is_superuser"])
    assert delegate_everywhere() == [False, False, False]

    review_delegate_reviewer(review=review, actor=hannah, delegate=dave)
    assert delegate_everywhere() == [True, True, True]
