"""Reviews over the API: the same services, messages and visibility as the pages. bob is
reviewed by alice; dave is a colleague; hannah is HR; charlie is in another organisation."""

from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse

from reviews.models import ReviewStatus
from tests.factories import PASSWORD

from .factories_reviews import make_cycle, make_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(org_a, active):
    return make_review(make_cycle(org_a), active, kpi_achievement="1.0")


def _url(review, name="api:review-detail"):
    return reverse(name, kwargs={"org_slug": review.org.slug, "pk": review.pk})


def _items(review, rating, comment):
    return [{"id": i.pk, "rating": rating, "comment": comment} for i in review.items.all()]


def test_the_review_over_the_api_with_visibility_both_ways(api, review, alice, bob, hannah):
    as_bob, as_alice = api(bob), api(alice)
    body = {"items": _items(review, 4, "SELF-API"), "lessons_learned": "L", "submit": True}
    answer = as_bob.post(_url(review, "api:review-self-assessment"), body, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == ReviewStatus.MANAGER_REVIEW
    # The reviewer does not see the self-ratings before submitting their own.
    seen = as_alice.get(_url(review)).json()
    assert seen["sees_self_part"] is False
    assert {i["self_rating"] for i in seen["items"]} == {None}
    assert "SELF-API" not in str(seen)
    body = {"items": _items(review, 3, "MGR-API"), "manager_comment": "M", "submit": True}
    answer = as_alice.post(_url(review, "api:review-manager-review"), body, format="json")
    assert answer.status_code == 200, answer.json()
    seen = answer.json()
    assert seen["sees_self_part"] is True and "SELF-API" in str(seen)
    assert seen["final_score"] is not None and len(seen["breakdown"]) == 4
    # The person sees nothing of the manager's part until it is shared.
    mine = as_bob.get(_url(review)).json()
    assert mine["sees_manager_part"] is False and "MGR-API" not in str(mine)
    assert mine["final_score"] is None and mine["breakdown"] == []
    assert as_alice.post(_url(review, "api:review-share")).status_code == 200
    mine = as_bob.get(_url(review)).json()
    assert "MGR-API" in str(mine) and mine["final_score"] is not None
    wrong = as_bob.post(
        _url(review, "api:review-acknowledge"),
        {"password": "wrong", "meaning": True},
        format="json",
    )
    assert wrong.status_code == 400
    assert "That password is not right. Nothing was signed." in str(wrong.json())
    done = as_bob.post(
        _url(review, "api:review-acknowledge"),
        {"password": PASSWORD, "meaning": "I have read this review", "disagreement": "D"},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == ReviewStatus.ACKNOWLEDGED
    hr = api(hannah).get(_url(review)).json()
    assert hr["disagreement"] == "D" and "SELF-API" in str(hr) and "MGR-API" in str(hr)


def test_refusals_answer_with_the_services_messages(api, review, alice, bob):
    answer = api(bob).post(
        _url(review, "api:review-self-assessment"),
        {"items": _items(review, 7, ""), "submit": False},
        format="json",
    )
    assert answer.status_code == 400
    assert "Choose a rating from 1 to 5." in str(answer.json())
    answer = api(alice).post(_url(review, "api:review-share"))
    assert answer.status_code == 400
    assert "only a submitted review is shared" in str(answer.json())
    assert (
        api(alice)
        .post(_url(review, "api:review-self-assessment"), {"submit": False}, format="json")
        .status_code
        == 403
    )


def test_access_alice_bob_charlie_and_a_colleague(api, review, alice, bob, charlie, dave):
    for member, expected in ((alice, 200), (bob, 200), (charlie, 404), (dave, 403)):
        assert api(member).get(_url(review)).status_code == expected, member
        assert api(member).get(_url(review, "api:review-pdf")).status_code == expected, member


def test_the_list_holds_only_what_the_caller_may_open(api, review, alice, bob, dave, hannah):
    url = reverse("api:review-list", kwargs={"org_slug": "acme"})
    for member, count in ((alice, 1), (bob, 1), (dave, 0), (hannah, 1)):
        answer = api(member).get(url)
        assert answer.status_code == 200
        assert answer.json()["count"] == count, member
    assert api(bob).get(url, {"mine": "false"}).json()["count"] == 0
    assert api(bob).get(url, {"status": "nonsense"}).status_code == 400


def test_the_pdf_over_the_api(api, review, bob):
    answer = api(bob).get(_url(review, "api:review-pdf"))
    assert answer["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=answer.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Bob Member" in text and "not shared yet" in text
