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
deactivated (and, as in the membership service, may stay a manager but not become one).
Members given a new manager are told so.

- ``read``: decoding the file and its columns; the shapes of a preview.
- ``validate``: the row checks (the reporting-line rules are ``orgs.people_rules``') and
  what importing each row would do: ``org_chart_preview``.
- ``apply``: the import itself, ``org_chart_import``.
"""

from .apply import MEMBER_FIELDS, ImportResult, org_chart_import
from .read import (
    COLUMNS,
    EXAMPLE_CSV,
    MAX_BYTES,
    MAX_ROWS,
    REQUIRED_COLUMNS,
    ImportPreview,
    PreviewRow,
    Status,
)
from .validate import MAX_DEPARTMENT_DEPTH, org_chart_preview

__all__ = [
    "COLUMNS",
    "EXAMPLE_CSV",
    "MAX_BYTES",
    "MAX_DEPARTMENT_DEPTH",
    "MAX_ROWS",
    "MEMBER_FIELDS",
    "REQUIRED_COLUMNS",
    "ImportPreview",
    "ImportResult",
    "PreviewRow",
    "Status",
    "org_chart_import",
    "org_chart_preview",
]
