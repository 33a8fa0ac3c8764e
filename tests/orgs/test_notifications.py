import time

import pytest
from django.core import mail
from django.urls import reverse

from orgs.models import Notification
from orgs.notifications import notify


def _wait_for(predicate, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_notice_lands_in_the_inbox_and_a_real_worker_emails_it_once(celery_worker, bob):
    # Given a notice to bob, committed
    note = notify(
        recipient=bob,
        kind="kra.needs_review",
        title="Your KRA needs review",
        body="The objective above it changed.",
        url="/o/acme/",
    )
    # Then the worker sends exactly one email
    assert _wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["bob@acme.test"]
    assert "Your KRA needs review" in mail.outbox[0].subject
    note.refresh_from_db()
    assert note.emailed_at is not None
    # And running the task again sends nothing more (safe to run twice)
    from orgs.tasks import send_notification_email

    send_notification_email.delay(org_id=note.org_id, notification_id=note.pk).get(timeout=10)
    assert len(mail.outbox) == 1


def test_the_inbox_shows_unread_notices_and_marks_them_read(login, bob):
    notify(
        recipient=bob,
        kind="test",
        title="Agreement awaiting your signature",
        url="/o/acme/",
        email=False,
    )
    client = login(bob)
    home = client.get(reverse("org-home", args=["acme"])).content.decode()
    assert 'data-testid="unread-count">1<' in home
    page = client.get(reverse("inbox", args=["acme"])).content.decode()
    assert "Agreement awaiting your signature" in page
    note = Notification.objects.get(recipient=bob)
    response = client.post(reverse("notification-open", args=["acme", note.pk]))
    assert response.status_code == 302 and response["Location"] == "/o/acme/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_nobody_else_can_open_or_list_bobs_notices(login, api, alice, bob, charlie):
    note = notify(recipient=bob, kind="test", title="Private to bob", email=False)
    assert (
        login(alice).post(reverse("notification-open", args=["acme", note.pk])).status_code == 404
    )
    assert (
        "Private to bob" not in login(alice).get(reverse("inbox", args=["acme"])).content.decode()
    )
    assert (
        login(charlie).post(reverse("notification-open", args=["globex", note.pk])).status_code
        == 404
    )
    assert api(alice).get(reverse("api:notification-list", args=["acme"])).json()["count"] == 0
    assert api(charlie).get(reverse("api:notification-list", args=["acme"])).status_code == 404
    assert api(bob).get(reverse("api:notification-list", args=["acme"])).json()["count"] == 1
    note.refresh_from_db()
    assert note.read_at is None
