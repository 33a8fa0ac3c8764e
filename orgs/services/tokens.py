from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kra_platform import rls

from .. import audit
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
    # Row-level security shows a token row to whoever presents its key (policy bearer_read).
    rls.set_context(token_hash=key_hash)
    token = ApiToken.objects.select_related("user", "org").filter(key_hash=key_hash).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    rls.set_context(user_id=token.user_id)
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
