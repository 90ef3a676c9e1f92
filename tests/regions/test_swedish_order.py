"""Region names in Swedish alphabetical order, in Python and from the database: Å Ä Ö after
Z (in that order), accents as their base letter, case ignored, the word "Region" not counted
(Västra Götalandsregionen under V, not after every "Region …")."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.conf import settings

from regions.collation import name_order, region_sort_key, swedish_sort_key
from regions.models import Region
from tests.factories import RegionFactory

REGIONS_CSV = Path(settings.BASE_DIR) / "submissions" / "data" / "regions_2024.csv"

# The 21 regions' short names as a Swedish reader expects them.
SWEDISH_ORDER = [
    "Blekinge", "Dalarna", "Gotland", "Gävleborg", "Halland", "Jämtland", "Jönköping",
    "Kalmar", "Kronoberg", "Norrbotten", "Skåne", "Stockholm", "Södermanland", "Uppsala",
    "Värmland", "Västerbotten", "Västernorrland", "Västmanland", "Västra Götaland", "Örebro",
    "Östergötland",
]  # fmt: skip


def _registry() -> list[dict[str, str]]:
    with REGIONS_CSV.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_registrys_regions_in_swedish_order():
    rows = _registry()
    by_short = {row["name"]: row["short_name"] for row in rows}
    in_order = sorted((row["name"] for row in rows), key=name_order)
    assert [by_short[name] for name in in_order] == SWEDISH_ORDER
    # Plain order puts Västra Götalandsregionen after every "Region …".
    assert sorted(row["name"] for row in rows)[-1] == "Västra Götalandsregionen"
    assert in_order[-3:] == ["Västra Götalandsregionen", "Region Örebro län", "Region Östergötland"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Zeta", "Åsele"),  # Å after Z
        ("Åsele", "Älvdalen"),  # Å before Ä (Unicode has Ä first)
        ("Älvdalen", "Örebro"),
        ("Västra Götaland", "Örebro"),
        ("Västmanland", "Västra Götaland"),
        ("Gotland", "Gävleborg"),  # ä is not a: after o
        ("Eda", "Éva"),  # é sorts as e
        ("Skåne", "stockholm"),  # case does not count
        ("Västra", "Västra Götaland"),  # a prefix first
        ("Väst Ost", "Västa"),  # a space before any letter
    ],
)
def test_swedish_order_of_two_names(first, second):
    assert swedish_sort_key(first) < swedish_sort_key(second)
    assert name_order(first) < name_order(second)


def test_a_region_sorts_without_the_word_region():
    assert name_order("Västra Götalandsregionen") < name_order("Region Örebro län")
    assert name_order("Region Blekinge") < name_order("Region Dalarna")
    assert region_sort_key("Region Skåne") == swedish_sort_key("Skåne")


def test_the_key_sorts_the_same_as_text_under_any_collation():
    key = swedish_sort_key("Västra Götaland")
    assert key.isdigit() and len(key) % 2 == 0


def test_regions_come_from_the_database_in_swedish_order(db):
    for row in reversed(_registry()):
        RegionFactory(code=row["code"], name=row["name"], short_name=row["short_name"])
    # query: the regions, by the stored key
    assert [r.short_name for r in Region.objects.all()] == SWEDISH_ORDER
    assert [r.short_name for r in Region.objects.order_by("sort_key")] == SWEDISH_ORDER


def test_a_renamed_region_gets_a_new_key(db):
    region = RegionFactory(short_name="Aaa", name="Region Aaa")
    region.name = "Östra regionen"
    region.save(update_fields=["name"])
    region.refresh_from_db()
    assert region.sort_key == swedish_sort_key("Östra regionen")
