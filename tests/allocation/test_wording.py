"""allocation.wording: a model's expressions in Swedish for regions and the public."""

from __future__ import annotations

import pytest
from django.utils import translation

from allocation.wording import humanise, label, step_text, title

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def swedish():
    with translation.override("sv"):
        yield


def plain(text: str) -> str:
    return text.replace(NBSP, " ")


def test_known_names_get_swedish_labels_and_unknown_stay_as_written():
    assert label("rate") == "AT-tjänster per 100 000 invånare"
    assert label("national_rate") == "AT-tjänster per 100 000 invånare i riket"
    assert label("planned") == "planerade tjänster (planens medelvärde)"
    assert label("bonus_x") == "bonus_x"
    assert title("increase") == "Utökning jämfört med planen"


def test_arithmetic_reads_with_swedish_numbers_and_signs():
    assert plain(humanise("posts * 100000 / population")) == (
        "AT-tjänster som räknas · 100 000 / befolkning"
    )
    assert humanise("0.5 * posts") == "0,5 · AT-tjänster som räknas"
    assert humanise("posts - planned") == (
        "AT-tjänster som räknas \u2212 planerade tjänster (planens medelvärde)"
    )
    assert humanise("a - (b - c)") == "a \u2212 (b \u2212 c)"
    assert humanise("(a + b) * c") == "(a + b) · c"


def test_conditions_read_as_words():
    assert humanise("increase >= 2") == "utökning jämfört med planen är minst 2"
    assert humanise("rate >= national_rate and increase > 0") == (
        "AT-tjänster per 100 000 invånare är minst AT-tjänster per 100 000 invånare i riket "
        "och utökning jämfört med planen är större än 0"
    )
    assert humanise("not (a or b) and c") == "inte (a eller b) och c"
    assert humanise("2 <= x < 5") == "x är minst 2 och x är mindre än 5"
    assert humanise("x != 1 or flag == true") == "x är skild från 1 eller flag är lika med sant"


def test_functions_read_as_words():
    assert humanise("max(filled, started) - deducted") == (
        "(det största av tillsatta AT-tjänster och påbörjade AT-tjänster) \u2212 avräknade tjänster"
    )
    assert humanise("min(a, b, c)") == "det minsta av a, b och c"
    assert humanise("count()") == "antalet deltagande regioner"
    assert humanise("sum(posts)") == "summan av AT-tjänster som räknas för alla deltagande regioner"


def test_a_staircase_is_a_sentence_of_steps_in_kronor():
    text = plain(humanise("step(increase, [[2, 3000000], [3, 4500000], [7/2, 10], [-1, 0]])"))
    assert text == (
        "utökning jämfört med planen minst 2: 3 000 000 kr; minst 3: 4 500 000 kr; "
        "minst 3,5: 10 kr; minst \u22121: 0 kr, annars 0 kr"
    )
    assert plain(step_text("increase", "3", 4500000)) == (
        "utökning jämfört med planen minst 3: 4 500 000 kr"
    )


def test_no_code_is_left_in_the_words_of_the_2024_model():
    model = [
        "max(filled, started) - deducted",
        "posts * 100000 / population",
        "posts - planned",
        "increase >= 2",
        "step(increase, [[2, 3000000], [3, 4500000], [15, 30000000]])",
    ]
    for expression in model:
        words = humanise(expression)
        for code in ("posts", "rate", "increase", "planned", ">=", "*", "step(", "[["):
            assert code not in words, (expression, words)


def test_names_may_be_replaced_by_a_regions_figures():
    assert plain(
        humanise("posts * 100000 / population", {"posts": "12", "population": "300 000"})
    ) == ("12 · 100 000 / 300 000")


@pytest.mark.parametrize("text", ["foo(", "x.y", "'a'", "", "posts ** 2"])
def test_text_outside_the_grammar_is_shown_as_written(text):
    assert humanise(text) == text


def test_nothing_is_evaluated():
    # A call the grammar does not know is never run, only shown as written.
    assert humanise("__import__('os').system('true')") == "__import__('os').system('true')"
