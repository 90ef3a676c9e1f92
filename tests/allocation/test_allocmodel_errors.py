"""Every error of RULES.md "Errors", and the model document's checks: each message names
the value, total, block or region concerned, and ``field`` points into the document."""

from __future__ import annotations

import copy
import pickle
from fractions import Fraction
from typing import Any

import pytest

from allocation.allocmodel import AllocationModel, ModelError, allocate
from allocation.engine import InputError, RegionInput


def doc(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "format": 1,
        "name": "Test",
        "values": {"posts": "max(filled, started) - deducted", "increase": "posts - planned"},
        "totals": {"mean_posts": "sum(posts) / count()"},
        "blocks": [
            {"id": "a", "name": "A", "budget": 1000, "share": "posts"},
            {
                "id": "b",
                "name": "B",
                "budget": 500,
                "eligible": "increase >= 1",
                "amount": "step(increase, [[1, 100], [3, 200]])",
                "remainder": "posts",
            },
        ],
    }
    base.update(changes)
    return base


def with_block(index: int, **changes: Any) -> dict[str, Any]:
    data = doc()
    data["blocks"] = copy.deepcopy(data["blocks"])
    data["blocks"][index].update(changes)
    for key, value in changes.items():
        if value is None:
            del data["blocks"][index][key]
    return data


def region(name: str, posts: int, population: int = 1000, planned: int = 0) -> RegionInput:
    return RegionInput(name, population, Fraction(planned), Fraction(planned), posts, None)


def refused(data: object) -> ModelError:
    with pytest.raises(ModelError) as info:
        AllocationModel.from_json(data)
    return info.value


# --- the document -------------------------------------------------------------------------


def test_the_valid_document_round_trips() -> None:
    model = AllocationModel.from_json(doc())
    assert AllocationModel.from_json(model.to_json()) == model
    assert model.block_ids == ("a", "b")
    assert model.block("b").remainder == "posts"
    assert model.staircases("b") == [[(Fraction(1), 100), (Fraction(3), 200)]]
    assert model.staircases("a") == []


def test_a_model_pickles_and_copies() -> None:
    model = AllocationModel.from_json(doc())
    assert pickle.loads(pickle.dumps(model)) == model
    assert copy.deepcopy(model) == model
    regions = [region("A", 5), region("B", 3)]
    again = allocate(pickle.loads(pickle.dumps(model)), regions)
    assert again.total_paid == allocate(model, regions).total_paid == 1500


@pytest.mark.parametrize(
    ("data", "fragments", "field"),
    [
        ({"name": "x", "blocks": []}, ["format"], "format"),
        (doc(format=2), ["Okänt format 2"], "format"),
        (doc(format="1"), ["Okänt format"], "format"),
        (doc(format=True), ["Okänt format"], "format"),
        (doc(colour="red"), ["colour"], "colour"),
        (doc(blocks=[]), ["minst ett block"], "blocks"),
        (doc(values=["posts"]), ["values"], "values"),
        (doc(name=5), ["Modellens namn"], "name"),
    ],
)
def test_bad_documents_are_refused(data: object, fragments: list[str], field: str) -> None:
    error = refused(data)
    for fragment in fragments:
        assert fragment in str(error)
    assert error.field == field


def test_not_an_object_is_refused() -> None:
    assert "JSON-objekt" in str(refused([1, 2]))


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("posts +", ["syntaxfel", "posts +"]),
        ("postz * 2", ["okänt namn 'postz'"]),
        ("posts ** 2", ["**"]),
        ("posts % 2", ["%"]),
        ("'text'", ["'text'"]),
        ("posts.real", ["posts.real"]),
        ("__import__('os')", ["okänd funktion '__import__'"]),
        ("(lambda: 1)()", ["lambda"]),
        ("True", ["true", "små bokstäver"]),
        ("1e5", ["1e5"]),
        ("1_000", ["1_000"]),
        ("max", ["funktion"]),
        ("max()", ["minst ett tal"]),
        ("step(posts)", ["två argument"]),
        ("posts if true else 0", ["inte tillåtet"]),
        ("[1, 2]", ["inte tillåtet"]),
        ("1 / 0", ["division med noll", "1 / 0"]),
        ("", ["icke-tom"]),
    ],
)
def test_bad_value_expressions_name_the_value(text: str, fragments: list[str]) -> None:
    error = refused(doc(values={"posts": "filled", "x": text}))
    assert str(error).startswith("Värdet x:")
    for fragment in fragments:
        assert fragment in str(error), str(error)
    assert error.field == "values.x"


