"""Run a model over the participants: values, totals, then each block (RULES.md).

Everything is column-wise: an expression computes its value for every region at once (see
allocation.allocmodel.expr), and each block's rounding proves the half-up amounts with
integers (allocation.allocmodel.sharing). The per-region results are views over the run's
columns: whole-krona figures are stored, exact ``Fraction``s are computed when read (a
proportional share's exact value needs the exact sum of the weights, whose denominator grows
with every region: computed once per block, and only if read).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from operator import add, attrgetter
from typing import Any

from allocation.allocmodel.errors import ModelError, block_label
from allocation.allocmodel.expr import (
    Compiled,
    DivisionByZero,
    Env,
    Ratios,
    as_list,
    exact_sum,
)
from allocation.allocmodel.model import AllocationModel, Block, CompiledBlock
from allocation.allocmodel.sharing import BlockRounding
from allocation.engine import AllocationWarning, InputError, RegionInput
from allocation.exact import round_half_up

Number = int | Fraction


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockOutcome:
    """One block's totals. ``paid + not_paid == budget`` (kronor)."""

    id: str
    name: str
    budget: int
    paid: int
    not_paid: int
    kind: str  # "share" | "amount"
    eligible_count: int
    amount_sum: Fraction | None  # amount blocks: the eligible amounts before scaling
    scale: Fraction  # 1 unless over_budget scaled the amounts
    remainder_budget: Fraction  # what the remainder shared (0 if none)


@dataclass(frozen=True)
class ModelAllocation:
    model: AllocationModel
    regions: tuple[RegionOutcome, ...]  # input order
    blocks: tuple[BlockOutcome, ...]  # model order
    totals: dict[str, Fraction | bool]
    warnings: tuple[AllocationWarning, ...]

    @property
    def total_paid(self) -> int:
        return sum(block.paid for block in self.blocks)

    def by_name(self) -> dict[str, RegionOutcome]:
        return {region.name: region for region in self.regions}


def _as_value(value: Any) -> Fraction | bool:
    if value is True or value is False:
        return value
    return Fraction(value)


class _View:
    """Read-only, compares and hashes by its fields, like a frozen dataclass."""

    __slots__ = ()
    _FIELDS: tuple[str, ...] = ()

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._FIELDS)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(tuple(repr(f) for f in self._fields()))

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._FIELDS)
        return f"{type(self).__name__}({values})"


class RegionBlock(_View):
    """One region in one block.

    ``weight``: the share weight (share block) or remainder weight (amount block with a
    remainder that was evaluated); None if not eligible. ``amount``: the amount expression's
    value before scaling (amount blocks). ``step``: (threshold, payout) of the first step()
    of the amount expression, if a step was reached. ``paid``: whole kronor; ``rounding``:
    kronor added (+) or taken (-) after half-up rounding. ``exact`` = ``scaled_exact`` +
    ``remainder_exact`` for amount blocks (``scaled_exact`` = amount * scale).
    """

    __slots__ = ("_block", "_i")
    _FIELDS = (
        "eligible",
        "weight",
        "amount",
        "step",
        "paid",
        "rounding",
        "exact",
        "scaled_exact",
        "remainder_exact",
    )

    def __init__(self, block: _BlockRun, index: int) -> None:
        self._block = block
        self._i = index

    @property
    def _local(self) -> int:
        return self._block.local(self._i)

    @property
    def eligible(self) -> bool:
        return self._local >= 0

    @property
    def weight(self) -> Fraction | None:
        j, weights = self._local, self._block.weights
        return None if j < 0 or weights is None else Fraction(weights[j])

    @property
    def amount(self) -> Fraction | None:
        j, amounts = self._local, self._block.amounts
        return None if j < 0 or amounts is None else Fraction(amounts[j])

    @property
    def step(self) -> tuple[Fraction, int] | None:
        j = self._local
        return None if j < 0 else self._block.step(j)

    @property
    def paid(self) -> int:
        j, rounding = self._local, self._block.rounding
        return 0 if j < 0 or rounding is None else rounding.amounts[j]

    @property
    def rounding(self) -> int:
        j, rounding = self._local, self._block.rounding
        return 0 if j < 0 or rounding is None else rounding.adjust[j]

    @property
    def exact(self) -> Fraction:
        j, rounding = self._local, self._block.rounding
        return Fraction(0) if j < 0 or rounding is None else rounding.exact(j)

    @property
    def scaled_exact(self) -> Fraction:
        j, rounding = self._local, self._block.rounding
        return Fraction(0) if j < 0 or rounding is None else rounding.base_exact(j)

    @property
    def remainder_exact(self) -> Fraction:
        j, rounding = self._local, self._block.rounding
        if j < 0 or rounding is None or rounding.base is None:
            return Fraction(0)
        return rounding.share_exact(j)


