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

#: The fewest and the most any count setting (kra_min, kra_max, kpi_min, kpi_max) may be;
#: the rules page and API offer the same range.
COUNT_LOWEST = 0
COUNT_HIGHEST = 20
COUNT_SETTINGS = ("kra_min", "kra_max", "kpi_min", "kpi_max")

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
    # Agreements (docs/DOMAIN.md rules R30 and R31): an HR acknowledgement after the
    # countersignature, and the statement each kind of signer ticks.
    "require_hr_acknowledgement": False,
    "statement_employee": "I have read and agree to these Key Result Areas and KPIs.",
    "statement_manager": (
        "I have agreed these Key Result Areas and KPIs with the employee and will support "
        "their delivery."
    ),
    "statement_hr": "I acknowledge this agreement on behalf of HR.",
}

#: The statement settings, by the kind of signer they are for.
STATEMENT_SETTINGS = {
    "employee": "statement_employee",
    "manager": "statement_manager",
    "hr": "statement_hr",
}
STATEMENT_MAX_LENGTH = 500


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
    for key in COUNT_SETTINGS:
        if key in values:
            try:
                number = int(values[key])
            except (TypeError, ValueError):
                errors[key] = _("Enter a whole number.")
                continue
            if not COUNT_LOWEST <= number <= COUNT_HIGHEST:
                errors[key] = _("Choose a number from %(low)d to %(high)d.") % {
                    "low": COUNT_LOWEST,
                    "high": COUNT_HIGHEST,
                }
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
    if "require_hr_acknowledgement" in values:
        cleaned["require_hr_acknowledgement"] = bool(values["require_hr_acknowledgement"])
    for key in STATEMENT_SETTINGS.values():
        if key in values:
            text = " ".join(str(values[key] or "").split())
            if not text:
                errors[key] = _("Write the statement the signer agrees to.")
            elif len(text) > STATEMENT_MAX_LENGTH:
                errors[key] = _("Keep the statement within %(n)d characters.") % {
                    "n": STATEMENT_MAX_LENGTH
                }
            cleaned[key] = text
    return cleaned, errors


@transaction.atomic
def organization_update_rules(*, org: Organization, actor: Membership | None, **values) -> dict:
    """Change rule settings (keys of DEFAULTS); validated as a whole, audited."""
    unknown = set(values) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"not rule settings: {sorted(unknown)}")
    org = Organization.objects.select_for_update().get(pk=org.pk)
    before = rule_settings(org)
    cleaned = _checked(before, values)
    org.settings = {**(org.settings or {}), **cleaned}
    org.save(update_fields=["settings"])
    after = rule_settings(org)
    changes = audit.diff({k: before[k] for k in cleaned}, {k: after[k] for k in cleaned})
    if changes:
        audit.record(org=org, actor=actor, action="organization.rules", obj=org, changes=changes)
    return after


def _checked(current: dict, values: dict) -> dict:
    """``values`` cleaned; or ValidationError keyed by setting when one is out of its range
    or the settings would disagree with each other (fewest above most, "at risk" above "on
    track")."""
    cleaned, errors = _clean(values)
    merged = {**current, **cleaned}
    if merged["kra_min"] > merged["kra_max"]:
        errors["kra_min"] = _("The least number of KRAs cannot exceed the most.")
    if merged["kpi_min"] > merged["kpi_max"]:
        errors["kpi_min"] = _("The least number of KPIs cannot exceed the most.")
    if Decimal(merged["at_risk_threshold"]) > Decimal(merged["on_track_threshold"]):
        errors["at_risk_threshold"] = _("“At risk” must start below “on track”.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def rule_changes(org: Organization, settings) -> dict:
    """What a whole ``settings`` document (the Django admin edits it as JSON) changes, as
    keyword arguments for ``organization_update_rules``: a setting left out goes back to
    its default. Refuses (ValidationError) anything but an object of rule settings, and
    whatever ``organization_update_rules`` would refuse, with its messages."""
    if not isinstance(settings, dict):
        raise ValidationError(_("Write the settings as a JSON object."))
    unknown = sorted(set(settings) - set(DEFAULTS))
    if unknown:
        raise ValidationError(
            _("Not rule settings: %(keys)s.") % {"keys": ", ".join(map(str, unknown))}
        )
    current = rule_settings(org)
    changes = {
        key: settings.get(key, default)
        for key, default in DEFAULTS.items()
        if settings.get(key, default) != current[key]
    }
    _checked(current, changes)
    return changes
