"""KPI achievement, exactly as docs/DOMAIN.md section 4 (rules R14 to R21) defines it. Pure
functions of numbers: no database, no settings, so the pages, the rollups and the tests
compute the same figure.

Achievement is a ``Decimal`` (1 = target met), clamped to ``[0, cap]``. A period without data
has no achievement (``None``), never zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

DEFAULT_CAP = Decimal("1.2")

ZERO = Decimal(0)
ONE = Decimal(1)

INCREASE = "increase"
DECREASE = "decrease"
RANGE = "range"
BOOLEAN = "boolean"


def _dec(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return ONE if value else ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value))


def clamp(value: Decimal, cap: Decimal = DEFAULT_CAP) -> Decimal:
    return max(ZERO, min(Decimal(cap), value))


def achievement(
    *,
    direction: str,
    actual,
    target=None,
    baseline=None,
    target_low=None,
    target_high=None,
    cap=DEFAULT_CAP,
) -> Decimal | None:
    """The achievement of one period's ``actual`` against the KPI's target.

    - increase: (a − b) / (t − b) when a baseline below the target is set, else a / t
    - decrease: (b − a) / (b − t) when a baseline above the target is set, else t / a
      (an actual of 0 is full achievement)
    - range [lo, hi]: 1 inside; outside, 1 − distance / (hi − lo), floored at 0
    - boolean: 1 when done (any non-zero actual), 0 when not

    ``None`` when there is no actual (no data) or the KPI has no target to judge it by.
    """
    a = _dec(actual)
    if a is None:
        return None
    cap = Decimal(str(cap))
    t, b = _dec(target), _dec(baseline)

    if direction == BOOLEAN:
        return clamp(ONE if a != ZERO else ZERO, cap)

    if direction == RANGE:
        lo, hi = _dec(target_low), _dec(target_high)
        if lo is None or hi is None:
            return None
        if lo <= a <= hi:
            return clamp(ONE, cap)
        width = hi - lo
        if width <= ZERO:
            return ZERO
        distance = lo - a if a < lo else a - hi
        return clamp(ONE - distance / width, cap)

    if t is None:
        return None

    if direction == INCREASE:
        if b is not None and b < t:
            return clamp((a - b) / (t - b), cap)
        if t == ZERO:
            # a / 0 has no value; reaching a zero target counts as meeting it.
            return clamp(ONE if a >= t else ZERO, cap)
        return clamp(a / t, cap)

    if direction == DECREASE:
        if b is not None and b > t:
            return clamp((b - a) / (b - t), cap)
        if a == ZERO:
            return clamp(ONE, cap)
        return clamp(t / a, cap)

    raise ValueError(f"unknown direction: {direction!r}")


def combine(values: Iterable, aggregation: str) -> Decimal | None:
    """One period's actual from its measurements (in time order): sum, avg, last, min, max.
    No measurement, no actual."""
    numbers = [_dec(v) for v in values]
    numbers = [n for n in numbers if n is not None]
    if not numbers:
        return None
    if aggregation == "sum":
        return sum(numbers, ZERO)
    if aggregation == "avg":
        return sum(numbers, ZERO) / len(numbers)
    if aggregation == "last":
        return numbers[-1]
    if aggregation == "min":
        return min(numbers)
    if aggregation == "max":
        return max(numbers)
    raise ValueError(f"unknown aggregation: {aggregation!r}")


def window_achievement(period_achievements: Iterable[Decimal | None]) -> Decimal | None:
    """Achievement over a longer window: the mean of the periods that have data."""
    with_data = [v for v in period_achievements if v is not None]
    if not with_data:
        return None
    return sum(with_data, ZERO) / len(with_data)
