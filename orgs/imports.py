"""Org-chart import from a CSV file.

The file is validated as a whole before anything is written: every row gets every error it
has, so an administrator fixes the spreadsheet once instead of once per upload. A valid file
is applied in one transaction; importing the same file again changes nothing and records
nothing.

Columns (header names are case- and space-insensitive): ``email`` and ``full name`` are
required; ``employee id``, ``department`` (a path such as ``Sales/Inside Sales``),
``job title`` and ``manager email`` are optional. A column that is absent leaves that field
of existing members alone; an empty cell in a present column clears it.

People who have no account get one without a usable password, made by the organisation:
they are let in later through a sign-in link. People who already have an account (in
another organisation, say) are never attached silently: they get an invitation to accept,
and until they do the organisation knows them by the name in its own file. The result counts
both as "added or invited", so an import never tells whether an address had an account. Org
roles are never changed by an import, and deactivated members listed in the file stay
deactivated. Members given a new manager are told so.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit, tenancy
from .emails import normalize_email
from .models import AuditEvent, Department, Invitation, Membership, Organization, OrgRole, User
from .services.departments import department_create
from .services.invitations import invitations_for_import
from .services.members import notify_new_manager

MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024
MAX_DEPARTMENT_DEPTH = 10
_NAME_MAX = Department._meta.get_field("name").max_length
_ACCOUNT_BATCH = 1000


def _batches(items: list[str]) -> list[list[str]]:
    return [items[i : i + _ACCOUNT_BATCH] for i in range(0, len(items), _ACCOUNT_BATCH)]


_FULL_NAME_MAX = User._meta.get_field("full_name").max_length
_EMAIL_MAX = User._meta.get_field("email").max_length
_JOB_TITLE_MAX = Membership._meta.get_field("job_title").max_length
_EMPLOYEE_ID_MAX = Membership._meta.get_field("employee_id").max_length

# Canonical column name -> header spellings accepted after normalising (see _normalise_header).
COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email", "e_mail", "email_address", "work_email"),
    "full_name": ("full_name", "name", "employee_name"),
    "employee_id": ("employee_id", "employee_number", "employee_no", "emp_id"),
    "department": ("department", "department_path", "dept"),
    "job_title": ("job_title", "title", "position"),
    "manager_email": ("manager_email", "manager", "manager_e_mail", "reports_to"),
}
REQUIRED_COLUMNS = ("email", "full_name")
# Membership fields an import may set, in the order the audit trail shows them.
MEMBER_FIELDS = ("department", "manager", "job_title", "employee_id")
_COLUMN_FOR_FIELD = {
    "department": "department",
    "manager": "manager_email",
    "job_title": "job_title",
    "employee_id": "employee_id",
}

EXAMPLE_CSV = (
    "email,full name,employee id,department,job title,manager email\r\n"
    "dana.reyes@example.com,Dana Reyes,E001,,Chief Executive Officer,\r\n"
    "sam.patel@example.com,Sam Patel,E002,Sales,Head of Sales,dana.reyes@example.com\r\n"
    "lee.chen@example.com,Lee Chen,E003,Sales/Inside Sales,Inside Sales Representative,"
    "sam.patel@example.com\r\n"
    "ana.silva@example.com,Ana Silva,E004,Human Resources,HR Manager,dana.reyes@example.com\r\n"
)


class Status:
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    INVALID = "invalid"


@dataclass
class PreviewRow:
    """One data row of the file, as read, with what importing it would do or why it cannot."""

    number: int  # as a spreadsheet numbers it: the header is row 1
    email: str = ""
    full_name: str = ""
    employee_id: str = ""
    department: str = ""
    job_title: str = ""
    manager_email: str = ""
    errors: list[str] = field(default_factory=list)
    status: str = Status.INVALID
    changed_fields: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def changed_labels(self) -> list[str]:
        return [str(Membership._meta.get_field(name).verbose_name) for name in self.changed_fields]


@dataclass
class ImportPreview:
    columns: list[str] = field(default_factory=list)
    rows: list[PreviewRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    new_departments: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.file_errors and all(r.is_valid for r in self.rows)

    @property
    def messages(self) -> list[str]:
        """Every problem, file-level first, then "Row N: …" for each row error."""
        out = list(self.file_errors)
        for row in self.rows:
            out.extend(
                _("Row %(row)d: %(error)s") % {"row": row.number, "error": error}
                for error in row.errors
            )
        return out

    @property
    def counts(self) -> dict[str, int]:
        counts = {s: 0 for s in (Status.NEW, Status.CHANGED, Status.UNCHANGED, Status.INVALID)}
        for row in self.rows:
            counts[row.status] += 1
        return counts


@dataclass
class ImportResult:
    #: People added or invited. One number for both: whether an address already had an
    #: account (in another organisation) is not the importing organisation's to learn.
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    departments_created: int = 0


# --- reading ---------------------------------------------------------------------------


def _normalise_header(value: str) -> str:
    return re.sub(r"[\s\-]+", "_", (value or "").strip().lower())


_HEADER_TO_COLUMN = {
    spelling: column for column, spellings in COLUMNS.items() for spelling in spellings
}


def _label(column: str) -> str:
    return column.replace("_", " ")


def _read(file_bytes: bytes, preview: ImportPreview) -> list[tuple[int, dict, bool]]:
    """Decode and split the file. Returns (row number, values, has stray cells) per data row
    and records file-level problems on ``preview``."""
    if len(file_bytes) > MAX_BYTES:
        preview.file_errors.append(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
        return []
    try:
        text = file_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        preview.file_errors.append(
            _(
                "The file is not UTF-8 text (unreadable byte at position %(pos)d). "
                "Save it from your spreadsheet as “CSV UTF-8” and upload it again."
            )
            % {"pos": exc.start}
        )
        return []
    if "\x00" in text:
        preview.file_errors.append(_("The file is not a CSV text file."))
        return []
    first_line = text.split("\n", 1)[0]
    # Spreadsheets in many locales export with semicolons.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, dict, bool]] = []
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            preview.file_errors.append(_("The file is empty: it needs a header row."))
            return []
        positions: dict[str, int] = {}
        for index, cell in enumerate(header):
            column = _HEADER_TO_COLUMN.get(_normalise_header(cell))
            if column is None:
                continue
            if column in positions:
                preview.file_errors.append(
                    _("Two columns mean “%(column)s”: keep one.") % {"column": _label(column)}
                )
                return []
            positions[column] = index
        missing = [c for c in REQUIRED_COLUMNS if c not in positions]
        if missing:
            preview.file_errors.append(
                _("Missing required column(s): %(missing)s. The header row needs: %(expected)s.")
                % {
                    "missing": ", ".join(_label(c) for c in missing),
                    "expected": ", ".join(_label(c) for c in COLUMNS),
                }
            )
            return []
        preview.columns = [c for c in COLUMNS if c in positions]
        width = len(header)
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are common at the end of exported sheets
            if len(rows) >= MAX_ROWS:
                preview.file_errors.append(
                    _("The file has more than %(max)d rows. Split it into smaller files.")
                    % {"max": MAX_ROWS}
                )
                return []
            values = {
                column: (cells[index].strip() if index < len(cells) else "")
                for column, index in positions.items()
            }
            stray = any(cell.strip() for cell in cells[width:])
            rows.append((number, values, stray))
    except csv.Error as exc:
        preview.file_errors.append(
            _("The file cannot be read as CSV near row %(row)d: %(error)s")
            % {"row": reader.line_num, "error": exc}
        )
        return []
    if not rows:
        preview.file_errors.append(_("The file has a header but no people."))
    return rows


# --- validating ------------------------------------------------------------------------


def _split_path(path: str) -> list[str]:
    return [part.strip() for part in path.split("/")]


def _path_key(parts) -> tuple[str, ...]:
    # Sibling departments are unique case-insensitively (see the model's constraint).
    return tuple(part.lower() for part in parts)


@dataclass
class _State:
    """What the organisation holds now, loaded in a constant number of queries."""

    members: dict[str, Membership]  # by email
    departments: dict[tuple[str, ...], Department]  # by lower-cased path
    department_keys: dict[int, tuple[str, ...]]  # department id -> its path key
    invited: dict[str, Invitation] = field(default_factory=dict)  # pending, by email


def _pending_invitations(org: Organization) -> dict[str, Invitation]:
    from django.utils import timezone

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


def _load_state(org: Organization) -> _State:
    members = {
        m.user.email.lower(): m
        for m in Membership.objects.filter(org=org).select_related(
            "user", "department", "manager__user", "awaited_manager"
        )
    }
    by_id = {d.pk: d for d in Department.objects.filter(org=org)}
    keys: dict[int, tuple[str, ...]] = {}

    def key_of(department: Department) -> tuple[str, ...]:
        if department.pk not in keys:
            parent = by_id.get(department.parent_id)
            prefix = key_of(parent) if parent is not None else ()
            keys[department.pk] = (*prefix, department.name.lower())
        return keys[department.pk]

    for department in by_id.values():
        key_of(department)
    return _State(
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


def _find_cycles(manager_of: dict[str, str | None]) -> dict[str, list[str]]:
    """Each node that sits on a reporting cycle, mapped to the cycle's members in order."""
    state: dict[str, int] = {}  # 1: on the walk in progress, 2: finished
    on_cycle: dict[str, list[str]] = {}
    for start in manager_of:
        if start in state:
            continue
        walk: list[str] = []
        position: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in state:
            state[node] = 1
            position[node] = len(walk)
            walk.append(node)
            node = manager_of.get(node)
        if node is not None and state[node] == 1:
            cycle = walk[position[node] :]
            for member in cycle:
                on_cycle[member] = cycle
        for member in walk:
            state[member] = 2
    return on_cycle


