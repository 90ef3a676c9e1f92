"""The stored result stays JSON text of bounded size however many regions take part."""

from __future__ import annotations

import json
import random
from fractions import Fraction

from allocation import engine
from allocation.snapshot import AMOUNT_DECIMALS, amount_text, compute, engine_inputs


def _snapshot(n: int) -> dict:
    rng = random.Random(7)
    regions = []
    for i in range(n):
        plan = rng.randint(10, 300)
        regions.append(
            {
                "name": f"Region {i:05d}",
                "region_id": i + 1,
                "code": f"{i:05d}",
                "population": rng.randint(20_000, 3_000_000),
                "plan_text": str(plan),
                "plan_low": str(plan),
                "plan_high": str(plan),
                "filled": plan + rng.randint(-3, 20),
                "started": None,
                "reported_filled": None,
                "reported_started": None,
                "version_id": i + 1,
                "version_number": 1,
                "version_reference": f"X-{i}",
                "deducted": 0,
                "deduction_reason": "",
                "override_reason": "",
            }
        )
    rules = {
        "block1": 63_000_000 * n,
        "block2": 160_000_000 * n,
        "staircase": [[2, 3_000_000], [3, 4_500_000], [5, 7_500_000], [15, 30_000_000]],
    }
    return {"rules": rules, "regions": regions}


def test_amount_text_rounds_half_up_to_fixed_places():
    assert amount_text(Fraction(1, 3)) == "0.333333"
    assert amount_text(Fraction(5, 10**7)) == "0.000001"  # half up
    assert amount_text(Fraction(3_000_000)) == "3000000.000000"
    assert amount_text(Fraction(-1, 8)) == "-0.125000"


def test_a_run_of_1500_regions_stores_bounded_exact_amounts():
    snapshot = _snapshot(1500)
    result = compute(snapshot)
    text = json.dumps(result)  # no int-to-text limit hit, nothing unserialisable
    assert len(text) < 3_000_000
    rows = result["regions"]
    assert sum(r["block1"] for r in rows) == snapshot["rules"]["block1"]
    # Each stored exact amount is the engine's exact amount to AMOUNT_DECIMALS places.
    exact = engine.allocate(*engine_inputs(snapshot)).regions
    half_unit = Fraction(1, 2 * 10**AMOUNT_DECIMALS)
    for row, res in zip(rows[:50], exact[:50], strict=True):
        assert len(row["block1_exact"].partition(".")[2]) == AMOUNT_DECIMALS
        assert abs(Fraction(row["block1_exact"]) - res.block1_exact) <= half_unit
        assert abs(Fraction(row["block2_exact"]) - res.block2_exact) <= half_unit
