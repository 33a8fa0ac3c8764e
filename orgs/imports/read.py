"""Reading an org-chart CSV: decoding, the header's columns, one dict per data row, and
the shapes a preview is made of. Problems with the file as a whole are recorded on the
preview; rows are checked by ``validate``."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ..models import Membership

MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024

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


# --- reading ---------------------------------------------------------------------------


def _normalise_header(value: str) -> str:
    return re.sub(r"[\s\-]+", "_", (value or "").strip().lower())


_HEADER_TO_COLUMN = {
    spelling: column for column, spellings in COLUMNS.items() for spelling in spellings
}


def _label(column: str) -> str:
    return column.replace("_", " ")


def read(file_bytes: bytes, preview: ImportPreview) -> list[tuple[int, dict, bool]]:
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
