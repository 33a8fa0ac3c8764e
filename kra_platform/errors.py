"""The pages shown for 403, 404 and 500 (handler403/404/500 in kra_platform/urls.py).

403 and 404 render inside the normal layout, so a person who is signed in keeps the
navigation of the organisation they were in. A refusal is logged as one line (method, path,
user id): it is an expected answer, not a fault, and Django's own log line for it carries a
traceback. The 500 page reads neither the database nor any context processor: it must render
when the database is what failed.
"""

from __future__ import annotations

import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger("kra_platform.access")


def _escaped(text: str) -> str:
    # A path may hold decoded newlines; one request stays one log line.
    return text.encode("unicode_escape").decode("ascii")


def permission_denied(request, exception=None):
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    logger.warning(
        "Forbidden: %s %s user=%s",
        request.method,
        _escaped(request.path),
        user_id if user_id is not None else "-",
    )
    response = render(request, "403.html", status=403)
    # Tells Django's request logger this answer is already logged (it would add a traceback).
    response._has_been_logged = True
    return response


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return HttpResponseServerError(loader.get_template("500.html").render())
