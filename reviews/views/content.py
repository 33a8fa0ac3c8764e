"""The agreement's content as the pages show it: KRAs with their KPIs, each marked as the
role's, personal, or the role's with a personal target or weight. A draft is read from its
rows (with their ids, for editing in place); anything proposed from its frozen version."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _

from kpis.models import Direction, MeasureType
from kra_platform import formatting

from ..document import agreement_document, draft_items
from ..models import Agreement, AgreementVersion, ItemSource


def _amount(kpi: dict, value) -> str:
    if value is None:
        return "—"
    if kpi.get("measure") == MeasureType.CURRENCY:
        return formatting.money(value, kpi.get("currency") or "")
    if kpi.get("measure") == MeasureType.PERCENT:
        return f"{formatting.number(value)} %"
    return formatting.number(value)


def target_text(kpi: dict, prefix: str = "") -> str:
    if kpi.get("direction") == Direction.BOOLEAN:
        return _("Done")
    if kpi.get("direction") == Direction.RANGE:
        low, high = kpi.get(f"{prefix}target_low"), kpi.get(f"{prefix}target_high")
        if low is None or high is None:
            return "—"
        return f"{_amount(kpi, low)} – {_amount(kpi, high)}"
    return _amount(kpi, kpi.get(f"{prefix}target"))


def _kpi_row(kpi: dict, row=None) -> dict:
    source = kpi.get("source")
    return {
        **kpi,
        "id": row.pk if row is not None else None,
        "is_personal": source == ItemSource.PERSONAL,
        "is_override": source == ItemSource.OVERRIDE,
        "target_text": target_text(kpi),
        "role_target_text": target_text(kpi, "role_") if source == ItemSource.OVERRIDE else "",
        "baseline_text": _amount(kpi, kpi.get("baseline")),
        "is_range": kpi.get("direction") == Direction.RANGE,
    }


def _kra_row(kra: dict, item=None) -> dict:
    rows = list(item.kpis.all()) if item is not None else []
    kpis = kra.get("kpis") or []
    return {
        **kra,
        "id": item.pk if item is not None else None,
        "is_personal": kra.get("source") == ItemSource.PERSONAL,
        "weight_overridden": kra.get("role_weight") is not None,
        "kpi_rows": [
            _kpi_row(kpi, rows[i] if i < len(rows) else None) for i, kpi in enumerate(kpis)
        ],
    }


def version_document(version: AgreementVersion | None) -> dict:
    if version is None:
        return {}
    try:
        document = json.loads(version.canonical_json)
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def draft_content(agreement: Agreement) -> list[dict]:
    """The draft's KRAs, each with its item's and KPIs' ids (three queries)."""
    items = draft_items(agreement)
    document = agreement_document(agreement, number=0, items=items)
    return [_kra_row(kra, item) for kra, item in zip(document["kras"], items, strict=True)]


def frozen_content(document: dict) -> list[dict]:
    return [_kra_row(kra) for kra in document.get("kras") or [] if isinstance(kra, dict)]
