"""The reference allocation: the engine as first written, every figure a ``Fraction``.

This is the straightforward exact computation that ``allocation.engine`` replaced for speed
(summing ``Fraction``s over many different populations makes enormous denominators: 1 000
regions take seconds). It is kept, unchanged in substance, as the oracle the fast engine is
tested against (tests/allocation/test_engine_fast_vs_exact.py) and measured against
(bench/engine_scale.py). Only the input and rule types, warnings and block results are shared
with the engine; every step of the computation (including rounding and the residual
distribution) is a private copy, so that changing the engine cannot change the reference.

Nothing here imports Django, and nothing in the application should call it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from allocation.engine import (
    RATE_BASE,
    AllocationWarning,
    BlockResult,
    InputError,
    RegionInput,
    Rules,
    Step,
)


def round_half_up(value: Fraction) -> int:
    """Round to the nearest integer, halves upwards (towards +infinity)."""
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


def _kr(amount: int) -> str:
    """Swedish display of kronor: ``223 000 000 kr``."""
    # The engine imports nothing from Django: this is atgrant_format.kr's format (no-break
    # spaces), kept equal to it by tests/test_format.py.
    return f"{amount:,}".replace(",", "\u00a0") + "\u00a0kr"


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
