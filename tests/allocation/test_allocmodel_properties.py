"""Invariants of the model engine (allocation.allocmodel) on random models and inputs.

For random models (1-4 blocks, share and amount blocks, step() tables, conditions, totals
with sum() and count()) and random participants: each block pays its exact total rounded half
up, amounts are non-negative whole kronor, input order changes nothing, and every figure
equals the all-Fraction reference evaluator (allocation.allocmodel.reference).
"""

from __future__ import annotations

import random
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from allocation.allocmodel import AllocationModel, ModelAllocation, ModelError, allocate, reference
from allocation.engine import RegionInput

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, derandomize=True)

NAMES = ["Blekinge", "Dalarna", "Gotland", "gävleborg", "Örebro", "Östergötland", "A", "a", "Z"]
# Non-negative per-region numbers every model has (values "posts", "rate", "half").
BASE_VALUES = {
    "posts": "max(filled, started) - deducted",
    "rate": "posts * 100000 / population",
    "increase": "posts - planned",
    "half": "max(0, increase) / 2",
}
NONNEG = ["posts", "rate", "half", "filled", "population", "planned"]


@st.composite
def step_tables(draw: st.DrawFn) -> str:
    thresholds = sorted(draw(st.sets(st.integers(-4, 40), max_size=5)))
    pairs = [
        f"[{t / 2 if t % 2 else t // 2}, {draw(st.integers(0, 5_000_000))}]" for t in thresholds
    ]
    return "[" + ", ".join(pairs) + "]"


