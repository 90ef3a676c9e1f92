"""The officer's report table and the auditor's history with more regions than a page holds:
the pager and the typed region filter, by keyboard and mouse, with axe at desktop and phone
width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from regions.collation import region_sort_key
from regions.models import Region
from submissions.models import GrantRound
from tests.e2e.support import PHONE, totp_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

TABLE = "/handlaggare/inrapporteringar/at-2024/"


@pytest.fixture
def many_regions(open_round_with_reports):
    """The 21 regions and their 2024 round, and 60 more (codes 26-85, "Testlän 00"-"59")."""
    # bulk_create skips Region.save(), which keeps the sort key: it is given here.
    Region.objects.bulk_create(
        Region(
            code=f"{26 + i}",
            name=f"Region Testlän {i:02d}",
            short_name=f"Testlän {i:02d}",
            sort_key=region_sort_key(f"Region Testlän {i:02d}"),
        )
        for i in range(60)
    )


def test_paging_the_report_table_and_granting_an_extension(web, many_regions, officer):
    handlaggare = web("handläggare")
    handlaggare.login(officer, PASSWORD, totp_secret=totp_for(officer))
    handlaggare.goto(TABLE)
    pager = handlaggare.page.get_by_role(
        "navigation", name="Sidor i tabellen över inrapporteringar"
    )
    expect(pager.locator('[aria-current="page"]')).to_have_text("Sida 1")
    handlaggare.click(pager.get_by_role("link", name="Nästa"))
    assert handlaggare.path == f"{TABLE}?page=2#round-reports"
    expect(handlaggare.page.locator("#round-reports tbody tr")).to_have_count(81 - 50)
    # A region's own row leads to the form with the region filled in.
    handlaggare.click("Förläng svarstiden för Region Testlän 59")
    expect(handlaggare.field("Region")).to_have_value("Region Testlän 59")
    handlaggare.fill("Förlängd till och med", "2030-01-31")
    handlaggare.fill("Skäl", "Systembyte")
    handlaggare.click("Förläng svarstiden")
    assert handlaggare.path == f"{TABLE}?page=2"
    handlaggare.expect_text("Svarstiden för Region Testlän 59 är förlängd.")
    handlaggare.click("Förläng svarstiden för en region")
    handlaggare.fill("Region", "Atlantis")
    handlaggare.fill("Förlängd till och med", "2030-01-31")
    handlaggare.fill("Skäl", "Systembyte")
    handlaggare.click("Förläng svarstiden")  # refused (400), with its error summary
    handlaggare.expect_text("Det finns ingen region med koden eller namnet ”Atlantis”.")
    expect(handlaggare.page.locator("#error-summary")).to_be_focused()
    handlaggare.axe.assert_clean()
    handlaggare.click("Avbryt")
    assert handlaggare.path == f"{TABLE}?page=2"
    handlaggare.page.set_viewport_size(PHONE)
    handlaggare.goto(f"{TABLE}?page=2")
    handlaggare.axe.assert_clean()


def test_paging_the_history_with_a_typed_region(web, many_regions, auditor):
    granskare = web("granskare")
    granskare.login(auditor, PASSWORD, totp_secret=totp_for(auditor))
    granskare.goto("/granskning/")
    granskare.fill("Region (namn eller länskod)", "Blekinge")
    granskare.click("Filtrera")
    assert "region=Blekinge" in granskare.path
    granskare.fill("Region (namn eller länskod)", "Atlantis")
    granskare.click("Filtrera")
    granskare.expect_text("Det finns ingen region med koden eller namnet ”Atlantis”.")
    granskare.page.set_viewport_size(PHONE)
    granskare.goto("/granskning/?round=" + str(GrantRound.objects.get(slug="at-2024").pk))
    records = granskare.page.get_by_role("navigation", name="Sidor i omgångens poster")
    granskare.click(records.get_by_role("link", name="Nästa"))
    assert "records_page=2" in granskare.path
    granskare.axe.assert_clean()
