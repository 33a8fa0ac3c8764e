"""An agreement's versions compared, and its signed PDF."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from orgs.policy import Action
from orgs.views.base import org_view

from .. import selectors
from ..access import get_agreement_for_member
from ..diff import version_diff
from ..pdf import agreement_pdf as render_agreement_pdf


@org_view(Action.VIEW_AGREEMENT, fetch=get_agreement_for_member)
def agreement_diff(request, member, agreement):
    """What changed between two versions (``?from=1&to=2``; by default the last two),
    computed from their frozen canonical JSON."""
    versions = selectors.agreement_versions(agreement=agreement)
    by_number = {v.number: v for v in versions}

    def chosen(name, default):
        try:
            number = int(request.GET.get(name, ""))
        except ValueError:
            return default
        return by_number.get(number, default)

    last = versions[-1] if versions else None
    before_last = versions[-2] if len(versions) > 1 else last
    old, new = chosen("from", before_last), chosen("to", last)
    diff = version_diff(old.canonical_json, new.canonical_json) if old and new else None
    return render(
        request,
        "reviews/agreement_diff.html",
        {"agreement": agreement, "versions": versions, "old": old, "new": new, "diff": diff},
    )


@org_view(Action.VIEW_AGREEMENT, fetch=get_agreement_for_member)
def agreement_pdf(request, member, agreement):
    """The PDF of the current version, as a download (404 before the first proposal)."""
    if agreement.current_version_id is None:
        from django.http import Http404

        raise Http404("this agreement has not been proposed yet")
    pdf = render_agreement_pdf(agreement=agreement)
    name = (
        slugify(f"{agreement.employee.user.get_full_name()} {agreement.role.title}") or "agreement"
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    version = agreement.current_version.number
    response["Content-Disposition"] = f'attachment; filename="kra-agreement-{name}-v{version}.pdf"'
    return response
