"""Swedish display filters: money, numbers, dates (Europe/Stockholm).

`{% load atgrant_format %}` then `{{ amount|kr }}`, `{{ value|sv_number }}` (counts too:
`5 000`), `{{ rate|sv_rate }}`, `{{ plan_text|sv_range }}`, `{{ when|sv_datetime }}`,
`{{ day|sv_date }}`. The one source of number formats for pages, e-mails, PDFs and the Python
that writes text for people (explanations, messages); files for machines keep raw numbers.
The rules are the agency's (shared/AGENCY.md, "Formats"): a space as thousands separator
(no-break, so a number never breaks over two lines), decimal comma, an en dash in ranges.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from zoneinfo import ZoneInfo

from django import template
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

register = template.Library()

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NBSP = "\u00a0"
MINUS = "\u2212"
EN_DASH = "\u2013"
# Posts per 100 000 inhabitants are always shown with this many decimals ("24,00" beside
# "20,86"), on every page, letter and explanation; the allocation uses the exact value.
RATE_PLACES = 2
# A hyphen (or dash) between two numbers is a range: "48-50", "84 - 89", "12,5-14".
_RANGE = re.compile(r"(?<=\d)\s*[-\u2010\u2011\u2012\u2212]\s*(?=\d)")
# Month names come from Django's catalogue: Swedish (lower case) by default, English when chosen.


def _group(digits: str) -> str:
    """'223000000' -> '223 000 000' (non-breaking spaces)."""
    parts = []
    while len(digits) > 3:
        parts.insert(0, digits[-3:])
        digits = digits[:-3]
    parts.insert(0, digits)
    return NBSP.join(parts)


def _to_fraction(value: object) -> Fraction | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, (int, Fraction, Decimal)):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    try:
        text = str(value).strip().replace(",", ".")
        if "/" in text:
            return Fraction(text)
        return Fraction(Decimal(text))
    except (ValueError, ZeroDivisionError, InvalidOperation):
        return None


def format_number(value: object, places: int = 2, *, fixed: bool = False) -> str:
    """Swedish number: thousands grouped, decimal comma, at most `places` decimals
    (rounded half away from zero), trailing zeros dropped unless `fixed` (then exactly
    `places` decimals). Non-numbers pass through."""
    if type(value) is int and not (fixed and places):
        # Whole numbers (counts, kronor) need no rounding: most of a table's cells.
        return (MINUS if value < 0 else "") + _group(str(abs(value)))
    number = _to_fraction(value)
    if number is None:
        return "" if value is None else str(value)
    sign = MINUS if number < 0 else ""
    number = abs(number)
    scale = 10**places
    scaled = number * scale
    rounded = int(scaled) + (1 if scaled - int(scaled) >= Fraction(1, 2) else 0)
    whole, frac = divmod(rounded, scale)
    text = _group(str(whole))
    frac_text = str(frac).rjust(places, "0") if places else ""
    if not fixed:
        frac_text = frac_text.rstrip("0")
    if frac_text:
        text += "," + frac_text
    if rounded == 0:
        sign = ""
    return sign + text


@register.filter
def kr(value: object) -> str:
    """Whole kronor: 223000000 -> '223 000 000 kr'."""
    number = value if type(value) is int else _to_fraction(value)
    if number is None:
        return ""
    return format_number(number, places=0) + NBSP + "kr"


@register.filter
def kr_change(value: object) -> str:
    """A change in whole kronor, always signed: 1500 -> '+1 500 kr', -1500 -> '−1 500 kr',
    0 -> '0 kr' (a difference without a sign reads as an amount)."""
    number = _to_fraction(value)
    if number is None:
        return ""
    text = kr(number)
    return ("+" + text) if number > 0 and not text.startswith("0") else text


@register.filter
def sv_number(value: object, places: int | str = 2) -> str:
    """86.5 / Decimal('86.5') / '173/2' -> '86,5'; 12345 -> '12 345'."""
    try:
        places = int(places)
    except (TypeError, ValueError):
        places = 2
    return format_number(value, places=places)


@register.filter
def sv_datetime(value: dt.datetime | None) -> str:
    """Aware datetime -> '1 november 2024 kl. 23:59' in Europe/Stockholm."""
    if not isinstance(value, dt.datetime):
        return ""
    local = value.astimezone(STOCKHOLM) if value.tzinfo else value
    return _("%(day)s %(month)s %(year)s kl. %(time)s") % {
        "day": local.day,
        "month": MONTHS[local.month],
        "year": local.year,
        "time": f"{local:%H:%M}",
    }


@register.filter
def sv_date(value: dt.date | None) -> str:
    """date or aware datetime -> '1 november 2024' (Stockholm day for datetimes)."""
    if isinstance(value, dt.datetime):
        value = value.astimezone(STOCKHOLM) if value.tzinfo else value
    if not isinstance(value, dt.date):
        return ""
    return _("%(day)s %(month)s %(year)s") % {
        "day": value.day,
        "month": MONTHS[value.month],
        "year": value.year,
    }


def format_rate(value: object) -> str:
    """Posts per 100 000 inhabitants with exactly RATE_PLACES decimals: 24 -> '24,00',
    Fraction(2086, 100) -> '20,86'. None or a non-number -> '–'."""
    if _to_fraction(value) is None:
        return "–"
    return format_number(value, places=RATE_PLACES, fixed=True)


@register.filter
def sv_rate(value: object) -> str:
    """The rate (posts per 100 000 inhabitants), always with two decimals: '24,00'."""
    return format_rate(value)


def format_range(text: object) -> str:
    """A plan or range as written, with an en dash between its numbers and no spaces
    around it (Språkrådet: "48–50"): '84-89' -> '84–89', '46 (ev. 48)' unchanged."""
    if text is None:
        return ""
    return _RANGE.sub(EN_DASH, str(text))


@register.filter
def sv_range(text: object) -> str:
    """'48-50' -> '48–50' (en dash); other text unchanged."""
    return format_range(text)


def format_in_text(name: object) -> str:
    """A title (a round's name) used inside a sentence: its first letter in lower case, as
    Swedish writes common nouns ("Beslutet om statsbidrag för …"). A leading abbreviation
    ("AT-tjänster", "SCB") keeps its capitals."""
    text = "" if name is None else str(name)
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


@register.filter
def sv_in_text(name: object) -> str:
    """'Statsbidrag för AT-tjänster 2024' -> 'statsbidrag för AT-tjänster 2024'."""
    return format_in_text(name)
