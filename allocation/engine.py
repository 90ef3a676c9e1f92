"""The pure allocation engine: rules and reported numbers in, kronor per region out.

DOMAIN.md ("The allocation") is the authority; in short:

* posts = max(filled, started) - deducted; rate = posts * 100 000 / population;
  planned = mean of the plan's bounds; increase = posts - planned.
* Block 1 is shared among all participants in proportion to rate.
* Block 2 pays each region the highest staircase step its increase reaches. If the steps
  together exceed the block they are all scaled down by the same factor and nothing is left;
  otherwise the remainder is shared among the qualifying regions in proportion to rate.
  If no region qualifies, block 2 is not paid at all.
* Per block, exact amounts are rounded half up to whole kronor and the residual is
  corrected one krona at a time, largest exact amount first (ties by name), so that a
  paid block adds up exactly to its budget.

Everything is exact; there is no float anywhere. The amounts are computed with integers that
prove the exact result (allocation/exact.py explains how), so that 100 000 regions take well
under a second; every exact figure is still available as a ``Fraction`` on the results.
``allocation/engine_reference.py`` keeps the all-``Fraction`` computation this must equal.
Nothing here imports Django.
"""

from __future__ import annotations

import gc
import math
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from functools import cmp_to_key
from operator import attrgetter
from typing import Any

from allocation.exact import (
    FRACTION_BITS,
    Shares,
    apportion,
    half_up_shares,
    ratio_sum,
    round_half_up,
    top_indices,
)

RATE_BASE = 100_000  # rates are posts per 100 000 inhabitants


class RulesError(ValueError):
    """The round's rules (budgets, staircase) are not valid."""


class InputError(ValueError):
    """A region's input numbers are not valid; the message names the region."""


def _is_int(value: object) -> bool:
    # bool is an int subclass, but True posts is a bug, not a count.
    return isinstance(value, int) and not isinstance(value, bool)


def _exact(value: object) -> Fraction | None:
    """Return ``value`` as a Fraction if it is an exact number (int or Fraction), else None."""
    if _is_int(value) or isinstance(value, Fraction):
        return Fraction(value)
    return None


def _kr(amount: int) -> str:
    """Swedish display of kronor: ``223 000 000 kr``."""
    # The engine imports nothing from Django: this is atgrant_format.kr's format (no-break
    # spaces), kept equal to it by tests/test_format.py.
    return f"{amount:,}".replace(",", "\u00a0") + "\u00a0kr"


# --- rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of the staircase: an increase of at least ``min_increase`` pays ``payout``."""

    min_increase: Fraction
    payout: int  # kronor

    def __post_init__(self) -> None:
        threshold = _exact(self.min_increase)
        if threshold is None:
            raise RulesError(
                f"step threshold must be an int or Fraction, got {self.min_increase!r}"
            )
        object.__setattr__(self, "min_increase", threshold)
        if not _is_int(self.payout) or self.payout < 0:
            raise RulesError(
                f"step payout must be a non-negative whole number of kronor, got {self.payout!r}"
            )


