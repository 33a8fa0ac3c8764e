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

from .models import (
    ApiToken,
    Department,
    Invitation,
    Membership,
    Notification,
    Organization,
)

M = TypeVar("M", bound=models.Model)


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
    return membership


def scoped(model: type[M], org: Organization) -> models.QuerySet[M]:
    """Every row of ``model`` that belongs to ``org``. The base of all tenant reads."""
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
