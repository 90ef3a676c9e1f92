"""Hand-worked examples for every allocation rule in DOMAIN.md.

Expected amounts are worked out in the comments, not taken from the engine's output.
"""

from __future__ import annotations

import csv
import json
import math
from fractions import Fraction
from pathlib import Path

import pytest

from allocation.engine import (
    Allocation,
    InputError,
    RegionInput,
    Rules,
    RulesError,
    Step,
    allocate,
    apportion,
    round_half_up,
)
from allocation.plans import parse_plan

DATA = Path(__file__).parent / "data"
RULES_2024_PATH = Path(__file__).parents[2] / "allocation" / "rules_2024.json"

STAIRCASE_2024 = (
    Step(Fraction(2), 3_000_000),
    Step(Fraction(3), 4_500_000),
    Step(Fraction(5), 7_500_000),
    Step(Fraction(7), 10_500_000),
    Step(Fraction(10), 20_000_000),
    Step(Fraction(15), 30_000_000),
)
RULES_2024 = Rules(block1=63_000_000, block2=160_000_000, staircase=STAIRCASE_2024)


def region(
    name: str,
    posts: int | None = None,
    *,
    population: int = 100_000,
    planned: str = "1000",
    filled: int | None = None,
    started: int | None = None,
    deducted: int = 0,
) -> RegionInput:
    """A region; ``posts`` sets filled (and leaves started empty) for short tests.

    The default plan of 1000 keeps a region far below the staircase.
    """
    bounds = parse_plan(planned)
    if posts is not None:
        filled = posts
    return RegionInput(
        name=name,
        population=population,
        planned_low=bounds.low,
        planned_high=bounds.high,
        filled=filled,
        started=started,
        deducted=deducted,
    )


def codes(allocation: Allocation) -> list[str]:
    return [w.code for w in allocation.warnings]


def block1_only(budget: int) -> Rules:
    return Rules(block1=budget, block2=0, staircase=())


# --- rules ------------------------------------------------------------------------------


def test_rules_2024_json_is_the_2024_rules() -> None:
    data = json.loads(RULES_2024_PATH.read_text(encoding="utf-8"))
    assert Rules.from_dict(data) == RULES_2024


def test_rules_round_trip_through_dict() -> None:
    rules = Rules(block1=5, block2=7, staircase=(Step(Fraction(5, 2), 10), Step(Fraction(4), 20)))
    assert rules.to_dict() == {"block1": 5, "block2": 7, "staircase": [["5/2", 10], [4, 20]]}
    assert Rules.from_dict(rules.to_dict()) == rules


def test_rules_from_dict_reads_json_decimals_exactly() -> None:
    rules = Rules.from_dict({"block1": 1, "block2": 1, "staircase": [[2.5, 3], ["3.5", 4]]})
    assert [s.min_increase for s in rules.staircase] == [Fraction(5, 2), Fraction(7, 2)]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"block1": -1, "block2": 0, "staircase": []}, "block1"),
        ({"block1": 1.5, "block2": 0, "staircase": []}, "block1"),
        ({"block1": True, "block2": 0, "staircase": []}, "block1"),
        ({"block1": 0, "block2": "10", "staircase": []}, "block2"),
        ({"block1": 0, "block2": 0, "staircase": [[3, 1], [2, 2]]}, "strictly increasing"),
        ({"block1": 0, "block2": 0, "staircase": [[2, 1], [2, 2]]}, "strictly increasing"),
        ({"block1": 0, "block2": 0, "staircase": [[2, 5], [3, 4]]}, "must not decrease"),
        ({"block1": 0, "block2": 0, "staircase": [[2, -1]]}, "payout"),
        ({"block1": 0, "block2": 0, "staircase": [[2, 1.5]]}, "payout"),
        ({"block1": 0, "block2": 0, "staircase": [[2]]}, "pair"),
        ({"block1": 0, "block2": 0, "staircase": [["two", 1]]}, "threshold"),
        ({"block1": 0, "block2": 0, "staircase": {"2": 1}}, "list"),
        ({"block1": 0, "block2": 0}, "missing staircase"),
        ({"block1": 0, "block2": 0, "staircase": [], "block3": 1}, "unknown keys block3"),
        ([1, 2], "object"),
    ],
)
def test_invalid_rules_raise_rules_error(data: object, problem: str) -> None:
    with pytest.raises(RulesError, match=problem):
        Rules.from_dict(data)  # type: ignore[arg-type]


