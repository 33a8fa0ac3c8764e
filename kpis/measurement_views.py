"""Pages for recording results: a value in place on the KPI's page (htmx), "My KPIs this
period", and the CSV upload (preview every row, record nothing until the whole file is
valid, then the result page: post/redirect/get)."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from orgs.policy import Action
from orgs.views.base import form_errors_from, org_view

from . import measurement_imports, measurements
from .access import get_kpi_for_member
from .measurement_selectors import (
    kpis_due,
    my_kpis_ref,
    recent_values,
    recordable_people,
    scores_computed_at,
)

PREVIEW_TTL_SECONDS = 60 * 60
#: How many past periods the KPI page offers besides the current one.
PAST_PERIODS = 5


class MeasureForm(forms.Form):
    person = forms.TypedChoiceField(label=gettext_lazy("Person"), coerce=int)
    period_start = forms.ChoiceField(label=gettext_lazy("Period"))
    value = forms.CharField(label=gettext_lazy("Value"), max_length=60)
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=2000, widget=forms.TextInput
    )
    evidence_url = forms.CharField(
        label=gettext_lazy("Evidence link"), required=False, max_length=500
    )

    def __init__(self, *args, people, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.user.full_name or p.user.email) for p in people]
        self.fields["period_start"].choices = periods


def _periods(kpi, today: datetime.date) -> list[tuple[str, str]]:
    """The current period and a few before it (inside the KPI's dates), newest first."""
    fiscal = kpi.org.fiscal_year_start_month
    start, end = measurements.period_containing(kpi.frequency, today, fiscal)
    choices = []
    for _n in range(PAST_PERIODS + 1):
        inside = not (kpi.start_date and end < kpi.start_date) and not (
            kpi.due_date and start > kpi.due_date
        )
        if inside:
            label = f"{start.isoformat()} – {end.isoformat()}"
            choices.append((start.isoformat(), label))
        start, end = measurements.period_containing(
            kpi.frequency, start - datetime.timedelta(days=1), fiscal
        )
    return choices


def _measure_context(request, member, kpi, form=None, saved=None):
    today = timezone.localdate()
    people = recordable_people(member, kpi, today)
    if form is None:
        initial = {"person": member.pk} if any(p.pk == member.pk for p in people) else {}
        form = MeasureForm(people=people, periods=_periods(kpi, today), initial=initial)
    return {
        "kpi": kpi,
        "form": form,
        "people": people,
        "saved": saved,
        "recent": recent_values(member, kpi),
        "computed_at": scores_computed_at(member.org),
    }


@require_http_methods(["GET", "POST"])
@org_view(Action.VIEW_ROLES, fetch=get_kpi_for_member)
def kpi_measure(request, member, kpi):
    """The KPI page's "record a value" section (htmx: answered in place)."""
    saved = None
    form = None
    if request.method == "POST":
        today = timezone.localdate()
        people = recordable_people(member, kpi, today)
        form = MeasureForm(request.POST, people=people, periods=_periods(kpi, today))
        if form.is_valid():
            person = next(p for p in people if p.pk == form.cleaned_data["person"])
            try:
                saved = measurements.measurement_record(
                    kpi=kpi,
                    person=person,
                    actor=member,
                    period_start=form.cleaned_data["period_start"],
                    value=form.cleaned_data["value"],
                    note=form.cleaned_data["note"],
                    evidence_url=form.cleaned_data["evidence_url"],
                )
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                if not request.htmx:
                    messages.success(request, _("Value recorded."))
                    return redirect("kpi-detail", org_slug=member.org.slug, pk=kpi.pk)
                form = None
    context = _measure_context(request, member, kpi, form=form, saved=saved)
    template = "kpis/_measure_form.html" if request.htmx else "kpis/measure_page.html"
    return render(request, template, context)


def _my_kpis_rows(request, member, due, errors=None):
    rows = []
    for item in due:
        prefix = f"kpi-{item.kpi.pk}"
        value = request.POST.get(f"{prefix}-value") if request.method == "POST" else None
        note = request.POST.get(f"{prefix}-note") if request.method == "POST" else None
        if value is None and item.entered is not None:
            value = str(item.entered.value.normalize() + 0)
        if note is None and item.entered is not None:
            note = item.entered.note
        rows.append(
            {
                "item": item,
                "prefix": prefix,
                "value": value or "",
                "note": note or "",
                "errors": (errors or {}).get(item.kpi.pk, []),
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
@org_view(Action.RECORD_MEASUREMENT)
def my_kpis(request, member):
    """Every KPI due for the member this period, its target beside the field; saving
    records (or corrects) this period's value of each filled-in field."""
    today = timezone.localdate()
    due = kpis_due(member, today)
    errors = {}
    if request.method == "POST":
        rows, items = [], []
        for item in due:
            prefix = f"kpi-{item.kpi.pk}"
            value = (request.POST.get(f"{prefix}-value") or "").strip()
            if not value:
                continue
            items.append(item)
            rows.append(
                {
                    "kpi": item.kpi,
                    "person": member,
                    "period_start": item.period_start,
                    "value": value,
                    "note": request.POST.get(f"{prefix}-note", ""),
                    "source_ref": my_kpis_ref(item.period_start),
                }
            )
        if not rows:
            messages.info(request, _("Nothing to save: fill in at least one value."))
            return redirect("my-kpis", org_slug=member.org.slug)
        try:
            result = measurements.measurement_bulk_upsert(
                org=member.org, actor=member, rows=rows, source="my-kpis"
            )
        except measurements.MeasurementRowsInvalid as exc:
            for error in exc.row_errors:
                errors[items[error.row - 1].kpi.pk] = list(error.errors.values())
        else:
            messages.success(
                request,
                _("Saved %(n)s value(s). Scores are recomputed within a minute.")
                % {"n": result.total},
            )
            return redirect("my-kpis", org_slug=member.org.slug)
    return render(
        request,
        "kpis/my_kpis_measure.html",
        {
            "rows": _my_kpis_rows(request, member, due, errors),
            "has_errors": bool(errors),
            "today": today,
            "computed_at": scores_computed_at(member.org),
        },
        status=400 if errors else 200,
    )


# --- the CSV upload --------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))


class ConfirmForm(forms.Form):
    digest = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)


def _cache_key(member, digest: str) -> str:
    # Scoped to the member: nobody else can confirm (or even name) someone's upload.
    return f"measurement-import:{member.org_id}:{member.pk}:{digest}"


def _result_key(member) -> str:
    return f"measurement-import-result:{member.org_id}"


def _render_preview(request, preview, digest, status=200):
    return render(
        request,
        "kpis/measure_import_preview.html",
        {
            "preview": preview,
            "confirm_form": ConfirmForm(initial={"digest": digest}),
            "upload_form": UploadForm(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@org_view(Action.RECORD_MEASUREMENT)
def measurement_import(request, member):
    if request.method == "GET" and request.GET.get("example") == "1":
        response = HttpResponse(
            measurement_imports.EXAMPLE_CSV, content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="results-example.csv"'
        return response
    if request.method == "POST" and "digest" in request.POST:
        return _confirm(request, member)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        content = b"".join(form.cleaned_data["file"].chunks())
        preview = measurement_imports.measurement_import_preview(
            org=member.org, actor=member, file_bytes=content
        )
        digest = hashlib.sha256(content).hexdigest()
        if preview.is_valid:
            cache.set(_cache_key(member, digest), content, PREVIEW_TTL_SECONDS)
        return _render_preview(request, preview, digest)
    return render(
        request,
        "kpis/measure_import.html",
        {"form": form, "max_rows": measurements.BULK_LIMIT},
    )


def _confirm(request, member):
    form = ConfirmForm(request.POST)
    content = None
    if form.is_valid():
        content = cache.get(_cache_key(member, form.cleaned_data["digest"]))
    if content is None:
        messages.error(
            request, _("That preview has expired or was already recorded. Upload the file again.")
        )
        return redirect("measurement-import", org_slug=member.org.slug)
    try:
        result = measurement_imports.measurement_import(
            org=member.org, actor=member, file_bytes=content
        )
    except ValidationError:
        # Something changed since the preview (a role ended, a KPI was deleted).
        preview = measurement_imports.measurement_import_preview(
            org=member.org, actor=member, file_bytes=content
        )
        messages.error(request, _("Something changed since the preview; nothing was recorded."))
        return _render_preview(request, preview, form.cleaned_data["digest"], status=400)
    cache.delete(_cache_key(member, form.cleaned_data["digest"]))
    request.session[_result_key(member)] = dataclasses.asdict(result)
    return redirect("measurement-import-result", org_slug=member.org.slug)


@org_view(Action.RECORD_MEASUREMENT)
def measurement_import_result(request, member):
    """What the member's last upload in this organisation recorded (nothing yet: says so)."""
    result = request.session.get(_result_key(member))
    return render(request, "kpis/measure_import_result.html", {"result": result})
