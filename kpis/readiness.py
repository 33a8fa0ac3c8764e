"""A role's readiness: every drafting rule of docs/DOMAIN.md section 3 for a role's KRAs
and their KPIs, as checks ``{code, ok, message, severity, kra_id, kpi_id}``.

One home for these rules, whoever asks: the role page and its KRA panel, the readiness
API, template application and saving, and proposing an agreement (``role_readiness`` on
the agreement's content, then ``require_ready_to_propose``). The small pure functions come
first: the KRA-level ones are ``kras.rules``' (KRA count, weights totalling 100, the
ladder, activity verbs; the shipped template library in kras uses them too, as kras may not
import kpis), the KPI-level ones are here (KPI count, KPI weights, SMART).
``role_readiness`` reads the database and puts them together.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kras import rules as kra_rules
from kras import selectors as kra_selectors
from kras.kra_numbers import plain
from kras.models import KRA
from orgs.org_settings import rule_settings
from roles.models import Role

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


# --- KPI-level rules (pure) --------------------------------------------------------------------


def kpi_count_check(kra: KRA, count: int, *, low: int, high: int) -> dict:
    """R2: a KRA has ``low`` to ``high`` KPIs. Blocking."""
    message = ngettext(
        "“%(kra)s”: %(count)d KPI; the organisation asks for %(low)d to %(high)d per KRA.",
        "“%(kra)s”: %(count)d KPIs; the organisation asks for %(low)d to %(high)d per KRA.",
        count,
    ) % {"kra": kra.title, "count": count, "low": low, "high": high}
    return kra_rules.make_check(
        "kpi_count", kra_rules.count_within(count, low, high), message, kra_rules.BLOCKING, kra=kra
    )


def kpi_weights_check(kra: KRA, total: Decimal) -> dict:
    """R4: a KRA's KPI weights total 100. Blocking."""
    return kra_rules.make_check(
        "kpi_weights",
        kra_rules.weights_complete(total),
        _("“%(kra)s”: KPI weights total %(total)s of 100.")
        % {"kra": kra.title, "total": plain(total)},
        kra_rules.BLOCKING,
        kra=kra,
    )


def smart_check(kpi: KPI) -> dict:
    """R7 as a readiness check: a warning, never blocking."""
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
    check = kra_rules.make_check(
        "smart", smart["ok"], message, kra_rules.WARNING, kra=kpi.kra, kpi=kpi
    )
    check["letters"] = smart["failing"]
    return check


# --- a KRA, a role -----------------------------------------------------------------------------


def kra_checks(kra: KRA, *, rules: dict | None = None) -> list[dict]:
    """The drafting rules of one KRA (docs/DOMAIN.md rules R8, R6, R2 and R4): its title is
    an outcome, it ladders up, it has kpi_min..kpi_max KPIs whose weights total 100. Uses
    the KRA's prefetched KPIs and ladder when present."""
    rules = rules or rule_settings(kra.org)
    laddered, message = kra_selectors.ladder_status(kra)
    checks = [
        kra_rules.activity_verb_check(kra, rules["activity_verbs"]),
        kra_rules.ladder_check(
            kra, laddered=laddered, message=message, require_alignment=rules["require_alignment"]
        ),
    ]
    kpis = list(kra.kpis.all())
    checks.append(kpi_count_check(kra, len(kpis), low=rules["kpi_min"], high=rules["kpi_max"]))
    if kpis:
        checks.append(kpi_weights_check(kra, kra_rules.weight_total(kpis)))
    return checks


def role_readiness(role: Role, *, kras: list[KRA] | None = None) -> list[dict]:
    """Every drafting rule for a role, as checks ``{code, ok, message, severity, kra_id,
    kpi_id}``: KRA count within kra_min..kra_max, KRA weights total 100, and per KRA its
    title, ladder, KPI count and KPI weights, and per KPI the SMART letters. ``severity``
    is "blocking" for what stops an agreement being proposed and "warning" otherwise; while
    drafting nothing blocks. Pass ``kras`` from ``kras.selectors.role_kras`` to reuse them."""
    rules = rule_settings(role.org)
    if kras is None:
        kras = kra_selectors.role_kras(role)
    checks = [
        kra_rules.kra_count_check(len(kras), low=rules["kra_min"], high=rules["kra_max"]),
        kra_rules.kra_weights_check(kra_rules.weight_total(kras)),
    ]
    for kra in kras:
        checks.extend(kra_checks(kra, rules=rules))
        for kpi in kra.kpis.all():
            checks.append(smart_check(kpi))
    return checks


def readiness_summary(checks: list[dict]) -> dict:
    """``ok`` (every check passes), ``passed`` of ``total``, the ``failing`` checks, the
    ``blocking`` ones among them, ``failing_codes`` (which rules fail, for a page to mark
    them) and ``ready_to_propose`` (no blocking check fails)."""
    failing = [c for c in checks if not c["ok"]]
    blocking = [c for c in failing if c["severity"] == kra_rules.BLOCKING]
    return {
        "ok": not failing,
        "passed": len(checks) - len(failing),
        "total": len(checks),
        "failing": failing,
        "failing_codes": {c["code"] for c in failing},
        "blocking": blocking,
        "ready_to_propose": not blocking,
    }


def require_ready_to_propose(checks: list[dict]) -> None:
    """Refuse (ValidationError) proposing an agreement while a blocking check of ``checks``
    (``role_readiness``, on the role's KRAs or on the agreement's own) fails: one message
    per failing check, coded by the check."""
    blocking = readiness_summary(checks)["blocking"]
    if blocking:
        raise ValidationError(
            [ValidationError(check["message"], code=check["code"]) for check in blocking]
        )
