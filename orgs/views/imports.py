"""The org-chart import page: upload, preview every row, confirm, see the result.

The confirmation redirects to the result page (post/redirect/get): the result waits in the
session, so reloading it shows the same figures and never imports twice."""

from __future__ import annotations

import dataclasses
import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import imports
from ..import_forms import OrgChartConfirmForm, OrgChartUploadForm
from ..policy import Action
from .base import org_view

# How long a previewed file waits for its confirmation.
PREVIEW_TTL_SECONDS = 60 * 60


def _result_key(member) -> str:
    return f"org-chart-import-result:{member.org_id}"


def _cache_key(member, digest: str) -> str:
    # Scoped to the member: nobody else can confirm (or even name) someone's upload.
    return f"org-chart-import:{member.org_id}:{member.pk}:{digest}"


def _example_csv() -> HttpResponse:
    response = HttpResponse(imports.EXAMPLE_CSV, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="org-chart-example.csv"'
    return response


def _render_preview(request, preview, digest: str, status: int = 200):
    return render(
        request,
        "orgs/imports/preview.html",
        {
            "preview": preview,
            "confirm_form": OrgChartConfirmForm(initial={"digest": digest}),
            "upload_form": OrgChartUploadForm(),
        },
        status=status,
    )


@org_view(Action.IMPORT_ORG_CHART)
def org_chart_import(request, member):
    if request.method == "GET" and request.GET.get("example") == "1":
        return _example_csv()
    if request.method == "POST" and "digest" in request.POST:
        return _confirm(request, member)
    form = OrgChartUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        content = b"".join(form.cleaned_data["file"].chunks())
        preview = imports.org_chart_preview(org=member.org, file_bytes=content)
        digest = hashlib.sha256(content).hexdigest()
        if preview.is_valid:
            cache.set(_cache_key(member, digest), content, PREVIEW_TTL_SECONDS)
        return _render_preview(request, preview, digest)
    return render(
        request,
        "orgs/imports/upload.html",
        {"form": form, "max_rows": imports.MAX_ROWS, "columns": imports.COLUMNS},
    )


def _confirm(request, member):
    form = OrgChartConfirmForm(request.POST)
    content = None
    if form.is_valid():
        content = cache.get(_cache_key(member, form.cleaned_data["digest"]))
    if content is None:
        messages.error(
            request, _("That preview has expired or was already imported. Upload the file again.")
        )
        return redirect("org-chart-import", org_slug=member.org.slug)
    try:
        result = imports.org_chart_import(org=member.org, actor=member, file_bytes=content)
    except ValidationError:
        # The organisation changed since the preview (someone else edited members).
        preview = imports.org_chart_preview(org=member.org, file_bytes=content)
        messages.error(
            request, _("The organisation changed since the preview; nothing was imported.")
        )
        return _render_preview(request, preview, form.cleaned_data["digest"], status=400)
    cache.delete(_cache_key(member, form.cleaned_data["digest"]))
    request.session[_result_key(member)] = dataclasses.asdict(result)
    return redirect("org-chart-import-result", org_slug=member.org.slug)


@org_view(Action.IMPORT_ORG_CHART)
def org_chart_import_result(request, member):
    """What the member's last import in this organisation did (nothing yet: says so)."""
    result = request.session.get(_result_key(member))
    return render(request, "orgs/imports/result.html", {"result": result})
