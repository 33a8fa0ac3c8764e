"""The role's success check: is the role a success if every KRA on its page is executed?"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs import audit
from orgs.models import Membership

from ..models import Role

_SUCCESS_FIELDS = ("success_is_complete", "success_missing", "success_unnecessary")


@transaction.atomic
def role_success_check_record(
    *,
    role: Role,
    actor: Membership | None,
    is_complete: bool | None,
    missing: str = "",
    unnecessary: str = "",
) -> Role:
    """Answer the success check: "if every KRA on this page were executed, is the role a
    success? what is missing?" and "is any KRA here not needed?". Dated and signed by the
    one who answered."""
    if is_complete is None:
        raise ValidationError({"is_complete": _("Answer yes or no.")})
    missing = (missing or "").strip()
    unnecessary = (unnecessary or "").strip()
    if is_complete is False and not missing:
        raise ValidationError({"missing": _("Say what is missing for the role to succeed.")})
    role = Role.objects.select_for_update(of=("self",)).select_related("org").get(pk=role.pk)
    before = audit.snapshot(role, _SUCCESS_FIELDS)
    role.success_is_complete = is_complete
    role.success_missing = missing
    role.success_unnecessary = unnecessary
    role.success_checked_at = timezone.now()
    role.success_checked_by = actor if isinstance(actor, Membership) else None
    role.save(
        update_fields=[
            *_SUCCESS_FIELDS,
            "success_checked_at",
            "success_checked_by",
        ]
    )
    audit.record(
        org=role.org,
        actor=actor,
        action="role.success_check",
        obj=role,
        changes=audit.diff(before, audit.snapshot(role, _SUCCESS_FIELDS)),
    )
    return role
