"""Reads about KPIs: the SMART check, the achievement formula explained on a KPI's own
numbers, and a role's readiness (every drafting rule of docs/DOMAIN.md section 3 for the
role's KRAs and their KPIs). These read KRAs too, which is why they live here: kpis may look left
at kras, never the reverse."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kras import selectors as kra_selectors
from kras.kra_numbers import plain
from kras.models import KRA
from orgs.org_settings import rule_settings
from roles.models import Role

from . import scoring
from .models import KPI, Direction, MeasureType

SPECIFIC_NAME_WORDS = 3
SPECIFIC_DESCRIPTION_CHARS = 20


# --- SMART ----------------------------------------------------------------------------------


def _letter(letter: str, ok: bool, message: str) -> dict:
    return {"letter": letter, "ok": ok, "message": message}


def _specific(kpi: KPI) -> dict:
    words = len((kpi.name or "").split())
    if words >= SPECIFIC_NAME_WORDS or len(kpi.description or "") >= SPECIFIC_DESCRIPTION_CHARS:
        return _letter("S", True, _("Specific: says what is measured."))
    return _letter(
        "S",
        False,
        _("Specific: “%(name)s” is vague; say what is measured, or describe it.")
        % {"name": kpi.name},
    )


def _measurable(kpi: KPI) -> dict:
    missing = []
    if kpi.direction == Direction.RANGE:
        if kpi.target_low is None or kpi.target_high is None:
            missing.append(_("a target range"))
    elif kpi.direction != Direction.BOOLEAN and kpi.target is None:
        missing.append(_("a numeric target"))
    if kpi.measure_type == MeasureType.NUMBER and not kpi.unit:
        missing.append(_("a unit (days, deals, tickets…)"))
    if missing:
        return _letter(
            "M", False, _("Measurable: needs %(what)s.") % {"what": _(" and ").join(missing)}
        )
    return _letter("M", True, _("Measurable: has a target and a unit."))


def _achievable(kpi: KPI) -> dict:
    t, b = kpi.target, kpi.baseline
    if kpi.direction in (Direction.INCREASE, Direction.DECREASE) and t is not None:
        if b is not None and t == b:
            return _letter(
                "A",
                False,
                _(
                    "Achievable: the target equals the baseline (%(b)s); there is nothing to "
                    "achieve."
                )
                % {"b": plain(b)},
            )
        if b is not None and kpi.direction == Direction.INCREASE and t < b:
            return _letter(
                "A",
                False,
                _(
                    "Achievable: higher is better, yet the target (%(t)s) is below the baseline "
                    "(%(b)s). Is the direction right?"
                )
                % {"t": plain(t), "b": plain(b)},
            )
        if b is not None and kpi.direction == Direction.DECREASE and t > b:
            return _letter(
                "A",
                False,
                _(
                    "Achievable: lower is better, yet the target (%(t)s) is above the baseline "
                    "(%(b)s). Is the direction right?"
                )
                % {"t": plain(t), "b": plain(b)},
            )
        if kpi.measure_type == MeasureType.PERCENT and not 0 <= t <= 100:
            if kpi.direction == Direction.DECREASE or t < 0:
                return _letter("A", False, _("Achievable: a percentage lies within 0 to 100."))
        if b is None:
            return _letter("A", True, _("Achievable: no baseline to judge the step against."))
        return _letter(
            "A", True, _("Achievable: a step from %(b)s to %(t)s.") % {"b": plain(b), "t": plain(t)}
        )
    if kpi.measure_type == MeasureType.PERCENT and kpi.direction == Direction.RANGE:
        lo, hi = kpi.target_low, kpi.target_high
        if lo is not None and hi is not None and (lo < 0 or hi > 100):
            return _letter("A", False, _("Achievable: a percentage range lies within 0 to 100."))
    return _letter("A", True, _("Achievable."))


def _relevant(kpi: KPI) -> dict:
    laddered, _message = kra_selectors.ladder_status(kpi.kra)
    if laddered:
        return _letter("R", True, _("Relevant: its KRA ladders up to a strategic objective."))
    return _letter("R", False, _("Relevant: its KRA supports no strategic objective."))


def _time_bound(kpi: KPI) -> dict:
    if not kpi.frequency:
        return _letter("T", False, _("Time-bound: needs a frequency."))
    if kpi.due_date is None:
        return _letter(
            "T",
            False,
            _("Time-bound: measured %(frequency)s but has no due date.")
            % {"frequency": kpi.get_frequency_display().lower()},
        )
    return _letter(
        "T",
        True,
        _("Time-bound: measured %(frequency)s until %(due)s.")
        % {
            "frequency": kpi.get_frequency_display().lower(),
            "due": formats.date_format(kpi.due_date),
        },
    )


def drafting_warnings(kpi: KPI) -> list[str]:
    """What the editor warns about a KPI's own numbers while it is drafted (SMART's "M" and
    "A": no target or unit yet, a baseline on the wrong side of the target). Whatever else
    looks at a drafted KPI (saving a role as a template) treats them the same way: as
    warnings, never as refusals. Reads nothing beyond the KPI."""
    return [item["message"] for item in (_measurable(kpi), _achievable(kpi)) if not item["ok"]]


def kpi_smart(kpi: KPI) -> dict:
    """Which SMART letters a KPI passes, each with a message. ``failing`` lists the failed
    letters in order ("M", "T"); ``ok`` is true when none fails. Reads the KPI's KRA and its
    ladder (select them with the KPI to keep lists at a constant number of queries)."""
    letters = [
        _specific(kpi),
        _measurable(kpi),
        _achievable(kpi),
        _relevant(kpi),
        _time_bound(kpi),
    ]
    failing = [item["letter"] for item in letters if not item["ok"]]
    return {"ok": not failing, "failing": failing, "letters": letters}


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


# --- readiness ----------------------------------------------------------------------------------


def smart_check(kpi: KPI) -> dict:
    smart = kpi_smart(kpi)
    if smart["ok"]:
        message = _("“%(kpi)s” is SMART.") % {"kpi": kpi.name}
    else:
        failing = [item for item in smart["letters"] if not item["ok"]]
        message = _("“%(kpi)s” is not SMART (fails %(letters)s): %(why)s") % {
            "kpi": kpi.name,
            "letters": ", ".join(smart["failing"]),
            "why": " ".join(item["message"] for item in failing),
        }
    check = kra_selectors.make_check(
        "smart", smart["ok"], message, kra_selectors.WARNING, kra=kpi.kra, kpi=kpi
    )
    check["letters"] = smart["failing"]
    return check


def role_readiness(role: Role, *, kras: list[KRA] | None = None) -> list[dict]:
    """Every drafting rule for a role, as checks ``{code, ok, message, severity, kra_id,
    kpi_id}``: KRA count within kra_min..kra_max, KRA weights total 100, and per KRA its
    title, ladder, KPI count and KPI weights, and per KPI the SMART letters. ``severity``
    is "blocking" for what stops an agreement being proposed and "warning" otherwise; while
    drafting nothing blocks. Pass ``kras`` from ``kras.selectors.role_kras`` to reuse them."""
    rules = rule_settings(role.org)
    if kras is None:
        kras = kra_selectors.role_kras(role)
    low, high = rules["kra_min"], rules["kra_max"]
    count = len(kras)
    checks = [
        kra_selectors.make_check(
            "kra_count",
            low <= count <= high,
            ngettext(
                "%(count)d KRA; the organisation asks for %(low)d to %(high)d.",
                "%(count)d KRAs; the organisation asks for %(low)d to %(high)d.",
                count,
            )
            % {"count": count, "low": low, "high": high},
            kra_selectors.BLOCKING,
        )
    ]
    total = kra_selectors.weight_total(kras)
    checks.append(
        kra_selectors.make_check(
            "kra_weights",
            total == 100,
            _("KRA weights total %(total)s of 100.") % {"total": plain(total)},
            kra_selectors.BLOCKING,
        )
    )
    for kra in kras:
        checks.extend(kra_selectors.kra_checks(kra, rules=rules))
        for kpi in kra.kpis.all():
            checks.append(smart_check(kpi))
    return checks


def readiness_summary(checks: list[dict]) -> dict:
    failing = [c for c in checks if not c["ok"]]
    return {
        "ok": not failing,
        "passed": len(checks) - len(failing),
        "total": len(checks),
        "failing": failing,
        "blocking": [c for c in failing if c["severity"] == kra_selectors.BLOCKING],
    }
