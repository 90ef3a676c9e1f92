"""The 2024 model as data (RULES.md's example) equals the 2024 engine (allocation.engine)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

from hypothesis import given, settings

from allocation import engine
from allocation.allocmodel import AllocationModel, allocate, model_2024
from allocation.engine import RegionInput, Rules
from tests.allocation.test_engine import RULES_2024, load_2024_inputs
from tests.allocation.test_engine_properties import region_lists, rules_strategy

ALLOCATION = Path(__file__).parents[2] / "allocation"
RULES_MD_2024 = {
    "format": 1,
    "name": "AT-tjänster 2024",
    "values": {
        "posts": "max(filled, started) - deducted",
        "rate": "posts * 100000 / population",
        "increase": "posts - planned",
    },
    "totals": {},
    "blocks": [
        {"id": "block1", "name": "Redovisa antal AT-tjänster", "budget": 63000000, "share": "rate"},
        {
            "id": "block2",
            "name": "Ytterligare utökning",
            "budget": 160000000,
            "eligible": "increase >= 2",
            "amount": "step(increase, [[2, 3000000], [3, 4500000], [5, 7500000], [7, 10500000], "
            "[10, 20000000], [15, 30000000]])",
            "over_budget": "scale",
            "remainder": "rate",
        },
    ],
}


def as_model(rules: Rules) -> AllocationModel:
    steps = [(step.min_increase, step.payout) for step in rules.staircase]
    return model_2024(rules.block1, rules.block2, steps)


def assert_same(rules: Rules, regions: list[RegionInput]) -> None:
    expected = engine.allocate(rules, regions)
    result = allocate(as_model(rules), regions)
    assert [r.name for r in result.regions] == [r.name for r in expected.regions]
    for mine, theirs in zip(result.regions, expected.regions, strict=True):
        b1, b2 = mine.blocks["block1"], mine.blocks["block2"]
        assert (b1.paid, b2.paid, mine.total) == (theirs.block1, theirs.block2, theirs.total)
        assert (b1.rounding, b2.rounding) == (theirs.block1_rounding, theirs.block2_rounding)
        assert (b1.exact, b2.exact) == (theirs.block1_exact, theirs.block2_exact)
        assert b2.eligible == theirs.qualifies
        assert b2.step == ((theirs.step.min_increase, theirs.step.payout) if theirs.step else None)
        assert b2.scaled_exact == theirs.step_payment_exact
        assert b2.remainder_exact == theirs.remainder_exact
        assert mine.values == {
            "posts": theirs.posts,
            "rate": theirs.rate,
            "increase": theirs.increase,
        }
        assert mine.posts == theirs.posts
    blocks = {b.id: b for b in result.blocks}
    assert (blocks["block1"].paid, blocks["block1"].not_paid) == (
        expected.block1.paid,
        expected.block1.not_paid,
    )
    assert (blocks["block2"].paid, blocks["block2"].not_paid) == (
        expected.block2.paid,
        expected.block2.not_paid,
    )
    assert blocks["block2"].scale == expected.steps_scale
    assert result.total_paid == expected.total_paid


def test_rules_md_example_is_model_2024() -> None:
    model = AllocationModel.from_json(RULES_MD_2024)
    assert model == model_2024(63_000_000, 160_000_000, RULES_2024_STEPS)
    assert model.to_json() == RULES_MD_2024


RULES_2024_STEPS = [
    (Fraction(t), p)
    for t, p in json.loads((ALLOCATION / "rules_2024.json").read_text(encoding="utf-8"))[
        "staircase"
    ]
]


def test_legacy_rules_file_reads_as_the_2024_model() -> None:
    data = json.loads((ALLOCATION / "rules_2024.json").read_text(encoding="utf-8"))
    assert AllocationModel.from_json(data).to_json() == RULES_MD_2024


def test_shipped_model_2024_json_is_rules_md_example() -> None:
    data = json.loads((ALLOCATION / "model_2024.json").read_text(encoding="utf-8"))
    assert data == RULES_MD_2024


def test_the_21_regions_of_2024_as_the_engine() -> None:
    regions = load_2024_inputs()
    assert len(regions) == 21
    assert_same(RULES_2024, regions)
    result = allocate(AllocationModel.from_json(RULES_MD_2024), regions)
    assert [(b.id, b.paid) for b in result.blocks] == [
        ("block1", 63_000_000),
        ("block2", 160_000_000),
    ]
    assert result.warnings == ()
    by_name = result.by_name()
    # Skåne: 219 - 204 = 15 posts over the plan: the top step, 30 000 000 kr, plus its
    # share of the 60 500 000 kr remainder.
    skane = by_name["Skåne"].blocks["block2"]
    assert skane.step == (Fraction(15), 30_000_000)
    assert skane.scaled_exact == 30_000_000
    assert skane.paid > 30_000_000
    # Gotland reaches no step: not eligible for block 2.
    assert by_name["Gotland"].blocks["block2"].eligible is False
    assert by_name["Gotland"].total == by_name["Gotland"].blocks["block1"].paid


@settings(max_examples=200, deadline=None, derandomize=True)
@given(rules_strategy, region_lists())
def test_random_2024_rounds_as_the_engine(rules: Rules, regions: list[RegionInput]) -> None:
    assert_same(rules, regions)


def test_steps_over_block2_are_scaled_as_the_engine() -> None:
    regions = load_2024_inputs()
    rules = Rules(block1=63_000_000, block2=50_000_001, staircase=RULES_2024.staircase)
    assert_same(rules, regions)
    result = allocate(as_model(rules), regions)
    assert [w.code for w in result.warnings] == ["amounts_scaled"]
    assert "faktorn 0,502513" in result.warnings[0].message


def test_no_staircase_pays_no_block2() -> None:
    rules = Rules(block1=100, block2=100, staircase=())
    assert_same(rules, load_2024_inputs())
    assert as_model(rules).block("block2").eligible == "false"


def test_equal_rates_every_share_half_a_krona_as_the_engine() -> None:
    names = [f"R{i:03d}" for i in range(40)]
    regions = [RegionInput(n, 500_000, Fraction(40), Fraction(40), 45, None) for n in names[::-1]]
    rules = Rules(block1=630 * 40 + 20, block2=7_619_047 * 40 + 20, staircase=RULES_2024.staircase)
    assert_same(rules, regions)
