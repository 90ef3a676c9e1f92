"""Case numbers (diarienummer): the agency's pattern, and serials per year handed out safely."""

from __future__ import annotations

from django.conf import settings
from django.db.models import F

from registry.models import CaseSerial
from registry.pattern import DEFAULT_PATTERN, format_case_number


def pattern() -> str:
    """The agency's pattern, setting ATGRANT_REGISTRY_NUMBER_PATTERN (checked at start)."""
    return getattr(settings, "ATGRANT_REGISTRY_NUMBER_PATTERN", DEFAULT_PATTERN)


def case_number(year: int, serial: int) -> str:
    """The case number of `serial` in `year` in the agency's pattern."""
    return format_case_number(year, serial, pattern())


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
