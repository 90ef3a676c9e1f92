"""The auditor's history as a file for people: the page's filters, words not codes, no formulas."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from tests.allocation.read_factories import FAST_HASHERS
from tests.allocation.test_audit_views import at, event
from tests.allocation.test_audit_views import decisions as decisions  # the fixture
from tests.allocation.test_audit_views import history as history  # the fixture
from tests.factories import GrantRoundFactory

CSV_URL = "allocation_read:audit_history_csv"
XLSX_URL = "allocation_read:audit_history_xlsx"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def excel_rows(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_holds_the_filtered_history_in_words(client, login, history, auditor, region):
    login(client, auditor)
    response = client.get(reverse(CSV_URL), {"round": history.second.pk})
    assert response.status_code == 200
    assert "granskning-historik-" in response["Content-Disposition"]
    header, *rows = excel_rows(response.content)
    assert header[:3] == ["Tidpunkt", "Utförd av", "Händelse"]
    # The second round's two events, newest first, as the page shows them.
    assert [row[2] for row in rows] == ["Omgångens status ändrad", "Avräkning registrerad"]
    status, deduction = rows
    assert status[1] == "systemet"
    assert status[6] == "Status: Öppen → Stängd"
    assert deduction[0] == "2024-11-05 13:00"  # Stockholm time
    assert deduction[5] == region.name
    assert deduction[6] == "Avräknade tjänster: 3"


def test_the_changes_read_as_on_the_page(client, login, auditor, officer, region, decisions):
    """Blocks by their names, no field that is empty before and after, no revision; a change
    to empty shows (audit.event_changes decides for the page and the files alike)."""
    grant_round = GrantRoundFactory(slug="r-export")
    event("report.draft_saved", at(2024, 10, 2), actor=officer, round_id=grant_round.pk,
          before={"filled_posts": 12, "comment": None, "revision": 1},
          after={"filled_posts": None, "comment": "", "revision": 2})  # fmt: skip
    login(client, auditor)
    _header, *rows = excel_rows(
        client.get(reverse(CSV_URL), {"action": "allocation.decision_issued"}).content
    )
    assert len(rows) == 4
    for row in rows:
        changes = row[6].split("; ")
        assert "Belopp per block: Redovisa antal AT-tjänster: " in row[6]
        assert any(c.startswith("Ytterligare utökning: ") for c in changes)
        assert "Block 1" not in row[6]
        assert not [c for c in changes if c.endswith(": –")]
    _header, *rows = excel_rows(
        client.get(reverse(CSV_URL), {"action": "report.draft_saved"}).content
    )
    ((*_cells, changes, _message, _ip),) = rows
    assert changes == "Tillsatta AT-tjänster: 12 → –"
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse(XLSX_URL), {"action": "report.draft_saved"}).content)
    )
    assert book["Historik"]["G2"].value == "Tillsatta AT-tjänster: 12 → –"


def test_text_typed_by_users_is_never_a_formula(client, login, auditor):
    event("auth.login_failed", at(2024, 11, 5), actor=None, after={"login": "=cmd|' /C calc'!A0"},
          message="=HYPERLINK(\"http://x\")")  # fmt: skip
    login(client, auditor)
    _header, *rows = excel_rows(
        client.get(reverse(CSV_URL), {"action": "auth.login_failed"}).content
    )
    (row,) = rows
    assert row[7] == '\'=HYPERLINK("http://x")'
    assert row[6] == "Inloggningsnamn: =cmd|' /C calc'!A0"  # starts with a letter: plain text
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse(XLSX_URL), {"action": "auth.login_failed"}).content)
    )
    sheet = book["Historik"]
    assert sheet["H2"].value == '=HYPERLINK("http://x")' and sheet["H2"].data_type == "s"


def test_a_bad_filter_goes_back_to_the_page_and_its_errors(client, login, auditor):
    login(client, auditor)
    response = client.get(reverse(CSV_URL), {"date_from": "2024-12-01", "date_to": "2024-11-01"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("allocation_read:audit_index") + "?")


@pytest.mark.parametrize("name", [CSV_URL, XLSX_URL])
def test_only_officers_and_auditors_export_the_history(client, login, proxy, name):
    assert client.get(reverse(name)).status_code == 302  # anonymous: to the login
    login(client, proxy)
    assert client.get(reverse(name)).status_code == 404