def test_errors_are_value_errors() -> None:
    assert issubclass(RulesError, ValueError)
    assert issubclass(InputError, ValueError)


# --- input validation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"population": 0}, "population"),
        ({"population": -5}, "population"),
        ({"population": 10.0}, "population"),
        ({"planned_low": Fraction(5), "planned_high": Fraction(4)}, "reversed"),
        ({"planned_low": Fraction(-1)}, "negative"),
        ({"planned_low": 1.5, "planned_high": 2}, "planned"),
        ({"filled": None, "started": None}, "both missing"),
        ({"filled": -1}, "filled"),
        ({"started": 2.0}, "started"),
        ({"filled": True}, "filled"),
        ({"deducted": -1}, "deducted"),
        (
            {"filled": 3, "started": 4, "deducted": 5},
            r"deducted posts \(5\) exceed reported posts \(4\)",
        ),
    ],
)
def test_invalid_region_input_names_the_region(kwargs: dict[str, object], problem: str) -> None:
    values: dict[str, object] = {
        "name": "Gotland",
        "population": 61_093,
        "planned_low": Fraction(16),
        "planned_high": Fraction(16),
        "filled": 16,
        "started": None,
    }
    values.update(kwargs)
    with pytest.raises(InputError, match=problem) as excinfo:
        RegionInput(**values)  # type: ignore[arg-type]
    assert "'Gotland'" in str(excinfo.value)


def test_region_input_accepts_int_plan_bounds_as_fractions() -> None:
    r = RegionInput("A", 10, 4, 5, 3, None)  # type: ignore[arg-type]
    assert r.planned_low == Fraction(4) and isinstance(r.planned_low, Fraction)
    assert r.planned == Fraction(9, 2)


def test_duplicate_region_names_are_rejected() -> None:
    with pytest.raises(InputError, match="'A' appears more than once"):
        allocate(RULES_2024, [region("A", 1), region("B", 1), region("A", 2)])


# --- posts, plan, increase, rate ---------------------------------------------------------


def test_posts_is_the_higher_of_filled_and_started() -> None:
    result = allocate(
        RULES_2024,
        [
            region("A", filled=7, started=9),
            region("B", filled=9, started=7),
            region("C", filled=None, started=9),  # filled missing
            region("D", filled=7, started=None),  # started missing
        ],
    ).by_name()
    assert [result[n].posts for n in "ABCD"] == [9, 9, 9, 7]
    assert result["C"].filled is None and result["D"].started is None


def test_deduction_lowers_posts_for_both_rate_and_increase() -> None:
    # Reported max(20, 18) = 20, minus 5 deducted = 15 posts; plan 12.
    # Rate 15 * 100 000 / 50 000 = 30 (not 40); increase 15 - 12 = 3 (not 8), so the
    # 4.5 M step is paid rather than the 10.5 M one.
    r = allocate(
        RULES_2024,
        [region("A", filled=20, started=18, deducted=5, population=50_000, planned="12")],
    ).regions[0]
    assert (r.reported_posts, r.deducted, r.posts) == (20, 5, 15)
    assert r.rate == 30
    assert r.increase == 3
    assert r.step == Step(Fraction(3), 4_500_000)


def test_range_plan_uses_its_mean() -> None:
    # Östergötland 84-89 -> 86.5; 89 posts -> increase 2.5 -> the 3 M step.
    r = allocate(RULES_2024, [region("Östergötland", 89, planned="84-89")]).regions[0]
    assert r.planned == Fraction(173, 2)
    assert r.planned_is_range is True
    assert r.increase == Fraction(5, 2)
    assert r.step is not None and r.step.payout == 3_000_000


def test_single_number_plan_is_not_a_range() -> None:
    r = allocate(RULES_2024, [region("A", 10, planned="46 (ev.+)")]).regions[0]
    assert r.planned == 46 and r.planned_is_range is False
    assert r.increase == -36


def test_rate_is_posts_per_100k_inhabitants_exactly() -> None:
    # 16 posts / 61 093 inhabitants * 100 000 = 1 600 000 / 61 093 (no rounding).
    r = allocate(RULES_2024, [region("Gotland", 16, population=61_093)]).regions[0]
    assert r.rate == Fraction(1_600_000, 61_093)


# --- block 1 ------------------------------------------------------------------------------


