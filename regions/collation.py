"""Swedish alphabetical order for names (regions above all), in Python and in the database.

Swedish sorts Å, Ä and Ö after Z, in that order (Svenska Akademiens ordlista); letters with
other accents sort as their base letter (é as e, ü as y, as SAOL does), and case is ignored.
Plain Unicode order gets this wrong (Ä before Å) and so do the databases' default
collations, and ordering by the official name sorts "Västra Götalandsregionen" after every
"Region …". The key below is made of fixed-width digit pairs, which sort the same in Python
and under any database collation, so a `sort_key` column orders and pages correctly on
SQLite and PostgreSQL alike. No ICU is needed for 21 names.
"""

from __future__ import annotations

import re
import unicodedata

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzåäö"
# Letters that sort as another letter (SAOL); everything else is stripped of its accent.
SAME_AS = {"æ": "ä", "ø": "ö", "ü": "y"}
SEPARATOR = "00"  # a space, a hyphen or other punctuation sorts before every letter


def _letter(char: str) -> str:
    """One character as a letter of ALPHABET ('é' -> 'e'), or '' for punctuation."""
    char = SAME_AS.get(char, char)
    if char in ALPHABET:
        return char
    base = unicodedata.normalize("NFD", char)[0]
    return base if base in ALPHABET else ""


def swedish_sort_key(text: str) -> str:
    """A string of digit pairs that orders `text` in Swedish alphabetical order.

    'Västra Götaland' < 'Örebro' < 'Östergötland'; 'Ångermanland' < 'Ädelsten' < 'Öland'.
    Runs of spaces and punctuation count as one separator. Equal keys (names differing only
    in case or punctuation) should be ordered further by the name itself.
    """
    pairs: list[str] = []
    for char in (text or "").casefold():
        letter = _letter(char)
        if letter:
            pairs.append(f"{ALPHABET.index(letter) + 1:02d}")
        elif pairs and pairs[-1] != SEPARATOR:
            pairs.append(SEPARATOR)
    while pairs and pairs[-1] == SEPARATOR:
        pairs.pop()
    return "".join(pairs)


# Most official names put the word "Region" first ("Region Örebro län"), one does not
# ("Västra Götalandsregionen"): a region sorts by its name without that word, as the agency's
# tables list them (Örebro under Ö, Västra Götaland under V).
_REGION_WORD = re.compile(r"^\s*region\s+", re.IGNORECASE)


def region_sort_key(name: str) -> str:
    """swedish_sort_key of a region's name without a leading "Region"."""
    return swedish_sort_key(_REGION_WORD.sub("", name or ""))


def name_order(name: str) -> tuple[str, str]:
    """A sort key for regions' names in Python (Swedish order, "Region" ignored), then the
    name itself for equal keys. Regions.sort_key holds the same key for the database."""
    return (region_sort_key(name), name or "")
