"""Swedish display filters: money, numbers, dates (Europe/Stockholm).

`{% load atgrant_format %}` then `{{ amount|kr }}`, `{{ value|sv_number }}`,
`{{ when|sv_datetime }}`, `{{ day|sv_date }}`, `{{ plan_text|sv_range }}`.
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


def format_number(value: object, places: int = 2) -> str:
    """Swedish number: thousands grouped, decimal comma, at most `places` decimals
    (rounded half away from zero), trailing zeros dropped. Non-numbers pass through."""
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
    frac_text = str(frac).rjust(places, "0").rstrip("0") if places else ""
    if frac_text:
        text += "," + frac_text
    if text == "0":
        sign = ""
    return sign + text


@register.filter
def kr(value: object) -> str:
    """Whole kronor: 223000000 -> '223 000 000 kr'."""
    number = _to_fraction(value)
    if number is None:
        return ""
    return format_number(number, places=0) + NBSP + "kr"


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


_NUMBER_RANGE = re.compile(r"(\d)\s*-\s*(\d)")


@register.filter
def sv_range(value: object) -> str:
    """Text with number ranges written with an en dash, as Swedish typesetting does:
    '84-89' -> '84–89'; other text unchanged."""
    return _NUMBER_RANGE.sub("\\1\u2013\\2", str(value or ""))
