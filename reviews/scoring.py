"""A review's ratings and final score (docs/DOMAIN.md rules R25 to R28, R61): pure functions of
numbers, no database and no settings, so that the review page, the PDF, the API and the
tests compute the same figure.

Arithmetic is in ``Decimal``. What is stored (a KRA's rating, each component, the final
score, each contribution) is rounded half up to three decimals (``STORE``); pages show two
(``SHOW``). The final score is computed from the unrounded components and rounded once, so
it may differ from the sum of the rounded contributions in the third decimal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

STORE = Decimal("0.001")
SHOW = Decimal("0.01")
HUNDRED = Decimal(100)


def stored(value: Decimal | None) -> Decimal | None:
    """``value`` as it is stored: three decimals, half up."""
    return None if value is None else Decimal(value).quantize(STORE, rounding=ROUND_HALF_UP)


def shown(value: Decimal | None) -> Decimal | None:
    """``value`` as pages show it: two decimals, half up."""
    return None if value is None else Decimal(value).quantize(SHOW, rounding=ROUND_HALF_UP)


# --- the rating scale -------------------------------------------------------------------------


def scale_points(scale: Sequence[dict]) -> list[int]:
    """The scale's points, lowest first (``[{"value": 1, "label": …}, …]``)."""
    return sorted(int(point["value"]) for point in scale)


def scale_bounds(scale: Sequence[dict]) -> tuple[Decimal, Decimal]:
    points = scale_points(scale)
    return Decimal(points[0]), Decimal(points[-1])


def scale_label(scale: Sequence[dict], value) -> str:
    """The label of the scale point ``value`` rounds to (half up), or "" without one."""
    if value is None:
        return ""
    nearest = int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    for point in scale:
        if int(point["value"]) == nearest:
            return str(point.get("label", ""))
    return ""


def rating_in_scale(value, scale: Sequence[dict]) -> bool:
    """Whether ``value`` is one of the scale's points (ratings are whole points)."""
    try:
        number = Decimal(value)
    except (ArithmeticError, TypeError, ValueError):
        return False
    if not number.is_finite() or number != number.to_integral_value():
        return False
    return int(number) in scale_points(scale)


# --- a KRA's rating ----------------------------------------------------------------------------


def kra_rating(dimension_ratings: Iterable) -> Decimal | None:
    """A KRA's rating from its dimensions' (docs/DOMAIN.md rule R27): their plain mean;
    None while any dimension is unrated (or there is none)."""
    values = list(dimension_ratings)
    if not values or any(v is None for v in values):
        return None
    return stored(sum((Decimal(v) for v in values), Decimal(0)) / len(values))


def weighted_rating(rows: Iterable[tuple]) -> Decimal | None:
    """The mean of ``(weight, rating)`` rows weighted by weight, over the rated rows: a
    manager's or a self rating over the KRAs by KRA weight. Unrated rows drop out of both
    sums; when the rated rows' weights total 0 the plain mean stands in. None when nothing
    is rated."""
    rated = [(Decimal(w or 0), Decimal(r)) for w, r in rows if r is not None]
    if not rated:
        return None
    total = sum((w for w, _r in rated), Decimal(0))
    if total == 0:
        return stored(sum((r for _w, r in rated), Decimal(0)) / len(rated))
    return stored(sum((w * r for w, r in rated), Decimal(0)) / total)


# --- achievement and growth onto the scale -------------------------------------------------------


def achievement_rating(achievement, bands: Sequence[dict]) -> Decimal | None:
    """KPI achievement on the rating scale (docs/DOMAIN.md rule R26): the first band whose
    ``at_least`` the achievement reaches (bands highest first; the band with ``at_least``
    None takes everything below). No achievement, no rating."""
    if achievement is None:
        return None
    value = Decimal(achievement)
    ordered = sorted(
        (b for b in bands if b.get("at_least") is not None),
        key=lambda b: Decimal(str(b["at_least"])),
        reverse=True,
    )
    for band in ordered:
        if value >= Decimal(str(band["at_least"])):
            return Decimal(band["rating"])
    floor = [b for b in bands if b.get("at_least") is None]
    if floor:
        return Decimal(floor[0]["rating"])
    return None


def growth_rating(progress: Iterable, scale: Sequence[dict]) -> Decimal | None:
    """Growth-plan progress on the rating scale: the mean progress (0–100 %) of the goals
    with a progress, mapped linearly from the lowest point (0 %) to the highest (100 %).
    No goal with a progress, no rating."""
    values = [Decimal(p) for p in progress if p is not None]
    if not values:
        return None
    low, high = scale_bounds(scale)
    mean = sum(values, Decimal(0)) / len(values)
    return stored(low + (high - low) * mean / HUNDRED)


# --- the final score ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    #: The component on the rating scale, or None when absent.
    value: Decimal | None
    #: The cycle's weight (0–100).
    weight: Decimal


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    value: Decimal | None
    weight: Decimal
    #: The weight after the absent components were dropped (the rest scaled back to 100).
    effective_weight: Decimal
    contribution: Decimal | None

    @property
    def counted(self) -> bool:
        return self.value is not None and self.weight > 0

    def as_json(self) -> dict:
        def text(v):
            return None if v is None else str(v)

        return {
            "key": self.key,
            "label": self.label,
            "value": text(self.value),
            "weight": text(self.weight),
            "effective_weight": text(self.effective_weight),
            "contribution": text(self.contribution),
        }


def final_score(components: Sequence[Component]) -> tuple[Decimal | None, list[BreakdownRow]]:
    """The final score and its breakdown (docs/DOMAIN.md rules R25 and R28): each component
    with a value and a weight above 0 counts; absent ones are dropped and the remaining
    weights scaled back up to 100, never counted as zero. Each row says its input, the
    cycle's weight, the weight it counted with and its contribution (input × effective
    weight / 100). No component counts: no score."""
    counted = [c for c in components if c.value is not None and Decimal(c.weight) > 0]
    total = sum((Decimal(c.weight) for c in counted), Decimal(0))
    rows, score = [], Decimal(0)
    for c in components:
        weight = Decimal(c.weight)
        if c in counted:
            effective = weight * HUNDRED / total
            contribution = Decimal(c.value) * effective / HUNDRED
            score += contribution
            rows.append(
                BreakdownRow(
                    c.key,
                    c.label,
                    stored(c.value),
                    weight,
                    stored(effective),
                    stored(contribution),
                )
            )
        else:
            rows.append(
                BreakdownRow(c.key, c.label, stored(c.value), weight, Decimal("0.000"), None)
            )
    return (stored(score) if counted else None), rows
