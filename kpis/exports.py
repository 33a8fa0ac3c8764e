"""One way out for every results table: CSV or XLSX (tablib), with the numbers the page shows.

A page builds an ``ExportTable`` (a title, the column headings, the rows) from the same
selector result it renders, and answers ``export_response(table, fmt)`` when the request
asks for ``?export=csv`` or ``?export=xlsx`` (docs/DOMAIN.md rule R50). The export is the
page's own view, so it obeys the page's access rule by construction.

- Achievements are written as percentages rounded as the page rounds them (``percent``);
  no data is written as "no data", never as 0 (docs/DOMAIN.md rule R20).
- Text a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return) is neutralised with a leading single quote (``neutralise``): a
  member named ``=HYPERLINK(…)`` stays text.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import tablib
from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

#: The formats a results table exports to, and the query-string key that asks for one.
FORMATS = ("csv", "xlsx")
EXPORT_PARAM = "export"

_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

#: Characters that make a spreadsheet read a cell as a formula (or a command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_ONE_PLACE = Decimal("0.1")


def percent(achievement) -> Decimal | None:
    """An achievement (1 = the target) as the percentage pages and exports show: one
    decimal place, halves rounded up; None stays None ("no data")."""
    if achievement is None:
        return None
    return (Decimal(str(achievement)) * 100).quantize(_ONE_PLACE, rounding=ROUND_HALF_UP)


def plain(value: Decimal | None) -> Decimal | None:
    """A Decimal without trailing zeros (83.0 → 83, 82.50 → 82.5), as the page writes it."""
    if value is None:
        return None
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def neutralise(value):
    """Text that a spreadsheet would run as a formula, made plain text by a leading single
    quote; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def no_data_or(value):
    """A figure, or "no data" where there is none (never 0)."""
    return _("no data") if value is None else value


@dataclass
class ExportTable:
    """A results table as it is exported: ``rows`` hold numbers (Decimal, int), dates or
    text; ``name`` ends up in the file name."""

    name: str
    title: str
    headers: Sequence[str]
    rows: list[list] = field(default_factory=list)

    def add(self, row: Iterable) -> None:
        row = list(row)
        if len(row) != len(self.headers):
            raise ValueError(f"a row of {len(row)} cells under {len(self.headers)} headings")
        self.rows.append(row)


def _cell(value):
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if value is None:
        return ""
    return neutralise(value if isinstance(value, int | float) else str(value))


def dataset(table: ExportTable) -> tablib.Dataset:
    data = tablib.Dataset(headers=[neutralise(str(h)) for h in table.headers])
    # An XLSX sheet's title: 31 characters at most, none of []:*?/\ .
    data.title = re.sub(r"[\[\]:*?/\\]", "-", table.title)[:31] or "Results"
    for row in table.rows:
        data.append([_cell(v) for v in row])
    return data


def requested_format(request) -> str | None:
    """``csv`` or ``xlsx`` when the request asks for an export, None for the page; any other
    value is None too (the page)."""
    fmt = request.GET.get(EXPORT_PARAM, "")
    return fmt if fmt in FORMATS else None


def export_response(table: ExportTable, fmt: str, *, day: datetime.date) -> HttpResponse:
    """The table as a download in ``fmt`` (``csv`` or ``xlsx``)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    data = dataset(table)
    if fmt == "csv":
        content = data.export("csv").encode("utf-8-sig")  # the BOM: spreadsheets read UTF-8
    else:
        content = data.export("xlsx")
    filename = f"{slugify(table.name) or 'results'}-{day.isoformat()}.{fmt}"
    response = HttpResponse(content, content_type=_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
