"""The member search behind every member picker (orgs/fields.py): a few matches by name,
email, job title or employee id, as an htmx fragment."""

from __future__ import annotations

import re

from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import selectors
from ..policy import Action
from .base import org_view

#: Matches shown at most; typing more narrows them.
SEARCH_LIMIT = 10
_PICKER = re.compile(r"[A-Za-z][\w-]{0,80}")


@require_GET
@org_view(Action.VIEW_MEMBERS)
def member_search(request, member):
    # PostgreSQL cannot compare a string holding NUL; nobody's name contains one.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    picker = request.GET.get("picker", "")
    if not _PICKER.fullmatch(picker):
        picker = "member"
    results, more = [], False
    if query:
        # Active members only, found as on the People page and by the API's ``q``.
        found = selectors.member_search(org=member.org, text=query, limit=SEARCH_LIMIT + 1)
        results, more = found[:SEARCH_LIMIT], len(found) > SEARCH_LIMIT
    return render(
        request,
        "orgs/members/_search_results.html",
        {"query": query, "results": results, "more": more, "picker": picker},
    )
