"""allocation/results.py: one reader of the old result shape and of format 2."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from allocation.results import (
    legacy_model_document,
    read_explanation,
    read_result,
)
from tests.allocation.format2_factories import (
    BLOCK_NAMES,
    format2_run,
    legacy_decided,
    three_block_decided,
)
from tests.allocation.read_factories import (
    FAST_HASHERS,
    FOUR,
    closed_round,
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def test_legacy_rules_read_as_the_2024_model_of_rules_md():
    rules = {
        "block1": 63_000_000,
        "block2": 160_000_000,
        "staircase": [[2, 3_000_000], [3, 4_500_000], ["5/2", 1]],
    }
    document = legacy_model_document(rules)
    assert document["values"] == {
        "posts": "max(filled, started) - deducted",
        "rate": "posts * 100000 / population",
        "increase": "posts - planned",
    }
    block1, block2 = document["blocks"]
    assert block1 == {
        "id": "block1",
        "name": "Redovisa antal AT-tjänster",
        "budget": 63_000_000,
        "share": "rate",
    }
    assert block2["eligible"] == "increase >= 2"
    assert block2["amount"] == "step(increase, [[2, 3000000], [3, 4500000], [2.5, 1]])"
    assert block2["remainder"] == "rate" and block2["budget"] == 160_000_000


def test_old_run_reads_with_its_stored_figures(officer):
    decisions = legacy_decided(officer)
    run = decisions["Blekinge"].run
    result = read_result(run.snapshot, run.result)
    assert result.legacy
    assert [b.id for b in result.blocks] == ["block1", "block2"]
    assert [b.paid for b in result.blocks] == [
        run.result["block1"]["paid"],
        run.result["block2"]["paid"],
    ]
    for row, stored in zip(result.rows, run.result["regions"], strict=True):
        assert row.name == stored["name"]
        assert row.amounts == {"block1": stored["block1"], "block2": stored["block2"]}
        assert row.total == stored["total"]
        assert row.values["increase"] == Fraction(stored["increase"])
        cell = row.cell("block2")
        assert cell.eligible == stored["qualifies"]
        assert (cell.amount_paid, cell.remainder_paid) == (
            stored["step_payment"],
            stored["remainder"],
        )
        assert row.plan_text  # joined from the snapshot
    blekinge = next(r for r in result.rows if r.name == "Region Blekinge")
    assert blekinge.cell("block2").step == (Fraction(5), 7_500_000)
    # the decision's explanation reads to the same cells
    decision = decisions["Blekinge"]
    blocks, row = read_explanation(decision.explanation, decision.block_amounts())
    assert [b.id for b in blocks] == ["block1", "block2"]
    assert row.amounts == {"block1": decision.block1, "block2": decision.block2}
    assert row.cell("block2").step == (Fraction(5), 7_500_000)


def test_format2_run_reads_every_block(officer):
    grant_round = closed_round(FOUR)
    run = format2_run(grant_round, officer)
    result = read_result(run.snapshot, run.result)
    assert not result.legacy
    assert [(b.id, b.name) for b in result.blocks] == list(BLOCK_NAMES.items())
    assert [b.kind for b in result.blocks] == ["share", "share", "amount"]
    assert result.totals["national_rate"] == Fraction(220 * 100_000, 692_000)
    halland = next(r for r in result.rows if r.name == "Region Halland")
    improve = halland.cell("improve")
    assert improve.eligible and improve.step == (Fraction(1), 3_000_000)
    assert improve.scaled_exact == Decimal("3000000.000000")
    assert improve.paid == 59_382_353 and improve.rounding == 0
    assert (improve.amount_paid, improve.remainder_paid) == (3_000_000, 56_382_353)
    assert not halland.cell("good").eligible
    assert halland.plan_text == "70" and halland.population == 340_000
    assert sum(r.total for r in result.rows) == result.total_paid == 372_000_000
    assert result.model["blocks"][2]["remainder"] == "posts"


def test_format2_explanation_reads_blocks_and_row(officer):
    decision = three_block_decided(officer)["Gotland"]
    blocks, row = read_explanation(decision.explanation, decision.block_amounts())
    assert [b.id for b in blocks] == ["good", "growth", "improve"]
    assert row.name == "Region Gotland"
    assert row.amounts == decision.amounts
    assert row.cell("growth").weight == Fraction(2)
    assert row.cell("good").weight_share == Fraction(row.cell("good").exact) / 124_000_000
