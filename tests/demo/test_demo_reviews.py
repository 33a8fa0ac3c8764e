"""The demo's review cycles: a closed one whose reviews were shared and acknowledged by
signing (on the organisation's hash chain, still valid), and an open one mid-way."""

from io import StringIO

import pytest
from django.core.management import call_command

from orgs.models import Organization
from reviews.models import CycleStatus, Review, ReviewCycle, ReviewStatus, Signature
from reviews.services import signature_chain_verify

pytestmark = pytest.mark.django_db


def test_a_closed_cycle_acknowledged_and_an_open_one_mid_way():
    call_command("seed_demo", "--employees", "40", stdout=StringIO())
    org = Organization.objects.get(slug="demo")
    closed = ReviewCycle.objects.get(org=org, status=CycleStatus.CLOSED)
    reviews = Review.objects.filter(org=org, cycle=closed)
    assert reviews.exists()
    assert set(reviews.values_list("status", flat=True)) == {ReviewStatus.ACKNOWLEDGED}
    assert all(r.final_score is not None and r.breakdown for r in reviews)
    assert Signature.objects.filter(org=org, review__cycle=closed).count() == reviews.count()
    assert reviews.exclude(disagreement="").exists()
    annual = ReviewCycle.objects.get(org=org, status=CycleStatus.OPEN)
    statuses = set(Review.objects.filter(cycle=annual).values_list("status", flat=True))
    assert {ReviewStatus.SELF_ASSESSMENT, ReviewStatus.SHARED} <= statuses
    assert signature_chain_verify(org=org).valid


def test_a_demo_seeded_before_reviews_and_check_ins_gets_them_once():
    from reviews.models import CheckIn

    # Seeded as before agreements, review cycles and check-ins existed: no agreement, so no
    # cycle; the check-ins go as a demo of that time had none.
    call_command("seed_demo", "--employees", "40", "--agreements", "0", stdout=StringIO())
    org = Organization.objects.get(slug="demo")
    assert not ReviewCycle.objects.filter(org=org).exists()
    CheckIn.objects.filter(org=org).delete()

    call_command("seed_demo", "--employees", "40", stdout=StringIO())

    assert set(ReviewCycle.objects.filter(org=org).values_list("status", flat=True)) == {
        CycleStatus.CLOSED,
        CycleStatus.OPEN,
    }
    assert Review.objects.filter(org=org, status=ReviewStatus.ACKNOWLEDGED).exists()
    assert CheckIn.objects.filter(org=org).exists()
    assert signature_chain_verify(org=org).valid

    def counts():
        return (
            ReviewCycle.objects.filter(org=org).count(),
            Review.objects.filter(org=org).count(),
            Signature.objects.filter(org=org).count(),
            CheckIn.objects.filter(org=org).count(),
        )

    before = counts()
    call_command("seed_demo", "--employees", "40", stdout=StringIO())
    assert counts() == before
