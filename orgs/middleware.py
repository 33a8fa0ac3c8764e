"""Every request runs in one transaction whose row-level-security context is set first:
the organisation named by the URL (``org_slug``) and the signed-in user. Platform staff in
the Django admin work through the named, recorded bypass instead."""

from __future__ import annotations

from django.db import DatabaseError, transaction
from django.urls import Resolver404, resolve

from kra_platform import rls

from .models import Organization


def _org_id_from_url(request) -> int | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    slug = match.kwargs.get("org_slug")
    if not slug:
        return None
    # The organisation table is the tenant registry itself and has no row-level security.
    return Organization.objects.filter(slug=slug).values_list("pk", flat=True).first()


class TenantDatabaseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        with transaction.atomic():
            if self._is_platform_admin(request, user):
                previous = rls.swap_context(bypass="")
                response = self._bypassed(request, user)
            else:
                previous = rls.swap_context(
                    org_id=_org_id_from_url(request), user_id=user_id, bypass=""
                )
                response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
            else:
                try:
                    rls.set_context(**previous)
                except DatabaseError:
                    transaction.set_rollback(True)
        return response

    @staticmethod
    def _is_platform_admin(request, user) -> bool:
        return (
            request.path_info.startswith("/admin/")
            and user is not None
            and user.is_authenticated
            and user.is_staff
        )

    def _bypassed(self, request, user):
        with rls.dangerously_bypass_rls(
            reason=f"platform admin {request.method} {request.path_info}"[:300],
            actor=user.email,
        ):
            return self.get_response(request)
