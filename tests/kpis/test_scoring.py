"""The achievement function of docs/DOMAIN.md section 4, as a table."""

from decimal import Decimal

import pytest

from kpis.scoring import achievement, combine, window_achievement

D = Decimal


@pytest.mark.parametrize(
    ("direction", "actual", "target", "baseline", "expected"),
    [
        # The worked example of docs/DOMAIN.md rule R16: "Reduce time to hire to 20 days",
        # baseline 45, actual 25.
        ("decrease", 25, 20, 45, D("0.8")),
        ("decrease", 20, 20, 45, D(1)),
        ("decrease", 45, 20, 45, D(0)),
        ("decrease", 60, 20, 45, D(0)),  # worse than the baseline: floored at 0
        ("decrease", 10, 20, 45, D("1.2")),  # (45-10)/25 = 1.4, capped
        ("decrease", 15, 20, 45, D("1.2")),
        # Without a baseline above the target: t / a, an actual of 0 is full achievement.
        ("decrease", 25, 20, None, D("0.8")),
        ("decrease", 0, 20, None, D(1)),
        ("decrease", 25, 20, 10, D("0.8")),  # a baseline below the target is ignored
        ("decrease", 40, 0, None, D(0)),
        # Increase with a baseline below the target: (a - b) / (t - b).
        ("increase", 14, 15, 10, D("0.8")),
        ("increase", 10, 15, 10, D(0)),
        ("increase", 5, 15, 10, D(0)),
        ("increase", 16, 15, 10, D("1.2")),
        # Without a baseline (or with one not below the target): a / t.
        ("increase", 12, 15, None, D("0.8")),
        ("increase", 12, 15, 20, D("0.8")),
        ("increase", 0, 15, None, D(0)),
        ("increase", 30, 15, None, D("1.2")),
        ("increase", 0, 0, None, D(1)),
    ],
)
def test_increase_and_decrease(direction, actual, target, baseline, expected):
    assert achievement(direction=direction, actual=actual, target=target, baseline=baseline) == (
        expected
    )


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (95, D(1)),
        (90, D(1)),  # both ends are inside
        (100, D(1)),
        (102, D("0.8")),  # 2 above a range 10 wide
        (88, D("0.8")),
        (110, D(0)),  # a whole width away
        (200, D(0)),  # floored at 0
    ],
)
def test_range(actual, expected):
    assert achievement(direction="range", actual=actual, target_low=90, target_high=100) == (
        expected
    )


@pytest.mark.parametrize(
    ("actual", "expected"), [(1, D(1)), (True, D(1)), (0, D(0)), (False, D(0))]
)
def test_boolean(actual, expected):
    assert achievement(direction="boolean", actual=actual) == expected


def test_no_data_is_none_never_zero():
    assert achievement(direction="increase", actual=None, target=15) is None
    assert achievement(direction="range", actual=None, target_low=1, target_high=2) is None
    assert achievement(direction="boolean", actual=None) is None


def test_no_target_gives_no_score():
    assert achievement(direction="increase", actual=5, target=None) is None
    assert achievement(direction="range", actual=5, target_low=1, target_high=None) is None


def test_the_cap_is_the_organisations():
    assert achievement(direction="increase", actual=30, target=15, cap="1.5") == D("1.5")
    assert achievement(direction="increase", actual=30, target=15, cap=1) == D(1)
    assert achievement(direction="increase", actual=18, target=15, cap="1.5") == D("1.2")


def test_decimal_strings_are_exact():
    assert achievement(direction="increase", actual="4.06", target="4.2", baseline="3.5") == D(
        "0.8"
    )


def test_an_unknown_direction_is_a_programming_error():
    with pytest.raises(ValueError):
        achievement(direction="sideways", actual=1, target=1)


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [("sum", D(12)), ("avg", D(3)), ("last", D(5)), ("min", D(1)), ("max", D(5))],
)
def test_combine_a_periods_measurements(aggregation, expected):
    assert combine([2, 4, 1, 5], aggregation) == expected


def test_combine_without_measurements_has_no_actual():
    assert combine([], "sum") is None
    assert combine([None], "avg") is None


def test_window_achievement_is_the_mean_of_periods_with_data():
    assert window_achievement([D("0.8"), None, D(1)]) == D("0.9")
    assert window_achievement([None, None]) is None