def test_block1_is_shared_in_proportion_to_rate() -> None:
    # Rates: A 10/100k -> 10, B 30/200k -> 15, C 25/500k -> 5; sum 30.
    # 600 000 kr: A 600 000 * 10/30 = 200 000, B * 15/30 = 300 000, C * 5/30 = 100 000.
    result = allocate(
        block1_only(600_000),
        [
            region("A", 10, population=100_000),
            region("B", 30, population=200_000),
            region("C", 25, population=500_000),
        ],
    )
    amounts = {r.name: r.block1 for r in result.regions}
    assert amounts == {"A": 200_000, "B": 300_000, "C": 100_000}
    assert result.block1.paid == 600_000 and result.block1.not_paid == 0


def test_block1_uses_rate_not_posts() -> None:
    # Same posts, half the population -> twice the rate -> twice the share:
    # 90 000 kr * 2/3 = 60 000 for the small region, 30 000 for the large one.
    result = allocate(
        block1_only(90_000),
        [region("Big", 10, population=200_000), region("Small", 10, population=100_000)],
    ).by_name()
    assert (result["Big"].block1, result["Small"].block1) == (30_000, 60_000)


def test_region_with_zero_posts_gets_no_block1() -> None:
    result = allocate(block1_only(1000), [region("A", 0), region("B", 3)]).by_name()
    assert (result["A"].block1, result["B"].block1) == (0, 1000)


def test_all_zero_posts_pays_no_block1_and_warns() -> None:
    result = allocate(RULES_2024, [region("A", 0), region("B", 0)])
    assert result.block1.paid == 0 and result.block1.not_paid == 63_000_000
    assert all(r.block1 == 0 and r.block1_exact == 0 for r in result.regions)
    assert "zero_posts_total" in codes(result)


def test_no_participants_pays_nothing_and_warns() -> None:
    result = allocate(RULES_2024, [])
    assert result.regions == ()
    assert result.block1.not_paid == 63_000_000 and result.block2.not_paid == 160_000_000
    assert codes(result) == ["no_participants", "no_region_qualifies"]


# --- rounding -----------------------------------------------------------------------------


def test_round_half_up() -> None:
    assert [round_half_up(Fraction(n, 2)) for n in (-3, -1, 1, 3, 5)] == [-1, 0, 1, 2, 3]
    assert round_half_up(Fraction(149, 100)) == 1
    assert round_half_up(Fraction(151, 100)) == 2


def test_rounding_missing_krona_goes_to_tie_broken_by_name() -> None:
    # 10 kr, three equal rates: 10/3 = 3.33 each -> 3 + 3 + 3 = 9, one krona missing.
    # All exact amounts tie, so the first name in str order ("A") gets it: 4, 3, 3.
    result = allocate(block1_only(10), [region("C", 5), region("A", 5), region("B", 5)])
    amounts = {r.name: (r.block1, r.block1_rounding) for r in result.regions}
    assert amounts == {"A": (4, 1), "B": (3, 0), "C": (3, 0)}


def test_rounding_ties_use_plain_str_order_not_case_insensitive() -> None:
    # "Zeta" < "alpha" in plain str order (uppercase sorts first): Zeta gets the krona.
    result = allocate(block1_only(1), [region("alpha", 1), region("Zeta", 1)]).by_name()
    # Exact 0.5 each -> half up 1 + 1 = 2, one too many -> taken from the first name: Zeta.
    assert (result["Zeta"].block1, result["alpha"].block1) == (0, 1)
    assert result["Zeta"].block1_rounding == -1


def test_rounding_half_up_then_take_one_from_tie_by_name() -> None:
    # 5 kr between two equal rates: 2.5 each -> half up 3 + 3 = 6, one too many;
    # tied, so "A" (first by name) gives one back: A 2, B 3.
    result = allocate(block1_only(5), [region("B", 4), region("A", 4)]).by_name()
    assert (result["A"].block1, result["B"].block1) == (2, 3)
    assert (result["A"].block1_rounding, result["B"].block1_rounding) == (-1, 0)


def test_missing_krona_goes_to_the_largest_exact_amount_not_largest_fraction() -> None:
    # Rates 202 : 109 : 69 (sum 380) of 19 kr: A 10.1, B 5.45, C 3.45.
    # Half up: 10 + 5 + 3 = 18, one missing -> A (largest exact) gets it: 11, 5, 3,
    # although B and C have the larger fractional parts.
    result = allocate(block1_only(19), [region("A", 202), region("B", 109), region("C", 69)])
    assert [r.block1 for r in result.regions] == [11, 5, 3]
    assert [r.block1_exact for r in result.regions] == [
        Fraction(101, 10),
        Fraction(109, 20),
        Fraction(69, 20),
    ]