def _validate(org: Organization, raw_rows, preview: ImportPreview, state: _State) -> None:
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
            parts = _split_path(row.department)
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
        active = {email for email, m in state.members.items() if m.is_active}
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
            elif manager not in in_file and manager not in active and manager not in state.invited:
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
        cycles = _find_cycles(manager_of)
        for row in rows:
            cycle = cycles.get(row.email)
            if cycle and first_row_of_email.get(row.email) == row.number:
                start = cycle.index(row.email)
                loop = cycle[start:] + cycle[:start] + [row.email]
                row.errors.append(
                    _("This would make a reporting cycle: %(cycle)s.") % {"cycle": " → ".join(loop)}
                )

    _plan(preview, state)


def _plan(preview: ImportPreview, state: _State) -> None:
    """Say, for each valid row, whether it is new, changed (and what) or unchanged."""
    columns = set(preview.columns)
    new_departments: dict[tuple[str, ...], str] = {}
    for row in preview.rows:
        if not row.is_valid:
            row.status = Status.INVALID
            continue
        if row.department:
            parts = _split_path(row.department)
            for depth in range(1, len(parts) + 1):
                key = _path_key(parts[:depth])
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
            wanted = _path_key(_split_path(row.department)) if row.department else ()
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


def _preview(org: Organization, file_bytes: bytes) -> tuple[ImportPreview, _State | None]:
    preview = ImportPreview()
    raw_rows = _read(file_bytes, preview)
    if preview.file_errors:
        return preview, None
    state = _load_state(org)
    _validate(org, raw_rows, preview, state)
    return preview, state