@st.composite
def numbers(draw: st.DrawFn, depth: int = 2, names: tuple[str, ...] = tuple(NONNEG)) -> str:
    """A non-negative number expression (so weights and amounts are >= 0)."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        if draw(st.booleans()):
            return draw(st.sampled_from(names))
        return draw(st.sampled_from(["0", "1", "2", "0.5", "3.25", "100000", "7"]))
    kind = draw(st.sampled_from(["+", "*", "/", "max", "min", "step", "minus"]))
    a = draw(numbers(depth - 1, names))
    b = draw(numbers(depth - 1, names))
    if kind in "+*":
        return f"({a} {kind} {b})"
    if kind == "/":
        return f"({a} / {draw(st.sampled_from(['population', '2', '3', '(posts + 1)']))})"
    if kind == "minus":
        return f"max(0, {a} - {b})"
    if kind == "step":
        return f"step({draw(st.sampled_from(['increase', 'posts', a]))}, {draw(step_tables())})"
    return f"{kind}({a}, {b})"


@st.composite
def conditions(draw: st.DrawFn, names: tuple[str, ...]) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 2))):
        left = draw(st.sampled_from([*names, "increase"]))
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
        right = draw(st.sampled_from(["0", "2", "2.5", "10", "avg_posts", "national_rate"]))
        part = f"{left} {op} {right}"
        if draw(st.booleans()):
            part = f"not ({part})"
        parts.append(part)
    joiner = draw(st.sampled_from([" and ", " or "]))
    return (
        joiner.join(parts) if draw(st.integers(0, 5)) else draw(st.sampled_from(["true", "false"]))
    )


@st.composite
def models(draw: st.DrawFn) -> AllocationModel:
    totals = {
        "national_rate": "sum(posts) * 100000 / sum(population)",
        "avg_posts": "sum(posts) / count()",
        "weight_sum": f"sum({draw(numbers(1))})",
    }
    names = tuple(NONNEG)
    blocks = []
    for index in range(draw(st.integers(1, 4))):
        block: dict[str, object] = {
            "id": f"b{index}",
            "name": f"Block {index}",
            "budget": draw(st.sampled_from([0, 1, 2, 5, 999, 10_000_001, 63_000_000])),
        }
        if draw(st.booleans()):
            block["eligible"] = draw(conditions(names))
        if draw(st.booleans()):
            block["share"] = draw(numbers(2, names))
        else:
            block["amount"] = draw(numbers(2, names))
            block["over_budget"] = "scale"
            if draw(st.booleans()):
                block["remainder"] = draw(numbers(1, names))
        blocks.append(block)
    return AllocationModel.from_json(
        {"format": 1, "name": "x", "values": BASE_VALUES, "totals": totals, "blocks": blocks}
    )


@st.composite
def region_inputs(draw: st.DrawFn, name: str) -> RegionInput:
    low = Fraction(draw(st.integers(0, 100)), 2)
    high = low + Fraction(draw(st.integers(0, 6)), 2)
    filled = draw(st.none() | st.integers(0, 60))
    started = draw(st.integers(0, 60)) if filled is None else draw(st.none() | st.integers(0, 60))
    reported = max(v for v in (filled, started) if v is not None)
    return RegionInput(
        name=name,
        population=draw(st.sampled_from([1, 2, 3, 7, 61_093, 500_000, 2_455_914])),
        planned_low=low,
        planned_high=high,
        filled=filled,
        started=started,
        deducted=draw(st.integers(0, min(reported, 2))),
    )


@st.composite
def region_lists(draw: st.DrawFn) -> list[RegionInput]:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=8, unique=True))
    return [draw(region_inputs(name)) for name in names]


def figures(result: ModelAllocation) -> dict[str, tuple[object, ...]]:
    return {
        r.name: (
            r.values,
            r.total,
            tuple(
                (b.eligible, b.weight, b.amount, b.step, b.paid, b.rounding, b.exact)
                for b in r.blocks.values()
            ),
        )
        for r in result.regions
    }


def run(model: AllocationModel, regions: list[RegionInput]) -> ModelAllocation | None:
    try:
        return allocate(model, regions)
    except ModelError as exc:
        # Random models may divide by a zero sum (no posts anywhere): a ModelError, and
        # only that. (Weights and amounts are >= 0 by construction.)
        assert "division med noll" in str(exc)
        return None


@PROPERTY_SETTINGS
@given(models(), region_lists())
def test_each_block_pays_its_exact_total_rounded_half_up(
    model: AllocationModel, regions: list[RegionInput]
) -> None:
    result = run(model, regions)
    if result is None:
        return
    for index, block in enumerate(result.blocks):
        cells = [r.blocks[block.id] for r in result.regions]
        exact_total = sum((c.exact for c in cells), Fraction(0))
        assert block.paid == reference.round_half_up(exact_total)
        assert sum(c.paid for c in cells) == block.paid
        assert block.paid + block.not_paid == block.budget
        for cell in cells:
            assert isinstance(cell.paid, int) and cell.paid >= 0
            assert abs(cell.paid - cell.exact) <= Fraction(3, 2)  # half up, one residual krona
            assert cell.exact == cell.scaled_exact + cell.remainder_exact or block.kind == "share"
        assert model.blocks[index].id == block.id
    for r in result.regions:
        assert r.total == sum(b.paid for b in r.blocks.values())


@PROPERTY_SETTINGS
@given(models(), region_lists(), st.randoms(use_true_random=False))
def test_input_order_changes_nothing(
    model: AllocationModel, regions: list[RegionInput], rnd: random.Random
) -> None:
    result = run(model, regions)
    shuffled = regions[:]
    rnd.shuffle(shuffled)
    again = run(model, shuffled)
    if result is None:
        assert again is None
        return
    assert again is not None
    assert [r.name for r in again.regions] == [r.name for r in shuffled]
    assert figures(result) == figures(again)
    assert result.blocks == again.blocks
    assert result.totals == again.totals
    assert result.warnings == again.warnings


@PROPERTY_SETTINGS
@given(models(), region_lists())
def test_results_equal_the_reference_evaluator(
    model: AllocationModel, regions: list[RegionInput]
) -> None:
    result = run(model, regions)
    if result is None:
        return
    expected = reference.allocate(model, regions)
    assert result.totals == expected.totals
    for i, r in enumerate(result.regions):
        assert r.values == {name: expected.values[i][name] for name in model.value_names}
    for block in result.blocks:
        ref = expected.blocks[block.id]
        assert block.paid == ref.paid
        assert block.scale == ref.scale
        assert block.remainder_budget == ref.remainder_budget
        cells = [r.blocks[block.id] for r in result.regions]
        assert [c.eligible for c in cells] == ref.eligible
        assert [c.exact for c in cells] == ref.exact
        assert [c.paid for c in cells] == ref.amounts
        assert [c.rounding for c in cells] == ref.rounding


@st.composite
def amount_models(draw: st.DrawFn) -> AllocationModel:
    """Amount blocks with a remainder: whole and fractional amounts (the remainder then not
    whole kronor), remainder weights that tie, budgets above and below the amounts."""
    amounts = ["half", "posts / 4", "(posts * 7) / 3", "rate / 1000", "posts * 1000"]
    blocks = [
        {
            "id": f"b{index}",
            "name": f"Block {index}",
            "budget": draw(st.sampled_from([0, 999, 10_000, 123_457, 10_000_001])),
            "eligible": draw(st.sampled_from(["true", "posts > 0", "increase >= 0.5"])),
            "amount": draw(st.sampled_from([*amounts, f"step(increase, {draw(step_tables())})"])),
            "remainder": draw(st.sampled_from(["posts", "rate", "half", "1", "population"])),
        }
        for index in range(draw(st.integers(1, 3)))
    ]
    return AllocationModel.from_json(
        {"format": 1, "name": "x", "values": BASE_VALUES, "blocks": blocks}
    )


@PROPERTY_SETTINGS
@given(amount_models(), region_lists())
def test_amounts_with_remainders_equal_the_reference(
    model: AllocationModel, regions: list[RegionInput]
) -> None:
    result = allocate(model, regions)
    expected = reference.allocate(model, regions)
    for block in result.blocks:
        ref = expected.blocks[block.id]
        cells = [r.blocks[block.id] for r in result.regions]
        assert (block.paid, block.scale, block.remainder_budget) == (
            ref.paid,
            ref.scale,
            ref.remainder_budget,
        )
        assert [c.exact for c in cells] == ref.exact
        assert [c.paid for c in cells] == ref.amounts
        assert [c.rounding for c in cells] == ref.rounding
        assert sum(c.paid for c in cells) == block.paid == reference.round_half_up(sum(ref.exact))
