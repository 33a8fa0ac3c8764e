"""Who reaches the review cycle pages and API (docs/DOMAIN.md rule R51): alice (org admin)
is served, bob (a plain member of the same organisation) is refused, charlie (another
organisation) finds nothing. The pages' forms and the API say the same things."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from reviews.models import CycleStatus, LaunchStatus, Review, ReviewCycle
from reviews.services import cycles as services

from .factories_cycles import WINDOW, agreement_in_force, make_cycle, simple_role

pytestmark = pytest.mark.django_db

START, END = WINDOW


@pytest.fixture
def cycle(org_a, alice, bob):
    agreement_in_force(bob, simple_role(org_a), manager=alice)
    cycle = make_cycle(org_a, alice)
    services.cycle_launch(cycle=cycle, actor=alice)
    services.launch_run(cycle.pk, org_id=org_a.pk)
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def review(cycle, bob):
    return Review.objects.get(cycle=cycle, reviewee=bob)


def pages(cycle, review):
    slug, pk = cycle.org.slug, cycle.pk
    return [
        reverse("review-cycles", args=[slug]),
        reverse("review-cycle-create", args=[slug]),
        reverse("review-cycle-detail", args=[slug, pk]),
        reverse("review-cycle-edit", args=[slug, pk]),
        reverse("review-cycle-close", args=[slug, pk]),
        reverse("review-cycle-reopen", args=[slug, pk]),
        reverse("review-cycle-delete", args=[slug, pk]),
        reverse("review-cycle-tracker", args=[slug, pk]),
        reverse("review-cycle-calibration", args=[slug, pk]),
        reverse("review-cycle-delegates", args=[slug, pk, review.pk]),
    ]


def test_alice_reaches_every_cycle_page(login, alice, cycle, review):
    client = login(alice)
    for url in pages(cycle, review):
        assert client.get(url).status_code == 200, url


def test_bob_is_refused_every_cycle_page(login, bob, cycle, review):
    client = login(bob)
    for url in pages(cycle, review):
        assert client.get(url).status_code == 403, url
    launch = reverse("review-cycle-launch", args=[cycle.org.slug, cycle.pk])
    assert client.post(launch).status_code == 403


def test_charlie_finds_no_cycle_page(login, charlie, cycle, review):
    client = login(charlie)
    for url in pages(cycle, review):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("review-cycle-close", args=[cycle.org.slug, cycle.pk])).status_code
        == 404
    )
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN


def test_the_new_cycle_form_shows_the_services_messages_on_their_tables(login, alice, org_a):
    client = login(alice)
    page = client.get(reverse("review-cycle-create", args=[org_a.slug]))
    # The tables come prefilled with the defaults.
    assert b'value="Outstanding"' in page.content and b'value="1.1"' in page.content
    data = {
        "name": "Mid-year",
        "cadence": "half_yearly",
        "window_start": START.isoformat(),
        "window_end": END.isoformat(),
        "participant_scope": "org",
        "self_assessment_due": (END + datetime.timedelta(days=5)).isoformat(),
        "manager_review_due": (END + datetime.timedelta(days=10)).isoformat(),
        "acknowledgement_due": (END + datetime.timedelta(days=15)).isoformat(),
        "weight_manager": "50",
        "weight_achievement": "30",
        "weight_self": "10",
        "weight_growth": "20",
        "scale_value_0": "1",
        "scale_label_0": "Low",
        "scale_value_1": "2",
        "scale_label_1": "High",
        "band_at_least_0": "1",
        "band_rating_0": "2",
        "band_at_least_1": "",
        "band_rating_1": "1",
        "dimension_0": "Quality",
    }
    refused = client.post(reverse("review-cycle-create", args=[org_a.slug]), data)
    assert refused.status_code == 200
    assert "The weights total 110; they must total 100." in refused.content.decode()
    data["weight_growth"] = "10"
    saved = client.post(reverse("review-cycle-create", args=[org_a.slug]), data)
    assert saved.status_code == 302
    cycle = ReviewCycle.objects.get(name="Mid-year")
    assert cycle.rating_scale == [{"value": 1, "label": "Low"}, {"value": 2, "label": "High"}]
    assert cycle.achievement_bands == [
        {"at_least": "1", "rating": 2},
        {"at_least": None, "rating": 1},
    ]
    assert cycle.dimensions == ["Quality"]


def test_close_asks_first_then_locks_and_reopen_shows_its_reason(login, alice, cycle):
    client = login(alice)
    url = reverse("review-cycle-close", args=[cycle.org.slug, cycle.pk])
    confirm = client.get(url)
    assert b'data-testid="confirm-close"' in confirm.content
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN
    client.post(url)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.CLOSED
    reopen = reverse("review-cycle-reopen", args=[cycle.org.slug, cycle.pk])
    assert client.post(reopen, {"reason": ""}).status_code == 200  # the form asks for one
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.CLOSED
    client.post(reopen, {"reason": "A late appeal"})
    detail = client.get(reverse("review-cycle-detail", args=[cycle.org.slug, cycle.pk]))
    assert "A late appeal" in detail.content.decode()


def test_the_launch_result_lists_who_has_no_agreement(login, alice, cycle):
    page = login(alice).get(reverse("review-cycle-detail", args=[cycle.org.slug, cycle.pk]))
    text = page.content.decode()
    assert 'data-testid="launch-done"' in text
    assert "Alice Admin" in text and "No agreement for the window" in text


# --- the API ----------------------------------------------------------------------------------


def api_url(name, cycle, *args):
    return reverse(f"api:{name}", args=[cycle.org.slug, *args])


def test_the_api_serves_alice(api, alice, cycle, review, dave_member):
    client = api(alice)
    listed = client.get(api_url("review-cycle-list", cycle))
    assert listed.status_code == 200 and listed.json()["results"][0]["id"] == cycle.pk
    detail = client.get(api_url("review-cycle-detail", cycle, cycle.pk)).json()
    assert detail["launch"]["status"] == LaunchStatus.DONE
    assert detail["launch"]["report"]["created"] == 1
    tracker = client.get(api_url("review-cycle-tracker", cycle, cycle.pk)).json()
    assert tracker["count"] == 1 and tracker["results"][0]["status"] == "self_assessment"
    assert (
        client.get(api_url("review-cycle-calibration", cycle, cycle.pk)).json()["whole"]["count"]
        == 0
    )
    granted = client.post(
        api_url("review-cycle-review-delegates", cycle, cycle.pk, review.pk),
        {"delegate": dave_member.pk},
        format="json",
    )
    assert granted.status_code == 200 and granted.json()[0]["id"] == dave_member.pk
    revoked = client.delete(
        api_url("review-cycle-review-revoke", cycle, cycle.pk, review.pk, dave_member.pk)
    )
    assert revoked.status_code == 204
    closed = client.post(api_url("review-cycle-close", cycle, cycle.pk))
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    refused = client.post(api_url("review-cycle-reopen", cycle, cycle.pk), {"reason": ""})
    assert refused.status_code == 400
    reopened = client.post(api_url("review-cycle-reopen", cycle, cycle.pk), {"reason": "Appeal"})
    assert reopened.json()["status"] == "open"
    launched = client.post(api_url("review-cycle-launch", cycle, cycle.pk))
    assert launched.status_code == 202 and launched.json()["status"] == "queued"


def test_the_api_says_what_the_page_says(api, alice, org_a):
    body = {
        "name": "Q1",
        "window_start": START.isoformat(),
        "window_end": (START + datetime.timedelta(days=89)).isoformat(),
        "self_assessment_due": (START + datetime.timedelta(days=95)).isoformat(),
        "manager_review_due": (START + datetime.timedelta(days=90)).isoformat(),
        "acknowledgement_due": (START + datetime.timedelta(days=100)).isoformat(),
    }
    client = api(alice)
    refused = client.post(reverse("api:review-cycle-list", args=[org_a.slug]), body, format="json")
    assert refused.status_code == 400
    assert refused.json()["manager_review_due"] == [
        "The manager review is due on or after the self-assessment."
    ]
    body["manager_review_due"] = body["self_assessment_due"]
    created = client.post(reverse("api:review-cycle-list", args=[org_a.slug]), body, format="json")
    assert created.status_code == 201, created.content
    cycle_id = created.json()["id"]
    patched = client.patch(
        reverse("api:review-cycle-detail", args=[org_a.slug, cycle_id]),
        {"dimensions": ["Quality", "Speed"]},
        format="json",
    )
    assert patched.status_code == 200 and patched.json()["dimensions"] == ["Quality", "Speed"]
    deleted = client.delete(reverse("api:review-cycle-detail", args=[org_a.slug, cycle_id]))
    assert deleted.status_code == 204


def test_the_api_refuses_bob_and_hides_from_charlie(api, bob, charlie, cycle, review):
    for member, code in ((bob, 403), (charlie, 404)):
        client = api(member)
        if member is charlie:
            urls = [
                api_url("review-cycle-detail", cycle, cycle.pk),
                api_url("review-cycle-tracker", cycle, cycle.pk),
                api_url("review-cycle-calibration", cycle, cycle.pk),
                api_url("review-cycle-review-delegates", cycle, cycle.pk, review.pk),
            ]
        else:
            urls = [
                api_url("review-cycle-list", cycle),
                api_url("review-cycle-detail", cycle, cycle.pk),
                api_url("review-cycle-tracker", cycle, cycle.pk),
                api_url("review-cycle-calibration", cycle, cycle.pk),
                api_url("review-cycle-review-delegates", cycle, cycle.pk, review.pk),
            ]
        for url in urls:
            assert client.get(url).status_code == code, (member, url)
        assert client.post(api_url("review-cycle-close", cycle, cycle.pk)).status_code == code
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN


@pytest.fixture
def dave_member(org_a, alice):
    from tests.factories import MembershipFactory, UserFactory

    return MembershipFactory(org=org_a, manager=alice, user=UserFactory(full_name="Dave Dealer"))


def test_the_launch_progress_polls_until_the_launch_is_done(login, alice, org_a, bob):
    agreement_in_force(bob, simple_role(org_a, title="Other"), manager=alice)
    cycle = make_cycle(org_a, alice, name="Polled")
    services.cycle_launch(cycle=cycle, actor=alice)  # queued: the task runs after commit
    client = login(alice)
    url = reverse("review-cycle-detail", args=[org_a.slug, cycle.pk]) + "?part=launch"
    waiting = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in waiting and "Waiting to start" in waiting
    assert "<html" not in waiting  # the fragment alone
    services.launch_run(cycle.pk, org_id=org_a.pk)
    done = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and 'data-testid="launch-done"' in done