def org_chart_preview(*, org: Organization, file_bytes: bytes) -> ImportPreview:
    """Validate every row of an org-chart CSV and say what importing it would do.
    Writes nothing."""
    return _preview(org, file_bytes)[0]


# --- applying --------------------------------------------------------------------------


def _audit_event(*, org, user, action: str, obj, changes: dict) -> AuditEvent:
    # Mirrors audit.record, unsaved, so thousands of rows go in with one bulk insert.
    return AuditEvent(
        org=org,
        actor=user,
        actor_label=(user.email if user is not None else "system"),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        changes=changes,
    )


def _ensure_departments(
    org: Organization, actor: Membership | None, rows: list[PreviewRow], state: _State
) -> int:
    created = 0
    for row in rows:
        if not row.department:
            continue
        parts = _split_path(row.department)
        parent = None
        for depth in range(1, len(parts) + 1):
            key = _path_key(parts[:depth])
            department = state.departments.get(key)
            if department is None:
                department = department_create(
                    org=org, actor=actor, name=parts[depth - 1], parent=parent
                )
                state.departments[key] = department
                state.department_keys[department.pk] = key
                created += 1
            parent = department
    return created


def _levels(with_managers: list[PreviewRow], new_rows: list[PreviewRow]) -> dict[str, int]:
    """How far below the existing members each new row sits through new managers: 0 when its
    manager already exists (or it has none), 1 when its manager is a level-0 new row, …"""
    manager_of = {row.email: row.manager_email for row in with_managers}
    new = {row.email for row in new_rows}
    levels: dict[str, int] = {}
    for row in new_rows:
        chain: list[str] = []
        on_chain: set[str] = set()
        node = row.email
        # Walked iteratively: a file may hold one long chain of command. Validation has
        # refused cycles; on_chain only keeps a bug from looping forever.
        while node in new and node not in levels and node not in on_chain:
            chain.append(node)
            on_chain.add(node)
            node = manager_of.get(node, "")
        level = levels[node] if node in levels else -1
        for email in reversed(chain):
            level += 1
            levels[email] = level
    return levels