def test_a_value_that_uses_a_later_value() -> None:
    error = refused(doc(values={"rate": "posts / population", "posts": "filled"}))
    assert str(error) == "Värdet rate: använder värdet posts, som kommer senare i modellen"
    assert error.field == "values.rate"


def test_a_value_that_uses_a_total() -> None:
    error = refused(doc(values={"posts": "filled", "x": "mean_posts"}))
    assert "summan mean_posts" in str(error) and error.field == "values.x"


def test_a_value_that_uses_itself() -> None:
    error = refused(doc(values={"posts": "posts + 1"}))
    assert "värdet posts" in str(error) and error.field == "values.posts"


@pytest.mark.parametrize("text", ["sum(filled)", "count()", "filled / count()"])
def test_sum_and_count_outside_totals(text: str) -> None:
    error = refused(doc(values={"posts": "filled", "x": text}))
    assert "får bara användas i summor" in str(error) and error.field == "values.x"
    error = refused(with_block(0, share=text))
    assert "Block 1 (A)" in str(error) and error.field == "blocks.0.share"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("posts", "kan bara användas inne i sum"),
        ("sum(sum(posts))", "inne i sum"),
        ("sum(count())", "inne i sum"),
        ("count(posts)", "inga argument"),
        ("later + 1", "summan later, som kommer senare"),
    ],
)
def test_bad_totals_name_the_total(text: str, fragment: str) -> None:
    error = refused(doc(totals={"t": text, "later": "count()"}))
    assert str(error).startswith("Summan t:") and fragment in str(error), str(error)
    assert error.field == "totals.t"


@pytest.mark.parametrize(
    ("changes", "fragment", "field"),
    [
        ({"eligible": "posts"}, "villkor", "blocks.1.eligible"),
        ({"eligible": "posts > 1 and 3"}, "här behövs ett villkor", "blocks.1.eligible"),
        ({"amount": "posts > 1"}, "måste vara ett tal", "blocks.1.amount"),
        ({"remainder": "posts >= 2"}, "måste vara ett tal", "blocks.1.remainder"),
        ({"eligible": "posts == (posts > 1)"}, "inte ett tal med ett villkor", "blocks.1.eligible"),
        ({"eligible": "true < false"}, "jämför bara tal", "blocks.1.eligible"),
        ({"amount": "-(posts > 1)"}, "här behövs ett tal", "blocks.1.amount"),
    ],
)
def test_a_condition_must_be_true_or_false_and_a_number_a_number(
    changes: dict[str, Any], fragment: str, field: str
) -> None:
    error = refused(with_block(1, **changes))
    assert str(error).startswith("Block 2 (B),") and fragment in str(error), str(error)
    assert error.field == field


def test_duplicate_block_ids() -> None:
    data = doc()
    data["blocks"][1]["id"] = "a"
    error = refused(data)
    assert "id a finns redan" in str(error) and error.field == "blocks.1.id"


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ("[[3, 100], [1, 200]]", "strikt stigande"),
        ("[[1, 100], [1, 200]]", "strikt stigande"),
        ("[[1, -100]]", "hela kronor >= 0"),
        ("[[1, 100.5]]", "hela kronor >= 0"),
        ("[[posts, 100]]", "ska vara ett tal"),
        ("[[1, 100, 3]]", "ett par"),
        ("posts", "lista"),
    ],
)
def test_bad_staircases(table: str, fragment: str) -> None:
    error = refused(with_block(1, amount=f"step(increase, {table})"))
    assert "Block 2 (B)" in str(error) and fragment in str(error), str(error)
    assert error.field == "blocks.1.amount"