class RegionOutcome(_View):
    """One region's values and amounts (a view of the run's columns)."""

    __slots__ = ("_run", "_i")
    _FIELDS = ("name", "input", "posts", "values", "blocks", "total")

    def __init__(self, run: _Run, index: int) -> None:
        self._run = run
        self._i = index

    @property
    def name(self) -> str:
        return self._run.names[self._i]

    @property
    def input(self) -> RegionInput:
        return self._run.inputs[self._i]

    @property
    def posts(self) -> int:
        """max(filled, started) - deducted, shown whatever the model."""
        return self._run.inputs[self._i].posts

    @property
    def values(self) -> dict[str, Fraction | bool]:
        cols, i = self._run.cols, self._i
        return {name: _as_value(cols[name][i]) for name in self._run.model.value_names}

    @property
    def blocks(self) -> dict[str, RegionBlock]:
        return {b.block.id: RegionBlock(b, self._i) for b in self._run.blocks}

    @property
    def total(self) -> int:
        return self._run.totals_paid[self._i]


# --- the run ------------------------------------------------------------------------------


class _BlockRun:
    """One block's columns over its eligible regions (local order)."""

    def __init__(self, block: Block, n: int) -> None:
        self.block = block
        self.n = n
        self.where: list[int] | None = None  # global -> local (-1: not eligible); None: all
        self.idx: list[int] = []
        self.weights: list[Number] | None = None
        self.amounts: list[Number] | None = None
        self.hits: Any = None  # the first step()'s reached count, local column or scalar
        self.table: Any = None
        self.rounding: BlockRounding | None = None
        self.paid = 0
        # Amount blocks: the eligible amounts' sum (0 while nobody is eligible).
        self.amount_sum: Fraction | None = Fraction(0) if block.kind == "amount" else None
        self.scale = Fraction(1)
        self.remainder_budget = Fraction(0)

    def local(self, i: int) -> int:
        return i if self.where is None else self.where[i]

    def step(self, j: int) -> tuple[Fraction, int] | None:
        if self.table is None or self.hits is None:
            return None
        reached = self.hits[j] if isinstance(self.hits, list) else self.hits
        if not reached:
            return None
        return self.table.thresholds[reached - 1], self.table.payouts[reached - 1]

    def set_eligible(self, idx: list[int]) -> None:
        self.idx = idx
        if len(idx) != self.n:
            where = [-1] * self.n
            for j, i in enumerate(idx):
                where[i] = j
            self.where = where

    def outcome(self) -> BlockOutcome:
        b = self.block
        return BlockOutcome(
            id=b.id,
            name=b.name,
            budget=b.budget,
            paid=self.paid,
            not_paid=b.budget - self.paid,
            kind=b.kind,
            eligible_count=len(self.idx),
            amount_sum=self.amount_sum,
            scale=self.scale,
            remainder_budget=self.remainder_budget,
        )


