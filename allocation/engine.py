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

Everything is exact (``Fraction``); there is no float anywhere. Nothing here imports Django.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

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


def round_half_up(value: Fraction) -> int:
    """Round to the nearest integer, halves upwards (towards +infinity)."""
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


def _kr(amount: int) -> str:
    """Swedish display of kronor: ``223 000 000 kr``."""
    return f"{amount:,}".replace(",", " ") + " kr"


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
        """The higher of filled and started, whichever are given."""
        return max(v for v in (self.filled, self.started) if v is not None)

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


# The brief's name for the same class; prefer AllocationWarning, which does not shadow
# the builtin.
Warning = AllocationWarning


@dataclass(frozen=True)
class RegionResult:
    """One region's amounts and every figure that explains them."""

    name: str
    filled: int | None
    started: int | None
    reported_posts: int
    deducted: int
    posts: int
    planned: Fraction
    planned_is_range: bool
    increase: Fraction
    rate: Fraction
    block1_exact: Fraction
    block1: int
    block1_rounding: int  # kronor added (+) or taken (-) after half-up rounding
    qualifies: bool
    step: Step | None
    step_payment_exact: Fraction  # after any scaling
    remainder_exact: Fraction
    block2_exact: Fraction
    block2: int
    block2_rounding: int
    step_payment: int  # whole-krona display split of block2: step_payment + remainder == block2
    remainder: int
    total: int
    planned_low: Fraction
    planned_high: Fraction


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


@dataclass(frozen=True)
class _Block:
    """A block's exact amounts (input order) and what of the budget is to be paid."""

    exact: list[Fraction]
    paid: int


@dataclass(frozen=True)
class _Staircase:
    steps: list[Step | None]
    step_exact: list[Fraction]
    remainder_exact: list[Fraction]
    scale: Fraction
    paid: int


def allocate(rules: Rules, regions: Sequence[RegionInput]) -> Allocation:
    """Allocate both blocks of ``rules`` among ``regions`` (the participants)."""
    regions = tuple(regions)
    _check_unique_names(regions)
    names = [r.name for r in regions]
    rates = [Fraction(r.posts * RATE_BASE, r.population) for r in regions]
    increases = [r.posts - r.planned for r in regions]
    warnings: list[AllocationWarning] = []

    block1 = _block1(rules.block1, rates, warnings)
    block1_amounts, block1_adjust = apportion(block1.paid, block1.exact, names)
    stairs = _block2(rules, increases, rates, warnings)
    block2_exact = [s + r for s, r in zip(stairs.step_exact, stairs.remainder_exact, strict=True)]
    block2_amounts, block2_adjust = apportion(stairs.paid, block2_exact, names)

    results = tuple(
        _result(
            region=region,
            rate=rates[i],
            increase=increases[i],
            block1=(block1.exact[i], block1_amounts[i], block1_adjust[i]),
            step=stairs.steps[i],
            parts=(stairs.step_exact[i], stairs.remainder_exact[i]),
            block2=(block2_exact[i], block2_amounts[i], block2_adjust[i]),
        )
        for i, region in enumerate(regions)
    )
    return Allocation(
        rules=rules,
        regions=results,
        block1=BlockResult(rules.block1, block1.paid, rules.block1 - block1.paid),
        block2=BlockResult(rules.block2, stairs.paid, rules.block2 - stairs.paid),
        steps_scale=stairs.scale,
        warnings=tuple(warnings),
    )


def _check_unique_names(regions: Sequence[RegionInput]) -> None:
    seen: set[str] = set()
    for region in regions:
        if not isinstance(region, RegionInput):
            raise InputError(f"expected RegionInput, got {region!r}")
        if region.name in seen:
            raise InputError(f"region {region.name!r} appears more than once")
        seen.add(region.name)


def _shares(amount: int, weights: Sequence[Fraction], total: Fraction) -> list[Fraction]:
    """Split ``amount`` exactly in proportion to ``weights`` (whose sum is ``total`` > 0)."""
    factor = amount / total
    return [factor * weight for weight in weights]


def _block1(budget: int, rates: list[Fraction], warnings: list[AllocationWarning]) -> _Block:
    zeros = [Fraction(0)] * len(rates)
    if not rates:
        warnings.append(
            AllocationWarning("no_participants", "Inga regioner deltar; block 1 betalas inte ut.")
        )
        return _Block(zeros, 0)
    total = sum(rates, Fraction(0))
    if total == 0:
        # Shares of a zero total are undefined; DOMAIN gives no rule, so nothing is paid.
        warnings.append(
            AllocationWarning(
                "zero_posts_total",
                "Ingen deltagande region har rapporterat några AT-tjänster; "
                "block 1 betalas inte ut.",
            )
        )
        return _Block(zeros, 0)
    return _Block(_shares(budget, rates, total), budget)