def test_staircase_literals_may_be_negative_decimal_or_fractions() -> None:
    model = AllocationModel.from_json(
        with_block(1, amount="step(increase, [[-1, 0], [0.5, 1], [2/3, 2]])")
    )
    assert model.staircases("b") == [[(Fraction(-1), 0), (Fraction(1, 2), 1), (Fraction(2, 3), 2)]]


@pytest.mark.parametrize(
    ("changes", "fragment", "field"),
    [
        ({"budget": -1}, "budgeten", "blocks.0.budget"),
        ({"budget": 10.0}, "budgeten", "blocks.0.budget"),
        ({"budget": True}, "budgeten", "blocks.0.budget"),
        ({"budget": "1000"}, "budgeten", "blocks.0.budget"),
        (
            {"amount": "posts"},
            "antingen andel av budgeten (vikt) eller belopp per region",
            "blocks.0.share",
        ),
        (
            {"share": None},
            "antingen andel av budgeten (vikt) eller belopp per region",
            "blocks.0.share",
        ),
        ({"remainder": "posts"}, "vikten för det som blir över gäller bara", "blocks.0.remainder"),
        ({"over_budget": "error"}, "överstiger budgeten gäller bara", "blocks.0.over_budget"),
        ({"id": "1a"}, "id '1a'", "blocks.0.id"),
        ({"id": "posts"}, "namnet på ett värde", "blocks.0.id"),
        ({"id": "total"}, "kolumn", "blocks.0.id"),
        ({"name": ""}, "namnet", "blocks.0.name"),
        ({"colour": "red"}, "colour", "blocks.0"),
    ],
)
def test_bad_blocks(changes: dict[str, Any], fragment: str, field: str) -> None:
    error = refused(with_block(0, **changes))
    assert fragment in str(error), str(error)
    assert error.field == field


def test_over_budget_must_be_scale_or_error() -> None:
    error = refused(with_block(1, over_budget="cut"))
    assert "överstiger budgeten" in str(error) and error.field == "blocks.1.over_budget"


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"filled": "1"}, "indata-namn"),
        ({"max": "1"}, "reserverat"),
        ({"true": "1"}, "reserverat"),
        ({"and": "1"}, "reserverat"),
        ({"2x": "1"}, "bokstäver"),
        ({"region": "1"}, "kolumn i resultatet"),
        ({"total": "1"}, "kolumn i resultatet"),
    ],
)
def test_bad_value_names(values: dict[str, str], fragment: str) -> None:
    error = refused(doc(values=values, totals={}))
    assert fragment in str(error), str(error)


def test_a_total_with_a_value_name() -> None:
    error = refused(doc(totals={"posts": "count()"}))
    assert "används redan av värdet posts" in str(error) and error.field == "totals.posts"


# --- the legacy 2024 rules ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "fragment"),
    [
        ({"block1": -1, "block2": 1, "staircase": []}, "block1"),
        ({"block1": 1, "block2": 1.5, "staircase": []}, "block2"),
        ({"block1": 1, "block2": 1, "staircase": [[3, 10], [2, 20]]}, "strikt stigande"),
        ({"block1": 1, "block2": 1, "staircase": [[2, 20], [3, 10]]}, "får inte minska"),
        ({"block1": 1, "block2": 1, "staircase": [[2, -1]]}, "hela kronor"),
        ({"block1": 1, "block2": 1, "staircase": [["x", 1]]}, "tröskeln"),
        ({"block1": 1, "block2": 1, "staircase": [[2]]}, "ett par"),
    ],
)
def test_bad_legacy_rules(rules: dict[str, Any], fragment: str) -> None:
    assert fragment in str(refused(rules))


