"""The fast engine against the all-Fraction reference: every amount and every exact figure.

allocation/engine.py decides roundings and residual orders with integer bounds and falls back
to exact Fractions only where the bounds cannot decide; allocation/engine_reference.py is the
original computation with Fractions throughout. They must agree on every input, in
particular the adversarial ones: equal rates, amounts of exactly x.5, tiny budgets, many
ties broken by name, steps exceeding the block, qualifiers without posts.
"""

from __future__ import annotations

import dataclasses
import random
from fractions import Fraction
from functools import cmp_to_key

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocation import engine, engine_reference
from allocation.engine import RegionInput, Rules, Step
from allocation.exact import FRACTION_BITS, half_up_shares, ratio_sum, top_indices

FIELDS = [f.name for f in dataclasses.fields(engine_reference.RegionResult)]
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def assert_same(rules: Rules, regions: list[RegionInput]) -> engine.Allocation:
    fast = engine.allocate(rules, regions)
    reference = engine_reference.allocate(rules, regions)
    assert len(fast.regions) == len(reference.regions)
    for mine, theirs in zip(fast.regions, reference.regions, strict=True):
        for name in FIELDS:
            value, expected = getattr(mine, name), getattr(theirs, name)
            assert value == expected, (mine.name, name, value, expected)
            assert type(value) is type(expected), (mine.name, name, value, expected)
    assert fast.block1 == reference.block1
    assert fast.block2 == reference.block2
    assert fast.steps_scale == reference.steps_scale
    assert type(fast.steps_scale) is Fraction
    assert fast.warnings == reference.warnings
    assert fast.total_paid == reference.total_paid
    return fast


# --- strategies -------------------------------------------------------------------------

# Case, accents and digits: plain str order puts "B" < "a" < "Ö" < "ö".
NAME_CHARS = "aAbBzZöÖå_1"
names = st.text(alphabet=NAME_CHARS, min_size=1, max_size=3)

budgets = st.one_of(
    st.integers(0, 50),  # tiny: amounts below a krona, many exact halves
    st.integers(0, 10**4),
    st.integers(0, 10**9),
    st.integers(10**12, 10**15),  # far beyond any real budget
)

thresholds = st.fractions(min_value=-5, max_value=30, max_denominator=4)


@st.composite
def staircases(draw: st.DrawFn) -> tuple[Step, ...]:
    """Strictly increasing thresholds (negative ones let regions without posts qualify),
    non-decreasing payouts, small or large (small budgets make the steps exceed block 2)."""
    steps = sorted(draw(st.sets(thresholds, max_size=5)))
    payout_range = draw(st.sampled_from([(0, 10), (0, 1000), (0, 50_000_000)]))
    payouts = sorted(draw(st.lists(st.integers(*payout_range), min_size=len(steps), max_size=5)))
    return tuple(Step(t, p) for t, p in zip(steps, payouts, strict=False))


rules_strategy = st.builds(Rules, block1=budgets, block2=budgets, staircase=staircases())

plan_bounds = st.fractions(min_value=0, max_value=60, max_denominator=3)


@st.composite
def regions(draw: st.DrawFn, max_size: int = 12) -> list[RegionInput]:
    """Regions whose rates are often equal (shared base rate scaled by a factor), with
    populations from 1 up to millions and plans that are whole, halves or thirds."""
    region_names = draw(st.lists(names, max_size=max_size, unique=True))
    base_rates = draw(
        st.lists(st.tuples(st.integers(0, 40), st.integers(1, 50)), min_size=1, max_size=3)
    )
    result = []
    for name in region_names:
        if draw(st.booleans()):
            posts, population = draw(st.sampled_from(base_rates))
            factor = draw(st.integers(1, 5))
            posts, population = posts * factor, population * factor
        else:
            posts = draw(st.integers(0, 400))
            population = draw(st.one_of(st.integers(1, 100), st.integers(20_000, 3_000_000)))
        low = draw(plan_bounds)
        high = low + draw(st.sampled_from([0, 0, 1, 2, 5]))
        deducted = draw(st.integers(0, min(posts, 3)))
        started = draw(st.none() | st.integers(0, posts))
        result.append(
            RegionInput(
                name=name,
                population=population,
                planned_low=low,
                planned_high=high,
                filled=posts,
                started=started,
                deducted=deducted,
            )
        )
    return result