def test_extra_krona_is_taken_from_the_largest_exact_amount() -> None:
    # Rates 21 : 9 : 8 (sum 38) of 19 kr: A 10.5, B 4.5, C 4.
    # Half up: 11 + 5 + 4 = 20, one too many -> taken from A: 10, 5, 4.
    result = allocate(block1_only(19), [region("A", 21), region("B", 9), region("C", 8)])
    assert [(r.block1, r.block1_rounding) for r in result.regions] == [(10, -1), (5, 0), (4, 0)]


def test_apportion_cycles_when_residual_exceeds_candidates() -> None:
    # Not reachable from allocate (the residual is at most half the count), but the
    # correction must still be right: 5 kr over two exact amounts of 1 each.
    amounts, adjust = apportion(5, [Fraction(1), Fraction(1)], ["B", "A"])
    assert amounts == [2, 3] and adjust == [1, 2]


def test_apportion_never_pays_a_region_owed_nothing() -> None:
    amounts, _ = apportion(2, [Fraction(0), Fraction(1, 2), Fraction(3, 2)], ["A", "B", "C"])
    assert amounts[0] == 0 and sum(amounts) == 2


# --- block 2: the staircase ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("posts", "planned", "increase", "payout"),
    [
        (12, "10-11", Fraction(3, 2), None),
        (11, "10", Fraction(1), None),
        (12, "10", Fraction(2), 3_000_000),
        (13, "10-11", Fraction(5, 2), 3_000_000),
        (13, "10", Fraction(3), 4_500_000),
        (15, "10-11", Fraction(9, 2), 4_500_000),
        (15, "10", Fraction(5), 7_500_000),
        (17, "10", Fraction(7), 10_500_000),
        (20, "10", Fraction(10), 20_000_000),
        (25, "10-11", Fraction(29, 2), 20_000_000),
        (25, "10", Fraction(15), 30_000_000),
        (60, "10", Fraction(50), 30_000_000),
        (5, "10", Fraction(-5), None),
    ],
)
def test_staircase_pays_the_highest_step_reached(
    posts: int, planned: str, increase: Fraction, payout: int | None
) -> None:
    # One region alone: it gets its step, and (if it qualifies) the whole remainder.
    r = allocate(RULES_2024, [region("A", posts, planned=planned)]).regions[0]
    assert r.increase == increase
    assert (r.step.payout if r.step else None) == payout
    assert r.qualifies is (payout is not None)
    if payout is not None:
        assert r.step_payment == payout
        assert r.remainder == 160_000_000 - payout
        assert r.block2 == 160_000_000
    else:
        assert (r.block2, r.step_payment, r.remainder) == (0, 0, 0)


def test_remainder_is_shared_by_rate_among_qualifiers_only() -> None:
    # Block 2 = 20 M.
    # A: 12 posts / 100k, plan 10 -> +2 -> 3 M step, rate 12.
    # B: 28 posts / 200k, plan 20 -> +8 -> 10.5 M step, rate 14.
    # C: 51 posts / 100k, plan 50 -> +1 -> no step; its high rate 51 does not count.
    # Steps 13.5 M, remainder 6.5 M shared 12 : 14 -> A 3 M, B 3.5 M.
    # Block 1 = 7.7 M shared 12 : 14 : 51 (sum 77) -> A 1.2 M, B 1.4 M, C 5.1 M.
    rules = Rules(block1=7_700_000, block2=20_000_000, staircase=STAIRCASE_2024)
    result = allocate(
        rules,
        [
            region("A", 12, planned="10"),
            region("B", 28, planned="20", population=200_000),
            region("C", 51, planned="50"),
        ],
    ).by_name()
    a, b, c = result["A"], result["B"], result["C"]
    assert (a.step_payment, a.remainder, a.block2) == (3_000_000, 3_000_000, 6_000_000)
    assert (b.step_payment, b.remainder, b.block2) == (10_500_000, 3_500_000, 14_000_000)
    assert (c.qualifies, c.step_payment, c.remainder, c.block2) == (False, 0, 0, 0)
    assert (a.block1, b.block1, c.block1) == (1_200_000, 1_400_000, 5_100_000)
    assert (a.total, b.total, c.total) == (7_200_000, 15_400_000, 5_100_000)


