"""What changed between two versions of an agreement, read from their frozen canonical JSON
(docs/DOMAIN.md rule R32): KRAs, KPIs and growth goals added, removed or changed, each
change with its old and new value. Pure functions over the documents; nothing is read from
today's rows.

KRAs are matched by title, KPIs by name within their KRA, growth goals by their goal: a
renamed one shows as one removed and one added.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .models import ItemSource

#: The fields compared, with the label a person reads.
KRA_FIELDS = {
    "source": _("source"),
    "definition": _("definition"),
    "area_of_focus": _("area of focus"),
    "priority": _("priority"),
    "weight": _("weight (%)"),
    "role_weight": _("role's weight (%)"),
}
KPI_FIELDS = {
    "source": _("source"),
    "description": _("description"),
    "measure": _("measure"),
    "currency": _("currency"),
    "unit": _("unit"),
    "direction": _("direction"),
    "baseline": _("baseline"),
    "target": _("target"),
    "target_low": _("range from"),
    "target_high": _("range to"),
    "role_target": _("role's target"),
    "personal_reason": _("why a personal target"),
    "frequency": _("frequency"),
    "aggregation": _("combined by"),
    "weight": _("weight (%)"),
    "start_date": _("from"),
    "due_date": _("until"),
}
GOAL_FIELDS = {
    "measurable_target": _("measurable target"),
    "due_date": _("due date"),
    "measured_by": _("how it will be measured"),
}
HEADER_FIELDS = {
    "period_start": _("period from"),
    "period_end": _("period until"),
}


@dataclass(frozen=True)
class Change:
    label: str
    old: object
    new: object


@dataclass
class Entry:
    """One KRA, KPI or growth goal: ``added``, ``removed`` or ``changed`` (with the field
    changes); a KRA also carries the changes of its KPIs."""

    kind: str  # "kra", "kpi" or "goal"
    name: str
    state: str  # "added", "removed", "changed"
    changes: list[Change] = field(default_factory=list)
    kpis: list[Entry] = field(default_factory=list)


@dataclass
class VersionDiff:
    header: list[Change]
    kras: list[Entry]
    goals: list[Entry]

    @property
    def is_empty(self) -> bool:
        return not (self.header or self.kras or self.goals)


def _document(text: str) -> dict:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _shown(name: str, value):
    """A value as a person reads it: the source's label rather than its code."""
    if name == "source" and value in ItemSource.values:
        return str(ItemSource(value).label)
    return value


def _field_changes(old: dict, new: dict, fields: dict) -> list[Change]:
    return [
        Change(str(label), _shown(name, old.get(name)), _shown(name, new.get(name)))
        for name, label in fields.items()
        if old.get(name) != new.get(name)
    ]


def _keyed(rows, key: str) -> dict:
    keyed: dict = {}
    for row in rows or ():
        if isinstance(row, dict):
            keyed.setdefault(str(row.get(key, "")), row)
    return keyed


def _compare(kind: str, key: str, old_rows, new_rows, fields: dict, nested=None) -> list[Entry]:
    old, new = _keyed(old_rows, key), _keyed(new_rows, key)
    entries = []
    for name, row in new.items():
        if name not in old:
            entries.append(Entry(kind, name, "added", kpis=_added_kpis(row) if nested else []))
            continue
        changes = _field_changes(old[name], row, fields)
        kpis = nested(old[name], row) if nested else []
        if changes or kpis:
            entries.append(Entry(kind, name, "changed", changes, kpis))
    entries.extend(Entry(kind, name, "removed") for name in old if name not in new)
    return entries


def _added_kpis(kra: dict) -> list[Entry]:
    return [Entry("kpi", str(k.get("name", "")), "added") for k in kra.get("kpis") or ()]


def _kpis_of(old_kra: dict, new_kra: dict) -> list[Entry]:
    return _compare("kpi", "name", old_kra.get("kpis"), new_kra.get("kpis"), KPI_FIELDS)


def version_diff(old_text: str, new_text: str) -> VersionDiff:
    """The changes from the version frozen as ``old_text`` to the one frozen as
    ``new_text`` (their canonical JSON)."""
    old, new = _document(old_text), _document(new_text)
    header = _field_changes(old.get("agreement") or {}, new.get("agreement") or {}, HEADER_FIELDS)
    return VersionDiff(
        header=header,
        kras=_compare(
            "kra", "title", old.get("kras"), new.get("kras"), KRA_FIELDS, nested=_kpis_of
        ),
        goals=_compare("goal", "goal", old.get("growth_plan"), new.get("growth_plan"), GOAL_FIELDS),
    )
