from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kra_platform import rls

from .. import audit, tenancy
from ..models import ApiToken, Membership

TOKEN_PREFIX = "kra_"
MAX_TTL_DAYS = 365


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, member: Membership, name: str, ttl_days: int = 90) -> tuple[ApiToken, str]:
    """A personal token for the API of the member's organisation. The raw key is returned
    once; only its hash is stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the token after what will use it.")})
    if not 1 <= int(ttl_days) <= MAX_TTL_DAYS:
        raise ValidationError(
            {"ttl_days": _("A token lives between 1 and %(max)d days.") % {"max": MAX_TTL_DAYS}}
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        org=member.org,
        user=member.user,
        name=name,
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        key_hash=hash_key(raw),
        expires_at=timezone.now() + timedelta(days=int(ttl_days)),
    )
    audit.record(org=member.org, actor=member, action="api_token.create", obj=token)
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Membership) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(org=token.org, actor=actor, action="api_token.revoke", obj=token)
    return token


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The usable token whose key is ``raw``, or None. Marks it used (at most once a
    minute, to keep reads cheap). Tokens are global until the API base class checks that
    the URL's organisation is the token's."""
    key_hash = hash_key(raw)
    # Row-level security shows a token row to whoever presents its key (policy bearer_read),
    # and the account once it is the transaction's user.
    tenancy.present_secret(token_hash=key_hash)
    token = ApiToken.objects.select_related("org").filter(key_hash=key_hash).first()
    if token is None or not token.is_usable:
        return None
    tenancy.act_as_user(token.user_id)
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def _revoke_usable(tokens, *, actor, reason: str) -> int:
    """Revoke each of ``tokens`` still unrevoked; one audit row each, naming why."""
    now = timezone.now()
    count = 0
    for token in tokens.filter(revoked_at__isnull=True).select_related("org").select_for_update():
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit.record(
            org=token.org,
            actor=actor,
            action="api_token.revoke",
            obj=token,
            changes={
                "revoked_at": {"old": None, "new": now.isoformat()},
                "reason": {"old": None, "new": reason},
            },
        )
        count += 1
    return count


@transaction.atomic
def api_tokens_revoke_all_of_user(*, user, reason: str) -> int:
    """Revoke every token of ``user``, in every organisation: after a password change or a
    password reset, whoever knew the old password must not keep a way in through a token
    made with it. Returns how many were revoked.

    Tokens are tenant rows, so each organisation's are revoked under its own row-level
    security context; the organisations are the user's memberships, active or not (a
    token is only ever made by a member)."""
    with rls.tenant_context(user_id=user.pk):
        org_ids = list(
            Membership.objects.filter(user=user).values_list("org_id", flat=True).distinct()
        )
    count = 0
    for org_id in org_ids:
        with rls.tenant_context(org_id=org_id, user_id=user.pk):
            count += _revoke_usable(
                ApiToken.objects.filter(org_id=org_id, user=user), actor=user, reason=reason
            )
    return count


@transaction.atomic
def api_tokens_revoke_of_member(
    *, member: Membership, actor: Membership | None, reason: str
) -> int:
    """Revoke the member's tokens for their organisation (on deactivation), so that a later
    reactivation does not bring them back. Returns how many were revoked."""
    return _revoke_usable(
        ApiToken.objects.filter(org_id=member.org_id, user_id=member.user_id),
        actor=actor,
        reason=reason,
    )


@transaction.atomic
def api_token_revoke_by_manager(*, token: ApiToken, actor: Membership) -> ApiToken:
    """Revoke any member's token of the organisation (org admins and HR: a leaked key, a
    script nobody owns any more). Recorded in the audit trail with whose token it was;
    revoking twice is harmless."""
    from django.core.exceptions import PermissionDenied

    from .. import policy

    if token.org_id != actor.org_id or not policy.can(actor, policy.Action.MANAGE_API_TOKENS):
        raise PermissionDenied("not allowed: revoke another member's API token")
    now = timezone.now()
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    token.refresh_from_db(fields=["revoked_at"])
    if revoked:
        audit.record(
            org=actor.org,
            actor=actor,
            action="api_token.revoke",
            obj=token,
            changes={
                "revoked_at": {"old": None, "new": now.isoformat()},
                "owner": {"old": None, "new": token.user.email},
            },
        )
    return token
