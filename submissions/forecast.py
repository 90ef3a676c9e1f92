"""The region's own forecast for block 2's staircase, from its own numbers only.

Pure: takes the region's numbers, its plan bounds and the round's Rules (allocation.engine),
returns a frozen Forecast. `rules_for_round` builds the Rules from the database.
Never looks at another region: block 1 and the remainder depend on every region's numbers
and are only explained, never estimated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from allocation.engine import Rules, Step
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