class _Run:
    def __init__(self, model: AllocationModel, inputs: tuple[RegionInput, ...]) -> None:
        self.model = model
        self.inputs = inputs
        self.names, self.cols = _input_columns(inputs)
        _check_inputs(inputs, self.names)
        self.n = len(inputs)
        self.scalars: dict[str, Any] = {}
        self.blocks: list[_BlockRun] = []
        self.warnings: list[AllocationWarning] = []
        self.totals_paid = [0] * self.n

    def env(self) -> Env:
        return Env(self.n, self.cols, self.scalars, self.names)

    def run(self) -> None:
        plan = self.model.plan
        env = self.env()
        for name, compiled in plan.values:
            self.cols[name] = _evaluate(compiled.column, env, f"Värdet {name}", f"values.{name}")
        if self.n == 0:
            # No participant: totals over nobody are not defined (a rate divides by 0).
            self.warnings.append(
                AllocationWarning(
                    "no_participants", "Inga regioner deltar; inget block betalas ut."
                )
            )
        else:
            for name, compiled in plan.totals:
                self.scalars[name] = _evaluate(
                    compiled.scalar, env, f"Summan {name}", f"totals.{name}"
                )
        for index, (block, compiled) in enumerate(zip(self.model.blocks, plan.blocks, strict=True)):
            self.blocks.append(self.block(index, block, compiled, env))

    def block(self, index: int, block: Block, compiled: CompiledBlock, env: Env) -> _BlockRun:
        result = _BlockRun(block, self.n)
        if self.n == 0:
            return result
        where = f"blocks.{index}"
        label = block_label(index, block.name)
        if compiled.eligible is None:
            idx = list(range(self.n))
        else:
            flags = _evaluate(
                compiled.eligible.column,
                env,
                f"{label}, villkoret för att delta",
                f"{where}.eligible",
            )
            idx = [i for i, flag in enumerate(flags) if flag]
        result.set_eligible(idx)
        if not idx:
            self.warn(
                "no_one_eligible",
                f"Ingen region uppfyller villkoret för block {block.id} ({block.name}); "
                f"blocket ({_kr(block.budget)}) betalas inte ut.",
            )
            return result
        sub = env if len(idx) == self.n else env.subset(idx)
        if compiled.weight is not None:
            self.share_block(result, compiled.weight, sub, where)
        else:
            self.amount_block(result, compiled, sub, where)
        if result.rounding is not None:
            totals, amounts = self.totals_paid, result.rounding.amounts
            if len(idx) == self.n:
                self.totals_paid = list(map(add, totals, amounts))
            else:
                for i, amount in zip(idx, amounts, strict=True):
                    totals[i] += amount
        return result

    def share_block(self, result: _BlockRun, weight: Compiled, sub: Env, where: str) -> None:
        block = result.block
        weights = self.numbers(weight, sub, block, f"{where}.share", "vikten")
        result.weights = weights
        if not _any_positive(weights):
            self.warn(
                "zero_weights",
                f"Alla vikter i block {block.id} ({block.name}) är 0; blocket "
                f"({_kr(block.budget)}) betalas inte ut.",
            )
            return
        result.rounding = BlockRounding(sub.names, share=(block.budget, weights))
        result.paid = result.rounding.target

    def amount_block(
        self, result: _BlockRun, compiled: CompiledBlock, sub: Env, where: str
    ) -> None:
        block = result.block
        assert compiled.amount is not None
        hits: dict[int, Any] = {}
        counted = Env(sub.n, sub.cols, sub.scalars, sub.names, hits)
        amounts = as_list(
            self.numbers(compiled.amount, counted, block, f"{where}.amount", "beloppet")
        )
        result.amounts = amounts
        if compiled.amount.tables:
            result.table, result.hits = compiled.amount.tables[0], hits.get(0)
        total = Fraction(exact_sum(amounts))
        result.amount_sum = total
        budget = block.budget
        if total > budget:
            self.over_budget(result, total, sub)
            return
        rest = budget - total
        weights = None
        if compiled.remainder is not None:
            weights = self.numbers(
                compiled.remainder, sub, block, f"{where}.remainder", "vikten för det som blir över"
            )
            result.weights = weights
        if rest and weights is not None and _any_positive(weights):
            share = rest.numerator if rest.denominator == 1 else rest
            result.rounding = BlockRounding(sub.names, base=amounts, share=(share, weights))
            result.remainder_budget = rest
        else:
            if rest:
                why = (
                    "blocket har ingen vikt för det som blir över"
                    if weights is None
                    else "alla restens vikter är 0"
                )
                self.warn(
                    "remainder_not_paid",
                    f"Resten av block {block.id} ({block.name}), {_kr_exact(rest)}, betalas "
                    f"inte ut: {why}.",
                )
            result.rounding = BlockRounding(sub.names, base=amounts)
        result.paid = result.rounding.target

    def over_budget(self, result: _BlockRun, total: Fraction, sub: Env) -> None:
        block = result.block
        if block.over_budget == "error":
            index = self.model.blocks.index(block)
            raise ModelError(
                f"{block_label(index, block.name)}: beloppen blir tillsammans "
                f"{_kr_exact(total)}, mer än budgeten {_kr(block.budget)} (blocket stoppar "
                "körningen när beloppen överstiger budgeten).",
                f"blocks.{index}.over_budget",
            )
        scale = block.budget / total
        result.scale = scale
        self.warn(
            "amounts_scaled",
            f"Beloppen i block {block.id} ({block.name}), tillsammans {_kr_exact(total)}, "
            f"överstiger budgeten {_kr(block.budget)}; varje belopp har skalats ned med "
            f"faktorn {_decimal_sv(scale)} och ingen rest fördelas.",
        )
        assert result.amounts is not None
        result.rounding = BlockRounding(sub.names, base=result.amounts, scale=scale)
        result.paid = result.rounding.target

    def numbers(
        self, compiled: Compiled, env: Env, block: Block, field: str, what: str
    ) -> list[Number] | Ratios:
        """A weight or amount per region: >= 0 (RULES.md), else ModelError naming the
        region (the first by name, so the message does not depend on input order)."""
        label = block_label(int(field.split(".")[1]), block.name)
        column = _evaluate(compiled.column, env, f"{label}, {what}", field)
        negative = _negatives(column)
        if negative:
            first = min(negative, key=env.names.__getitem__)
            noun = "negativ vikt" if "vikt" in what else "negativt belopp"
            raise ModelError(
                f"{label}: {noun} för region {env.names[first]}: "
                f"{_decimal(Fraction(column[first]))} ({compiled.text}).",
                field,
            )
        return column

    def warn(self, code: str, message: str) -> None:
        self.warnings.append(AllocationWarning(code, message))


