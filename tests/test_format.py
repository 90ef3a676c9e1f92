from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from atgrant.templatetags.atgrant_format import format_number, kr, sv_date, sv_datetime, sv_number

NB = "\u00a0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (223_000_000, f"223{NB}000{NB}000{NB}kr"),
        (0, f"0{NB}kr"),
        (999, f"999{NB}kr"),
        (1000, f"1{NB}000{NB}kr"),
        (-1500, f"\u22121{NB}500{NB}kr"),
        (None, ""),
    ],
)
def test_kr(value, expected):
    assert kr(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("86.5"), "86,5"),
        ("173/2", "86,5"),
        (Fraction(1, 3), "0,33"),
        (12345, f"12{NB}345"),
        (Decimal("1234.50"), f"1{NB}234,5"),
        (-2, "\u22122"),
        (86, "86"),
    ],
)
def test_sv_number(value, expected):
    assert sv_number(value) == expected


def test_sv_datetime_converts_to_stockholm():
    utc = dt.datetime(2024, 11, 1, 22, 59, 59, tzinfo=dt.UTC)
    assert sv_datetime(utc) == "1 november 2024 kl. 23:59"
    summer = dt.datetime(2024, 7, 3, 8, 5, tzinfo=ZoneInfo("Europe/Stockholm"))
    assert sv_datetime(summer) == "3 juli 2024 kl. 08:05"


def test_sv_date():
    assert sv_date(dt.date(2024, 11, 1)) == "1 november 2024"
    assert sv_date(dt.datetime(2024, 10, 31, 23, 30, tzinfo=dt.UTC)) == "1 november 2024"


def test_filters_load_in_templates():
    out = Template("{% load atgrant_format %}{{ a|kr }} {{ b|sv_number }}").render(
        Context({"a": 1000, "b": Decimal("86.5")})
    )
    assert out == f"1{NB}000{NB}kr 86,5"


def test_dates_follow_the_active_language():
    import datetime as dt

    from django.utils import translation

    from atgrant.templatetags.atgrant_format import STOCKHOLM, sv_date, sv_datetime

    when = dt.datetime(2024, 11, 1, 23, 59, 59, tzinfo=STOCKHOLM)
    with translation.override("sv"):
        assert sv_datetime(when) == "1 november 2024 kl. 23:59"
        assert sv_date(when) == "1 november 2024"
    with translation.override("en"):
        assert sv_datetime(when) == "1 November 2024 at 23:59"
        assert sv_date(when.date()) == "1 November 2024"


# --- one source for every number a person reads ---------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (24, "24,00"),  # never "24" beside "20,86"
        (Fraction(2086, 100), "20,86"),
        ("173/7", "24,71"),
        (Decimal("19.5922"), "19,59"),
        (Fraction(1, 1000), "0,00"),
        (None, "–"),
    ],
)
def test_a_rate_always_has_two_decimals(value, expected):
    from atgrant.templatetags.atgrant_format import sv_rate

    assert sv_rate(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("84-89", "84–89"),
        ("48 - 50", "48–50"),
        ("12,5-14", "12,5–14"),
        ("84–89", "84–89"),
        ("46 (ev. 48)", "46 (ev. 48)"),
        ("46 (ev.+)", "46 (ev.+)"),
        ("280", "280"),
    ],
)
def test_a_range_has_an_en_dash(text, expected):
    from atgrant.templatetags.atgrant_format import sv_range

    assert sv_range(text) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Statsbidrag för att öka antalet AT-tjänster 2024", "statsbidrag för att öka antalet"),
        ("AT-bidraget 2024", "AT-bidraget 2024"),
        ("SCB:s tabell", "SCB:s tabell"),
    ],
)
def test_a_rounds_name_inside_a_sentence_starts_in_lower_case(name, expected):
    from atgrant.templatetags.atgrant_format import sv_in_text

    assert sv_in_text(name).startswith(expected)


def test_counts_over_999_are_grouped():
    assert sv_number(5000) == f"5{NB}000"
    assert sv_number(999) == "999"


@given(
    value=st.integers(min_value=-(10**15), max_value=10**15),
    places=st.integers(min_value=0, max_value=4),
    fixed=st.booleans(),
)
def test_a_whole_number_reads_as_the_same_fraction(value, places, fixed):
    """Whole numbers take a shorter way than fractions (atgrant_format.format_number): the
    text must be the same."""
    assert format_number(value, places, fixed=fixed) == format_number(
        Fraction(value), places, fixed=fixed
    )


@pytest.mark.parametrize("amount", [0, 999, 1000, 3_000_000, 223_000_000])
def test_the_engines_kronor_are_the_pages_kronor(amount):
    from allocation import engine, engine_reference

    assert engine._kr(amount) == engine_reference._kr(amount) == kr(amount)


# Templates show numbers through the filters above: no Django humanize or floatformat (other
# grouping and decimals), no rate with its own number of decimals, and no count or amount
# printed raw ("5000").
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
RAW_NUMBER = re.compile(
    r"{{\s*[\w.]*\.(posts|filled_posts|started_posts|filled|started|deducted|population|"
    r"count|applied_count|version_count|total|block1|block2|remainder|step_payment|budget)"
    r"\s*(\|default(_if_none)?:[^}|]*)?}}"
)
# {% blocktranslate with n=row.posts %}; the plural's own count (count n=...) is no text.
RAW_ARGUMENT = re.compile(
    r"{% blocktranslate [^%]*(?<!count )\b\w+=[\w.]*\.(posts|reported_posts|filled_posts|"
    r"started_posts|population|count|paginator\.count|deducted|total|block1|block2)(?=\s|%)"
)
AD_HOC = re.compile(r"\|\s*(floatformat|intcomma|intword)|rate\|sv_number|load [\w ]*humanize")


def _template_lines():
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix in {".html", ".txt"}:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                yield f"{path.relative_to(TEMPLATES)}:{number}", line


def test_the_lint_finds_what_it_looks_for():
    assert RAW_NUMBER.search("<td>{{ v.filled_posts|default_if_none:'–' }}</td>")
    assert RAW_NUMBER.search("{{ row.posts }}")
    assert not RAW_NUMBER.search("{{ row.posts|sv_number }}")
    assert RAW_ARGUMENT.search("{% blocktranslate with n=d.posts %}")
    assert RAW_ARGUMENT.search("{% blocktranslate with total=page.paginator.count %}")
    assert not RAW_ARGUMENT.search("{% blocktranslate count n=page.paginator.count %}")
    assert not RAW_ARGUMENT.search("{% blocktranslate with n=d.posts|sv_number %}")
    assert AD_HOC.search("{{ r.rate|sv_number:4 }}") and AD_HOC.search("{{ x|floatformat:2 }}")


def test_templates_print_numbers_only_through_the_shared_filters():
    found = [
        f"{where}: {line.strip()[:120]}"
        for where, line in _template_lines()
        if RAW_NUMBER.search(line) or RAW_ARGUMENT.search(line) or AD_HOC.search(line)
    ]
    assert found == []


def test_the_auditors_before_and_after_use_the_shared_formats():
    from allocation.views_read.audit import DiffCell
    from audit.labels import format_value

    assert format_value("filled_posts", 1_422) == f"1{NB}422"
    assert format_value("block1", 1_422_288) == f"1{NB}422{NB}288{NB}kr"
    assert format_value("year", 2024) == "2024"  # a year is no amount
    assert format_value("reason", None) == "–"
    assert DiffCell(158_226, 160_000, "Befolkning", "population").then_text == f"158{NB}226"
