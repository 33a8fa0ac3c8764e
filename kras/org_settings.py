"""The rule settings the KRA rules read (docs/DOMAIN.md rules R1, R2 and R6): how many KRAs
and KPIs a role has, whether a KRA must align to one above, and the activity verbs a KRA
title should not start with. Registered with orgs' settings framework
(``orgs.org_settings``) in ``KrasConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.org_settings import Setting

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
COUNT_DEFAULTS = {"kra_min": 3, "kra_max": 5, "kpi_min": 1, "kpi_max": 3}
COUNT_SETTINGS = tuple(COUNT_DEFAULTS)


def _count_refusal(number: int) -> str | None:
    if COUNT_LOWEST <= number <= COUNT_HIGHEST:
        return None
    return _("Choose a number from %(low)d to %(high)d.") % {
        "low": COUNT_LOWEST,
        "high": COUNT_HIGHEST,
    }


def _verbs(verbs) -> list[str]:
    if isinstance(verbs, str):
        verbs = verbs.replace("\n", ",").split(",")
    return sorted({str(v).strip().lower() for v in verbs if str(v).strip()})


SETTINGS = (
    *Setting.each(
        COUNT_DEFAULTS,
        clean=int,
        validate=_count_refusal,
        unreadable=gettext_lazy("Enter a whole number."),
    ),
    Setting("require_alignment", True, clean=bool),
    Setting(
        "activity_verbs",
        DEFAULT_ACTIVITY_VERBS,
        clean=_verbs,
        unreadable=gettext_lazy("List the verbs separated by commas."),
    ),
)


def check(merged: dict) -> dict:
    """The counts together: the fewest may not exceed the most."""
    errors = {}
    if merged["kra_min"] > merged["kra_max"]:
        errors["kra_min"] = _("The least number of KRAs cannot exceed the most.")
    if merged["kpi_min"] > merged["kpi_max"]:
        errors["kpi_min"] = _("The least number of KPIs cannot exceed the most.")
    return errors