def _any_positive(column: list[Number] | Ratios) -> bool:
    """Whether some weight is > 0 (all are >= 0 by now)."""
    return any(column.nums if type(column) is Ratios else column)


def _negatives(column: list[Number] | Ratios) -> list[int]:
    if type(column) is Ratios:
        return column.negatives()
    if not column or min(column) >= 0:  # type: ignore[type-var]
        return []
    return [j for j, v in enumerate(column) if v < 0]


def _evaluate(fn: Any, env: Env, label: str, field: str) -> Any:
    try:
        return fn(env)
    except DivisionByZero as exc:
        region = f" för region {exc.region}" if exc.region is not None else ""
        raise ModelError(
            f"{label}: division med noll{region} i {exc.expression!r}.", field
        ) from exc


_INPUT_FIELDS = attrgetter(
    "name", "filled", "started", "deducted", "population", "planned_low", "planned_high"
)


def _input_columns(inputs: tuple[RegionInput, ...]) -> tuple[list[str], dict[str, list[Any]]]:
    """The regions' names and the inputs as columns (RULES.md "Inputs": a missing count is
    0; planned is the plan's mean, an int when whole, so that "posts - planned" stays in
    integers).

    One pass over the regions, all their fields at once: reading a column at a time visits
    each (scattered) region object once per column and is slower.
    """
    names: list[str] = []
    filled: list[int] = []
    started: list[int] = []
    deducted: list[int] = []
    population: list[int] = []
    planned: list[Number] = []
    add_name, add_f, add_s, add_d, add_p, add_plan = (
        names.append,
        filled.append,
        started.append,
        deducted.append,
        population.append,
        planned.append,
    )
    for name, f, st, d, pop, low, high in map(_INPUT_FIELDS, inputs):
        add_name(name)
        add_f(0 if f is None else f)
        add_s(0 if st is None else st)
        add_d(d)
        add_p(pop)
        a, b = low.as_integer_ratio()
        c, e = high.as_integer_ratio()
        if b == 1 == e:
            total = a + c
            add_plan(total >> 1 if not total & 1 else Fraction(total, 2))
        else:
            add_plan(_mean(low, high))
    return names, {
        "filled": filled,
        "started": started,
        "deducted": deducted,
        "population": population,
        "planned": planned,
    }


