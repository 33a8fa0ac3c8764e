"""Results from a CSV file: read it, preview every row (what it would record, or every
problem), and record the whole file only once every row is valid.

Columns (the header names them; case, spaces and order do not matter): ``person`` (the
person's email or employee id), ``kpi`` (the KPI's id), ``period_start`` (YYYY-MM-DD), ``value``,
and optionally ``note``, ``source_ref`` (the same reference sent again updates that value)
and ``evidence_url``. The rows are checked by the same code as every other entry
(``kpis/measurements.py`` ``check_rows``)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from orgs.emails import normalize_email
from orgs.models import Membership, Organization

from . import measurements

MAX_BYTES = 5 * 1024 * 1024

COLUMNS: dict[str, tuple[str, ...]] = {
    "person": ("person", "email", "employee_id", "employee", "person_email"),
    "kpi": ("kpi", "kpi_id"),
    "period_start": ("period_start", "period", "period_from", "start"),
    "value": ("value", "actual", "result"),
    "note": ("note", "notes", "comment"),
    "source_ref": ("source_ref", "source_reference", "reference", "ref"),
    "evidence_url": ("evidence_url", "evidence", "evidence_link"),
}
REQUIRED = ("person", "kpi", "period_start", "value")

EXAMPLE_CSV = (
    "person,kpi,period_start,value,note,source_ref\r\n"
    "dana.reyes@example.com,12,2026-03-01,42,Strong month,crm-2026-03-dana\r\n"
    "E002,12,2026-03-01,37,,crm-2026-03-sam\r\n"
)


@dataclass
class PreviewRow:
    number: int  # as a spreadsheet numbers it: the header is row 1
    person: str = ""
    kpi: str = ""
    period_start: str = ""
    value: str = ""
    note: str = ""
    source_ref: str = ""
    evidence_url: str = ""
    errors: list[str] = field(default_factory=list)
    person_name: str = ""
    kpi_name: str = ""


@dataclass
class Preview:
    rows: list[PreviewRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # the file as a whole

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.problems and not self.invalid

    @property
    def invalid(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def messages(self) -> list[str]:
        """The file's problems, then every row's, each naming its row."""
        rows = [
            _("Row %(n)s: %(message)s") % {"n": row.number, "message": message}
            for row in self.rows
            for message in row.errors
        ]
        return [*self.problems, *rows]


def _header(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", (value or "").strip().lower()).strip("_")


def _read(file_bytes: bytes, preview: Preview) -> list[PreviewRow]:
    if len(file_bytes) > MAX_BYTES:
        preview.problems.append(_("The file is larger than 5 MB; split it."))
        return []
    try:
        text = file_bytes.decode("utf-8-sig")
    except UnicodeDecodeError:
        preview.problems.append(_("The file is not UTF-8 text; save it as CSV UTF-8."))
        return []
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        preview.problems.append(_("The file is empty."))
        return []
    names = {}
    for index, raw in enumerate(header):
        for column, spellings in COLUMNS.items():
            if _header(raw) in spellings and column not in names:
                names[column] = index
    missing = [column for column in REQUIRED if column not in names]
    if missing:
        preview.problems.append(
            _("The header lacks the column(s): %(names)s.") % {"names": ", ".join(missing)}
        )
        return []
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        values = {
            column: (cells[index].strip() if index < len(cells) else "")
            for column, index in names.items()
        }
        rows.append(PreviewRow(number=number, **values))
    if len(rows) > measurements.BULK_LIMIT:
        preview.problems.append(
            _("The file has %(count)s rows; at most %(n)s at a time.")
            % {"count": f"{len(rows):,}", "n": f"{measurements.BULK_LIMIT:,}"}
        )
        return []
    if not rows:
        preview.problems.append(_("The file has no rows under its header."))
    return rows


def _people(org: Organization, rows: list[PreviewRow]) -> dict[str, Membership]:
    """The people the rows name, by normalised email and by employee id (one query)."""
    emails = {normalize_email(r.person) for r in rows if "@" in r.person}
    ids = {r.person for r in rows if r.person and "@" not in r.person}
    found = {}
    for member in (
        Membership.objects.filter(org=org)
        .filter(Q(user__email__in=emails) | Q(employee_id__in=ids))
        .select_related("user")
    ):
        found[member.user.email] = member
        if member.employee_id:
            found.setdefault(member.employee_id, member)
    return found


def _key(text: str) -> str:
    return normalize_email(text) if "@" in text else text


def _rows_for_service(org, rows: list[PreviewRow]) -> list[dict]:
    people = _people(org, rows)
    out = []
    for row in rows:
        person = people.get(_key(row.person))
        if person is None:
            row.errors.append(
                _("No one in this organisation has the email or employee id “%(p)s”.")
                % {"p": row.person[:80]}
            )
        else:
            row.person_name = person.user.full_name or person.user.email
        out.append(
            {
                "kpi": row.kpi,
                "person": person.pk if person else None,
                "period_start": row.period_start,
                "value": row.value,
                "note": row.note,
                "source_ref": row.source_ref,
                "evidence_url": row.evidence_url,
            }
        )
    return out


def measurement_import_preview(
    *, org: Organization, actor: Membership, file_bytes: bytes
) -> Preview:
    """What importing the file would record, row by row, or every problem. Writes nothing."""
    preview = Preview()
    preview.rows = _read(file_bytes, preview)
    if not preview.rows:
        return preview
    service_rows = _rows_for_service(org, preview.rows)
    cleaned, failed = measurements.check_rows(org=org, actor=actor, rows=service_rows)
    for clean, row in zip(cleaned, preview.rows, strict=True):
        if clean.get("kpi") is not None:
            row.kpi_name = clean["kpi"].name
    for error in failed:
        row = preview.rows[error.row - 1]
        for name, message in error.errors.items():
            if name == "person" and service_rows[error.row - 1]["person"] is None:
                continue  # already said: nobody by that email or id
            row.errors.append(message)
    return preview


def measurement_import(
    *, org: Organization, actor: Membership, file_bytes: bytes
) -> measurements.BulkResult:
    """Record every row of the file, or nothing: ValidationError when any row is bad."""
    preview = Preview()
    preview.rows = _read(file_bytes, preview)
    if preview.problems:
        raise ValidationError(preview.problems)
    rows = _rows_for_service(org, preview.rows)
    unknown = [r.number for r in preview.rows if r.errors]
    if unknown:
        raise ValidationError(_("Some rows name nobody in this organisation."))
    return measurements.measurement_bulk_upsert(org=org, actor=actor, rows=rows, source="csv")