def test_legacy_thresholds_read_exactly() -> None:
    model = AllocationModel.from_json(
        {"block1": 1, "block2": 2, "staircase": [[2.5, 10], ["7/2", 20]]}
    )
    assert model.staircases("block2") == [[(Fraction(5, 2), 10), (Fraction(7, 2), 20)]]
    assert model.block("block2").eligible == "increase >= 2.5"


# --- errors while running -----------------------------------------------------------------


def test_division_by_zero_names_the_region_and_the_expression() -> None:
    values = {"posts": "filled", "increase": "posts - planned", "per": "100 / posts"}
    model = AllocationModel.from_json(doc(values=values))
    with pytest.raises(ModelError) as info:
        allocate(model, [region("Gotland", 3), region("Kalmar", 0), region("Blekinge", 0)])
    # Of the two regions with 0 posts, the first by name: the same in any input order.
    assert str(info.value) == "Värdet per: division med noll för region Blekinge i '100 / posts'."
    assert info.value.field == "values.per"


def test_division_by_zero_in_a_block_names_block_and_region() -> None:
    model = AllocationModel.from_json(with_block(0, share="1 / (posts - 2)"))
    with pytest.raises(ModelError) as info:
        allocate(model, [region("Gotland", 2)])
    assert "Block 1 (A), vikten: division med noll för region Gotland" in str(info.value)
    assert "'1 / (posts - 2)'" in str(info.value)
    assert info.value.field == "blocks.0.share"


def test_division_by_zero_in_a_total_names_the_total() -> None:
    model = AllocationModel.from_json(doc(totals={"r": "sum(filled) / sum(deducted)"}))
    with pytest.raises(ModelError) as info:
        allocate(model, [region("Gotland", 2)])
    assert str(info.value).startswith("Summan r: division med noll")
    assert info.value.field == "totals.r"


def test_and_evaluates_its_right_side_only_where_needed() -> None:
    model = AllocationModel.from_json(
        with_block(0, eligible="posts > 0 and 10 / posts > 2", share="posts")
    )
    result = allocate(model, [region("A", 0), region("B", 5), region("C", 4)])
    assert [r.blocks["a"].eligible for r in result.regions] == [False, False, True]


def test_a_negative_weight_names_region_and_block() -> None:
    model = AllocationModel.from_json(with_block(0, share="increase"))
    with pytest.raises(ModelError) as info:
        allocate(model, [region("Gotland", 2, planned=3), region("Dalarna", 5, planned=1)])
    assert str(info.value) == "Block 1 (A): negativ vikt för region Gotland: -1 (increase)."
    assert info.value.field == "blocks.0.share"


def test_a_negative_amount_names_region_and_block() -> None:
    model = AllocationModel.from_json(with_block(1, eligible=None, amount="increase / 2"))
    with pytest.raises(ModelError) as info:
        allocate(model, [region("Gotland", 2, planned=5), region("Dalarna", 5, planned=1)])
    assert (
        str(info.value) == "Block 2 (B): negativt belopp för region Gotland: -1,5 (increase / 2)."
    )
    assert info.value.field == "blocks.1.amount"


def test_over_budget_error_names_the_block_and_both_sums() -> None:
    model = AllocationModel.from_json(with_block(1, over_budget="error"))
    with pytest.raises(ModelError) as info:
        allocate(model, [region("A", 5), region("B", 4), region("C", 3)])
    message = str(info.value)
    assert message.startswith("Block 2 (B): beloppen blir tillsammans 600\u00a0kr")
    assert "mer än budgeten 500\u00a0kr" in message
    assert info.value.field == "blocks.1.over_budget"


def test_over_budget_scale_scales_and_warns() -> None:
    model = AllocationModel.from_json(doc())
    result = allocate(model, [region("A", 5), region("B", 4), region("C", 3)])
    block = result.blocks[1]
    assert (block.amount_sum, block.scale, block.paid) == (600, Fraction(5, 6), 500)
    # 166.67 each, rounded 167: the krona too many is taken from the first by name.
    assert [r.blocks["b"].paid for r in result.regions] == [166, 167, 167]
    assert [r.blocks["b"].rounding for r in result.regions] == [-1, 0, 0]
    assert [w.code for w in result.warnings] == ["amounts_scaled"]
    assert "faktorn 0,833333" in result.warnings[0].message


