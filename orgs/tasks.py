"""Celery tasks of the orgs app. Tasks take ids, and are safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import connection
from django.utils import timezone

from kra_platform.celery import TenantTask

from .models import Invitation, Notification


def email_notifications(org_id: int, notification_ids) -> int:
    """Email the given notices, each at most once: the ones still unsent are claimed
    (``emailed_at``) by one conditional UPDATE in the calling task's transaction, then sent
    over one connection. A failure rolls the claims back with that transaction, and the
    task's retry sends them. How many were sent."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE orgs_notification SET emailed_at = %s
             WHERE org_id = %s AND id = ANY(%s) AND emailed_at IS NULL
            RETURNING id
            """,
            [timezone.now(), org_id, list(notification_ids)],
        )
        claimed = [row[0] for row in cursor.fetchall()]
    if not claimed:
        return 0
    notes = Notification.objects.filter(org_id=org_id, pk__in=claimed).select_related(
        "recipient__user", "org"
    )
    messages = []
    for note in notes.order_by("pk"):
        link = f"{settings.SITE_URL}{note.url}" if note.url else ""
        messages.append(
            EmailMessage(
                subject=f"[{note.org.name}] {note.title}",
                body="\n\n".join(part for part in (note.body, link) if part),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[note.recipient.user.email],
            )
        )
    get_connection(fail_silently=False).send_messages(messages)
    return len(messages)


@shared_task(base=TenantTask, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_email(*, org_id: int, notification_id: int) -> bool:
    """Email one notification to its recipient, once."""
    return email_notifications(org_id, [notification_id]) == 1


@shared_task(base=TenantTask, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_emails(*, org_id: int, notification_ids: list[int]) -> int:
    """Email many notifications (``orgs.notifications.notify_many``), each once."""
    return email_notifications(org_id, notification_ids)


@shared_task(base=TenantTask)
def send_invitation_email(*, org_id: int, invitation_id: int, accept_url: str) -> bool:
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


@shared_task(base=TenantTask)
def send_sign_in_link(*, org_id: int, membership_id: int) -> bool:
    """A one-time link to set a password (Django's reset token: it stops working once the
    password changes or after PASSWORD_RESET_TIMEOUT)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from .models import Membership

    membership = Membership.objects.select_related("user", "org").filter(pk=membership_id).first()
    if membership is None or not membership.is_active or not membership.user.is_active:
        return False
    user = membership.user
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    send_mail(
        subject=f"Sign in to {membership.org.name} on KRA Platform",
        message=(
            f"An account is ready for you at {membership.org.name}.\n\n"
            f"Choose your password here (the link works once): {settings.SITE_URL}{path}\n\n"
            f"Then sign in with {user.email}."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
    return True
