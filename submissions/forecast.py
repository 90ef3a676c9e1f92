"""The region's own forecast for block 2's staircase, from its own numbers only.

Pure: takes the region's numbers, its plan bounds and the round's Rules (allocation.engine),
returns a frozen Forecast. `rules_for_round` builds the Rules from the database.
Never looks at another region: block 1 and the remainder depend on every region's numbers
and are only explained, never estimated.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from allocation.allocmodel import AllocationModel, ModelError, allocate
from allocation.engine import InputError, RegionInput, Rules, Step
from submissions.models import GrantRound


@dataclass(frozen=True)
class Forecast:
    posts: int
    planned: Fraction
    increase: Fraction
    step: Step | None  # the highest step reached, or None
    next_step: Step | None  # the next step above, or None if the highest is reached
    posts_to_next: int | None  # whole posts more needed to reach next_step

    @property
    def payout(self) -> int:
        return self.step.payout if self.step is not None else 0

    @property
    def qualifies(self) -> bool:
        return self.step is not None


def _fraction(value: Decimal | Fraction | int) -> Fraction:
    return Fraction(value) if not isinstance(value, Decimal) else Fraction(str(value))


def rules_for_round(grant_round: GrantRound, steps: list | None = None) -> Rules:
    """The round's Rules from the database (budgets in kronor, the staircase by threshold),
    for runs, previews and forecasts alike; pass `steps` (StaircaseStep rows) to avoid a
    query."""
    rows = steps if steps is not None else list(grant_round.steps.order_by("min_increase"))
    staircase = tuple(
        Step(min_increase=_fraction(row.min_increase), payout=row.payout)
        for row in sorted(rows, key=lambda r: r.min_increase)
    )
    return Rules(
        block1=grant_round.block1_budget, block2=grant_round.block2_budget, staircase=staircase
    )


def compute_forecast(
    *,
    filled: int | None,
    started: int | None,
    planned_low: Decimal | Fraction | int,
    planned_high: Decimal | Fraction | int,
    rules: Rules,
) -> Forecast | None:
    """The forecast, or None when neither filled nor started posts are given."""
    given = [p for p in (filled, started) if p is not None]
    if not given:
        return None
    posts = max(given)
    planned = (_fraction(planned_low) + _fraction(planned_high)) / 2
    increase = posts - planned
    step = rules.step_for(increase)
    next_step = next((s for s in rules.staircase if s.min_increase > increase), None)
    posts_to_next = None
    if next_step is not None:
        posts_to_next = max(1, math.ceil(next_step.min_increase - increase))
    return Forecast(
        posts=posts,
        planned=planned,
        increase=increase,
        step=step,
        next_step=next_step,
        posts_to_next=posts_to_next,
    )


# --- any model (RULES.md): the round's model run on the current reports -----------------------

_STEP_VALUE = re.compile(r"step\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*,")


@dataclass(frozen=True)
class NextStep:
    """The next threshold of a block's step() above the region's value (``value``, e.g.
    "increase"): ``needed`` = threshold - current (in the value's unit)."""

    value: str
    current: Fraction
    threshold: Fraction
    payout: int  # kronor
    posts_to_next: int | None = None  # whole posts more that reach it, when found

    @property
    def needed(self) -> Fraction:
        return self.threshold - self.current


@dataclass(frozen=True)
class BlockForecast:
    """One block of the model for the region: eligible now or not, the step reached (amount
    blocks with step()), and the next threshold."""

    id: str
    name: str
    budget: int  # kronor
    kind: str  # "share" | "amount"
    condition: str | None
    eligible: bool
    step: tuple[Fraction, int] | None
    next_step: NextStep | None
    step_value: str | None = None  # the value the block's step() reads ("increase"), if any


@dataclass(frozen=True)
class ModelForecast:
    """The region's own values under the round's model, run on every region's current
    reports (the region's own numbers as given), and the blocks it is eligible for. Amounts
    depend on every region and are only decided by the run: none are forecast here."""

    values: tuple[tuple[str, Fraction | bool], ...]
    totals: tuple[tuple[str, Fraction | bool], ...]
    blocks: tuple[BlockForecast, ...]
    error: str = ""

    @property
    def eligible_blocks(self) -> list[BlockForecast]:
        return [block for block in self.blocks if block.eligible]


def _step_value(amount: str | None) -> str | None:
    match = _STEP_VALUE.search(amount or "")
    return match.group(1) if match else None


def _next_step(
    model: AllocationModel, block_id: str, values: dict[str, Fraction | bool]
) -> NextStep | None:
    block = model.block(block_id)
    match = _STEP_VALUE.search(block.amount or "")
    if match is None:
        return None
    name = match.group(1)
    current = values.get(name)
    if not isinstance(current, Fraction) or isinstance(current, bool):
        return None
    for table in model.staircases(block_id)[:1]:
        above = [(t, p) for t, p in table if t > current]
        if above:
            threshold, payout = min(above)
            return NextStep(name, current, threshold, payout)
    return None


# How many more whole posts are tried, past the first guess, to reach the next step.
_TRIES = 5


def _with_posts(
    model: AllocationModel, inputs: list[RegionInput], own: RegionInput, step: NextStep | None
) -> NextStep | None:
    """The step with the whole posts more (filled and started both raised) that make the
    region's value reach its threshold, the model run again on the same inputs; None kept
    when a few tries from the first guess (the gap itself) do not reach it."""
    if step is None:
        return None
    first = max(1, math.ceil(step.needed))
    others = [row for row in inputs if row is not own]
    base = max(p for p in (own.filled, own.started) if p is not None)
    for extra in range(first, first + _TRIES):
        more = dataclasses.replace(own, filled=base + extra, started=base + extra)
        try:
            outcome = next(
                r for r in allocate(model, [*others, more]).regions if r.name == own.name
            )
        except (ModelError, InputError):
            return step
        value = outcome.values.get(step.value)
        if isinstance(value, Fraction) and value >= step.threshold:
            return dataclasses.replace(step, posts_to_next=extra)
    return step


def compute_model_forecast(
    model_document: dict, inputs: list[RegionInput], region_name: str
) -> ModelForecast | None:
    """The region ``region_name``'s forecast under a format-1 model (RULES.md) run on
    ``inputs`` (every participant's current numbers, the region's included). None if the
    region is not among them; ``error`` (Swedish) when the model cannot be run on them."""
    if not any(row.name == region_name for row in inputs):
        return None
    try:
        model = AllocationModel.from_json(model_document)
        allocation = allocate(model, inputs)
    except (ModelError, InputError) as exc:
        return ModelForecast((), (), (), error=str(exc))
    outcome = next(r for r in allocation.regions if r.name == region_name)
    own = next(row for row in inputs if row.name == region_name)
    blocks = []
    for block in model.blocks:
        cell = outcome.blocks[block.id]
        blocks.append(
            BlockForecast(
                id=block.id,
                name=block.name,
                budget=block.budget,
                kind="share" if block.share is not None else "amount",
                condition=block.eligible,
                eligible=cell.eligible,
                step=cell.step,
                next_step=_with_posts(
                    model, inputs, own, _next_step(model, block.id, outcome.values)
                )
                if block.amount is not None
                else None,
                step_value=_step_value(block.amount),
            )
        )
    return ModelForecast(
        values=tuple(outcome.values.items()),
        totals=tuple(allocation.totals.items()),
        blocks=tuple(blocks),
    )
