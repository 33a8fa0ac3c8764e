from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from .. import audit, selectors
from ..policy import Action
from .base import org_view, paginate


def _page(request, events):
    """One page of events, each with its changes as lines a person reads."""
    page_obj = paginate(request, events, 50)
    for event in page_obj:
        event.lines = audit.change_lines(event)
    return page_obj


@org_view(Action.VIEW_AUDIT)
def audit_list(request, member):
    events = selectors.audit_recent(org=member.org)
    return render(request, "orgs/audit.html", {"page_obj": _page(request, events)})


@org_view(Action.VIEW_AUDIT)
def audit_object(request, member, object_type, object_id):
    if "\x00" in object_type + object_id:
        # No object is named so, and PostgreSQL cannot compare such a string.
        raise Http404
    events = selectors.audit_for_object(
        org=member.org, object_type=object_type, object_id=object_id
    )
    return render(
        request,
        "orgs/audit.html",
        {
            "page_obj": _page(request, events),
            "object_type": object_type,
            "object_id": object_id,
        },
    )
