"""The Swedish organisationsnummer of a region (a legal person), checked as Skatteverket sets
it out (SKV 709): ten digits written NNNNNN-NNNN, the third digit at least 2 (a legal person,
never a date of birth's month), the last a Luhn check digit over the nine before it."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_FORM = re.compile(r"(\d{6})-?(\d{4})")


def luhn_valid(digits: str) -> bool:
    """Whether the last digit of ``digits`` (only 0-9) is the Luhn check digit of the rest."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def normalise_organisation_number(text: str) -> str:
    """Normalise: "2321000016" or "232100-0016" -> "232100-0016"; "" stays "".

    Raises ValidationError (Swedish, code "invalid") for any other text, a third digit below
    2 or a wrong check digit.
    """
    text = (text or "").strip()
    if not text:
        return ""
    match = _FORM.fullmatch(text.replace(" ", ""))
    if match is None:
        raise ValidationError(
            _("Skriv organisationsnumret som tio siffror, NNNNNN-NNNN."), code="invalid"
        )
    digits = match[1] + match[2]
    if int(digits[2]) < 2:
        raise ValidationError(
            _(
                "%(number)s är inget organisationsnummer för en juridisk person: den tredje "
                "siffran ska vara minst 2."
            )
            % {"number": f"{match[1]}-{match[2]}"},
            code="invalid",
        )
    if not luhn_valid(digits):
        raise ValidationError(
            _("Kontrollsiffran i %(number)s stämmer inte. Kontrollera numret.")
            % {"number": f"{match[1]}-{match[2]}"},
            code="invalid",
        )
    return f"{match[1]}-{match[2]}"


def validate_organisation_number(value: str) -> None:
    """The model field's validator (what is stored is already normalised)."""
    normalise_organisation_number(value)
