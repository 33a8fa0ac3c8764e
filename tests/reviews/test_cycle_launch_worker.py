"""The launch runs on a real worker over real Redis (docs/DOMAIN.md rule R56): the reviews
are made once, whether the task is delivered twice, enqueued twice at once, or the cycle
launched again."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from reviews.models import LaunchStatus, Review, ReviewCycle, ReviewItem
from reviews.tasks import launch_review_cycle
from tests.factories import MembershipFactory, UserFactory

from .factories_cycles import WINDOW, agreement_in_force, simple_role

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for_launch(cycle_id: int, timeout: float = 120) -> ReviewCycle:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cycle = ReviewCycle.objects.get(pk=cycle_id)
        if cycle.launch_status in (LaunchStatus.DONE, LaunchStatus.FAILED):
            return cycle
        time.sleep(0.2)
    raise AssertionError("the launch did not finish")


def test_a_launch_on_the_worker_makes_each_review_once(celery_worker, api, org_a, alice, bob):
    role = simple_role(org_a)
    agreement_in_force(bob, role, manager=alice)
    for n in range(3):
        person = MembershipFactory(org=org_a, manager=bob, user=UserFactory(full_name=f"P{n}"))
        agreement_in_force(person, role, manager=bob)
    client = api(alice)
    start, end = WINDOW
    body = {
        "name": "Annual review",
        "window_start": start.isoformat(),
        "window_end": end.isoformat(),
        "self_assessment_due": end.isoformat(),
        "manager_review_due": end.isoformat(),
        "acknowledgement_due": end.isoformat(),
    }
    created = client.post(reverse("api:review-cycle-list", args=[org_a.slug]), body, format="json")
    assert created.status_code == 201, created.content
    cycle_id = created.json()["id"]
    url = reverse("api:review-cycle-launch", args=[org_a.slug, cycle_id])
    assert client.post(url).status_code == 202
    cycle = wait_for_launch(cycle_id)
    assert cycle.launch_status == LaunchStatus.DONE, cycle.launch_report
    assert cycle.launch_report["created"] == 4
    assert [p["name"] for p in cycle.launch_report["without_agreement"]] == ["Alice Admin"]

    # The same message delivered again: its id is claimed, nothing runs.
    result = launch_review_cycle.apply_async(
        kwargs={"org_id": org_a.pk, "cycle_id": cycle_id}, task_id="launch-once"
    )
    result.get(timeout=60)
    again = launch_review_cycle.apply_async(
        kwargs={"org_id": org_a.pk, "cycle_id": cycle_id}, task_id="launch-once"
    )
    again.get(timeout=60)
    assert Review.objects.filter(cycle_id=cycle_id).count() == 4
    # Launched again, with two tasks enqueued at once: the cycle's row lock makes them
    # take turns, and the second finds the launch done.
    assert client.post(url).status_code == 202
    launch_review_cycle.delay(org_id=org_a.pk, cycle_id=cycle_id)
    cycle = wait_for_launch(cycle_id)
    assert cycle.launch_report["created"] == 0 and cycle.launch_report["already"] == 4
    assert Review.objects.filter(cycle_id=cycle_id).count() == 4
    assert ReviewItem.objects.filter(review__cycle_id=cycle_id).count() == 8
