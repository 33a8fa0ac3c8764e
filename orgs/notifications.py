"""One way to tell a member something: an inbox entry, and an email sent by a Celery task
after the surrounding transaction commits."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import Membership, Notification


def notify(
    *,
    recipient: Membership,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = True,
) -> Notification:
    note = Notification.objects.create(
        org=recipient.org, recipient=recipient, kind=kind, title=title, body=body, url=url
    )
    if email:
        from .tasks import send_notification_email

        transaction.on_commit(
            lambda: send_notification_email.delay(org_id=note.org_id, notification_id=note.pk)
        )
    return note


#: Notices emailed per task when many are sent at once.
EMAIL_CHUNK = 100


def email_on_commit(org_id: int, notification_ids: list[int]) -> None:
    """Once the surrounding transaction commits, email the given notices, ``EMAIL_CHUNK``
    to a task (each notice at most once: ``orgs.tasks.email_notifications``)."""
    if not notification_ids:
        return
    from .tasks import send_notification_emails

    chunks = [
        notification_ids[i : i + EMAIL_CHUNK] for i in range(0, len(notification_ids), EMAIL_CHUNK)
    ]

    def enqueue():
        for chunk in chunks:
            send_notification_emails.delay(org_id=org_id, notification_ids=chunk)

    transaction.on_commit(enqueue)


def notify_many(*, org_id: int, notices: list[Notification], email: bool = True) -> list[int]:
    """Many inbox entries in a few INSERTs (unsaved ``Notification`` rows of one
    organisation), emailed after commit unless ``email`` is False; their ids."""
    created = Notification.objects.bulk_create(notices, batch_size=1000)
    ids = [note.pk for note in created]
    if email:
        email_on_commit(org_id, ids)
    return ids


def unread_count(member: Membership) -> int:
    return Notification.objects.filter(
        org=member.org, recipient=member, read_at__isnull=True
    ).count()


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def inbox_mark_all_read(*, member: Membership) -> int:
    return Notification.objects.filter(
        org=member.org, recipient=member, read_at__isnull=True
    ).update(read_at=timezone.now())