def _block2(
    rules: Rules,
    increases: list[Fraction],
    rates: list[Fraction],
    warnings: list[AllocationWarning],
) -> _Staircase:
    budget = rules.block2
    steps = [rules.step_for(increase) for increase in increases]
    zeros = [Fraction(0)] * len(steps)
    if all(step is None for step in steps):
        warnings.append(
            AllocationWarning(
                "no_region_qualifies",
                "Ingen region når första trappsteget; block 2 betalas inte ut.",
            )
        )
        return _Staircase(steps, zeros, zeros, Fraction(1), 0)
    payouts = [Fraction(step.payout if step else 0) for step in steps]
    step_sum = sum(step.payout for step in steps if step)
    if step_sum > budget:
        return _scaled_staircase(budget, steps, payouts, step_sum, warnings)
    qualifying_rates = [
        rate if step else Fraction(0) for rate, step in zip(rates, steps, strict=True)
    ]
    remainder = budget - step_sum
    total_rate = sum(qualifying_rates, Fraction(0))
    if remainder and total_rate == 0:
        # Cannot happen with thresholds > 0 (qualifying needs posts), but never divide by 0.
        warnings.append(
            AllocationWarning(
                "zero_rate_qualifiers",
                "De kvalificerade regionerna har inga AT-tjänster; resten av block 2 "
                f"({_kr(remainder)}) betalas inte ut.",
            )
        )
        return _Staircase(steps, payouts, zeros, Fraction(1), step_sum)
    shares = _shares(remainder, qualifying_rates, total_rate) if remainder else zeros
    return _Staircase(steps, payouts, shares, Fraction(1), budget)


def _scaled_staircase(
    budget: int,
    steps: list[Step | None],
    payouts: list[Fraction],
    step_sum: int,
    warnings: list[AllocationWarning],
) -> _Staircase:
    scale = Fraction(budget, step_sum)
    warnings.append(
        AllocationWarning(
            "steps_exceed_block2",
            f"Trappstegen ({_kr(step_sum)}) överstiger block 2 ({_kr(budget)}); varje "
            f"stegbelopp har skalats ned med faktorn {_decimal_sv(scale)} och ingen rest "
            "fördelas.",
        )
    )
    zeros = [Fraction(0)] * len(steps)
    return _Staircase(steps, [p * scale for p in payouts], zeros, scale, budget)


def _decimal_sv(value: Fraction, places: int = 6) -> str:
    """A non-negative fraction as Swedish decimal text, e.g. ``0,842105``."""
    scaled = round_half_up(value * 10**places)
    whole, fraction = divmod(scaled, 10**places)
    return f"{whole},{fraction:0{places}d}"


def apportion(
    total: int, exact: Sequence[Fraction], names: Sequence[str]
) -> tuple[list[int], list[int]]:
    """Round ``exact`` (which sums to ``total``) to whole kronor that sum to ``total``.

    Each amount is rounded half up; the residual is then given (+1) or taken (-1) one krona
    at a time from the regions with the largest exact amounts, ties by name in plain ``str``
    order, at most one krona per region per pass. Only regions with a positive exact amount
    take part, so a region that is owed nothing is never paid a krona, and no amount goes
    below zero. Returns the amounts and each region's adjustment.
    """
    rounded = [round_half_up(x) for x in exact]
    adjust = [0] * len(rounded)
    residual = total - sum(rounded)
    if residual == 0:
        return rounded, adjust
    order = sorted((i for i, x in enumerate(exact) if x > 0), key=lambda i: (-exact[i], names[i]))
    delta = 1 if residual > 0 else -1
    remaining = abs(residual)
    while remaining:
        touched = 0
        for i in order:
            if remaining == 0:
                break
            if delta < 0 and rounded[i] + adjust[i] == 0:
                continue
            adjust[i] += delta
            remaining -= 1
            touched += 1
        if not touched:
            raise ValueError(f"cannot apportion {total} among amounts {list(exact)!r}")
    return [r + a for r, a in zip(rounded, adjust, strict=True)], adjust


def _result(
    *,
    region: RegionInput,
    rate: Fraction,
    increase: Fraction,
    block1: tuple[Fraction, int, int],
    step: Step | None,
    parts: tuple[Fraction, Fraction],
    block2: tuple[Fraction, int, int],
) -> RegionResult:
    step_exact, remainder_exact = parts
    step_payment = _display_step_payment(step_exact, remainder_exact, block2[1])
    return RegionResult(
        name=region.name,
        filled=region.filled,
        started=region.started,
        reported_posts=region.reported_posts,
        deducted=region.deducted,
        posts=region.posts,
        planned=region.planned,
        planned_is_range=region.planned_low != region.planned_high,
        increase=increase,
        rate=rate,
        block1_exact=block1[0],
        block1=block1[1],
        block1_rounding=block1[2],
        qualifies=step is not None,
        step=step,
        step_payment_exact=step_exact,
        remainder_exact=remainder_exact,
        block2_exact=block2[0],
        block2=block2[1],
        block2_rounding=block2[2],
        step_payment=step_payment,
        remainder=block2[1] - step_payment,
        total=block1[1] + block2[1],
        planned_low=region.planned_low,
        planned_high=region.planned_high,
    )


def _display_step_payment(step_exact: Fraction, remainder_exact: Fraction, block2: int) -> int:
    """The step part of the rounded block 2 amount, for display.

    Without a remainder (scaled steps, or no remainder left) the whole block 2 amount is the
    step payment. Otherwise it is the step payment rounded half up, capped at the block 2
    amount so that the displayed remainder (block2 - step_payment) is never negative.
    """
    if remainder_exact == 0:
        return block2
    return min(round_half_up(step_exact), block2)
