from __future__ import annotations

from fractions import Fraction

import pytest

from allocation.plans import PlanBounds, PlanError, parse_plan


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("280", 280, 280),
        ("0", 0, 0),
        ("  55 ", 55, 55),
        ("84-89", 84, 89),
        ("84\u201389", 84, 89),  # en dash, as in the agency's tables
        ("84 - 89", 84, 89),
        ("84 \u2013 89", 84, 89),
        ("48-50", 48, 50),
        ("84-84", 84, 84),
        ("46 (ev. 48)", 46, 48),
        ("46 (ev.48)", 46, 48),
        ("46(ev. 48)", 46, 48),
        ("46 (ev.+)", 46, 46),
        ("46 (ev. +)", 46, 46),
        ("12,5", Fraction(25, 2), Fraction(25, 2)),
        ("12.5", Fraction(25, 2), Fraction(25, 2)),
        ("12,5-13,5", Fraction(25, 2), Fraction(27, 2)),
    ],
)
def test_accepted_forms_give_exact_bounds(text: str, low: Fraction, high: Fraction) -> None:
    assert parse_plan(text) == PlanBounds(Fraction(low), Fraction(high))


@pytest.mark.parametrize(
    ("text", "mean", "is_range"),
    [
        ("280", Fraction(280), False),
        ("84-89", Fraction(173, 2), True),  # 86.5
        ("48-50", Fraction(49), True),
        ("46 (ev. 48)", Fraction(47), True),
        ("46 (ev.+)", Fraction(46), False),
        ("12,5", Fraction(25, 2), False),
    ],
)
def test_mean_and_is_range(text: str, mean: Fraction, is_range: bool) -> None:
    bounds = parse_plan(text)
    assert bounds.mean == mean
    assert bounds.is_range is is_range


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "tjugo",
        "89-84",  # reversed range
        "46 (ev. 44)",  # the "ev." bound below the plan
        "-5",
        "\u22125",  # minus sign
        "5-",
        "-",
        "12,",
        ",5",
        "1e3",
        "12,5,5",
        "46 (ev.)",
        "46 (ev 48)",
        "46 ev. 48",
        "84\u201489",  # em dash is not accepted
        "84--89",
        "280 st",
        "1 000",
    ],
)
def test_rejected_forms_raise_plan_error_quoting_the_text(text: str) -> None:
    with pytest.raises(PlanError) as excinfo:
        parse_plan(text)
    assert repr(text) in str(excinfo.value)


def test_reversed_range_says_so() -> None:
    with pytest.raises(PlanError, match="reversed"):
        parse_plan("89-84")


def test_negative_plan_says_so() -> None:
    with pytest.raises(PlanError, match="negative"):
        parse_plan("-5")


def test_plan_error_is_a_value_error() -> None:
    assert issubclass(PlanError, ValueError)


def test_bounds_validate_themselves() -> None:
    with pytest.raises(PlanError):
        PlanBounds(Fraction(5), Fraction(4))
    with pytest.raises(PlanError):
        PlanBounds(Fraction(-1), Fraction(4))


def test_non_text_is_rejected() -> None:
    with pytest.raises(PlanError):
        parse_plan(280)  # type: ignore[arg-type]
