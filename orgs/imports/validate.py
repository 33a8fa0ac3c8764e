"""Checking an org-chart file's rows against each other and against the organisation, and
saying what importing each valid row would do. The reporting-line rules are
``orgs.people_rules``', so the import refuses what the membership service refuses, in the
same words."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import people_rules
from ..emails import normalize_email
from ..models import Department, Invitation, Membership, Organization, User
from ..people_rules import chain_above
from .read import COLUMNS, ImportPreview, PreviewRow, Status, read

MAX_DEPARTMENT_DEPTH = 10
_NAME_MAX = Department._meta.get_field("name").max_length
_FULL_NAME_MAX = User._meta.get_field("full_name").max_length
_EMAIL_MAX = User._meta.get_field("email").max_length
_JOB_TITLE_MAX = Membership._meta.get_field("job_title").max_length
_EMPLOYEE_ID_MAX = Membership._meta.get_field("employee_id").max_length


def split_path(path: str) -> list[str]:
    return [part.strip() for part in path.split("/")]


def path_key(parts) -> tuple[str, ...]:
    # Sibling departments are unique case-insensitively (see the model's constraint).
    return tuple(part.lower() for part in parts)


@dataclass
class State:
    """What the organisation holds now, loaded in a constant number of queries."""

    members: dict[str, Membership]  # by email
    departments: dict[tuple[str, ...], Department]  # by lower-cased path
    department_keys: dict[int, tuple[str, ...]]  # department id -> its path key
    invited: dict[str, Invitation] = field(default_factory=dict)  # pending, by email


def _pending_invitations(org: Organization) -> dict[str, Invitation]:
    return {
        invitation.email: invitation
        for invitation in Invitation.objects.filter(
            org=org,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).order_by("created_at", "pk")
    }


def _manager_email(member: Membership) -> str:
    """Whom the member reports to: their manager, or the invited person they await."""
    if member.manager_id:
        return member.manager.user.email.lower()
    if member.awaited_manager_id:
        return member.awaited_manager.email
    return ""


def _load_state(org: Organization) -> State:
    members = {
        m.user.email.lower(): m
        for m in Membership.objects.filter(org=org).select_related(
            "user", "department", "manager__user", "awaited_manager"
        )
    }
    by_id = {d.pk: d for d in Department.objects.filter(org=org)}
    parent_of = {pk: d.parent_id for pk, d in by_id.items()}
    # A department's path: the names from the top of its tree down to it.
    keys = {
        pk: path_key(by_id[node].name for node in reversed(chain_above(pk, parent_of.get)))
        for pk in by_id
    }
    return State(
        members=members,
        departments={key: by_id[pk] for pk, key in keys.items()},
        department_keys=keys,
        invited={
            email: invitation
            for email, invitation in _pending_invitations(org).items()
            if email not in members
        },
    )


def _valid_email(value: str) -> bool:
    if len(value) > _EMAIL_MAX:
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _validate(org: Organization, raw_rows, preview: ImportPreview, state: State) -> None:
    columns = set(preview.columns)
    rows = preview.rows
    for number, values, stray in raw_rows:
        row = PreviewRow(number=number, **{c: values.get(c, "") for c in COLUMNS})
        row.email = normalize_email(row.email)
        row.manager_email = normalize_email(row.manager_email)
        if stray:
            row.errors.append(_("This row has more cells than the header has columns."))
        rows.append(row)

    first_row_of_email: dict[str, int] = {}
    first_row_of_id: dict[str, int] = {}
    for row in rows:
        if not row.email:
            row.errors.append(_("The email is missing."))
        elif not _valid_email(row.email):
            row.errors.append(_("“%(email)s” is not a valid email address.") % {"email": row.email})
        elif row.email in first_row_of_email:
            row.errors.append(
                _("%(email)s is already on row %(row)d.")
                % {"email": row.email, "row": first_row_of_email[row.email]}
            )
        else:
            first_row_of_email[row.email] = row.number
        if not row.full_name:
            row.errors.append(_("The full name is missing."))
        elif len(row.full_name) > _FULL_NAME_MAX:
            row.errors.append(
                _("The full name is longer than %(max)d characters.") % {"max": _FULL_NAME_MAX}
            )
        if len(row.job_title) > _JOB_TITLE_MAX:
            row.errors.append(
                _("The job title is longer than %(max)d characters.") % {"max": _JOB_TITLE_MAX}
            )
        if row.employee_id:
            if len(row.employee_id) > _EMPLOYEE_ID_MAX:
                row.errors.append(
                    _("The employee id is longer than %(max)d characters.")
                    % {"max": _EMPLOYEE_ID_MAX}
                )
            elif row.employee_id in first_row_of_id:
                row.errors.append(
                    _("Employee id %(id)s is already used on row %(row)d.")
                    % {"id": row.employee_id, "row": first_row_of_id[row.employee_id]}
                )
            else:
                first_row_of_id[row.employee_id] = row.number
        if row.department:
            parts = split_path(row.department)
            if any(not part for part in parts):
                row.errors.append(
                    _("The department path “%(path)s” has an empty part.")
                    % {"path": row.department}
                )
            elif len(parts) > MAX_DEPARTMENT_DEPTH:
                row.errors.append(
                    _("The department path is more than %(max)d levels deep.")
                    % {"max": MAX_DEPARTMENT_DEPTH}
                )
            elif any(len(part) > _NAME_MAX for part in parts):
                row.errors.append(
                    _("A department name in the path is longer than %(max)d characters.")
                    % {"max": _NAME_MAX}
                )
            else:
                row.department = "/".join(parts)

    in_file = set(first_row_of_email)
    if "employee_id" in columns:
        # Members who are not in the file keep their ids; a row may not take one of those.
        kept_ids = {
            m.employee_id: email
            for email, m in state.members.items()
            if m.employee_id and email not in in_file
        }
        for row in rows:
            owner = kept_ids.get(row.employee_id)
            if row.employee_id and owner:
                row.errors.append(
                    _("Employee id %(id)s belongs to %(email)s, who is not in this file.")
                    % {"id": row.employee_id, "email": owner}
                )

    if "manager_email" in columns:
        _check_managers(org, rows, state, first_row_of_email)

    _plan(preview, state)


def _check_managers(
    org: Organization, rows: list[PreviewRow], state: State, first_row_of_email: dict[str, int]
) -> None:
    """The reporting lines the file asks for, by ``people_rules`` as the membership service
    checks one change: a known manager, not oneself, active when newly chosen, no cycle."""
    for row in rows:
        manager = row.manager_email
        if not manager:
            continue
        if not _valid_email(manager):
            row.errors.append(
                _("The manager email “%(email)s” is not a valid email address.")
                % {"email": manager}
            )
        elif manager == row.email:
            row.errors.append(_("A person cannot be their own manager."))
        elif manager in state.members:
            # Listed in the file or not, a member who has left stays deactivated: they may
            # stay someone's manager, not become one.
            member = state.members.get(row.email)
            refusal = people_rules.manager_choice_refusal(
                active=state.members[manager].is_active,
                kept=member is not None and _manager_email(member) == manager,
            )
            if refusal:
                row.errors.append(refusal)
        elif manager not in first_row_of_email and manager not in state.invited:
            row.errors.append(
                _("Unknown manager %(email)s: not in this file and not a member of %(org)s.")
                % {"email": manager, "org": org.name}
            )

    # The reporting lines after the import: the file's rows over the current ones.
    manager_of: dict[str, str | None] = {
        email: (_manager_email(m) or None) for email, m in state.members.items()
    }
    for row in rows:
        if row.email and first_row_of_email.get(row.email) == row.number:
            valid_manager = row.manager_email and row.manager_email != row.email
            manager_of[row.email] = row.manager_email if valid_manager else None
    cycles = people_rules.find_cycles(manager_of)
    for row in rows:
        cycle = cycles.get(row.email)
        if cycle and first_row_of_email.get(row.email) == row.number:
            start = cycle.index(row.email)
            row.errors.append(
                people_rules.cycle_path_message(cycle[start:] + cycle[:start] + [row.email])
            )


def _plan(preview: ImportPreview, state: State) -> None:
    """Say, for each valid row, whether it is new, changed (and what) or unchanged."""
    columns = set(preview.columns)
    new_departments: dict[tuple[str, ...], str] = {}
    for row in preview.rows:
        if not row.is_valid:
            row.status = Status.INVALID
            continue
        if row.department:
            parts = split_path(row.department)
            for depth in range(1, len(parts) + 1):
                key = path_key(parts[:depth])
                if key not in state.departments and key not in new_departments:
                    new_departments[key] = "/".join(parts[:depth])
        member = state.members.get(row.email)
        if member is None:
            # Invited by an earlier import and not yet accepted: the invitation stands.
            row.status = Status.UNCHANGED if row.email in state.invited else Status.NEW
            continue
        changed = []
        if "department" in columns:
            current = state.department_keys.get(member.department_id, ())
            wanted = path_key(split_path(row.department)) if row.department else ()
            if current != wanted:
                changed.append("department")
        if "manager_email" in columns:
            if _manager_email(member) != row.manager_email:
                changed.append("manager")
        if "job_title" in columns and member.job_title != row.job_title:
            changed.append("job_title")
        if "employee_id" in columns and member.employee_id != row.employee_id:
            changed.append("employee_id")
        row.changed_fields = changed
        row.status = Status.CHANGED if changed else Status.UNCHANGED
    preview.new_departments = sorted(new_departments.values(), key=str.lower)


def preview_with_state(org: Organization, file_bytes: bytes) -> tuple[ImportPreview, State | None]:
    """The preview, and what the organisation holds now (None when the file cannot be read),
    for the import to apply the preview against."""
    preview = ImportPreview()
    raw_rows = read(file_bytes, preview)
    if preview.file_errors:
        return preview, None
    state = _load_state(org)
    _validate(org, raw_rows, preview, state)
    return preview, state


def org_chart_preview(*, org: Organization, file_bytes: bytes) -> ImportPreview:
    """Validate every row of an org-chart CSV and say what importing it would do.
    Writes nothing."""
    return preview_with_state(org, file_bytes)[0]