@dataclass(frozen=True)
class Rules:
    """A round's allocation settings: the two budgets and the staircase."""

    block1: int
    block2: int
    staircase: tuple[Step, ...]

    def __post_init__(self) -> None:
        for label in ("block1", "block2"):
            value = getattr(self, label)
            if not _is_int(value) or value < 0:
                raise RulesError(
                    f"{label} must be a non-negative whole number of kronor, got {value!r}"
                )
        steps = tuple(self.staircase)
        for step in steps:
            if not isinstance(step, Step):
                raise RulesError(f"staircase entries must be Step, got {step!r}")
        _check_staircase_order(steps)
        object.__setattr__(self, "staircase", steps)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Rules:
        """Build rules from ``{"block1": .., "block2": .., "staircase": [[2, 3000000], ..]}``.

        A threshold may be an int, a decimal or fraction string ("2.5", "5/2"), or a JSON
        number with a fractional part (read by its decimal text, so 2.5 is exactly 5/2).
        """
        if not isinstance(data, Mapping):
            raise RulesError(f"rules must be an object, got {type(data).__name__}")
        expected = {"block1", "block2", "staircase"}
        missing = sorted(expected - data.keys())
        unknown = sorted(set(data.keys()) - expected)
        if missing:
            raise RulesError(f"rules are missing {', '.join(missing)}")
        if unknown:
            raise RulesError(f"rules have unknown keys {', '.join(map(str, unknown))}")
        staircase = data["staircase"]
        if not isinstance(staircase, list | tuple):
            raise RulesError("staircase must be a list of [min_increase, payout] pairs")
        steps = tuple(_step_from_pair(index, pair) for index, pair in enumerate(staircase, 1))
        return cls(block1=data["block1"], block2=data["block2"], staircase=steps)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, object]:
        """The inverse of :meth:`from_dict`; non-integral thresholds become "n/d" strings."""
        return {
            "block1": self.block1,
            "block2": self.block2,
            "staircase": [[_threshold_json(s.min_increase), s.payout] for s in self.staircase],
        }

    def step_for(self, increase: Fraction) -> Step | None:
        """The highest step whose threshold ``increase`` reaches, or None."""
        reached = None
        for step in self.staircase:
            if increase < step.min_increase:
                break
            reached = step
        return reached


def _check_staircase_order(steps: tuple[Step, ...]) -> None:
    for lower, upper in zip(steps, steps[1:], strict=False):
        if upper.min_increase <= lower.min_increase:
            raise RulesError(
                "staircase thresholds must be strictly increasing: "
                f"{upper.min_increase} follows {lower.min_increase}"
            )
        if upper.payout < lower.payout:
            raise RulesError(
                "staircase payouts must not decrease: "
                f"{upper.payout} (step {upper.min_increase}) follows {lower.payout}"
            )


def _step_from_pair(index: int, pair: object) -> Step:
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        raise RulesError(f"staircase step {index} must be a [min_increase, payout] pair")
    threshold, payout = pair
    return Step(min_increase=_threshold_from_json(index, threshold), payout=payout)


def _threshold_from_json(index: int, value: object) -> Fraction:
    if isinstance(value, bool):
        raise RulesError(f"staircase step {index}: threshold must be a number, got {value!r}")
    if isinstance(value, int | Fraction):
        return Fraction(value)
    # repr() of a float is its shortest decimal text, so 2.5 reads as exactly 5/2.
    text = repr(value) if isinstance(value, float) else value
    if isinstance(text, str):
        try:
            return Fraction(text)
        except (ValueError, ZeroDivisionError):
            pass
    raise RulesError(f"staircase step {index}: threshold must be a number, got {value!r}")


def _threshold_json(value: Fraction) -> int | str:
    return value.numerator if value.denominator == 1 else str(value)


# --- input --------------------------------------------------------------------------------


def reported_posts_of(filled: int | None, started: int | None) -> int:
    """A region's reported posts: the higher of its filled and started posts, whichever are
    given (DOMAIN.md, the 2024 rules). Raises ValueError when neither is."""
    given = [v for v in (filled, started) if v is not None]
    if not given:
        raise ValueError("neither filled nor started posts are given")
    return max(given)


