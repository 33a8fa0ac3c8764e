"""Per-object grants that let another member act in someone's place (django-guardian): the
countersignature of an agreement (``reviews.sign_agreement``) and the writing of a review
(``reviews.review_as_reviewer``). One home for granting and revoking them; the services
that use them say who may grant and when. Whether a member writes a review in the reviewer's
place is asked only of reviews/selectors_reviews.py ``delegated_reviews``, which reads the
same direct grant as ``holds_grant``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, get_user_perms, remove_perm

from orgs import audit
from orgs.models import Membership


def holds_grant(member: Membership, obj, codename: str) -> bool:
    """Whether ``member``'s account holds ``codename`` on ``obj`` directly."""
    return codename in set(get_user_perms(member.user, obj))


def active_member(obj, delegate) -> Membership:
    """``delegate`` when it is an active member of ``obj``'s organisation; refused otherwise."""
    if (
        not isinstance(delegate, Membership)
        or delegate.org_id != obj.org_id
        or not delegate.is_active
    ):
        raise ValidationError({"delegate": _("Choose an active member of this organisation.")})
    return delegate


def grant(obj, *, actor: Membership, delegate: Membership, codename: str, action: str, already):
    """Give ``delegate`` the grant on ``obj`` and audit it as ``action``; ``already`` is the
    refusal (with ``%(name)s``) when they hold it."""
    if holds_grant(delegate, obj, codename):
        raise ValidationError({"delegate": already % {"name": delegate.user.get_full_name()}})
    assign_perm(f"reviews.{codename}", delegate.user, obj)
    audit.record(
        org=obj.org,
        actor=actor,
        action=action,
        obj=obj,
        changes={"delegate": {"old": None, "new": delegate.user.get_full_name()}},
    )


def revoke(obj, *, actor: Membership, delegate, codename: str, action: str) -> None:
    """Take the grant on ``obj`` back from ``delegate`` and audit it as ``action``."""
    if (
        not isinstance(delegate, Membership)
        or delegate.org_id != obj.org_id
        or not holds_grant(delegate, obj, codename)
    ):
        raise ValidationError({"delegate": _("That person is not a delegate here.")})
    remove_perm(f"reviews.{codename}", delegate.user, obj)
    audit.record(
        org=obj.org,
        actor=actor,
        action=action,
        obj=obj,
        changes={"delegate": {"old": delegate.user.get_full_name(), "new": None}},
    )