def test_nobody_qualifies_block2_is_not_paid() -> None:
    result = allocate(RULES_2024, [region("A", 11, planned="10"), region("B", 5, planned="9")])
    assert result.block2.paid == 0 and result.block2.not_paid == 160_000_000
    assert all(not r.qualifies and r.block2 == 0 for r in result.regions)
    assert codes(result) == ["no_region_qualifies"]
    assert "block 2 betalas inte ut" in result.warnings[0].message
    assert result.block1.paid == 63_000_000  # block 1 is unaffected


def test_steps_exceeding_block2_are_scaled_and_block_paid_exactly() -> None:
    # Block 2 = 10 M; steps A 3 M (+2), B 10.5 M (+7), C 4.5 M (+3): 18 M > 10 M.
    # Scale 10/18 = 5/9: A 1 666 666.67 -> 1 666 667, B 5 833 333.33 -> 5 833 333,
    # C 2 500 000; sum 10 000 000, no residual. No remainder.
    rules = Rules(block1=0, block2=10_000_000, staircase=STAIRCASE_2024)
    result = allocate(
        rules,
        [
            region("A", 12, planned="10"),
            region("B", 17, planned="10"),
            region("C", 13, planned="10"),
        ],
    )
    assert result.steps_scale == Fraction(5, 9)
    assert [r.step_payment_exact for r in result.regions] == [
        Fraction(5_000_000, 3),
        Fraction(17_500_000, 3),
        Fraction(2_500_000),
    ]
    assert [r.block2 for r in result.regions] == [1_666_667, 5_833_333, 2_500_000]
    assert all(r.remainder_exact == 0 and r.remainder == 0 for r in result.regions)
    assert [r.step_payment for r in result.regions] == [r.block2 for r in result.regions]
    assert result.block2 == type(result.block2)(10_000_000, 10_000_000, 0)
    assert codes(result) == ["steps_exceed_block2"]
    assert "skalats ned" in result.warnings[0].message


def test_scaled_steps_rounding_residual_still_sums_to_block() -> None:
    # Block 2 = 10 kr; three 3 M steps (9 M) -> scale 10 / 9 000 000, each 10/3 exact:
    # 3 + 3 + 3 = 9, one missing -> first name "A" gets it.
    rules = Rules(block1=0, block2=10, staircase=STAIRCASE_2024)
    result = allocate(rules, [region(n, 12, planned="10") for n in "CAB"]).by_name()
    assert {n: r.block2 for n, r in result.items()} == {"A": 4, "B": 3, "C": 3}
    assert result["A"].block2_rounding == 1


def test_exactly_enough_block2_for_the_steps_leaves_no_remainder() -> None:
    rules = Rules(block1=0, block2=6_000_000, staircase=STAIRCASE_2024)
    result = allocate(rules, [region("A", 12, planned="10"), region("B", 12, planned="10")])
    assert result.steps_scale == 1 and result.warnings == ()
    assert [(r.step_payment, r.remainder) for r in result.regions] == [(3_000_000, 0)] * 2


def test_zero_rate_qualifiers_guard() -> None:
    # Only reachable with a threshold <= 0: then a region with 0 posts can qualify.
    # The steps are paid; the remainder cannot be shared by rate and stays unpaid.
    rules = Rules(block1=0, block2=1000, staircase=(Step(Fraction(0), 100),))
    result = allocate(rules, [region("A", 0, planned="0"), region("B", 0, planned="0")])
    assert [r.block2 for r in result.regions] == [100, 100]
    assert result.block2.paid == 200 and result.block2.not_paid == 800
    assert "zero_rate_qualifiers" in codes(result)


# --- a full 2024-like round --------------------------------------------------------------

