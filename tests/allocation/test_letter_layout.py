"""The decision letter's layout as a reader sees it, with the 21 regions of 2024: words in the
tables break only where there is no room, one font family throughout, and the annex's total
row comes once, after the last region, while a continued table repeats its header."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from allocation.letters import decision_letter_pdf
from allocation.plans import parse_plan
from regions.models import Region
from regions.roles import OFFICERS_GROUP
from tests.allocation.read_factories import FAST_HASHERS, FOUR, RegionData, closed_round, decide
from tests.factories import UserFactory, rows_2024
from tests.pdf_bounds import embedded_font_families, pages_text, runs_off_page

pytestmark = pytest.mark.django_db

HEADER = "Region Befolkning Plan Tjänster Utökning"


@pytest.fixture
def officer(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.ATGRANT_AGENCY_NAME = "Socialstyrelsen"
    user = UserFactory(email="frida@example.se", first_name="Frida", last_name="Föredrag")
    user.groups.add(Group.objects.get_or_create(name=OFFICERS_GROUP)[0])
    return user


def _twenty_one(officer: object) -> dict[str, object]:
    """2024's 21 regions with their real names, plans and populations, decided; some report
    more posts than planned, some fewer."""
    rows = rows_2024()
    data = []
    for i, row in enumerate(rows):
        planned = int(parse_plan(row["planned_2024"]).low)
        posts = planned + (i % 5) * 2 - 2
        population = int(row["population_2023_11_01"])
        data.append(
            RegionData(row["short_name"], row["code"], population, row["planned_2024"], posts, None)
        )
    grant_round = closed_round(data, submitted_by=officer)
    for row in rows:
        Region.objects.filter(code=row["code"]).update(name=row["name"])
    return decide(grant_round, officer)


def _four(officer: object) -> dict[str, object]:
    return decide(closed_round(FOUR, submitted_by=officer), officer)


def _pdf(decision: object, name: str) -> bytes:
    pdf = decision_letter_pdf(decision)
    out = os.environ.get("ATGRANT_LETTER_OUT")  # to look at the pages while working on them
    if out:
        Path(out, f"{name}.pdf").write_bytes(pdf)
    return pdf


def _annex_pages(pdf: bytes) -> list[str]:
    pages = pages_text(pdf)
    first = next(i for i, page in enumerate(pages) if "Bilaga: Fördelningslista" in page)
    return pages[first:]


@pytest.mark.parametrize("regions", ["four", "twenty_one"])
def test_the_total_comes_once_after_the_last_region(officer, regions):
    decisions = _four(officer) if regions == "four" else _twenty_one(officer)
    pdf = _pdf(decisions["Blekinge"], f"letter-{regions}")
    annex = _annex_pages(pdf)
    assert sum(page.count("Summa") for page in annex) == 1
    last = annex[-1]
    assert "Summa" in last
    names = [decision.region.name for decision in decisions.values()]
    for name in names:
        page = next(page for page in annex if name in page)
        if page is last:
            assert last.index(name) < last.index("Summa"), name
    # Each page of the table starts with its header.
    assert all(HEADER in page for page in annex)
    assert not any(mark in page for page in annex for mark in ("{#", "{%", "#}"))
    assert runs_off_page(pdf) == []


def test_no_region_name_breaks_within_a_word(officer):
    decisions = _twenty_one(officer)
    pdf = _pdf(decisions["Västra Götaland"], "letter-vgr")
    text = " ".join(_annex_pages(pdf))
    for decision in decisions.values():
        assert decision.region.name in text  # a line break between words reads as a space
    assert "Västra Götalandsregionen 1 767 641" in text


def test_one_font_family_in_the_whole_letter(officer):
    pdf = _pdf(_four(officer)["Gotland"], "letter-fonts")
    assert len(embedded_font_families(pdf)) == 1, embedded_font_families(pdf)
