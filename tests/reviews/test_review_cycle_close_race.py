"""Closing a cycle against review writes in flight (docs/DOMAIN.md rules R58 and R68), each
side in its own database connection: a write past the open-cycle check holds the close back
until it commits, and a write that comes after the close waits for it and is refused. bob
is reviewed; alice, his manager and an org admin, reviews him and closes the cycle."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from kra_platform import rls
from reviews.models import CycleStatus, Review, ReviewCycle, ReviewStatus
from reviews.services.cycles import cycle_close
from reviews.services.reviews import review_manager_save

from .factories_reviews import make_cycle, make_review, ratings

pytestmark = pytest.mark.django_db(transaction=True)

#: Long enough for an unblocked step to finish many times over; a blocked one never does.
BLOCKED_FOR = 1.0


class Step(threading.Thread):
    """``work`` in its own connection and transaction (as one request would be), which
    stays open after ``work`` until ``release`` is set; ``done`` once ``work`` returned."""

    def __init__(self, member, work):
        super().__init__(daemon=True)
        self.member, self.work = member, work
        self.done, self.release = threading.Event(), threading.Event()
        self.error: BaseException | None = None

    def run(self):
        try:
            with rls.tenant_context(org_id=self.member.org_id, user_id=self.member.user_id):
                try:
                    self.work()
                finally:
                    self.done.set()
                self.release.wait(timeout=30)
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            connection.close()


@pytest.fixture
def review(org_a, active):
    return make_review(make_cycle(org_a), active)


def _load(review_pk, org_id):
    with rls.tenant_context(org_id=org_id):
        return Review.objects.select_related("org", "cycle").get(pk=review_pk)


def _write(review, alice):
    def work():
        review_manager_save(
            review=_load(review.pk, review.org_id),
            actor=alice,
            items=ratings(review, 3),
            manager_comment="A solid year.",
            submit=True,
        )

    return work


def _close(cycle, alice):
    def work():
        cycle_close(cycle=ReviewCycle.objects.get(pk=cycle.pk), actor=alice)

    return work


def _held_back(first: Step, second: Step) -> bool:
    """Run ``first`` and keep its transaction open once its work is done, then run
    ``second`` (which commits as soon as its work is done): whether ``second`` had to wait
    for ``first`` to commit. Both have ended when it returns."""
    first.start()
    assert first.done.wait(timeout=30) and first.error is None, first.error
    second.release.set()
    second.start()
    waited = not second.done.wait(timeout=BLOCKED_FOR)
    first.release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    return waited


def test_closing_waits_for_a_review_write_in_flight(review, alice):
    # Given the manager's review written, its transaction not yet committed, when HR closes
    # the cycle meanwhile
    writing = Step(alice, _write(review, alice))
    closing = Step(alice, _close(review.cycle, alice))

    # Then the close waits for the write...
    assert _held_back(writing, closing), "the cycle closed under a write"
    assert writing.error is None and closing.error is None, (writing.error, closing.error)

    # ...which counts, and the cycle is closed after it
    with rls.tenant_context(org_id=review.org_id):
        review.refresh_from_db()
        assert review.status == ReviewStatus.READY_TO_SHARE
        assert ReviewCycle.objects.get(pk=review.cycle_id).status == CycleStatus.CLOSED


def test_a_review_write_after_the_close_waits_for_it_and_is_refused(review, alice):
    # Given the cycle closed, the close not yet committed, when the reviewer saves the
    # review meanwhile
    closing = Step(alice, _close(review.cycle, alice))
    writing = Step(alice, _write(review, alice))

    # Then the write waits for the close and is refused with the cycle's name
    assert _held_back(closing, writing), "a write passed a close in flight"
    assert closing.error is None, closing.error
    assert isinstance(writing.error, ValidationError)
    assert "The cycle “Annual review” is closed" in str(writing.error)
    with rls.tenant_context(org_id=review.org_id):
        review.refresh_from_db()
        assert review.status == ReviewStatus.SELF_ASSESSMENT
        assert review.manager_submitted_at is None
