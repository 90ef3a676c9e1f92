"""Parse the planned number of AT posts as written in the plan (bilaga 2).

The plan column holds text such as ``280``, ``84-89``, ``46 (ev. 48)`` or ``46 (ev.+)``.
DOMAIN.md fixes how each form becomes a number: a range counts as its mean, ``(ev. 48)``
is the upper end of a range and ``(ev.+)`` adds nothing. The parser is deliberately strict:
anything it does not recognise is an error rather than a guess, because the plan is the
baseline that decides block 2 money.

No Django import here: the allocation engine and the CSV tool use it as plain Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

_NUMBER = r"\d+(?:[.,]\d+)?"
# Hyphen-minus or en dash, as both occur in the agency's tables.
_DASH = "[-\u2013]"

_SINGLE = re.compile(rf"(?P<low>{_NUMBER})")
_RANGE = re.compile(rf"(?P<low>{_NUMBER})\s*{_DASH}\s*(?P<high>{_NUMBER})")
_EV_NUMBER = re.compile(rf"(?P<low>{_NUMBER})\s*\(\s*ev\.\s*(?P<high>{_NUMBER})\s*\)")
_EV_PLUS = re.compile(rf"(?P<low>{_NUMBER})\s*\(\s*ev\.\s*\+\s*\)")


class PlanError(ValueError):
    """The plan text is not one of the accepted forms.

    ``code`` names the kind ("negative", "reversed", "unrecognised", "not_text") so that a
    caller can word it for its own readers (the officer's import pages, in Swedish).
    """

    def __init__(self, message: str, code: str = "unrecognised") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class PlanBounds:
    """The planned posts as a closed interval; a single number has ``low == high``."""

    low: Fraction
    high: Fraction

    def __post_init__(self) -> None:
        if self.low < 0:
            raise PlanError(f"planned posts cannot be negative: {self.low}", "negative")
        if self.low > self.high:
            raise PlanError(f"plan range is reversed: {self.low} > {self.high}", "reversed")

    @property
    def mean(self) -> Fraction:
        """The value used as the baseline: the mean of a range, else the number itself."""
        return (self.low + self.high) / 2

    @property
    def is_range(self) -> bool:
        return self.low != self.high


def _number(text: str) -> Fraction:
    # A decimal comma is a decimal point (DOMAIN.md); Fraction parses "12.5" exactly.
    return Fraction(text.replace(",", "."))


def parse_plan(text: str) -> PlanBounds:
    """Parse one plan cell into bounds, or raise :class:`PlanError` quoting the text.

    Accepted forms (surrounding whitespace ignored):
    ``280``; ``12,5`` / ``12.5``; ``84-89`` / ``84–89`` / ``84 - 89``;
    ``46 (ev. 48)`` (a range 46..48); ``46 (ev.+)`` (just 46).
    """
    if not isinstance(text, str):
        raise PlanError(f"plan must be text, got {text!r}", "not_text")
    stripped = text.strip()
    if stripped.startswith(("-", "\u2013", "\u2212")):
        raise PlanError(f"planned posts cannot be negative: {text!r}", "negative")
    for pattern in (_SINGLE, _RANGE, _EV_NUMBER):
        match = pattern.fullmatch(stripped)
        if match:
            high = match.groupdict().get("high") or match["low"]
            return _bounds(text, _number(match["low"]), _number(high))
    match = _EV_PLUS.fullmatch(stripped)
    if match:
        low = _number(match["low"])
        return PlanBounds(low, low)
    raise PlanError(
        f"unrecognised plan {text!r}: expected a number (280, 12,5), a range (84-89) "
        "or a number with a note (46 (ev. 48), 46 (ev.+))"
    )


def _bounds(text: str, low: Fraction, high: Fraction) -> PlanBounds:
    if low > high:
        raise PlanError(f"plan range is reversed in {text!r}: {low} > {high}", "reversed")
    return PlanBounds(low, high)
