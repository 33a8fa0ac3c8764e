"""The rule settings the KPI scoring reads (docs/DOMAIN.md rules R19 and R24): the
overachievement cap and the "on track" / "at risk" thresholds. Registered with orgs'
settings framework (``orgs.org_settings``) in ``KpisConfig.ready()``."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.org_settings import Setting

RATIO_DEFAULTS = {
    "overachievement_cap": "1.2",
    "on_track_threshold": "0.9",
    "at_risk_threshold": "0.7",
}


def _ratio(value) -> str:
    return str(Decimal(str(value)))


def _ratio_refusal(value: str) -> str | None:
    if Decimal(0) <= Decimal(value) <= Decimal(5):
        return None
    return _("Choose a number from 0 to 5.")


SETTINGS = Setting.each(
    RATIO_DEFAULTS,
    clean=_ratio,
    validate=_ratio_refusal,
    unreadable=gettext_lazy("Enter a number."),
) + (
    # Whether a person's own values count at once or wait for their manager's confirmation
    # (kpis/measurements.py).
    Setting("own_values_need_confirmation", False, clean=bool),
)


def check(merged: dict) -> dict:
    """The thresholds together: "at risk" starts below "on track"."""
    if Decimal(merged["at_risk_threshold"]) > Decimal(merged["on_track_threshold"]):
        return {"at_risk_threshold": _("“At risk” must start below “on track”.")}
    return {}
