"""A review's ratings and final score (docs/DOMAIN.md rules R25 to R28), as tables of
hand-computed cases."""

from decimal import Decimal

import pytest

from reviews.models import DEFAULT_ACHIEVEMENT_BANDS, DEFAULT_RATING_SCALE
from reviews.scoring import (
    Component,
    achievement_rating,
    final_score,
    growth_rating,
    kra_rating,
    rating_in_scale,
    scale_label,
    shown,
    weighted_rating,
)

D = Decimal


@pytest.mark.parametrize(
    ("dimensions", "expected"),
    [
        # Quality 4, efficiency 3, timeliness 5: (4 + 3 + 5) / 3 = 4.
        ((4, 3, 5), D("4.000")),
        # (4 + 4 + 3) / 3 = 3.6666… → 3.667 stored, 3.67 shown.
        ((4, 4, 3), D("3.667")),
        ((2,), D("2.000")),
        # A dimension not rated yet: no KRA rating.
        ((4, None, 5), None),
        ((), None),
    ],
)
def test_a_kras_rating_is_the_mean_of_its_dimensions(dimensions, expected):
    assert kra_rating(dimensions) == expected


def test_ratings_are_stored_with_three_decimals_and_shown_with_two():
    assert shown(kra_rating((4, 4, 3))) == D("3.67")
    assert shown(D("2.345")) == D("2.35")  # half up


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # KRA weights 40/30/30, ratings 4/3/5: (160 + 90 + 150) / 100 = 4.0.
        (((40, 4), (30, 3), (30, 5)), D("4.000")),
        # An unrated KRA drops out of both sums: (160 + 90) / 70 = 3.571…
        (((40, 4), (30, 3), (30, None)), D("3.571")),
        # Only zero weights: the plain mean.
        (((0, 4), (0, 2)), D("3.000")),
        (((40, None),), None),
    ],
)
def test_a_rating_over_the_kras_is_weighted_by_kra_weight(rows, expected):
    assert weighted_rating(rows) == expected


@pytest.mark.parametrize(
    ("achievement", "rating"),
    [
        ("1.2", 5),
        ("1.1", 5),  # exactly on the edge: the band it reaches
        ("1.0999", 4),
        ("1.0", 4),
        ("0.9999", 3),
        ("0.9", 3),
        ("0.8999", 2),
        ("0.75", 2),
        ("0.7499", 1),
        ("0", 1),
    ],
)
def test_achievement_maps_to_a_rating_by_the_cycles_bands(achievement, rating):
    assert achievement_rating(D(achievement), DEFAULT_ACHIEVEMENT_BANDS) == D(rating)


def test_no_achievement_gives_no_rating():
    assert achievement_rating(None, DEFAULT_ACHIEVEMENT_BANDS) is None


@pytest.mark.parametrize(
    ("progress", "expected"),
    [
        # Mean progress 50 % on a 1–5 scale: 1 + 4 × 0.5 = 3.
        ((40, 60), D("3.000")),
        ((100,), D("5.000")),
        ((0,), D("1.000")),
        # A goal without progress drops out: mean of 75 → 1 + 4 × 0.75 = 4.
        ((75, None), D("4.000")),
        ((None,), None),
        ((), None),
    ],
)
def test_growth_progress_maps_linearly_onto_the_scale(progress, expected):
    assert growth_rating(progress, DEFAULT_RATING_SCALE) == expected


def _components(manager, achievement, self_rating, growth, weights=(50, 30, 10, 10)):
    values = (manager, achievement, self_rating, growth)
    keys = ("manager", "achievement", "self", "growth")
    return [
        Component(k, k, None if v is None else D(v), D(w))
        for k, v, w in zip(keys, values, weights, strict=True)
    ]


def test_the_final_score_is_the_weighted_sum_of_its_components():
    # 4 × 0.5 + 3 × 0.3 + 5 × 0.1 + 3 × 0.1 = 2 + 0.9 + 0.5 + 0.3 = 3.7
    score, rows = final_score(_components("4", "3", "5", "3"))
    assert score == D("3.700")
    assert [r.contribution for r in rows] == [D("2.000"), D("0.900"), D("0.500"), D("0.300")]
    assert [r.effective_weight for r in rows] == [D("50.000"), D("30.000"), D("10.000")] + [
        D("10.000")
    ]


def test_an_absent_component_is_dropped_and_the_rest_renormalised_never_zero():
    # No KPI data: weights 50, 10, 10 of 70 → 71.43 %, 14.29 %, 14.29 %.
    # 4 × 50/70 + 5 × 10/70 + 3 × 10/70 = (200 + 50 + 30) / 70 = 4.0
    score, rows = final_score(_components("4", None, "5", "3"))
    assert score == D("4.000")
    achievement = rows[1]
    assert achievement.value is None and achievement.contribution is None
    assert achievement.effective_weight == 0
    assert rows[0].effective_weight == D("71.429")
    # Counted as zero it would have been 2 + 0 + 0.5 + 0.3 = 2.8.
    assert score != D("2.800")


def test_a_component_with_weight_zero_is_left_out():
    score, rows = final_score(_components("4", "2", "5", "3", weights=(70, 30, 0, 0)))
    # 4 × 0.7 + 2 × 0.3 = 3.4
    assert score == D("3.400")
    assert rows[2].contribution is None


def test_no_component_gives_no_score():
    score, _rows = final_score(_components(None, None, None, None))
    assert score is None


@pytest.mark.parametrize(
    ("value", "ok"),
    [(1, True), (5, True), ("3", True), (0, False), (6, False), ("3.5", False), ("x", False)],
)
def test_a_rating_is_a_point_of_the_scale(value, ok):
    assert rating_in_scale(value, DEFAULT_RATING_SCALE) is ok


def test_a_rating_reads_as_its_nearest_label():
    assert scale_label(DEFAULT_RATING_SCALE, D("3.7")) == "Exceeds expectations"
    assert scale_label(DEFAULT_RATING_SCALE, None) == ""