def _mean(low: Fraction, high: Fraction) -> Number:
    mean = (low + high) / 2
    return mean.numerator if mean.denominator == 1 else mean


def _check_inputs(regions: tuple[object, ...], names: list[str] | None = None) -> None:
    """InputError if a region is not a RegionInput or a name repeats (``names``: the
    regions' names, once they are known to be RegionInputs)."""
    if names is not None and len(set(names)) == len(names):
        return
    if names is None and set(map(type, regions)) <= {RegionInput}:
        return
    seen: set[str] = set()
    for region in regions:
        if not isinstance(region, RegionInput):
            raise InputError(f"expected RegionInput, got {region!r}")
        if region.name in seen:
            raise InputError(f"region {region.name!r} appears more than once")
        seen.add(region.name)


def allocate(model: AllocationModel, regions: Sequence[RegionInput]) -> ModelAllocation:
    """Run ``model`` over ``regions`` (the participants, any order; results in input order).

    Raises ModelError (division by zero naming region and expression, a negative weight or
    amount naming region and block, over_budget "error" exceeded naming block and both
    sums) and engine.InputError (an input that is not a RegionInput, duplicate names).
    Warnings (codes): no_participants, no_one_eligible, zero_weights, amounts_scaled,
    remainder_not_paid.
    """
    if not isinstance(model, AllocationModel):
        raise TypeError(f"expected AllocationModel, got {type(model).__name__}")
    inputs = tuple(regions)
    _check_inputs(inputs)
    with _collector_paused():
        run = _Run(model, inputs)
        run.run()
        outcomes = tuple(map(RegionOutcome, [run] * run.n, range(run.n)))
    return ModelAllocation(
        model=model,
        regions=outcomes,
        blocks=tuple(block.outcome() for block in run.blocks),
        totals={name: _as_value(value) for name, value in run.scalars.items()},
        warnings=tuple(run.warnings),
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a run creates many small objects that hold no
    cycles, and the collector's passes over them cost more than the run (as in engine.py)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# --- text ---------------------------------------------------------------------------------


def _kr(amount: int) -> str:
    """Swedish kronor: ``223 000 000 kr`` (no-break spaces, as atgrant_format.kr)."""
    return f"{amount:,}".replace(",", "\u00a0") + "\u00a0kr"


def _decimal(value: Fraction, places: int = 6) -> str:
    """Swedish decimal text, at most ``places`` decimals, half up: ``-2,5``, ``0,842105``."""
    scaled = round_half_up(value * 10**places)
    sign = "-" if scaled < 0 else ""
    whole, fraction = divmod(abs(scaled), 10**places)
    digits = f"{fraction:0{places}d}".rstrip("0")
    grouped = f"{whole:,}".replace(",", "\u00a0")
    return f"{sign}{grouped},{digits}" if digits else f"{sign}{grouped}"


def _kr_exact(amount: Fraction) -> str:
    return _decimal(amount, 2) + "\u00a0kr"


def _decimal_sv(value: Fraction, places: int = 6) -> str:
    """A factor with exactly ``places`` decimals: ``0,842105``."""
    scaled = round_half_up(value * 10**places)
    whole, fraction = divmod(scaled, 10**places)
    return f"{whole},{fraction:0{places}d}"
