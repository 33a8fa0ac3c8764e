"""Hooks django-axes calls (named in settings/security.py): whose attempt it is (username
and client address), and what a locked-out client is told."""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .emails import normalize_email


def lockout_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The username an attempt counts against: the email in the normal form accounts are
    stored and looked up in (orgs/emails.py). Every spelling that reaches an account
    (case, compatibility forms) shares that account's counter, and a success clears it; a
    look-alike that normalises to something else reaches no account at all."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        data = getattr(request, "data", None) or request.POST
        username = data.get(field)
    if not isinstance(username, str):
        return None
    return normalize_email(username) or None


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind ``TRUSTED_PROXY_COUNT`` proxies the X-Forwarded-For entry the
    outermost one appended. Entries left of it come from the client and could be anything,
    so trusting them would let a guesser pick a fresh address for every few attempts."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")


def _cooloff_minutes() -> int:
    return math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """429 with a Retry-After: JSON for the API, the lockout page everywhere else (the login
    page and the Django admin's)."""
    minutes = _cooloff_minutes()
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": _("Too many failed attempts. Try again in %(minutes)d minutes.")
                % {"minutes": minutes}
            },
            status=429,
        )
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"cooloff_minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
            status=429,
        )
    response["Retry-After"] = str(minutes * 60)
    return response
