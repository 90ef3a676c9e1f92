"""Case numbers (diarienummer): the agency's pattern, and serials per year handed out safely."""

from __future__ import annotations

from django.conf import settings
from django.db.models import F

from registry.models import CaseSerial

DEFAULT_PATTERN = "{year}/{serial:05d}"


def pattern() -> str:
    """The agency's pattern, setting ATGRANT_REGISTRY_NUMBER_PATTERN (a str.format template with
    the fields ``year`` and ``serial``)."""
    return getattr(settings, "ATGRANT_REGISTRY_NUMBER_PATTERN", DEFAULT_PATTERN)


def format_case_number(year: int, serial: int, *, template: str | None = None) -> str:
    """``format_case_number(2024, 7)`` -> ``"2024/00007"`` with the default pattern."""
    return (template or pattern()).format(year=year, serial=serial)


def pattern_problem(template: str) -> str | None:
    """Why `template` cannot number the registry (English, for the system check), or None.

    It must format with ``year`` and ``serial`` alone and give different numbers for different
    years and serials, or two documents would share a case number."""
    try:
        samples = {
            format_case_number(year, serial, template=template)
            for year, serial in ((2024, 1), (2024, 2), (2025, 1), (2024, 99999))
        }
    except (KeyError, IndexError, ValueError) as exc:
        return f"it does not format with year and serial: {exc!r}"
    if len(samples) != 4:
        return "it must contain both {year} and {serial}, or numbers repeat"
    if max(len(sample) for sample in samples) > 40:
        return "its numbers are longer than 40 characters"
    return None


def reserve_serials(year: int, count: int) -> range:
    """Reserve `count` consecutive serials of `year`; call inside the registering transaction.

    The UPDATE ... SET last = last + count takes the year's row lock (PostgreSQL) or the
    database's write lock (SQLite, IMMEDIATE transactions) until commit, so concurrent
    registrations wait for each other and never share a serial; a rolled-back registration
    gives its serials back with it.
    """
    if count < 1:
        return range(0)
    serials = CaseSerial.objects.filter(year=year)
    if not serials.update(last=F("last") + count):
        # The year's first number: create its row (get_or_create's savepoint catches a
        # racing insert of the same year) and raise it under the lock like any other.
        CaseSerial.objects.get_or_create(year=year)
        serials.update(last=F("last") + count)
    last = serials.values_list("last", flat=True).get()
    return range(last - count + 1, last + 1)
