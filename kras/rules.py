"""The drafting rules that speak of KRAs alone, as small pure functions (no database, no
settings look-up): how many KRAs a role has (docs/DOMAIN.md rule R1), weights totalling
100 (R3, and R4 for a KRA's KPIs), where the ladder stands (R6) and activity verbs in a
title (R8). Each check is ``{code, ok, message, severity, kra_id, kpi_id}``.

The role page, the readiness API, the shipped template library and proposing an agreement
all decide through these functions: ``kpis/readiness.py`` builds a role's readiness from
them (it adds the KPI-level rules), and ``kras/library/loader.py`` checks shipped templates
with ``count_within`` and ``weights_complete``, since kras may not import kpis.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .kra_numbers import plain

BLOCKING = "blocking"
WARNING = "warning"

#: What the weights of a role's KRAs, or of a KRA's KPIs, add up to (percentages).
WEIGHT_TOTAL = Decimal(100)

_ACTIVITY_SUFFIXES = ("", "s", "es", "ing", "ed", "d")


def make_check(code: str, ok: bool, message: str, severity: str, *, kra=None, kpi=None) -> dict:
    return {
        "code": code,
        "ok": ok,
        "message": message,
        "severity": severity,
        "kra_id": kra.pk if kra is not None else None,
        "kpi_id": kpi.pk if kpi is not None else None,
    }


# --- counts and weights ------------------------------------------------------------------------


def count_within(count: int, low: int, high: int) -> bool:
    """A count of KRAs (or KPIs) within the organisation's range, both ends included."""
    return low <= count <= high


def weight_sum(weights: Iterable[Decimal | int | None]) -> Decimal:
    """The sum of some weights; a missing one counts as 0."""
    return sum((Decimal(w) for w in weights if w is not None), Decimal(0))


def weight_total(items) -> Decimal:
    """The sum of the ``weight`` of KRAs or KPIs."""
    return weight_sum(item.weight for item in items)


def weights_complete(total: Decimal) -> bool:
    """Weights are complete when they total exactly 100, no more, no less."""
    return total == WEIGHT_TOTAL


def kra_count_check(count: int, *, low: int, high: int) -> dict:
    """R1: a role has ``low`` to ``high`` KRAs. Blocking."""
    return make_check(
        "kra_count",
        count_within(count, low, high),
        ngettext(
            "%(count)d KRA; the organisation asks for %(low)d to %(high)d.",
            "%(count)d KRAs; the organisation asks for %(low)d to %(high)d.",
            count,
        )
        % {"count": count, "low": low, "high": high},
        BLOCKING,
    )


def kra_weights_check(total: Decimal) -> dict:
    """R3: a role's KRA weights total 100. Blocking."""
    return make_check(
        "kra_weights",
        weights_complete(total),
        _("KRA weights total %(total)s of 100.") % {"total": plain(total)},
        BLOCKING,
    )


# --- the ladder and the title ---------------------------------------------------------------


def ladder_check(kra, *, laddered: bool, message: str, require_alignment: bool) -> dict:
    """R6: the KRA reaches an active objective (``kras.selectors.ladder_status`` says whether
    and where); blocking while the organisation requires alignment, a warning otherwise."""
    return make_check(
        "ladder", laddered, message, BLOCKING if require_alignment else WARNING, kra=kra
    )


def activity_verb(title: str, verbs) -> str | None:
    """The activity verb ``title`` starts with ("Conduct …", "Handling …"), if any."""
    words = re.findall(r"[^\W\d_]+", (title or "").lower())
    if not words:
        return None
    first = words[0]
    for verb in verbs:
        verb = verb.strip().lower()
        stem = verb[:-1] if verb.endswith("e") else verb
        if verb and any(first in (verb + s, stem + s) for s in _ACTIVITY_SUFFIXES):
            return verb
    return None


def activity_verb_check(kra, verbs) -> dict:
    """R8: a KRA's title names an outcome, not an activity. A warning."""
    verb = activity_verb(kra.title, verbs)
    return make_check(
        "activity_verb",
        verb is None,
        _("“%(kra)s” names an outcome.") % {"kra": kra.title}
        if verb is None
        else _("“%(kra)s” starts with “%(verb)s”: KRAs are outcomes, not tasks.")
        % {"kra": kra.title, "verb": verb},
        WARNING,
        kra=kra,
    )
