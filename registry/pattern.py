"""The case number pattern (diarienummer), pure Python: the settings validate it at start."""

from __future__ import annotations

DEFAULT_PATTERN = "{year}/{serial:05d}"
MAX_LENGTH = 40  # RegistryEntry.case_number


def format_case_number(year: int, serial: int, template: str = DEFAULT_PATTERN) -> str:
    """``format_case_number(2024, 7)`` -> ``"2024/00007"``."""
    return template.format(year=year, serial=serial)


def pattern_problem(template: str) -> str | None:
    """Why `template` cannot number the registry (English, for the operator), or None.

    It must format with ``year`` and ``serial`` alone and give different numbers for different
    years and serials, or two documents would share a case number."""
    try:
        samples = {
            format_case_number(year, serial, template)
            for year, serial in ((2024, 1), (2024, 2), (2025, 1), (2024, 99999))
        }
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        return f"it does not format with year and serial: {exc!r}"
    if len(samples) != 4:
        return "it must contain both {year} and {serial}, or numbers repeat"
    if max(len(sample) for sample in samples) > MAX_LENGTH:
        return f"its numbers are longer than {MAX_LENGTH} characters"
    return None
