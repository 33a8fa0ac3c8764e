"""Imported people have no password: an admin sends them a one-time sign-in link."""

import re
import time

import pytest
from django.core import mail
from django.urls import reverse

from orgs.models import AuditEvent
from tests.factories import MembershipFactory, UserFactory


def _wait_for_mail(count, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline and len(mail.outbox) < count:
        time.sleep(0.1)
    return mail.outbox


@pytest.fixture
def imported(org_a):
    """A person whose account acme's org-chart import made."""
    user = UserFactory(email="imported@acme.test")
    user.set_unusable_password()
    user.save()
    return MembershipFactory(org=org_a, user=user, account_created_by_org=True)


@pytest.fixture
def joined(org_a, org_b):
    """A person who had an account (in globex) before joining acme: acme did not make it."""
    user = UserFactory(email="joined@acme.test", full_name="Jo Joined")
    MembershipFactory(org=org_b, user=user)
    return MembershipFactory(org=org_a, user=user)


@pytest.mark.django_db(transaction=True)
def test_an_imported_member_sets_a_password_through_the_emailed_link(
    celery_worker, client, login, alice, imported
):
    # Given an admin sends the link from the member page
    response = login(alice).post(reverse("member-sign-in-link", args=["acme", imported.pk]))
    assert response.status_code == 302
    # Then the real worker emails a one-time link
    outbox = _wait_for_mail(1)
    assert outbox[-1].to == ["imported@acme.test"]
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", outbox[-1].body).group(1)
    # And following it lets the person choose a password and sign in
    client.logout()
    form = client.get(path, follow=True)
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "first password 2026!", "new_password2": "first password 2026!"},
    )
    assert done.status_code == 302
    imported.user.refresh_from_db()
    assert imported.user.check_password("first password 2026!")
    assert (
        AuditEvent.objects.filter(
            action="membership.sign_in_link", object_id=str(imported.pk)
        ).count()
        == 1
    )


@pytest.mark.django_db(transaction=True)
def test_bulk_links_go_to_everyone_who_never_signed_in(celery_worker, login, alice, imported):
    from django.utils import timezone

    signed_in = MembershipFactory(org=alice.org)
    signed_in.user.last_login = timezone.now()
    signed_in.user.save()
    client = login(alice)  # alice signs in now, so she is not "never signed in"
    client.post(reverse("members-sign-in-links", args=["acme"]))
    outbox = _wait_for_mail(1)
    time.sleep(0.5)
    assert sorted(m.to[0] for m in outbox) == ["imported@acme.test"]


def test_only_admins_of_the_org_send_links(login, api, bob, charlie, imported):
    assert (
        login(bob).post(reverse("member-sign-in-link", args=["acme", imported.pk])).status_code
        == 403
    )
    assert (
        login(charlie).post(reverse("member-sign-in-link", args=["acme", imported.pk])).status_code
        == 404
    )
    assert (
        login(charlie)
        .post(reverse("member-sign-in-link", args=["globex", imported.pk]))
        .status_code
        == 404
    )
    assert login(charlie).post(reverse("members-sign-in-links", args=["acme"])).status_code == 404
    url = reverse("api:member-send-sign-in-link", args=["acme", imported.pk])
    assert api(bob).post(url).status_code == 403
    assert api(charlie).post(url).status_code == 404
    assert not AuditEvent.objects.filter(action="membership.sign_in_link").exists()


def test_api_queues_links_and_says_how_many(api, alice, imported, joined):
    response = api(alice).post(reverse("api:member-send-sign-in-links", args=["acme"]))
    assert response.status_code == 200
    # alice and joined have never signed in either, but acme did not make their accounts
    assert response.json() == {"sent": 1}


def test_no_link_goes_to_an_account_the_organisation_did_not_make(
    login, api, alice, joined, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as scheduled:
        page = login(alice).post(
            reverse("member-sign-in-link", args=["acme", joined.pk]), follow=True
        )
        response = api(alice).post(
            reverse("api:member-send-sign-in-link", args=["acme", joined.pk])
        )
    assert "did not create" in page.content.decode()
    assert response.status_code == 400
    assert "did not create" in response.json()["non_field_errors"][0]
    assert not scheduled
    assert not AuditEvent.objects.filter(action="membership.sign_in_link").exists()
    # The page does not offer the button for them.
    edit = login(alice).get(reverse("member-edit", args=["acme", joined.pk])).content.decode()
    assert 'data-testid="send-sign-in-link"' not in edit
