"""Celery tasks of the orgs app. Tasks take ids, and are safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .models import Invitation, Notification


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_email(notification_id: int) -> bool:
    """Email one notification to its recipient, once."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    note = Notification.objects.select_related("recipient__user", "org").get(pk=notification_id)
    link = f"{settings.SITE_URL}{note.url}" if note.url else ""
    try:
        send_mail(
            subject=f"[{note.org.name}] {note.title}",
            message="\n\n".join(part for part in (note.body, link) if part),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[note.recipient.user.email],
        )
    except OSError:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
    return True


@shared_task
def send_invitation_email(invitation_id: int, accept_url: str) -> bool:
    invitation = Invitation.objects.select_related("org", "invited_by__user").get(pk=invitation_id)
    if not invitation.is_pending:
        return False
    inviter = invitation.invited_by.user.get_full_name() if invitation.invited_by else ""
    send_mail(
        subject=f"You are invited to {invitation.org.name} on KRA Platform",
        message=(
            f"{inviter} invited you to join {invitation.org.name}.\n\n"
            f"Set your password and join: {settings.SITE_URL}{accept_url}\n\n"
            f"The link works once and expires on {invitation.expires_at:%Y-%m-%d %H:%M} UTC."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )
    return True
