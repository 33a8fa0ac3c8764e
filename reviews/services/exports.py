"""HR's bulk export of signed agreements: the job is recorded here and built by
``reviews.tasks.export_signed_agreements`` after the transaction commits."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orgs import audit, policy
from orgs.models import Department, Membership, Organization
from orgs.policy import Action

from ..models import ExportJob

JOB_FIELDS = ("department", "scope_label", "status")


@transaction.atomic
def export_start(
    *, org: Organization, actor: Membership, department: Department | None = None
) -> ExportJob:
    """Start exporting the signed PDFs of the agreements in force: of ``department`` and the
    departments below it, or of the whole organisation. HR and org admins only (the people
    who acknowledge agreements). The ZIP is built by a task once this commits."""
    if not isinstance(actor, Membership):
        raise PermissionDenied("exports are started by members of the organisation")
    policy.require(actor, Action.ACKNOWLEDGE_AGREEMENT)
    if department is not None and department.org_id != org.pk:
        raise ValidationError({"department": _("Choose a department of this organisation.")})
    label = department.name if department is not None else _("The whole organisation")
    job = ExportJob.objects.create(
        org=org, requested_by=actor, department=department, scope_label=label[:200]
    )
    audit.record_created(
        org=org, actor=actor, action="agreement.export", obj=job, fields=JOB_FIELDS
    )
    from ..tasks import export_signed_agreements

    transaction.on_commit(lambda: export_signed_agreements.delay(org_id=org.pk, job_id=job.pk))
    return job
