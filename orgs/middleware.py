"""Every request runs in one transaction whose row-level-security context is set first: the
signed-in user only. The organisation is added by ``orgs.tenancy.resolve_membership`` once
the user's membership in the organisation named by the URL has been checked, never before.
Platform staff in the Django admin work in one organisation at a time, the one they chose
(``orgs.tenancy.ADMIN_ORG_SESSION_KEY``), under the same row-level security."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.db import DatabaseError, transaction

from kra_platform import rls

from .tenancy import ADMIN_ORG_SESSION_KEY


def _session_user_id(request) -> int | None:
    session = getattr(request, "session", None)
    if session is None:
        return None
    try:
        return int(session.get(SESSION_KEY))
    except (TypeError, ValueError):
        return None


class TenantDatabaseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The account row of the session's user is visible to itself, so the lazy
        # request.user can load inside this context.
        user_id = _session_user_id(request)
        with transaction.atomic():
            previous = rls.swap_context(user_id=user_id)
            if request.path_info.startswith("/admin/") and user_id is not None:
                self._admin_organisation(request)
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
            else:
                try:
                    rls.restore_context(previous)
                except DatabaseError:
                    transaction.set_rollback(True)
        return response

    @staticmethod
    def _admin_organisation(request) -> None:
        user = request.user
        org_id = request.session.get(ADMIN_ORG_SESSION_KEY)
        if user.is_authenticated and user.is_staff and org_id:
            rls.set_context(org_id=org_id)