@SETTINGS
@given(rules_strategy, regions())
def test_fast_engine_equals_reference(rules: Rules, inputs: list[RegionInput]) -> None:
    assert_same(rules, inputs)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    st.integers(1, 60),
    st.integers(0, 40),
    st.integers(1, 30),
    st.lists(st.integers(0, 10), min_size=1, max_size=3),
)
def test_equal_rates_and_tiny_budgets(
    budget: int, posts: int, count: int, payouts: list[int]
) -> None:
    """Every region has the same rate: every share is budget / count, often exactly x.5,
    and every residual krona is placed by name."""
    rules = Rules(
        block1=budget,
        block2=budget,
        staircase=tuple(Step(Fraction(i), p) for i, p in enumerate(sorted(payouts), 1)),
    )
    labels = [f"r{i:02d}" for i in range(count)]
    random.Random(count).shuffle(labels)  # input order is not name order
    inputs = [RegionInput(label, 1000, Fraction(0), Fraction(0), posts, None) for label in labels]
    assert_same(rules, inputs)


@settings(max_examples=8, deadline=None, derandomize=True)
@given(st.integers(0, 2**32), rules_strategy)
def test_many_regions_with_real_sized_numbers(seed: int, rules: Rules) -> None:
    """A few hundred regions: exact denominators of thousands of bits."""
    rnd = random.Random(seed)
    inputs = []
    for i in range(rnd.randint(100, 300)):
        posts = rnd.randint(0, 400)
        planned = Fraction(max(0, posts - rnd.randint(-5, 25)))
        inputs.append(
            RegionInput(
                f"Region {i}",
                rnd.randint(20_000, 3_000_000),
                planned,
                planned + rnd.choice([0, 0, 1, 5]),
                posts,
                rnd.choice([None, max(0, posts - 2)]),
            )
        )
    assert_same(rules, inputs)


# --- constructed cases --------------------------------------------------------------------


def region(name: str, posts: int, population: int = 100, planned: Fraction | int = 0):
    return RegionInput(name, population, Fraction(planned), Fraction(planned), posts, None)


def test_exact_halves_are_decided_exactly() -> None:
    """3 kr among two equal rates: 1.5 each, both round to 2 (half up), one krona too many is
    taken from the first name in plain str order ("B" < "a")."""
    result = assert_same(Rules(block1=3, block2=0, staircase=()), [region("a", 1), region("B", 1)])
    assert [(r.name, r.block1, r.block1_rounding) for r in result.regions] == [
        ("a", 2, 0),
        ("B", 1, -1),
    ]


def test_exact_halves_need_the_exact_fallback() -> None:
    shares = half_up_shares(3, [1, 1], [100, 100], lambda: Fraction(2, 100))
    assert shares.undecided == [0, 1]
    assert shares.rounded == [2, 2]
    # Just off the half: decided by the bounds alone, the fallback is never called.
    shares = half_up_shares(3, [1, 1], [100, 101], lambda: pytest.fail("fallback"))
    assert shares.undecided == []
    assert shares.rounded == [2, 1]  # 303/201 = 1.507..., 300/201 = 1.492...


def test_block2_tie_of_different_steps_is_broken_by_name() -> None:
    """Equal block 2 amounts from different steps: A = 4 + 2 * 1/4 = 4.5 and
    B = 3 + 2 * 3/4 = 4.5; both round up to 5, one krona too many (10 vs 9), taken from "A"
    by name. The integer bounds cannot order them; the exact comparison does."""
    rules = Rules(block1=0, block2=9, staircase=(Step(Fraction(1), 3), Step(Fraction(2), 4)))
    result = assert_same(rules, [region("B", 30, planned=29), region("A", 10, planned=8)])
    by_name = result.by_name()
    assert (by_name["A"].block2_exact, by_name["B"].block2_exact) == (Fraction(9, 2),) * 2
    assert (by_name["A"].block2, by_name["B"].block2) == (4, 5)


def test_many_ties_at_the_cut_go_by_name() -> None:
    """101 equal rates and 50 kr: 0.495... each rounds to 0, all 50 kronor go to the first
    50 names."""
    inputs = [region(f"n{i:03d}", 2, population=500) for i in reversed(range(101))]
    result = assert_same(Rules(block1=50, block2=0, staircase=()), inputs)
    paid = sorted(r.name for r in result.regions if r.block1)
    assert paid == [f"n{i:03d}" for i in range(50)]


