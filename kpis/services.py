"""Writes of KPIs.

Refused: what makes a KPI inconsistent (a range for a "higher is better" KPI, a range whose
low end is not below its high end, a currency measure without its currency, dates out of
order). Allowed while drafting: what makes it merely incomplete (no target yet, no unit, no
due date); the SMART check in ``kpis.readiness`` names those.

A changed target, range or baseline flags every KRA below the KPI's KRA for review.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kra_platform.ordering import move_in_list, next_position
from kras.kra_numbers import plain
from kras.models import KRA, KRAStatus
from kras.services.cascade import flag_descendants
from orgs import audit
from orgs.models import Membership

from .models import KPI, Direction, MeasureType

KPI_FIELDS = (
    "name",
    "description",
    "measure_type",
    "currency_code",
    "unit",
    "direction",
    "baseline",
    "target",
    "target_low",
    "target_high",
    "frequency",
    "aggregation",
    "weight",
    "start_date",
    "due_date",
    "data_source",
    "position",
)
EDITABLE = tuple(name for name in KPI_FIELDS if name != "position")
#: Changes the cascade carries down (docs/DOMAIN.md rule R10).
CASCADING = ("target", "target_low", "target_high", "baseline")

_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _validate(kpi: KPI) -> None:
    kpi.name = (kpi.name or "").strip()
    kpi.description = (kpi.description or "").strip()
    kpi.unit = (kpi.unit or "").strip()
    kpi.currency_code = (kpi.currency_code or "").strip().upper()
    errors: dict[str, str] = {}
    if not kpi.name:
        errors["name"] = _("A KPI needs a name.")

    is_boolean_measure = kpi.measure_type == MeasureType.BOOLEAN
    is_boolean_direction = kpi.direction == Direction.BOOLEAN
    if is_boolean_measure != is_boolean_direction:
        errors["direction"] = _(
            "A done / not done KPI is measured as done / not done, and only such a KPI is."
        )

    if kpi.measure_type == MeasureType.CURRENCY:
        if not kpi.currency_code:
            errors["currency_code"] = _("A currency measure needs its currency (e.g. USD).")
        elif not _CURRENCY.match(kpi.currency_code):
            errors["currency_code"] = _("Use the three-letter ISO code, e.g. USD or EUR.")
    else:
        # A code left over from an earlier currency measure means nothing now.
        kpi.currency_code = ""

    has_range = kpi.target_low is not None or kpi.target_high is not None
    if kpi.direction == Direction.RANGE:
        if kpi.target is not None:
            errors["target"] = _("A range KPI has a range, not a single target.")
        if (kpi.target_low is None) != (kpi.target_high is None):
            errors["target_high" if kpi.target_high is None else "target_low"] = _(
                "Give both ends of the range."
            )
        elif has_range and kpi.target_low >= kpi.target_high:
            errors["target_high"] = _("The range must end above where it starts.")
    elif has_range:
        errors["target_low"] = _("Only a KPI within a range has a range; give a target instead.")
    if is_boolean_direction and kpi.target is not None and kpi.target not in (0, 1):
        errors["target"] = _("A done / not done KPI has no target but 1 (done).")

    if kpi.start_date and kpi.due_date and kpi.start_date > kpi.due_date:
        errors["due_date"] = _("The due date comes before the start date.")
    try:
        kpi.clean_fields(exclude=["org", "kra", *errors])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages[0])
    if errors:
        raise ValidationError(errors)


def _cascade_reason(kpi: KPI, before: dict, names: list[str]) -> str:
    parts = []
    none = _("(none)")
    for name in names:
        label = str(KPI._meta.get_field(name).verbose_name)
        parts.append(
            f"{label}: {plain(before[name]) or none} → {plain(getattr(kpi, name)) or none}"
        )
    return _("KPI “%(name)s” of “%(kra)s” changed: %(changes)s") % {
        "name": kpi.name,
        "kra": kpi.kra.title,
        "changes": "; ".join(parts),
    }


@transaction.atomic
def kpi_create(*, kra: KRA, actor: Membership | None, name: str, **fields) -> KPI:
    """Add a KPI at the end of ``kra``'s list. ``fields`` are any of ``EDITABLE``."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not KPI fields: {sorted(unknown)}")
    if kra.status == KRAStatus.RETIRED:
        raise ValidationError(_("“%(title)s” is retired; it takes no new KPIs.") % {"title": kra})
    kpi = KPI(org_id=kra.org_id, kra=kra, name=name, **fields)
    _validate(kpi)
    position = next_position(KPI.objects.filter(org_id=kra.org_id, kra=kra))
    kpi.position = position
    kpi.save()
    audit.record(
        org=kra.org,
        actor=actor,
        action="kpi.create",
        obj=kpi,
        changes=audit.diff({}, audit.snapshot(kpi, KPI_FIELDS)),
    )
    return kpi


@transaction.atomic
def kpi_update(*, kpi: KPI, actor: Membership | None, **fields) -> KPI:
    """Change a KPI. A new target, range or baseline flags the KRAs below its KRA."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    kpi = KPI.objects.select_for_update(of=("self",)).select_related("kra__org").get(pk=kpi.pk)
    before = audit.snapshot(kpi, KPI_FIELDS)
    old = {name: getattr(kpi, name) for name in CASCADING}
    for name, value in fields.items():
        setattr(kpi, name, value)
    _validate(kpi)
    changes = audit.diff(before, audit.snapshot(kpi, KPI_FIELDS))
    if not changes:
        return kpi
    kpi.updated_at = timezone.now()
    # currency_code may be cleared by validation even when not sent.
    kpi.save(update_fields=sorted({*fields, "currency_code", "updated_at"}))
    audit.record(org=kpi.kra.org, actor=actor, action="kpi.update", obj=kpi, changes=changes)
    cascading = [name for name in CASCADING if name in changes]
    if cascading:
        flag_descendants(
            source=kpi.kra,
            reason=_cascade_reason(kpi, old, cascading),
            actor=actor,
            link=kpi.get_absolute_url(),
        )
    return kpi


@transaction.atomic
def kpi_delete(*, kpi: KPI, actor: Membership | None) -> None:
    kpi = KPI.objects.select_for_update(of=("self",)).select_related("kra__org").get(pk=kpi.pk)
    org = kpi.kra.org
    before = audit.snapshot(kpi, KPI_FIELDS)
    audit.record(
        org=org,
        actor=actor,
        action="kpi.delete",
        obj=kpi,
        changes=audit.diff({**before, "kra": kpi.kra_id}, {}),
    )
    kpi.delete()


@transaction.atomic
def kpi_move(*, kpi: KPI, actor: Membership | None, direction: str) -> KPI:
    """Swap a KPI with its neighbour above ("up") or below ("down") under its KRA."""
    old, new = move_in_list(
        KPI.objects.filter(org_id=kpi.org_id, kra_id=kpi.kra_id), kpi, direction
    )
    if old != new:
        audit.record(
            org=kpi.org,
            actor=actor,
            action="kpi.reorder",
            obj=kpi,
            changes={"position": {"old": old, "new": new}},
        )
    return kpi