@dataclass(frozen=True)
class RegionInput:
    """One participating region's numbers for the round.

    ``planned_low``/``planned_high`` are the plan's bounds (equal for a single number);
    ``deducted`` are posts that already earned money in an earlier round.
    """

    name: str
    population: int
    planned_low: Fraction
    planned_high: Fraction
    filled: int | None
    started: int | None
    deducted: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InputError(f"region name must be non-empty text, got {self.name!r}")
        if not _is_int(self.population) or self.population <= 0:
            raise self._error(
                f"population must be a positive whole number, got {self.population!r}"
            )
        self._set_plan_bounds()
        self._check_counts()

    def _error(self, problem: str) -> InputError:
        return InputError(f"region {self.name!r}: {problem}")

    def _set_plan_bounds(self) -> None:
        low, high = _exact(self.planned_low), _exact(self.planned_high)
        if low is None or high is None:
            raise self._error(
                "planned posts must be int or Fraction, "
                f"got {self.planned_low!r} and {self.planned_high!r}"
            )
        if low < 0:
            raise self._error(f"planned posts cannot be negative, got {low}")
        if low > high:
            raise self._error(f"plan range is reversed: {low} > {high}")
        object.__setattr__(self, "planned_low", low)
        object.__setattr__(self, "planned_high", high)

    def _check_counts(self) -> None:
        for label in ("filled", "started"):
            value = getattr(self, label)
            if value is not None and (not _is_int(value) or value < 0):
                raise self._error(f"{label} must be a non-negative whole number, got {value!r}")
        if self.filled is None and self.started is None:
            raise self._error("filled and started posts are both missing")
        if not _is_int(self.deducted) or self.deducted < 0:
            raise self._error(
                f"deducted must be a non-negative whole number, got {self.deducted!r}"
            )
        if self.deducted > self.reported_posts:
            raise self._error(
                f"deducted posts ({self.deducted}) exceed reported posts ({self.reported_posts})"
            )

    @property
    def reported_posts(self) -> int:
        return reported_posts_of(self.filled, self.started)

    @property
    def posts(self) -> int:
        return self.reported_posts - self.deducted

    @property
    def planned(self) -> Fraction:
        return (self.planned_low + self.planned_high) / 2


# --- output -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationWarning:
    """Something the officer should see about a run: a stable ``code`` and a Swedish message."""

    code: str
    message: str


_RESULT_FIELDS = (
    "name",
    "filled",
    "started",
    "reported_posts",
    "deducted",
    "posts",
    "planned",
    "planned_is_range",
    "increase",
    "rate",
    "block1_exact",
    "block1",
    "block1_rounding",
    "qualifies",
    "step",
    "step_payment_exact",
    "remainder_exact",
    "block2_exact",
    "block2",
    "block2_rounding",
    "step_payment",
    "remainder",
    "total",
    "planned_low",
    "planned_high",
)


def _stored(column: str, doc: str) -> property:
    def get(self: RegionResult) -> Any:
        return getattr(self._run, column)[self._index]

    return property(get, doc=doc)


def _given(attribute: str, doc: str) -> property:
    def get(self: RegionResult) -> Any:
        return getattr(self._run.inputs[self._index], attribute)

    return property(get, doc=doc)


def _exact_field(method: str, doc: str) -> property:
    def get(self: RegionResult) -> Fraction:
        return getattr(self._run, method)(self._index)

    return property(get, doc=doc)


