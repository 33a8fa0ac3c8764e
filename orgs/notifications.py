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