def test_steps_exceeding_the_block_and_qualifiers_without_posts() -> None:
    rules = Rules(block1=7, block2=10, staircase=(Step(Fraction(-1), 4), Step(Fraction(1), 5)))
    inputs = [region("a", 0), region("b", 0), region("c", 3, planned=1)]
    result = assert_same(rules, inputs)
    assert [w.code for w in result.warnings] == ["steps_exceed_block2"]
    rules = Rules(block1=7, block2=100, staircase=(Step(Fraction(-1), 4),))
    result = assert_same(rules, [region("a", 0), region("b", 0)])
    assert [w.code for w in result.warnings] == ["zero_posts_total", "zero_rate_qualifiers"]


def test_results_compare_by_value() -> None:
    rules = Rules(block1=100, block2=10, staircase=(Step(Fraction(1), 3),))
    inputs = [region("a", 3, planned=1), region("b", 2)]
    first, second = engine.allocate(rules, inputs), engine.allocate(rules, inputs)
    assert first == second and first.regions[0] == second.regions[0]
    assert hash(first.regions[0]) == hash(second.regions[0])
    assert first.regions[0] != first.regions[1]
    assert repr(first.regions[0]).startswith("RegionResult(name='a', filled=3,")
    with pytest.raises(AttributeError):
        first.regions[0].block1 = 5  # type: ignore[misc]


# --- the building blocks ------------------------------------------------------------------


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.integers(1, 10**9),
    st.lists(st.tuples(st.integers(0, 50), st.integers(1, 60)), min_size=1, max_size=30),
)
def test_half_up_shares_match_fractions(budget, pairs) -> None:
    posts, pops = [p for p, _ in pairs], [q for _, q in pairs]
    if not any(posts):
        posts[0] = 1
    total = ratio_sum(posts, pops)
    assert total == sum((Fraction(p, q) for p, q in zip(posts, pops, strict=True)), Fraction(0))
    exact = [budget * Fraction(p, q) / total for p, q in zip(posts, pops, strict=True)]
    shares = half_up_shares(budget, posts, pops, lambda: total)
    assert shares.rounded == [engine.round_half_up(x) for x in exact]
    for x, low in zip(exact, shares.scaled, strict=True):
        assert low <= 2 * x * 2**FRACTION_BITS <= low + shares.slack
    assert shares.low <= total * 2**shares.bits <= shares.high


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(st.integers(0, 6), min_size=1, max_size=40),
    st.integers(0, 3),
    st.integers(1, 45),
    st.randoms(use_true_random=False),
)
def test_top_indices_is_the_exact_order_prefix(values, slack, m, rnd) -> None:
    """Integer "true" amounts (times 4), approximate keys anywhere in [v - slack, v]."""
    m = min(m, len(values))
    labels = [f"{rnd.randint(0, 5)}-{i}" for i in range(len(values))]
    keys = [4 * v - rnd.randint(0, slack) for v in values]
    exact_order = sorted(range(len(values)), key=lambda i: (-values[i], labels[i]))
    chosen = top_indices(
        m,
        list(range(len(values))),
        keys,
        slack,
        lambda window: sorted(window, key=lambda i: (-values[i], labels[i])),
    )
    assert sorted(chosen) == sorted(exact_order[:m])


@settings(max_examples=150, deadline=None, derandomize=True)
@given(rules_strategy, regions(max_size=8))
def test_block2_order_agrees_with_exact_amounts(rules: Rules, inputs: list[RegionInput]) -> None:
    """The block 2 comparison (used only for the few regions near the cut) against sorting by
    the exact amounts, on every pair of qualifiers, not only the near-ties."""
    result = engine.allocate(rules, inputs)
    if not result.regions:
        return
    run = result.regions[0]._run
    if run.block2_mode != engine._SHARED:
        return
    qualifiers = run.qualifiers
    payouts = [step.payout if step else 0 for step in run.steps]
    shares = half_up_shares(
        run.remainder_budget,
        [run.posts[i] for i in qualifiers],
        [run.pops[i] for i in qualifiers],
        run.remainder_total,
    )
    order = engine._Block2Order(run, payouts, shares, qualifiers)
    by_exact = sorted(qualifiers, key=lambda i: (-run.block2_exact(i), run.names[i]))
    assert sorted(qualifiers, key=cmp_to_key(order.compare)) == by_exact
    assert order.sort(qualifiers) == by_exact
