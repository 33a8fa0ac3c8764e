"""A review's journey in a real browser: the employee self-assesses with the actuals
prefilled, the manager rates (without seeing the self-ratings first) and shares, the employee
acknowledges by signing (a wrong password first) and downloads the PDF."""

import subprocess

import pytest
from django.test import RequestFactory
from playwright.sync_api import expect

from orgs.models import Membership
from reviews.models import Review, ReviewStatus
from reviews.services import agreement_create, agreement_propose, agreement_sign
from tests.factories import PASSWORD
from tests.reviews.factories_reviews import make_cycle, make_review

from .test_agreement_journey import _as, _people

pytestmark = pytest.mark.django_db(transaction=True)


def _active_agreement(org, role):
    alice = Membership.objects.get(org=org, user__email="alice@acme.test")
    bob = Membership.objects.get(org=org, user__email="bob@acme.test")
    agreement = agreement_create(org=org, actor=alice, employee=bob, role=role)
    agreement_propose(agreement=agreement, actor=alice)
    for signer in (bob, alice):
        agreement.refresh_from_db()
        agreement_sign(
            agreement=agreement,
            signer=signer,
            password=PASSWORD,
            meaning=True,
            request=RequestFactory().post("/", REMOTE_ADDR="203.0.113.9"),
        )
    agreement.refresh_from_db()
    return agreement


def _rate_every_kra(page, value: str):
    selects = page.locator("select[name^='item-']")
    for index in range(selects.count()):
        selects.nth(index).select_option(value)


def test_a_review_is_self_assessed_rated_shared_acknowledged_and_downloaded(
    live_server, browser, tmp_path
):
    org, role = _people()
    review = make_review(make_cycle(org), _active_agreement(org, role), kpi_achievement="0.92")
    base = live_server.url
    url = f"{base}/o/acme/reviews/{review.pk}/"

    # The employee finds the review under "Reviews", reads the actuals, rates and submits.
    bob = _as(browser, base, "bob@acme.test")
    bob.get_by_test_id("nav-my-reviews").click()
    bob.get_by_test_id("my-review-row").get_by_role("link").click()
    expect(bob.get_by_test_id("actuals").first).to_contain_text("Your target for")
    _rate_every_kra(bob, "4")
    bob.locator("textarea[name='lessons_learned']").fill("Qualify leads earlier.")
    bob.get_by_test_id("self-submit").click()
    expect(bob.get_by_test_id("review-status")).to_have_text("Awaiting manager review")

    # The manager rates without seeing the self-ratings, then sees them, and shares.
    alice = _as(browser, base, "alice@acme.test")
    alice.goto(url)
    expect(alice.get_by_test_id("self-hidden").first).to_be_visible()
    _rate_every_kra(alice, "3")
    alice.locator("#manager_comment").fill("A steady year.")
    alice.get_by_test_id("manager-submit").click()
    expect(alice.get_by_test_id("review-status")).to_have_text("Ready to share")
    expect(alice.get_by_test_id("self-rating").first).to_contain_text("4")
    expect(alice.get_by_test_id("final-score")).to_be_visible()
    alice.get_by_test_id("review-share").click()
    expect(alice.get_by_test_id("review-status")).to_have_text("Awaiting acknowledgement")

    # The employee acknowledges: a wrong password signs nothing; then it is signed.
    bob.goto(url)
    expect(bob.get_by_test_id("manager-rating").first).to_contain_text("3")
    expect(bob.get_by_test_id("statement")).to_have_text("I have read this review")
    bob.get_by_label("Your password").fill("not my password")
    bob.get_by_test_id("acknowledge-form").get_by_role("checkbox").check()
    bob.get_by_test_id("acknowledge-button").click()
    expect(bob.get_by_test_id("password-error")).to_contain_text("Nothing was signed")
    bob.get_by_label("Your password").fill(PASSWORD)
    bob.get_by_test_id("acknowledge-form").get_by_role("checkbox").check()
    bob.get_by_test_id("acknowledge-button").click()
    expect(bob.get_by_test_id("review-status")).to_have_text("Acknowledged")
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.ACKNOWLEDGED

    with bob.expect_download() as download_info:
        bob.get_by_test_id("review-pdf").click()
    path = tmp_path / "review.pdf"
    download_info.value.save_as(path)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "A steady year." in text and "I have read this review" in text
