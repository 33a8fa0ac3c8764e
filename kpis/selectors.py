"""Reads about KPIs: the achievement formula explained on a KPI's own numbers. A KPI's
SMART check and a role's readiness are ``kpis/readiness.py``'s."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from kras.kra_numbers import plain
from orgs.org_settings import rule_settings

from . import scoring
from .models import KPI, Direction

# --- the achievement formula ------------------------------------------------------------------


def _two(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _nice(value: Decimal) -> Decimal:
    """An example actual that reads well: at most two decimals."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize() + 0


def achievement_formula(kpi: KPI, *, cap=None) -> dict:
    """How docs/DOMAIN.md section 4 scores this KPI, as words: ``formula`` (the rule for its
    direction and numbers), ``example`` (a worked example on its own numbers, or None while
    the target is missing), ``cap`` and ``notes``.

    "Reduce time to hire to 20 days", baseline 45 → formula "(baseline − actual) /
    (baseline − target)", example "Reduce time to hire to 20 days, baseline 45: with an
    actual of 25, (45−25)/(45−20) = 0.80"."""
    if cap is None:
        cap = rule_settings(kpi.kra.org)["overachievement_cap"]
    cap = Decimal(str(cap))
    t, b = kpi.target, kpi.baseline
    notes = [
        _("Achievement is kept between 0 and %(cap)s (the organisation's over-achievement cap).")
        % {"cap": plain(cap)},
        _("A period without a measurement has no score (no data), never zero."),
    ]
    formula, example, actual = "", None, None

    def score(a):
        return scoring.achievement(
            direction=kpi.direction,
            actual=a,
            target=t,
            baseline=b,
            target_low=kpi.target_low,
            target_high=kpi.target_high,
            cap=cap,
        )

    if kpi.direction == Direction.INCREASE:
        if t is not None and b is not None and b < t:
            formula = _("(actual − baseline) / (target − baseline)")
            actual = _nice(b + (t - b) * Decimal("0.8"))
            example = f"({plain(actual)}−{plain(b)})/({plain(t)}−{plain(b)})"
        else:
            formula = _("actual / target")
            if t is not None and t != 0:
                actual = _nice(t * Decimal("0.8"))
                example = f"{plain(actual)}/{plain(t)}"
            elif t is not None:
                notes.append(_("With a target of 0, reaching it counts as full achievement."))
    elif kpi.direction == Direction.DECREASE:
        if t is not None and b is not None and b > t:
            formula = _("(baseline − actual) / (baseline − target)")
            actual = _nice(b - (b - t) * Decimal("0.8"))
            example = f"({plain(b)}−{plain(actual)})/({plain(b)}−{plain(t)})"
        else:
            formula = _("target / actual")
            notes.append(_("An actual of 0 counts as full achievement."))
            if t is not None and t != 0:
                actual = _nice(t / Decimal("0.8"))
                example = f"{plain(t)}/{plain(actual)}"
    elif kpi.direction == Direction.RANGE:
        formula = _(
            "1 inside the range; outside it, 1 − distance from the range / (high − low), at least 0"
        )
        lo, hi = kpi.target_low, kpi.target_high
        if lo is not None and hi is not None and hi > lo:
            actual = _nice(hi + (hi - lo) * Decimal("0.2"))
            example = f"1 − ({plain(actual)}−{plain(hi)})/({plain(hi)}−{plain(lo)})"
    else:
        formula = _("1 when done, 0 when not")
        actual = Decimal(1)
        example = _("done")

    worked = None
    if example is not None and actual is not None:
        result = score(actual)
        lead = kpi.name
        if kpi.direction == Direction.RANGE:
            lead = _("%(name)s, range %(lo)s to %(hi)s") % {
                "name": kpi.name,
                "lo": plain(kpi.target_low),
                "hi": plain(kpi.target_high),
            }
        elif b is not None and kpi.direction != Direction.BOOLEAN:
            lead = _("%(name)s, baseline %(b)s") % {"name": kpi.name, "b": plain(b)}
        if kpi.direction == Direction.BOOLEAN:
            worked = _("%(lead)s: done → 1, not done → 0") % {"lead": lead}
        else:
            worked = _("%(lead)s: with an actual of %(a)s, %(calc)s = %(result)s") % {
                "lead": lead,
                "a": plain(actual),
                "calc": example,
                "result": _two(result),
            }
    return {
        "direction": kpi.direction,
        "formula": formula,
        "example": worked,
        "cap": plain(cap),
        "notes": notes,
    }
