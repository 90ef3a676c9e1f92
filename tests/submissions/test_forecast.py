"""The region's forecast under RULES.md's 2024 model (the round's model, as data): posts, the
planned mean, the increase, the step of block 2 reached and the posts to the next one."""

from __future__ import annotations

from fractions import Fraction

import pytest

from allocation.allocmodel import model_2024
from allocation.engine import RegionInput
from submissions.forecast import compute_model_forecast
from tests.factories import STAIRCASE_2024

MODEL = model_2024(63_000_000, 160_000_000, STAIRCASE_2024).to_json()


def forecast(filled, started, low=50, high=50):
    """The forecast of a region alone in the round (the 2024 staircase reads only its own
    numbers)."""
    own = RegionInput("Halland", 300_000, Fraction(low), Fraction(high), filled, started, 0)
    return compute_model_forecast(MODEL, [own], "Halland")


def block2(f):
    assert f.error == ""
    return next(block for block in f.blocks if block.id == "block2")


@pytest.mark.parametrize(
    ("posts", "step_min", "payout", "next_min", "to_next"),
    [
        (49, None, None, 2, 3),  # a decrease: three more posts reach an increase of 2
        (51, None, None, 2, 1),  # just below the first step
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
    values = dict(f.values)
    assert values["posts"] == posts
    assert values["increase"] == posts - 50
    block = block2(f)
    assert block.eligible is (step_min is not None)
    assert block.step == ((Fraction(step_min), payout) if step_min is not None else None)
    nxt = block.next_step
    assert (nxt.threshold if nxt else None) == next_min
    assert (nxt.posts_to_next if nxt else None) == to_next


def test_a_range_plan_counts_as_its_mean_and_half_posts_round_up_to_the_next_step():
    f = forecast(88, 85, low=84, high=89)  # planned 86.5, posts = max(88, 85)
    values = dict(f.values)
    assert values["posts"] == 88
    assert values["increase"] == Fraction(3, 2)
    assert block2(f).step is None
    assert block2(f).next_step.posts_to_next == 1  # 89 - 86.5 = 2.5 >= 2
    f = forecast(None, 89, low=84, high=89)
    assert dict(f.values)["increase"] == Fraction(5, 2)
    assert block2(f).step == (2, 3_000_000)
    assert block2(f).next_step.posts_to_next == 1  # 90 - 86.5 = 3.5 >= 3


def test_posts_is_the_higher_of_filled_and_started():
    assert dict(forecast(40, 43).values)["posts"] == 43
    assert dict(forecast(43, None).values)["posts"] == 43
    assert dict(forecast(None, 7).values)["posts"] == 7


def test_block_1_is_shared_and_has_no_step():
    block1 = next(block for block in forecast(52, None).blocks if block.id == "block1")
    assert (block1.kind, block1.eligible, block1.step, block1.next_step) == (
        "share",
        True,
        None,
        None,
    )
    assert block1.budget == 63_000_000