class RegionResult:
    """One region's amounts and every figure that explains them (read-only).

    A view of one row of its allocation's columns: the whole-krona figures are stored as
    computed; the exact ``Fraction`` figures (``rate``, ``block1_exact``, ...) are computed
    exactly when read, from the stored integers (the block's exact sum, needed for
    ``block1_exact`` and ``remainder_exact``, once per allocation). Storing 100 000 rows of
    Fractions with enormous denominators was what made the engine slow; nothing else changed.
    Compares, hashes and prints by its fields, like the frozen dataclass it replaces.
    """

    __slots__ = ("_run", "_index")

    def __init__(self, run: _Run, index: int) -> None:
        self._run = run
        self._index = index

    name = _stored("names", "The region's name.")
    filled = _given("filled", "Filled posts as reported, or None.")
    started = _given("started", "Started posts as reported, or None.")
    reported_posts = _given("reported_posts", "The higher of filled and started.")
    deducted = _given("deducted", "Posts deducted before the run.")
    posts = _stored("posts", "reported_posts - deducted: the posts that count.")
    planned = _given("planned", "The plan's mean (Fraction).")
    planned_low = _given("planned_low", "The plan's lower bound (Fraction).")
    planned_high = _given("planned_high", "The plan's upper bound (Fraction).")
    increase = _exact_field("increase", "posts - planned (Fraction).")
    rate = _exact_field("rate", "Posts per 100 000 inhabitants (Fraction).")
    block1_exact = _exact_field("block1_exact", "The exact block 1 share (Fraction).")
    block1 = _stored("block1", "Block 1 in whole kronor.")
    block1_rounding = _stored(
        "block1_adjust", "Kronor added (+1) or taken (-1) after half-up rounding."
    )
    step = _stored("steps", "The highest staircase step reached, or None.")
    step_payment_exact = _exact_field(
        "step_payment_exact", "The step's payment after any scaling (Fraction)."
    )
    remainder_exact = _exact_field(
        "remainder_exact", "The exact share of block 2's remainder (Fraction)."
    )
    block2_exact = _exact_field("block2_exact", "step_payment_exact + remainder_exact.")
    block2 = _stored("block2", "Block 2 in whole kronor.")
    block2_rounding = _stored(
        "block2_adjust", "Kronor added (+1) or taken (-1) after half-up rounding."
    )
    step_payment = _stored(
        "step_payment", "Whole-krona display split of block2: step_payment + remainder."
    )

    @property
    def qualifies(self) -> bool:
        """Whether the region reached a step of the staircase."""
        return self._run.steps[self._index] is not None

    @property
    def planned_is_range(self) -> bool:
        region = self._run.inputs[self._index]
        return region.planned_low != region.planned_high

    @property
    def remainder(self) -> int:
        """The display split's remainder part: block2 - step_payment."""
        return self.block2 - self.step_payment

    @property
    def total(self) -> int:
        return self.block1 + self.block2

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in _RESULT_FIELDS)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in _RESULT_FIELDS)
        return f"RegionResult({values})"


@dataclass(frozen=True)
class BlockResult:
    budget: int
    paid: int
    not_paid: int


@dataclass(frozen=True)
class Allocation:
    rules: Rules
    regions: tuple[RegionResult, ...]  # in input order
    block1: BlockResult
    block2: BlockResult
    steps_scale: Fraction  # 1 unless the steps exceeded block 2
    warnings: tuple[AllocationWarning, ...]

    def by_name(self) -> dict[str, RegionResult]:
        return {region.name: region for region in self.regions}

    @property
    def total_paid(self) -> int:
        return self.block1.paid + self.block2.paid


# --- the computation ----------------------------------------------------------------------
#
# Why not Fractions throughout: the exact block 1 share is B * w_i / sum(w), w = posts /
# population, and summing Fractions with n different denominators makes a denominator of
# about 20 bits per region; 1 000 regions took seconds, 100 000 would take hours. The amounts
# only need each share's half-up rounding and the order of the few regions the residual
# kronor go to; allocation/exact.py decides both with integer bounds that prove the exact
# answer, falling back to the exact Fraction computation for a region only when the bounds
# cannot decide (an amount at or within ~2**-60 kr of a half krona, e.g. exact .5 with equal
# rates). The exact Fractions stay available on each RegionResult, computed when read.
# allocation/engine_reference.py keeps the all-Fraction computation as the test oracle.

# Modes of block 2, which decide its exact figures.
_NOT_PAID = "not_paid"  # nobody qualifies: everything is 0
_SCALED = "scaled"  # steps exceed the block: step payout * scale, no remainder
_STEPS_ONLY = "steps_only"  # steps paid in full, nothing (or nothing payable) left
_SHARED = "shared"  # steps in full plus the remainder shared by rate among qualifiers


_INPUT_FIELDS = attrgetter(
    "name", "population", "filled", "started", "deducted", "planned_low", "planned_high"
)


