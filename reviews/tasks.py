"""Celery tasks of the reviews app. Tasks take ids, and are safe to run twice."""

from __future__ import annotations

import csv
import os
import re
import tempfile
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
    PDF, never the archive, then ``index.csv`` listing each file (its rows kept in a
    temporary file meanwhile, not in memory). An agreement whose PDF fails is named in the
    errors returned and in the index; the others still come. ``progress(done)`` is called
    after each agreement.

    Memory stays flat however many PDFs there are: the renderer reuses one font
    configuration and stylesheet per process (kra_platform/pdf.py), and ``agreements``
    should be an iterator that reads its rows in chunks (docs/PERFORMANCE.md)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as index,
        zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        done, errors = _write_pdfs(agreements, archive, index, progress)
        index.seek(0)
        with archive.open(INDEX_NAME, "w") as entry:
            for chunk in iter(lambda: index.read(64 * 1024), ""):
                entry.write(chunk.encode())
    os.replace(partial, target)
    return done, errors


def _write_pdfs(agreements, archive, index, progress) -> tuple[int, list[dict]]:
    writer = csv.writer(index)
    writer.writerow(INDEX_COLUMNS)
    errors: list[dict] = []
    done = 0
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


# --- review cycles ---------------------------------------------------------------------------


def launch_progress_key(cycle_id: int) -> str:
    return f"reviews:launch-progress:{cycle_id}"


@shared_task(base=TenantTask)
def launch_review_cycle(*, org_id: int, cycle_id: int) -> dict:
    """Create a launched cycle's reviews (``reviews.services.cycles.launch_run``). Safe to
    run twice: only the reviews still missing are made, under the cycle's row lock.

    The task runs in one transaction, so its progress is published to the cache as it goes
    (the cycle page reads it) and recorded on the cycle when it ends. A failure rolls the
    batch back and the cycle says the launch failed, so HR may launch again."""
    from .services.cycles import launch_failed, launch_run

    def progress(done: int, total: int) -> None:
        cache.set(launch_progress_key(cycle_id), {"done": done, "total": total}, PROGRESS_SECONDS)

    try:
        with transaction.atomic():
            return launch_run(cycle_id, org_id=org_id, progress=progress)
    except Exception as exc:  # the cycle must say so rather than wait for ever
        launch_failed(cycle_id, org_id=org_id, error=str(exc) or exc.__class__.__name__)
        return {"error": str(exc)}


def launch_progress(cycle) -> dict:
    """How far a launch has got: the cycle's own record once it has finished, the task's
    published progress while it runs."""
    from .models import LaunchStatus

    if cycle.launch_status not in (LaunchStatus.QUEUED, LaunchStatus.RUNNING):
        return {
            "done": cycle.launch_done,
            "total": cycle.launch_total,
            "percent": cycle.launch_percent,
        }
    live = cache.get(launch_progress_key(cycle.pk)) or {"done": 0, "total": 0}
    total, done = live["total"], live["done"]
    return {"done": done, "total": total, "percent": int(100 * done / total) if total else 0}
