"""An organisation's rule settings, kept in ``Organization.settings`` (JSON) with defaults
from docs/DOMAIN.md (the settings table, used by rules R1, R2, R6, R8, R19 and R24). Read
them with ``org_setting`` / ``rule_settings``; change them with
``organization_update_rules``, which validates and audits."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit
from .models import Membership, Organization

DEFAULT_ACTIVITY_VERBS = [
    "conduct",
    "execute",
    "attend",
    "perform",
    "handle",
    "do",
    "prepare",
    "coordinate",
    "assist",
    "participate",
    "complete",
    "support",
    "process",
]

DEFAULTS: dict = {
    "kra_min": 3,
    "kra_max": 5,
    "kpi_min": 1,
    "kpi_max": 3,
    "require_alignment": True,
    "activity_verbs": DEFAULT_ACTIVITY_VERBS,
    "overachievement_cap": "1.2",
    "on_track_threshold": "0.9",
    "at_risk_threshold": "0.7",
}


def rule_settings(org: Organization) -> dict:
    """Every rule setting of ``org``, defaults filled in."""
    stored = org.settings or {}
    return {key: stored.get(key, default) for key, default in DEFAULTS.items()}


def org_setting(org: Organization, key: str):
    if key not in DEFAULTS:
        raise KeyError(key)
    return (org.settings or {}).get(key, DEFAULTS[key])


def _clean(values: dict) -> tuple[dict, dict]:
    errors: dict[str, str] = {}
    cleaned = {}
    for key in ("kra_min", "kra_max", "kpi_min", "kpi_max"):
        if key in values:
            try:
                number = int(values[key])
            except (TypeError, ValueError):
                errors[key] = _("Enter a whole number.")
                continue
            if not 0 <= number <= 20:
                errors[key] = _("Choose a number from 0 to 20.")
            cleaned[key] = number
    if "require_alignment" in values:
        cleaned["require_alignment"] = bool(values["require_alignment"])
    if "activity_verbs" in values:
        verbs = values["activity_verbs"]
        if isinstance(verbs, str):
            verbs = verbs.replace("\n", ",").split(",")
        cleaned["activity_verbs"] = sorted({v.strip().lower() for v in verbs if v.strip()})
    for key in ("overachievement_cap", "on_track_threshold", "at_risk_threshold"):
        if key in values:
            try:
                number = Decimal(str(values[key]))
            except InvalidOperation:
                errors[key] = _("Enter a number.")
                continue
            if not Decimal(0) <= number <= Decimal(5):
                errors[key] = _("Choose a number from 0 to 5.")
            cleaned[key] = str(number)
    return cleaned, errors


@transaction.atomic
def organization_update_rules(*, org: Organization, actor: Membership | None, **values) -> dict:
    """Change rule settings (keys of DEFAULTS); validated as a whole, audited."""
    unknown = set(values) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"not rule settings: {sorted(unknown)}")
    cleaned, errors = _clean(values)
    org = Organization.objects.select_for_update().get(pk=org.pk)
    merged = {**rule_settings(org), **cleaned}
    if merged["kra_min"] > merged["kra_max"]:
        errors["kra_min"] = _("The least number of KRAs cannot exceed the most.")
    if merged["kpi_min"] > merged["kpi_max"]:
        errors["kpi_min"] = _("The least number of KPIs cannot exceed the most.")
    if Decimal(merged["at_risk_threshold"]) > Decimal(merged["on_track_threshold"]):
        errors["at_risk_threshold"] = _("“At risk” must start below “on track”.")
    if errors:
        raise ValidationError(errors)
    before = rule_settings(org)
    org.settings = {**(org.settings or {}), **cleaned}
    org.save(update_fields=["settings"])
    changes = audit.diff({k: before[k] for k in cleaned}, {k: merged[k] for k in cleaned})
    if changes:
        audit.record(org=org, actor=actor, action="organization.rules", obj=org, changes=changes)
    return rule_settings(org)
