"""The public verification link of an agreement: ``/verify/<token>/``, opened without
signing in, shows only whether the agreement is valid, the content hash of its current
version, and who signed it when (docs/DOMAIN.md rule R34).

The token is the agreement's organisation and id signed with the site's secret key
(``django.core.signing``): unguessable, nothing stored, and still valid after a key
rotation while the old key is in SECRET_KEY_FALLBACKS."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

SALT = "reviews.verification-link"


def verification_token(agreement) -> str:
    return signing.Signer(salt=SALT).sign(f"{agreement.org_id}.{agreement.pk}")


def public_verification_path(agreement) -> str:
    return reverse("agreement-public-verify", kwargs={"token": verification_token(agreement)})


def read_token(token: str) -> tuple[int, int] | None:
    """``(org_id, agreement_id)`` of a genuine token, None for anything else."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
        org_id, agreement_id = (int(part) for part in value.split("."))
    except (signing.BadSignature, ValueError):
        return None
    return org_id, agreement_id