# Steps paid for the invented 2024 numbers in data/input_2024.csv, worked out by hand:
# posts = max(filled, started) - deducted; increase = posts - plan (mean of a range).
HAND_STEPS = {
    "Stockholm": 20_000_000,  # 290 - 280 = 10
    "Södermanland": 4_500_000,  # 63 - 60 = 3
    "Östergötland": 3_000_000,  # 89 - 86.5 = 2.5
    "Kronoberg": 3_000_000,  # started 38 - 36 = 2
    "Blekinge": 10_500_000,  # 35 - 28 = 7
    "Skåne": 30_000_000,  # 219 - 204 = 15
    "Västra Götaland": 10_500_000,  # 261 - 252 = 9
    "Örebro": 4_500_000,  # 62 - 1 deducted - 57 = 4
    "Västmanland": 3_000_000,  # 49 - 47 (46 ev. 48) = 2
    "Gävleborg": 3_000_000,  # 48 - 46 (ev.+) = 2
    "Västerbotten": 7_500_000,  # 66 - 61 = 5
}  # sum 99 500 000, so 60 500 000 is left for the remainder


def load_2024_inputs() -> list[RegionInput]:
    with (DATA / "input_2024.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))

    def count(text: str) -> int | None:
        return int(text) if text else None

    inputs = []
    for row in rows:
        plan = parse_plan(row["planned"])
        inputs.append(
            RegionInput(
                name=row["region"],
                population=int(row["population"]),
                planned_low=plan.low,
                planned_high=plan.high,
                filled=count(row["filled"]),
                started=count(row["started"]),
                deducted=count(row["deducted"]) or 0,
            )
        )
    return inputs


def expected_whole_kronor(budget: int, exact: dict[str, Fraction]) -> dict[str, int]:
    """Independent rounding: floor(x + 1/2), then fix the residual over a ranking."""
    amounts = {name: math.floor(x + Fraction(1, 2)) for name, x in exact.items()}
    residual = budget - sum(amounts.values())
    ranking = sorted((n for n in exact if exact[n] > 0), key=lambda n: (-exact[n], n))
    for name in ranking[: abs(residual)]:
        amounts[name] += 1 if residual > 0 else -1
    return amounts


def test_full_2024_round_against_independent_calculation() -> None:
    inputs = load_2024_inputs()
    assert len(inputs) == 21
    result = allocate(RULES_2024, inputs)
    by_name = result.by_name()

    # Block 1: share = budget * (posts/pop) / sum(posts/pop); the 100 000 cancels out.
    ratio = {r.name: Fraction(r.posts, r.population) for r in inputs}
    total_ratio = sum(ratio.values())
    block1_exact = {n: 63_000_000 * q / total_ratio for n, q in ratio.items()}
    assert {n: r.block1_exact for n, r in by_name.items()} == block1_exact
    assert {n: r.block1 for n, r in by_name.items()} == expected_whole_kronor(
        63_000_000, block1_exact
    )

    # Block 2: the hand-worked steps, then 60.5 M by rate among the 11 qualifiers.
    assert {n: r.step.payout for n, r in by_name.items() if r.step} == HAND_STEPS
    remainder = 160_000_000 - sum(HAND_STEPS.values())
    assert remainder == 60_500_000
    qualifying_ratio = sum(ratio[n] for n in HAND_STEPS)
    block2_exact = {
        n: (HAND_STEPS[n] + remainder * ratio[n] / qualifying_ratio if n in HAND_STEPS else 0)
        for n in ratio
    }
    assert {n: r.block2 for n, r in by_name.items()} == expected_whole_kronor(
        160_000_000, {n: Fraction(x) for n, x in block2_exact.items()}
    )

    assert sum(r.block1 for r in result.regions) == 63_000_000
    assert sum(r.block2 for r in result.regions) == 160_000_000
    assert sum(r.total for r in result.regions) == 223_000_000
    assert result.warnings == ()
    assert [r.name for r in result.regions] == [r.name for r in inputs]


def test_full_2024_round_spot_checks() -> None:
    by_name = allocate(RULES_2024, load_2024_inputs()).by_name()
    gotland = by_name["Gotland"]
    # Gotland: 16 posts, plan 16 -> increase 0, no block 2; rate 16e5 / 61 093 = 26.19...
    assert (gotland.posts, gotland.increase, gotland.block2) == (16, 0, 0)
    assert gotland.total == gotland.block1
    orebro = by_name["Örebro"]
    # Örebro: max(62, 60) = 62 reported, 1 deducted -> 61 posts, increase 4 -> 4.5 M step.
    assert (orebro.reported_posts, orebro.posts, orebro.increase) == (62, 61, 4)
    assert orebro.step_payment == 4_500_000
    assert orebro.remainder == orebro.block2 - 4_500_000 > 0
    ostergotland = by_name["Östergötland"]
    assert ostergotland.planned == Fraction(173, 2) and ostergotland.planned_is_range
