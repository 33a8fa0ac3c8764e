"""Celery tasks of the reviews app. Tasks take ids, and are safe to run twice."""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from kra_platform.celery import TenantTask
from orgs.people_rules import department_subtree

from .models import Agreement, AgreementStatus, ExportJob, ExportStatus
from .pdf import agreement_pdf

INDEX_NAME = "index.csv"
INDEX_COLUMNS = (
    "file",
    "person",
    "email",
    "employee_id",
    "department",
    "role",
    "period_start",
    "period_end",
    "version",
    "content_hash",
    "result",
)
PROGRESS_SECONDS = 24 * 60 * 60


def progress_key(job_id: int) -> str:
    return f"reviews:export-progress:{job_id}"


def export_path(org_id: int, job_id: int) -> str:
    """Where a job's ZIP lives, relative to MEDIA_ROOT."""
    return f"exports/{org_id}/{job_id}.zip"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60] or "person"


def _agreements(job: ExportJob):
    agreements = Agreement.objects.filter(
        org_id=job.org_id, status=AgreementStatus.ACTIVE, current_version__isnull=False
    )
    if job.department_id is not None:
        departments = department_subtree(org_id=job.org_id, roots=[job.department_id])
        agreements = agreements.filter(employee__department_id__in=departments)
    return agreements.select_related(
        "org", "employee__user", "employee__department", "role", "current_version"
    ).order_by("employee__user__full_name", "id")


def write_export(agreements, target: Path, *, progress=None) -> tuple[int, list[dict]]:
    """Render the signed PDF of each of ``agreements`` into the ZIP ``target`` (written as
    ``<target>.part`` and renamed when complete), one file at a time, so memory holds one
    PDF, never the archive, then ``index.csv`` listing each file. An agreement whose PDF
    fails is named in the errors returned and in the index; the others still come.
    ``progress(done)`` is called after each agreement."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    index = io.StringIO()
    writer = csv.writer(index)
    writer.writerow(INDEX_COLUMNS)
    errors: list[dict] = []
    done = 0
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for agreement in agreements:
            person = agreement.employee.user.get_full_name()
            version = agreement.current_version
            name = f"{_slug(person)}-{agreement.pk}-v{version.number}.pdf"
            try:
                with transaction.atomic():
                    pdf = agreement_pdf(agreement=agreement)
                archive.writestr(name, pdf)
                result = "ok"
            except Exception as exc:  # one failed file must not stop the others
                result = f"error: {exc}"
                errors.append(
                    {"agreement": agreement.pk, "person": person, "file": name, "error": str(exc)}
                )
                name = ""
            done += 1
            department = agreement.employee.department
            writer.writerow(
                [
                    name,
                    person,
                    agreement.employee.user.email,
                    agreement.employee.employee_id,
                    department.name if department else "",
                    agreement.role.title,
                    agreement.period_start.isoformat(),
                    agreement.period_end.isoformat(),
                    version.number,
                    version.content_hash,
                    result,
                ]
            )
            if progress is not None:
                progress(done)
        archive.writestr(INDEX_NAME, index.getvalue())
    os.replace(partial, target)
    return done, errors


@shared_task(base=TenantTask)
def export_signed_agreements(*, org_id: int, job_id: int) -> str:
    """Build the ZIP of a job (``write_export``) from the signed PDFs of the agreements in
    force of its scope. Safe to run twice: a finished job is left as it is.

    The task runs in one transaction, so its progress is published to the cache as it goes
    (the status page reads it) and recorded on the job when it ends."""
    job = ExportJob.objects.get(org_id=org_id, pk=job_id)
    if job.is_finished:
        return job.status
    agreements = _agreements(job)
    total = agreements.count()
    relative = export_path(org_id, job_id)

    def progress(done: int) -> None:
        cache.set(progress_key(job_id), {"done": done, "total": total}, PROGRESS_SECONDS)

    progress(0)
    try:
        done, errors = write_export(
            agreements.iterator(chunk_size=200),
            Path(settings.MEDIA_ROOT) / relative,
            progress=progress,
        )
    except OSError as exc:
        # The archive itself could not be written (a full disk, say): the job says so
        # instead of waiting for ever.
        ExportJob.objects.filter(org_id=org_id, pk=job_id).update(
            status=ExportStatus.FAILED,
            total=total,
            errors=[{"agreement": None, "person": "", "file": "", "error": str(exc)}],
            finished_at=timezone.now(),
        )
        return ExportStatus.FAILED
    ExportJob.objects.filter(org_id=org_id, pk=job_id).update(
        status=ExportStatus.DONE,
        total=total,
        done=done,
        errors=errors,
        file_path=relative,
        finished_at=timezone.now(),
    )
    return ExportStatus.DONE


def job_progress(job: ExportJob) -> dict:
    """How far the job has got: the job's own record once it has finished, the task's
    published progress while it runs."""
    if job.is_finished:
        return {"done": job.done, "total": job.total, "percent": job.percent}
    live = cache.get(progress_key(job.pk)) or {"done": 0, "total": 0}
    total, done = live["total"], live["done"]
    return {"done": done, "total": total, "percent": int(100 * done / total) if total else 0}
