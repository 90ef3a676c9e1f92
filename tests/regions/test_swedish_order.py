"""Region names in Swedish alphabetical order, in Python and from the database: Å Ä Ö after
Z (in that order), accents as their base letter, case ignored; Västra Götaland under V."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.conf import settings

from regions.collation import name_order, swedish_sort_key
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


def test_the_registrys_regions_in_swedish_order():
    with REGIONS_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted((row["short_name"] for row in rows), key=swedish_sort_key) == SWEDISH_ORDER
    # By the official name Västra Götalandsregionen would come after every "Region …".
    assert sorted(row["name"] for row in rows)[-1] == "Västra Götalandsregionen"


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
        ("Region Skåne", "region Stockholm"),  # case does not count
        ("Västra", "Västra Götaland"),  # a prefix first
        ("Väst Ost", "Västa"),  # a space before any letter
    ],
)
def test_swedish_order_of_two_names(first, second):
    assert swedish_sort_key(first) < swedish_sort_key(second)
    assert name_order(first) < name_order(second)


def test_the_key_sorts_the_same_as_text_under_any_collation():
    key = swedish_sort_key("Västra Götaland")
    assert key.isdigit() and len(key) % 2 == 0


def test_regions_come_from_the_database_in_swedish_order(db):
    for name in reversed(SWEDISH_ORDER):
        RegionFactory(short_name=name, name=f"Regionen {name}")
    # query: the regions, by the stored key
    assert [r.short_name for r in Region.objects.all()] == SWEDISH_ORDER
    assert [r.short_name for r in Region.objects.order_by("sort_key")] == SWEDISH_ORDER


def test_a_renamed_region_gets_a_new_key(db):
    region = RegionFactory(short_name="Aaa", name="Region Aaa")
    region.short_name = "Östra"
    region.save(update_fields=["short_name"])
    region.refresh_from_db()
    assert region.sort_key == swedish_sort_key("Östra")