class _Run:
    """One allocation's columns (input order) and its lazily computed exact sums."""

    __slots__ = (
        "rules",
        "inputs",
        "names",
        "posts",
        "pops",
        "steps",
        "block1_paid",
        "block1",
        "block1_adjust",
        "block2_mode",
        "remainder_budget",
        "scale",
        "qualifiers",
        "block2",
        "block2_adjust",
        "step_payment",
        "_block1_total",
        "_remainder_total",
    )

    def __init__(self, rules: Rules, inputs: tuple[RegionInput, ...]) -> None:
        self.rules = rules
        self.inputs = inputs
        self._read()
        self.block1_paid = False
        self.block2_mode = _NOT_PAID
        self.remainder_budget = 0
        self.scale = Fraction(1)  # of the steps; below 1 only if they exceed block 2
        self.qualifiers: list[int] = []
        self._block1_total: Fraction | None = None
        self._remainder_total: Fraction | None = None

    def _read(self) -> None:
        """Posts, populations and staircase steps, in integers.

        increase >= t  <=>  2*posts - low - high >= 2t. With low = a/b, high = c/d that is
        X / Y >= 2t for X = 2*posts*b*d - a*d - c*b, Y = b*d > 0; with D the common
        denominator of the doubled thresholds and e = 2t * D (whole numbers), it is
        floor(X * D / Y) >= e: a bisection over the staircase, as Rules.step_for would find.
        """
        inputs = self.inputs
        if not set(map(type, inputs)) <= {RegionInput}:
            for position, region in enumerate(inputs):
                if not isinstance(region, RegionInput):
                    _check_unique_names(inputs[:position])
                    raise InputError(f"expected RegionInput, got {region!r}")
        staircase = self.rules.staircase
        common = math.lcm(*(step.min_increase.denominator * 2 for step in staircase))
        edges = [int(2 * step.min_increase * common) for step in staircase]
        reached_step = (None, *staircase)
        names: list[str] = []
        posts: list[int] = []
        pops: list[int] = []
        steps: list[Step | None] = []
        add_name, add_posts, add_pop, add_step = (
            names.append,
            posts.append,
            pops.append,
            steps.append,
        )
        for name, pop, filled, started, deducted, low, high in map(_INPUT_FIELDS, inputs):
            reported = (
                filled if started is None or (filled is not None and filled >= started) else started
            )
            count = reported - deducted
            a, b = low.as_integer_ratio()
            c, d = high.as_integer_ratio()
            if b == 1 == d:
                doubled = (2 * count - a - c) * common
            else:
                doubled = ((2 * count * b * d - a * d - c * b) * common) // (b * d)
            add_name(name)
            add_posts(count)
            add_pop(pop)
            add_step(reached_step[bisect_right(edges, doubled)])
        if len(set(names)) != len(names):
            _check_unique_names(inputs)
        self.names, self.posts, self.pops, self.steps = names, posts, pops, steps

    # Exact figures, computed when read.

    def increase(self, i: int) -> Fraction:
        return self.posts[i] - self.inputs[i].planned

    def rate(self, i: int) -> Fraction:
        return Fraction(self.posts[i] * RATE_BASE, self.pops[i])

    def block1_total(self) -> Fraction:
        """The exact sum of posts / population over all participants (cached)."""
        if self._block1_total is None:
            self._block1_total = ratio_sum(self.posts, self.pops)
        return self._block1_total

    def block1_exact(self, i: int) -> Fraction:
        if not self.block1_paid:
            return Fraction(0)
        return self.rules.block1 * Fraction(self.posts[i], self.pops[i]) / self.block1_total()

    def step_payment_exact(self, i: int) -> Fraction:
        step = self.steps[i]
        if step is None or self.block2_mode == _NOT_PAID:
            return Fraction(0)
        return step.payout * self.scale

    def remainder_total(self) -> Fraction:
        """The exact sum of posts / population over the qualifiers (cached)."""
        if self._remainder_total is None:
            qualifiers = self.qualifiers
            self._remainder_total = ratio_sum(
                [self.posts[j] for j in qualifiers], [self.pops[j] for j in qualifiers]
            )
        return self._remainder_total

    def remainder_exact(self, i: int) -> Fraction:
        if self.block2_mode != _SHARED or self.steps[i] is None:
            return Fraction(0)
        share = Fraction(self.posts[i], self.pops[i]) / self.remainder_total()
        return self.remainder_budget * share

    def block2_exact(self, i: int) -> Fraction:
        return self.step_payment_exact(i) + self.remainder_exact(i)


