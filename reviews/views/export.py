"""HR's bulk export of signed agreements: start one, watch its progress (htmx polls the
status page), download the ZIP."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from orgs.models import Department
from orgs.policy import Action
from orgs.tenancy import scoped
from orgs.views.base import form_errors_from, org_view

from ..access import get_export_job_for_member
from ..models import ExportJob, ExportStatus
from ..services.exports import export_start
from ..tasks import job_progress


class ExportForm(forms.Form):
    department = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label=_("The whole organisation"),
        label=_("Export the signed agreements of"),
        help_text=_("A department's export holds the departments below it too."),
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = scoped(Department, org).order_by("name")


@org_view(Action.ACKNOWLEDGE_AGREEMENT)
def export_start_page(request, member):
    form = ExportForm(request.POST or None, org=member.org)
    if request.method == "POST" and form.is_valid():
        try:
            job = export_start(
                org=member.org, actor=member, department=form.cleaned_data["department"]
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            return redirect("agreement-export-status", org_slug=member.org.slug, pk=job.pk)
    jobs = scoped(ExportJob, member.org).select_related("department").order_by("-created_at")[:10]
    return render(request, "reviews/export.html", {"form": form, "jobs": jobs})


@org_view(
    Action.ACKNOWLEDGE_AGREEMENT, fetch=get_export_job_for_member, object_action=Action.VIEW_ORG
)
def export_status(request, member, job):
    context = {"job": job, "progress": job_progress(job)}
    if request.htmx:
        return render(request, "reviews/_export_progress.html", context)
    return render(request, "reviews/export_status.html", context)


@org_view(
    Action.ACKNOWLEDGE_AGREEMENT, fetch=get_export_job_for_member, object_action=Action.VIEW_ORG
)
def export_download(request, member, job):
    path = Path(settings.MEDIA_ROOT) / job.file_path if job.file_path else None
    if job.status != ExportStatus.DONE or path is None or not path.is_file():
        raise Http404("This export has no file yet.")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"agreements-{job.pk}.zip",
        content_type="application/zip",
    )
