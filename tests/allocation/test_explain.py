"""The decision explanation in plain Swedish: a stored explanation dict in, sentences out."""

from __future__ import annotations

import pytest

from allocation.explain import explain

NBSP = "\u00a0"

STEP = {
    "filled": 55,
    "started": 54,
    "reported_posts": 55,
    "deducted": 0,
    "deduction_reason": "",
    "override_reason": "",
    "posts": 55,
    "plan_text": "50",
    "planned": "50",
    "plan_is_range": False,
    "increase": "5",
    "rate": "110000/3180",
    "qualifies": True,
    "step_min_increase": "5",
    "step_payment": 7_500_000,
    "remainder": 37_509_161,
    "steps_scale": "1",
    "block1_rounding": 0,
    "block2_rounding": 0,
    "block2_paid": True,
    "warnings": [],
}


def texts(items):
    return {item.key: item.text.replace(NBSP, " ") for item in items}


def run(explanation, block1=11_997_022, block2=45_009_161):
    return texts(explain(explanation, block1=block1, block2=block2, total=block1 + block2))


def test_step_case_names_the_step_its_payment_and_the_remainder():
    t = run(STEP)
    assert "55 tillsatta och 54 påbörjade" in t["reported"]
    assert "Det högre av de två talen räknas: 55 tjänster" in t["reported"]
    assert "Inga tjänster har dragits av" in t["deduction"]
    assert "står 50. Det används: 50 planerade tjänster" in t["plan"]
    assert "55 − 50 = 5" in t["increase"]
    assert "34,59 AT-tjänster per 100 000 invånare" in t["rate"]
    assert "Regionens andel: 11 997 022 kr" in t["block1"]
    assert "minst 5 tjänster, som ger 7 500 000 kr" in t["step"]
    assert "Regionens del: 37 509 161 kr" in t["remainder"]
    assert "= 57 006 183 kr" in t["total"]
    assert "no_step" not in t and "block2_not_paid" not in t and "rounding" not in t


def test_no_step_says_no_step_was_reached():
    e = {
        **STEP,
        "increase": "-1",
        "qualifies": False,
        "step_min_increase": None,
        "step_payment": 0,
        "remainder": 0,
    }
    t = run(e, block2=0)
    assert "når inget steg" in t["no_step"]
    assert "step" not in t and "remainder" not in t


def test_no_qualifier_says_block2_is_not_paid_at_all():
    e = {**STEP, "qualifies": False, "step_payment": 0, "remainder": 0, "block2_paid": False}
    t = run(e, block2=0)
    assert "block 2 betalas inte ut alls" in t["block2_not_paid"]
    assert "no_step" not in t


def test_deduction_gives_posts_and_reason():
    e = {
        **STEP,
        "reported_posts": 71,
        "deducted": 2,
        "posts": 69,
        "deduction_reason": "Tjänsterna betalades av 2023 års bidrag",
    }
    t = run(e)
    assert t["deduction"].startswith("2 tjänster har dragits av")
    assert "Skäl: Tjänsterna betalades av 2023 års bidrag." in t["deduction"]
    assert "Antal tjänster som räknas: 69 tjänster" in t["deduction"]


def test_officer_entered_values_are_said_with_their_reason():
    t = run({**STEP, "override_reason": "Regionen rättade en felskrivning per e-post."})
    assert "förts in av handläggaren" in t["override"]
    assert "Skäl: Regionen rättade en felskrivning per e-post." in t["override"]


def test_range_plan_is_said_to_be_the_mean():
    t = run(
        {
            **STEP,
            "plan_text": "84-89",
            "planned": "173/2",
            "plan_is_range": True,
            "posts": 90,
            "increase": "7/2",
        }
    )
    assert "står 84–89. Eftersom det är ett spann används medelvärdet: 86,5" in t["plan"]
    assert "90 − 86,5 = 3,5" in t["increase"]


def test_only_started_reported():
    t = run({**STEP, "filled": None, "started": 31, "reported_posts": 31})
    assert "31 påbörjade AT-tjänster och inga tillsatta" in t["reported"]


def test_rounding_adjustments_are_explained_per_block():
    t = run({**STEP, "block1_rounding": 1, "block2_rounding": -2})
    assert "Block 1: 1 krona har lagts till" in t["rounding"]
    assert "Block 2: 2 kronor har dragits från" in t["rounding"]


def test_scaled_staircase_is_mentioned():
    t = run({**STEP, "steps_scale": "16/17", "remainder": 0})
    assert "minskats i samma proportion" in t["step"]
    assert "Ingen rest av block 2" in t["remainder"]


def test_reconsideration_names_the_replaced_decision_and_old_amounts():
    e = {
        **STEP,
        "replaces_reference": "AT2024-10-B1",
        "previous_block1": 1,
        "previous_block2": 2,
        "previous_total": 3,
        "reconsideration_reason": "Fel i underlaget",
    }
    t = run(e)
    assert "omprövningen av beslut AT2024-10-B1" in t["reconsidered"]
    assert "(totalt 3 kr)" in t["reconsidered"]
    assert "Skäl: Fel i underlaget." in t["reconsidered"]


@pytest.mark.parametrize("missing", ["rate", "planned", "increase"])
def test_missing_values_do_not_break_the_explanation(missing):
    e = {k: v for k, v in STEP.items() if k != missing}
    assert run(e)["total"]