def test_input_errors_are_input_errors() -> None:
    model = AllocationModel.from_json(doc())
    with pytest.raises(InputError, match="more than once"):
        allocate(model, [region("A", 1), region("A", 2)])
    with pytest.raises(InputError, match="expected RegionInput"):
        allocate(model, ["A"])  # type: ignore[list-item]


# --- warnings -----------------------------------------------------------------------------


def test_no_participants_warns_and_pays_nothing() -> None:
    result = allocate(AllocationModel.from_json(doc()), [])
    assert [w.code for w in result.warnings] == ["no_participants"]
    assert [(b.paid, b.not_paid) for b in result.blocks] == [(0, 1000), (0, 500)]
    assert result.totals == {}


def test_a_block_nobody_is_eligible_for_is_not_paid() -> None:
    result = allocate(AllocationModel.from_json(doc()), [region("A", 1, planned=5)])
    assert [w.code for w in result.warnings] == ["no_one_eligible"]
    assert "block b (B)" in result.warnings[0].message
    assert (result.blocks[1].paid, result.blocks[1].eligible_count) == (0, 0)
    assert (result.blocks[0].amount_sum, result.blocks[1].amount_sum) == (None, 0)


def test_all_weights_zero_is_not_paid() -> None:
    result = allocate(AllocationModel.from_json(doc()), [region("A", 0), region("B", 0)])
    codes = [w.code for w in result.warnings]
    assert codes == ["zero_weights", "no_one_eligible"]
    assert result.blocks[0].paid == 0 and result.total_paid == 0


def test_remainder_not_paid_without_remainder() -> None:
    model = AllocationModel.from_json(with_block(1, remainder=None))
    result = allocate(model, [region("A", 1), region("B", 3)])
    assert [w.code for w in result.warnings] == ["remainder_not_paid"]
    assert "Resten av block b (B), 200\u00a0kr, betalas inte ut" in result.warnings[0].message
    assert (result.blocks[1].paid, result.blocks[1].not_paid) == (300, 200)
    assert result.blocks[1].remainder_budget == 0


def test_remainder_shared_by_weight() -> None:
    result = allocate(AllocationModel.from_json(doc()), [region("A", 1), region("B", 3)])
    # B: step 200 + 200 * 3/4 remainder = 350; A: 100 + 50 = 150 (A has 1 post: eligible).
    assert [r.blocks["b"].paid for r in result.regions] == [150, 350]
    assert result.blocks[1].remainder_budget == 200
    b = result.regions[1].blocks["b"]
    assert (b.amount, b.step, b.weight, b.scaled_exact, b.remainder_exact) == (
        200,
        (Fraction(3), 200),
        3,
        200,
        150,
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (" + ".join(["filled"] * 4000), "för långt"),
        ("filled" + " < filled" * 300, "för djupt nästlat"),
        (" or ".join(["filled > 1"] * 300), "för djupt nästlat"),
        ("-" * 3000 + "1", "går inte att läsa"),
        ("9" * 5000, "syntaxfel"),
    ],
)
def test_pathological_expressions_are_refused_cleanly(text: str, fragment: str) -> None:
    error = refused(doc(values={"posts": "filled", "x": text}))
    assert fragment in str(error) and len(str(error)) < 200
    assert error.field == "values.x"


def test_a_long_chain_within_the_limit_runs() -> None:
    values = {"posts": "filled", "increase": "posts - planned", "x": " + ".join(["filled"] * 150)}
    model = AllocationModel.from_json(doc(values=values))
    result = allocate(model, [region("A", 2)])
    assert result.regions[0].values["x"] == 300
