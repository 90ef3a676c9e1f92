from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from atgrant.templatetags.atgrant_format import kr, sv_date, sv_datetime, sv_number

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
