"""The region's forecast under the round's allocation model (GrantRound.model, RULES.md).

Pure: ``compute_model_forecast`` runs the model on every participant's current numbers (the
region's own included) and returns a frozen ModelForecast: the region's values, the round's
totals, and per block whether the region meets its condition, the step it reaches and the
next one. Amounts depend on every region and are only decided by the run: none are forecast.
A round without a model has no forecast (the page says so).
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from fractions import Fraction

from allocation.allocmodel import AllocationModel, ModelError, allocate
from allocation.engine import InputError, RegionInput

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
