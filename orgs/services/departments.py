from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from kra_platform.db import save_or_refuse_duplicate

from .. import audit, people_rules
from ..models import Department, Membership, Organization

_FIELDS = ("name", "parent", "head")
_NAME_MAX = Department._meta.get_field("name").max_length


def _duplicate_name_error(name: str) -> ValidationError:
    return ValidationError(
        {"name": _("There is already a department called “%(name)s” here.") % {"name": name}}
    )


def _check(org: Organization, department: Department) -> None:
    name = (department.name or "").strip()
    if not name:
        raise ValidationError({"name": _("A department needs a name.")})
    if len(name) > _NAME_MAX:
        raise ValidationError(
            {"name": _("Keep the name under %(max)d characters.") % {"max": _NAME_MAX}}
        )
    department.name = name
    if department.parent_id is not None:
        if department.parent.org_id != org.id:
            raise ValidationError({"parent": _("Choose a department of this organisation.")})
        if people_rules.department_would_cycle(department, department.parent_id):
            raise ValidationError(
                {"parent": _("A department cannot sit inside itself or its own sub-department.")}
            )
    if department.head_id is not None and department.head.org_id != org.id:
        raise ValidationError({"head": _("Choose a member of this organisation.")})
    siblings = Department.objects.filter(
        org=org, parent_id=department.parent_id, name__iexact=name
    ).exclude(pk=department.pk)
    if siblings.exists():
        raise _duplicate_name_error(name)


def _check_new_head(head: Membership | None) -> None:
    # Only a newly chosen head must be active: renaming a department whose head has since
    # left must keep working.
    if head is not None and not head.is_active:
        raise ValidationError({"head": _("Choose an active member as head.")})


def _save(department: Department, **kwargs) -> None:
    save_or_refuse_duplicate(
        department, refusal=lambda: _duplicate_name_error(department.name), **kwargs
    )


@transaction.atomic
def department_create(
    *,
    org: Organization,
    actor: Membership | None,
    name: str,
    parent: Department | None = None,
    head: Membership | None = None,
) -> Department:
    department = Department(org=org, name=name, parent=parent, head=head)
    _check(org, department)
    _check_new_head(head)
    _save(department)
    audit.record_created(
        org=org, actor=actor, action="department.create", obj=department, fields=_FIELDS
    )
    return department


_UNSET = object()


@transaction.atomic
def department_update(
    *,
    department: Department,
    actor: Membership | None,
    name: str | object = _UNSET,
    parent: Department | None | object = _UNSET,
    head: Membership | None | object = _UNSET,
) -> Department:
    """Rename, move (change parent) or set the head of a department."""
    if parent is not _UNSET:
        # Two concurrent moves (A under B, B under A) would each pass the cycle walk on the
        # other's uncommitted tree; moves within one organisation take turns instead.
        people_rules.lock_org_chart(department.org_id)
    department = Department.objects.select_for_update().select_related("org").get(pk=department.pk)
    old_head_id = department.head_id
    values = {
        field: value
        for field, value in (("name", name), ("parent", parent), ("head", head))
        if value is not _UNSET
    }
    if not values:
        return department
    with audit.tracked(department, _FIELDS, actor=actor, action="department.update"):
        for field, value in values.items():
            setattr(department, field, value)
        _check(department.org, department)
        if department.head_id != old_head_id:
            _check_new_head(department.head)
        _save(department, update_fields=list(values))
    return department


@transaction.atomic
def department_delete(*, department: Department, actor: Membership | None) -> None:
    """Delete an empty department: no sub-departments and no members, active or not."""
    department = Department.objects.select_for_update().get(pk=department.pk)
    children = department.children.count()
    members = department.members.count()
    if children or members:
        parts = []
        if children:
            parts.append(_("%(n)d sub-department(s)") % {"n": children})
        if members:
            parts.append(_("%(n)d member(s)") % {"n": members})
        raise ValidationError(
            _("“%(name)s” still has %(what)s. Move them elsewhere first.")
            % {"name": department.name, "what": _(" and ").join(parts)}
        )
    audit.record_deleted(
        org=department.org, actor=actor, action="department.delete", obj=department, fields=_FIELDS
    )
    try:
        with transaction.atomic():
            department.delete()
    except ProtectedError:
        # Other apps (roles, KRAs) may hold on to a department; say so instead of failing.
        raise ValidationError(
            _("“%(name)s” is still used elsewhere (roles or KRAs). Move those first.")
            % {"name": department.name}
        )