@transaction.atomic
def org_chart_import(
    *, org: Organization, actor: Membership | None, file_bytes: bytes
) -> ImportResult:
    """Apply an org-chart CSV: create missing departments along the paths, accounts and
    memberships for people without an account, invitations for people who have one, update
    existing members, then set the reporting lines.

    Raises ValidationError listing every problem ("Row 4: …") and writes nothing when any row
    is invalid. Only members whose data changes are written and audited.
    """
    # One import at a time per organisation: the second one validates against the first's
    # result instead of racing it.
    Organization.objects.select_for_update().only("pk").get(pk=org.pk)
    preview, state = _preview(org, file_bytes)
    if not preview.is_valid:
        raise ValidationError(preview.messages)
    assert state is not None
    columns = set(preview.columns)
    rows = preview.rows
    user = getattr(actor, "user", actor)
    result = ImportResult()
    result.departments_created = _ensure_departments(org, actor, rows, state)

    def department_for(row: PreviewRow) -> Department | None:
        if not row.department:
            return None
        return state.departments[_path_key(_split_path(row.department))]

    # Accounts: people who have one are invited; the rest get one, made by the organisation
    # without a password (one unusable value for all: it opens nothing, and hashing 20,000
    # times is slow).
    # Row-level security shows an account to a look-up by its exact email only, so both the
    # check and the insert (which reads its rows back) name their emails, a batch at a time.
    new_rows = [row for row in rows if row.status == Status.NEW]
    existing: set[str] = set()
    for batch in _batches([row.email for row in new_rows]):
        tenancy.look_up_accounts(batch)
        existing.update(User.objects.filter(email__in=batch).values_list("email", flat=True))
    invite_rows = [row for row in new_rows if row.email in existing]
    add_rows = [row for row in new_rows if row.email not in existing]
    no_password = make_password(None)
    users = {
        row.email: User(email=row.email, full_name=row.full_name, password=no_password)
        for row in add_rows
    }
    for batch in _batches(list(users)):
        tenancy.look_up_accounts(batch)
        User.objects.bulk_create([users[email] for email in batch])

    changed_rows = [row for row in rows if row.status == Status.CHANGED]
    before = {
        row.email: audit.snapshot(state.members[row.email], MEMBER_FIELDS) for row in changed_rows
    }
    # Free the employee ids that move, so that two members may swap theirs.
    moving_ids = [
        state.members[row.email].pk for row in changed_rows if "employee_id" in row.changed_fields
    ]
    if moving_ids:
        Membership.objects.filter(pk__in=moving_ids).update(employee_id="")

    members = dict(state.members)
    # The invitations first, so that those reporting to an invited person can await them;
    # an invitation's own manager, when new too, is set once the members exist.
    invitations = dict(state.invited)
    invited = invitations_for_import(
        org=org,
        actor=actor,
        people=[
            {
                "email": row.email,
                "full_name": row.full_name,
                "job_title": row.job_title,
                "department": department_for(row),
                "manager": members.get(row.manager_email)
                if "manager_email" in columns and row.manager_email
                else None,
            }
            for row in invite_rows
        ],
    )
    invitations.update({invitation.email: invitation for invitation in invited})

    def reporting_line(row: PreviewRow) -> tuple[Membership | None, Invitation | None]:
        """(manager, awaited invitation) for the row's manager email."""
        if "manager_email" not in columns or not row.manager_email:
            return None, None
        if row.manager_email in members:
            return members[row.manager_email], None
        return None, invitations[row.manager_email]

    # New members go in managers first, level by level, so that each one's manager already
    # has an id when it is inserted and no second pass over thousands of rows is needed.
    created: list[Membership] = []
    levels = _levels(add_rows if "manager_email" in columns else [], add_rows)
    for level in sorted(set(levels.values())):
        batch = []
        for row in add_rows:
            if levels[row.email] != level:
                continue
            manager, awaited = reporting_line(row)
            batch.append(
                Membership(
                    org=org,
                    user=users[row.email],
                    role=OrgRole.MEMBER,
                    employee_id=row.employee_id,
                    job_title=row.job_title,
                    department=department_for(row),
                    manager=manager,
                    awaited_manager=awaited,
                    account_created_by_org=True,
                )
            )
        Membership.objects.bulk_create(batch, batch_size=1000)
        members.update({m.user.email.lower(): m for m in batch})
        created.extend(batch)

    late_managers = []
    for row, invitation in zip(invite_rows, invited, strict=True):
        if invitation.manager_id is None and row.manager_email in members:
            invitation.manager = members[row.manager_email]
            late_managers.append(invitation)
    Invitation.objects.bulk_update(late_managers, ["manager"], batch_size=500)

    new_manager = []
    for row in changed_rows:
        member = members[row.email]
        for name in row.changed_fields:
            if name == "department":
                member.department = department_for(row)
            elif name == "manager":
                member.manager, member.awaited_manager = reporting_line(row)
                if member.manager is not None and member.is_active:
                    new_manager.append(member)
            else:
                setattr(member, name, getattr(row, name))
    Membership.objects.bulk_update(
        [members[row.email] for row in changed_rows],
        [*MEMBER_FIELDS, "awaited_manager"],
        batch_size=500,
    )
    for member in new_manager:
        notify_new_manager(member, member.manager)

    events = [
        _audit_event(
            org=org,
            user=user,
            action="membership.create",
            obj=member,
            changes=audit.diff(
                {},
                {"role": member.role, **audit.snapshot(member, MEMBER_FIELDS)},
            ),
        )
        for member in created
    ]
    events.extend(
        _audit_event(
            org=org,
            user=user,
            action="invitation.create",
            obj=invitation,
            changes={
                "email": {"old": None, "new": invitation.email},
                "role": {"old": None, "new": invitation.role},
            },
        )
        for invitation in invited
    )
    for row in changed_rows:
        member = members[row.email]
        events.append(
            _audit_event(
                org=org,
                user=user,
                action="membership.update",
                obj=member,
                changes=audit.diff(before[row.email], audit.snapshot(member, MEMBER_FIELDS)),
            )
        )
    result.created = len(created) + len(invited)
    result.updated = len(changed_rows)
    result.unchanged = sum(1 for row in rows if row.status == Status.UNCHANGED)
    if result.created or result.updated or result.departments_created:
        events.append(
            _audit_event(
                org=org,
                user=user,
                action="org_chart.import",
                obj=org,
                changes={
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "departments_created": result.departments_created,
                },
            )
        )
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return result