def allocate(rules: Rules, regions: Sequence[RegionInput]) -> Allocation:
    """Allocate both blocks of ``rules`` among ``regions`` (the participants)."""
    with _collector_paused():
        run = _Run(rules, tuple(regions))
        warnings: list[AllocationWarning] = []
        block1_paid = _block1(run, warnings)
        block2_paid = _block2(run, warnings)
        results = tuple(map(RegionResult, [run] * len(run.names), range(len(run.names))))
    return Allocation(
        rules=rules,
        regions=results,
        block1=BlockResult(rules.block1, block1_paid, rules.block1 - block1_paid),
        block2=BlockResult(rules.block2, block2_paid, rules.block2 - block2_paid),
        steps_scale=run.scale,
        warnings=tuple(warnings),
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the run builds its rows.

    A run creates one small object per region and frees nothing; with 100 000 regions the
    collector's full passes over all live objects cost more than the allocation itself, and
    find nothing (the rows hold no cycles). Left alone if it is already disabled.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _check_unique_names(regions: Sequence[RegionInput]) -> None:
    seen: set[str] = set()
    for region in regions:
        if not isinstance(region, RegionInput):
            raise InputError(f"expected RegionInput, got {region!r}")
        if region.name in seen:
            raise InputError(f"region {region.name!r} appears more than once")
        seen.add(region.name)


def _block1(run: _Run, warnings: list[AllocationWarning]) -> int:
    """Round block 1 into ``run``; returns what is paid."""
    n = len(run.names)
    run.block1 = [0] * n
    run.block1_adjust = [0] * n
    if not n:
        warnings.append(
            AllocationWarning("no_participants", "Inga regioner deltar; block 1 betalas inte ut.")
        )
        return 0
    if not any(run.posts):
        # Shares of a zero total are undefined; DOMAIN gives no rule, so nothing is paid.
        warnings.append(
            AllocationWarning(
                "zero_posts_total",
                "Ingen deltagande region har rapporterat några AT-tjänster; "
                "block 1 betalas inte ut.",
            )
        )
        return 0
    run.block1_paid = True
    budget = run.rules.block1
    if budget == 0:
        return 0
    shares = half_up_shares(budget, run.posts, run.pops, run.block1_total)
    weights, names = shares.weights, run.names

    def by_name(window: list[int]) -> list[int]:
        return sorted(window, key=names.__getitem__)

    positive = [i for i, p in enumerate(run.posts) if p]  # exact share > 0
    run.block1, run.block1_adjust = _distribute(
        run,
        budget,
        shares.rounded,
        positive,
        # Amounts are proportional to the weights, which order them exactly.
        lambda chosen: top_indices(chosen.count, chosen.candidates, weights, 0, by_name),
        run.block1_exact,
    )
    return budget


def _block2(run: _Run, warnings: list[AllocationWarning]) -> int:
    """Round block 2 into ``run``; returns what is paid."""
    n = len(run.names)
    budget = run.rules.block2
    run.block2 = [0] * n
    run.block2_adjust = [0] * n
    run.step_payment = [0] * n
    steps = run.steps
    qualifiers = [i for i, step in enumerate(steps) if step is not None]
    run.qualifiers = qualifiers
    if not qualifiers:
        warnings.append(
            AllocationWarning(
                "no_region_qualifies",
                "Ingen region når första trappsteget; block 2 betalas inte ut.",
            )
        )
        return 0
    payouts = [0] * n
    for i in qualifiers:
        payouts[i] = steps[i].payout  # type: ignore[union-attr]
    step_sum = sum(payouts)
    if step_sum > budget:
        return _scaled_staircase(run, payouts, step_sum, warnings)
    run.block2_mode = _STEPS_ONLY
    remainder = budget - step_sum
    if remainder and not any(run.posts[i] for i in qualifiers):
        # Cannot happen with thresholds > 0 (qualifying needs posts), but never divide by 0.
        warnings.append(
            AllocationWarning(
                "zero_rate_qualifiers",
                "De kvalificerade regionerna har inga AT-tjänster; resten av block 2 "
                f"({_kr(remainder)}) betalas inte ut.",
            )
        )
        run.block2 = run.step_payment = payouts
        return step_sum
    if not remainder:
        run.block2 = run.step_payment = payouts
        return budget
    run.block2_mode = _SHARED
    run.remainder_budget = remainder
    _shared_remainder(run, payouts, remainder)
    return budget


def _scaled_staircase(
    run: _Run, payouts: list[int], step_sum: int, warnings: list[AllocationWarning]
) -> int:
    budget = run.rules.block2
    run.block2_mode = _SCALED
    run.scale = scale = Fraction(budget, step_sum)
    warnings.append(
        AllocationWarning(
            "steps_exceed_block2",
            f"Trappstegen ({_kr(step_sum)}) överstiger block 2 ({_kr(budget)}); varje "
            f"stegbelopp har skalats ned med faktorn {_decimal_sv(scale)} och ingen rest "
            "fördelas.",
        )
    )
    # payout * budget / step_sum, half up, in integers; the amounts are ordered by payout.
    rounded = [(2 * payout * budget + step_sum) // (2 * step_sum) for payout in payouts]
    positive = [i for i in run.qualifiers if payouts[i]] if budget else []
    names = run.names

    def by_name(window: list[int]) -> list[int]:
        return sorted(window, key=names.__getitem__)

    run.block2, run.block2_adjust = _distribute(
        run,
        budget,
        rounded,
        positive,
        lambda chosen: top_indices(chosen.count, chosen.candidates, payouts, 0, by_name),
        run.block2_exact,
    )
    run.step_payment = run.block2  # no remainder: the whole amount is the step's
    return budget


def _shared_remainder(run: _Run, payouts: list[int], remainder: int) -> None:
    """Steps in full plus the remainder by rate among the qualifiers, rounded per region."""
    qualifiers = run.qualifiers
    posts = [run.posts[i] for i in qualifiers]
    pops = [run.pops[i] for i in qualifiers]
    shares = half_up_shares(remainder, posts, pops, run.remainder_total)
    n = len(run.names)
    rounded = [0] * n
    keys = [0] * n  # 2 * amount * 2**FRACTION_BITS lies in [keys[i], keys[i] + slack]
    shift = FRACTION_BITS + 1
    for j, i in enumerate(qualifiers):
        rounded[i] = payouts[i] + shares.rounded[j]
        keys[i] = (payouts[i] << shift) + shares.scaled[j]
    positive = [i for j, i in enumerate(qualifiers) if payouts[i] or posts[j]]
    order = _Block2Order(run, payouts, shares, qualifiers)
    run.block2, run.block2_adjust = _distribute(
        run,
        run.rules.block2,
        rounded,
        positive,
        lambda chosen: top_indices(chosen.count, chosen.candidates, keys, shares.slack, order.sort),
        run.block2_exact,
    )
    # Display split: the step payment rounded (it is whole), at most the block 2 amount;
    # with no remainder share (no posts) the whole amount is the step's.
    step_payment = run.block2[:]
    for j, i in enumerate(qualifiers):
        if posts[j]:
            step_payment[i] = min(payouts[i], step_payment[i])
    run.step_payment = step_payment


class _Block2Order:
    """The exact order of qualifiers' block 2 amounts ``payout + R * w / S``: larger amount
    first, then name.

    Equal payouts compare by the weights (an exact key of ``w``); otherwise the sign of
    ``(payout_i - payout_j) * S + R * (w_i - w_j)`` is decided at both ends of the integer
    interval for ``S``, and by the exact ``S`` only if they disagree (equal amounts).
    """

    def __init__(self, run: _Run, payouts: list[int], shares: Shares, qualifiers: list[int]):
        self.run = run
        self.payouts = payouts
        self.shares = shares
        self.weight = [0] * len(run.names)
        for j, i in enumerate(qualifiers):
            self.weight[i] = shares.weights[j]

    def sort(self, window: list[int]) -> list[int]:
        """``window`` in the exact order.

        Regions with the same payout and weight have the same amount; there are few such
        classes even when thousands of regions tie, so the (slow) exact comparison sorts
        the classes, and each run of equal amounts is sorted by name.
        """
        classes: dict[tuple[int, int], list[int]] = {}
        for i in window:
            classes.setdefault((self.payouts[i], self.weight[i]), []).append(i)
        firsts = sorted((members[0] for members in classes.values()), key=cmp_to_key(self.compare))
        names = self.run.names
        ordered: list[int] = []
        tied: list[int] = []
        for position, first in enumerate(firsts):
            if position and self.sign(firsts[position - 1], first) != 0:
                ordered.extend(sorted(tied, key=names.__getitem__))
                tied = []
            tied.extend(classes[(self.payouts[first], self.weight[first])])
        ordered.extend(sorted(tied, key=names.__getitem__))
        return ordered

    def compare(self, i: int, j: int) -> int:
        """-1 if region ``i`` comes before ``j`` in the exact order, 1 if after, 0 if same."""
        sign = self.sign(i, j)
        if sign:
            return -sign  # larger amount first
        names = self.run.names
        return (names[i] > names[j]) - (names[i] < names[j])

    def sign(self, i: int, j: int) -> int:
        """The sign of amount_i - amount_j."""
        run, shares = self.run, self.shares
        step_diff = self.payouts[i] - self.payouts[j]
        if step_diff == 0:
            wi, wj = self.weight[i], self.weight[j]
            return (wi > wj) - (wi < wj)
        pi, qi, pj, qj = run.posts[i], run.pops[i], run.posts[j], run.pops[j]
        # amount_i - amount_j = step_diff + R * (w_i - w_j) / S; times S * qi * qj > 0 it is
        # a * S + b, linear in S: decided if it has the same sign at both ends of S's bounds.
        a = step_diff * qi * qj
        b = run.remainder_budget * (pi * qj - pj * qi)
        low, high = (a * bound + (b << shares.bits) for bound in (shares.low, shares.high))
        if (low > 0 and high > 0) or (low < 0 and high < 0):
            return 1 if low > 0 else -1
        total = run.remainder_total()
        exact = a * total.numerator + b * total.denominator
        return (exact > 0) - (exact < 0)


@dataclass(frozen=True)
class _Chosen:
    count: int
    candidates: list[int]


def _distribute(
    run: _Run,
    total: int,
    rounded: list[int],
    positive: list[int],
    choose: Callable[[_Chosen], list[int]],
    exact: Callable[[int], Fraction],
) -> tuple[list[int], list[int]]:
    """The residual kronor of a block, as :func:`apportion` gives them, one pass.

    ``positive`` are the regions with a positive exact amount, ``choose`` picks the first
    ``count`` of some candidates in the exact order (largest exact amount, then name).
    Since each half-up rounding moves an amount by at most half a krona, the residual is
    smaller than half the candidates, so one pass (at most one krona each) always suffices;
    the general :func:`apportion` is kept for the case that cannot happen.
    """
    n = len(rounded)
    adjust = [0] * n
    residual = total - sum(rounded)
    if residual == 0:
        return rounded, adjust
    delta = 1 if residual > 0 else -1
    candidates = positive if delta > 0 else [i for i in positive if rounded[i]]
    if abs(residual) > len(candidates):
        return apportion(total, [exact(i) for i in range(n)], run.names)
    amounts = rounded[:]
    for i in choose(_Chosen(abs(residual), candidates)):
        adjust[i] = delta
        amounts[i] += delta
    return amounts, adjust


def _decimal_sv(value: Fraction, places: int = 6) -> str:
    """A non-negative fraction as Swedish decimal text, e.g. ``0,842105``."""
    scaled = round_half_up(value * 10**places)
    whole, fraction = divmod(scaled, 10**places)
    return f"{whole},{fraction:0{places}d}"
