"""Celery tasks of the orgs app. Tasks take ids, and are safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from kra_platform.celery import TenantTask

from .models import Invitation, Notification


@shared_task(base=TenantTask, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_email(*, org_id: int, notification_id: int) -> bool:
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
