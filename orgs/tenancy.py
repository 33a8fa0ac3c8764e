"""The one way to reach tenant data from a view or an API endpoint.

``resolve_membership`` turns (user, org slug) into the caller's active membership, answering
404 when the organisation does not exist *or* the user is not in it, so the two cannot be
told apart. The ``get_<model>_for_member`` helpers fetch one tenant object by id, scoped to
the member's organisation, and answer 404 alike for "missing" and "another organisation's".
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from kra_platform import rls

from .models import (
    ApiToken,
    Department,
    Invitation,
    Membership,
    Notification,
    Organization,
)

M = TypeVar("M", bound=models.Model)

#: The organisation a platform admin works in, in the Django admin (set from the
#: organisation's admin page; orgs/middleware.py applies it).
ADMIN_ORG_SESSION_KEY = "kra_admin_org_id"


# --- the transaction's row-level-security context: decided here and nowhere else -------


def enter_organization(org_id: int) -> None:
    """The transaction works in ``org_id`` from now on. Called once the caller's right to it
    is established: by ``resolve_membership``, and by the service that creates the
    organisation."""
    rls.set_context(org_id=org_id)


def act_as_user(user_id: int) -> None:
    """The transaction's user (their account row and memberships become visible)."""
    rls.set_context(user_id=user_id)


def present_secret(*, token_hash: str | None = None, invitation_hash: str | None = None) -> None:
    """Let the row holding this secret's hash (an API token, an invitation) be read before
    its organisation is known."""
    values = {k: v for k, v in (("token_hash", token_hash), ("invitation_hash", invitation_hash))}
    rls.set_context(**{k: v for k, v in values.items() if v is not None})


def look_up_account(email: str) -> None:
    """Let the account with exactly this email be read: signing in, a password reset, an
    invitation or an import naming it."""
    rls.set_context(login_email=email)


def look_up_accounts(emails: list[str]) -> None:
    """Let the accounts with exactly these emails be read (an import's batch, at most a
    thousand or so at a time: the list travels in the context)."""
    rls.set_context(login_emails=list(emails))


class OrganizationSuspended(Exception):
    """Raised for a member of a suspended organisation; rendered as a clear message."""

    def __init__(self, org: Organization):
        super().__init__(org.slug)
        self.org = org


def resolve_membership(user, org_slug: str) -> Membership:
    if not user or not user.is_authenticated:
        raise Http404(_("No such organisation."))
    membership = (
        Membership.objects.select_related("org", "user", "department")
        .filter(org__slug=org_slug, user=user, is_active=True)
        .first()
    )
    if membership is None:
        raise Http404(_("No such organisation."))
    if membership.org.is_suspended:
        raise OrganizationSuspended(membership.org)
    enter_organization(membership.org_id)
    return membership


def scoped(model: type[M], org: Organization | int) -> models.QuerySet[M]:
    """Every row of ``model`` that belongs to ``org`` (the organisation or its id). The
    base of all tenant reads."""
    return model._default_manager.filter(org=org)


def get_scoped_or_404(queryset: models.QuerySet[M], pk) -> M:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def get_department_for_member(member: Membership, pk) -> Department:
    return get_scoped_or_404(
        scoped(Department, member.org).select_related("parent", "head__user"), pk
    )


def get_membership_for_member(member: Membership, pk) -> Membership:
    return get_scoped_or_404(
        scoped(Membership, member.org).select_related("user", "department", "manager__user"), pk
    )


def get_invitation_for_member(member: Membership, pk) -> Invitation:
    return get_scoped_or_404(scoped(Invitation, member.org), pk)


def get_notification_for_member(member: Membership, pk) -> Notification:
    # A notification is visible to its recipient only.
    return get_scoped_or_404(scoped(Notification, member.org).filter(recipient=member), pk)


def get_api_token_for_member(member: Membership, pk) -> ApiToken:
    return get_scoped_or_404(scoped(ApiToken, member.org).filter(user=member.user), pk)


def get_org_api_token_for_member(member: Membership, pk) -> ApiToken:
    """Any member's token of the organisation (for those who manage everyone's tokens: the
    caller checks MANAGE_API_TOKENS)."""
    return get_scoped_or_404(scoped(ApiToken, member.org).select_related("user"), pk)
