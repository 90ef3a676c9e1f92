"""The region's own forecast: posts, planned mean, increase, step reached, distance to next."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from allocation.engine import Rules, Step
from submissions.forecast import compute_forecast, rules_for_round
from tests.factories import GrantRoundFactory

RULES = Rules(
    block1=63_000_000,
    block2=160_000_000,
    staircase=tuple(
        Step(min_increase=Fraction(t), payout=p)
        for t, p in [
            (2, 3_000_000),
            (3, 4_500_000),
            (5, 7_500_000),
            (7, 10_500_000),
            (10, 20_000_000),
            (15, 30_000_000),
        ]
    ),
)


def forecast(filled, started, low=50, high=50):
    return compute_forecast(
        filled=filled,
        started=started,
        planned_low=Decimal(low),
        planned_high=Decimal(high),
        rules=RULES,
    )


@pytest.mark.parametrize(
    ("posts", "step_min", "payout", "next_min", "to_next"),
    [
        (49, None, 0, 2, 3),  # a decrease: three more posts reach an increase of 2
        (51, None, 0, 2, 1),  # just below the first step
        (52, 2, 3_000_000, 3, 1),  # exactly on the first step's boundary
        (54, 3, 4_500_000, 5, 1),
        (55, 5, 7_500_000, 7, 2),
        (59, 7, 10_500_000, 10, 1),
        (64, 10, 20_000_000, 15, 1),
        (65, 15, 30_000_000, None, None),  # the highest step: nothing further
        (80, 15, 30_000_000, None, None),
    ],
)
def test_step_reached_and_distance_to_the_next(posts, step_min, payout, next_min, to_next):
    f = forecast(posts, None)
    assert f.posts == posts
    assert f.increase == posts - 50
    assert (f.step.min_increase if f.step else None) == step_min
    assert f.payout == payout
    assert (f.next_step.min_increase if f.next_step else None) == next_min
    assert f.posts_to_next == to_next


def test_a_range_plan_counts_as_its_mean_and_half_posts_round_up_to_the_next_step():
    f = forecast(88, 85, low="84", high="89")  # planned 86.5, posts = max(88, 85)
    assert f.planned == Fraction(173, 2)
    assert f.posts == 88
    assert f.increase == Fraction(3, 2)
    assert f.step is None
    assert f.posts_to_next == 1  # 89 - 86.5 = 2.5 >= 2
    f = forecast(None, 89, low="84", high="89")
    assert f.increase == Fraction(5, 2)
    assert f.payout == 3_000_000
    assert f.posts_to_next == 1  # 90 - 86.5 = 3.5 >= 3


def test_posts_is_the_higher_of_filled_and_started():
    assert forecast(40, 43).posts == 43
    assert forecast(43, None).posts == 43
    assert forecast(None, 7).posts == 7


def test_no_forecast_without_numbers():
    assert forecast(None, None) is None


@pytest.mark.django_db
def test_rules_are_built_from_the_round():
    rules = rules_for_round(GrantRoundFactory())
    assert rules.block1 == 63_000_000
    assert [s.min_increase for s in rules.staircase] == [2, 3, 5, 7, 10, 15]
    assert rules.staircase[-1].payout == 30_000_000
