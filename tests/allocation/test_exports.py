"""The allocation list's downloads: for people (Swedish CSV and XLSX) and for machines."""

from __future__ import annotations

import codecs
import csv
import io
from fractions import Fraction

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from allocation import exports
from allocation.csvtool import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from tests.allocation.read_factories import (
    FAST_HASHERS,
    FOUR,
    HALLAND_DEDUCTION,
    closed_round,
    decide,
    reconsider,
)

ROW = {
    "region": "Östergötland",
    "population": 472_660,
    "plan_text": "84-89",
    "planned": Fraction(173, 2),
    "filled": 88,
    "started": None,
    "deducted": 0,
    "posts": 88,
    "increase": Fraction(3, 2),
    "block1": 3_000_001,
    "step_payment": 0,
    "remainder": 0,
    "block2": 0,
    "total": 3_000_001,
}
RULES = {"block1": 63_000_000, "block2": 160_000_000, "staircase": [["2", 3_000_000]]}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


# --- the writers (pure) ---------------------------------------------------------------------


def people_rows(content: bytes) -> list[list[str]]:
    """A people CSV as Swedish Excel reads it: BOM, ';' between fields."""
    assert content.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_input_csv_has_exactly_allocate_csvs_columns():
    text = exports.input_csv([ROW])
    assert text.splitlines() == [
        ",".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS),
        "Östergötland,472660,84-89,88,,0",
    ]


def test_full_csv_is_for_people_swedish_headers_decimal_comma_and_a_total_row():
    other = {**ROW, "region": "Gotland", "plan_text": "12", "planned": Fraction(12),
             "increase": Fraction(-5, 2), "filled": None, "started": 10, "total": 5}  # fmt: skip
    header, first, second, total = people_rows(exports.full_csv([ROW, other]))
    assert header[:4] == ["Region", "Befolkning", "Plan enligt planeringsunderlaget",
                          "Plan som används"]  # fmt: skip
    assert "Totalt (kr)" in header
    cells = dict(zip(header, first, strict=True))
    # The range as people write it (an en dash, so Excel cannot take it for a date).
    assert cells["Plan enligt planeringsunderlaget"] == "84–89"
    assert cells["Plan som används"] == "86,5"
    assert cells["Utökning mot planen"] == "1,5"
    assert cells["Block 1 (kr)"] == "3000001"
    assert cells["Påbörjade AT-tjänster"] == ""
    assert dict(zip(header, second, strict=True))["Utökning mot planen"] == "-2,5"
    totals = dict(zip(header, total, strict=True))
    assert totals["Region"] == "Summa"
    assert totals["Totalt (kr)"] == "3000006"
    assert totals["Utökning mot planen"] == "-1"


def test_no_text_in_the_people_files_is_a_formula():
    row = {**ROW, "region": '=HYPERLINK("http://x";"y")', "plan_text": "@1"}
    header, line, _total = people_rows(exports.full_csv([row]))
    assert line[0] == '\'=HYPERLINK("http://x";"y")'
    assert line[2] == "'@1"
    sheet = openpyxl.load_workbook(io.BytesIO(exports.xlsx([row], rules=RULES, title="T")))[
        "Fördelning"
    ]
    assert sheet["A2"].data_type == "s" and sheet["C2"].data_type == "s"


def test_xlsx_has_swedish_sheets_raw_numbers_kronor_format_and_the_rules():
    book = openpyxl.load_workbook(io.BytesIO(exports.xlsx([ROW], rules=RULES, title="T")))
    assert book.sheetnames == ["Fördelning", "Regler"]
    sheet = book["Fördelning"]
    header = [cell.value for cell in sheet[1]]
    values = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert values["Region"] == "Östergötland"
    assert values["Befolkning"] == 472_660
    assert values["Utökning mot planen"] == 1.5
    assert values["Block 1 (kr)"] == 3_000_001 and isinstance(values["Block 1 (kr)"], int)
    assert sheet.cell(2, header.index("Totalt (kr)") + 1).number_format == '#,##0 "kr"'
    assert sheet.cell(3, 1).value == "Summa"
    assert sheet.cell(3, header.index("Totalt (kr)") + 1).value == 3_000_001
    rules = [[c.value for c in row] for row in book["Regler"].iter_rows()]
    assert rules[1][2] == 63_000_000 and rules[2][2] == 160_000_000
    assert rules[3][1:] == [2, 3_000_000]


# --- the downloads --------------------------------------------------------------------------


@pytest.fixture
def decisions(officer, region, other_region):
    return decide(closed_round(FOUR, submitted_by=officer), officer, deductions=HALLAND_DEDUCTION)


def download(client, name: str, slug: str = "at-2024"):
    response = client.get(reverse(f"allocation_read:{name}", kwargs={"slug": slug}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return response


def test_csv_download_holds_the_decided_amounts(client, decisions):
    response = download(client, "public_list_csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *lines, total = people_rows(response.content)
    rows = {line[0]: dict(zip(header, line, strict=True)) for line in lines}
    for decision in decisions.values():
        name = decision.region.name
        # a column per block of the model, named as the block
        assert int(rows[name]["Redovisa antal AT-tjänster (kr)"]) == decision.amounts["block1"]
        assert int(rows[name]["Ytterligare utökning (kr)"]) == decision.amounts["block2"]
        assert int(rows[name]["Totalt (kr)"]) == decision.total
    assert rows["Region Halland"]["Avräknade tjänster"] == "2"
    assert rows["Region Gotland"]["Plan enligt planeringsunderlaget"] == "60–62"
    assert rows["Region Gotland"]["Påbörjade AT-tjänster"] == ""
    assert total[0] == "Summa"
    assert int(total[header.index("Totalt (kr)")]) == sum(d.total for d in decisions.values())


def test_the_machine_files_say_so_in_their_names(client, decisions):
    for name in ("public_list_input_csv", "public_list_rules"):
        disposition = download(client, name)["Content-Disposition"]
        assert "maskinlasbar" in disposition and "allocate_csv" in disposition
    page = client.get(reverse("allocation_read:public_list", kwargs={"slug": "at-2024"}))
    assert "Indata för maskinläsning" in page.content.decode()


def test_input_csv_round_trips_through_allocate_csv(client, decisions, tmp_path):
    (tmp_path / "input.csv").write_bytes(download(client, "public_list_input_csv").content)
    (tmp_path / "rules.json").write_bytes(download(client, "public_list_rules").content)
    out = io.StringIO()
    call_command(
        "allocate_csv",
        str(tmp_path / "input.csv"),
        "--rules",
        str(tmp_path / "rules.json"),
        stdout=out,
        stderr=io.StringIO(),
    )
    recomputed = {r["region"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    assert set(recomputed) == {d.region.name for d in decisions.values()}
    for decision in decisions.values():
        assert int(recomputed[decision.region.name]["block1"]) == decision.block_amounts()["block1"]
        assert int(recomputed[decision.region.name]["block2"]) == decision.block_amounts()["block2"]
        assert int(recomputed[decision.region.name]["total"]) == decision.total
        run_row = next(
            r for r in decision.run.result_regions() if r["name"] == decision.region.name
        )
        assert int(recomputed[decision.region.name]["total"]) == run_row["total"]


def test_input_csv_with_the_default_2024_rules_gives_the_same_totals(client, decisions, tmp_path):
    (tmp_path / "input.csv").write_bytes(download(client, "public_list_input_csv").content)
    out = io.StringIO()
    call_command("allocate_csv", str(tmp_path / "input.csv"), stdout=out, stderr=io.StringIO())
    totals = {r["region"]: int(r["total"]) for r in csv.DictReader(io.StringIO(out.getvalue()))}
    assert totals == {d.region.name: d.total for d in decisions.values()}


def test_xlsx_download_holds_raw_integer_amounts_matching_decisions(client, decisions):
    response = download(client, "public_list_xlsx")
    assert response["Content-Type"] == exports_xlsx_type()
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Fördelning"]
    header = [c.value for c in sheet[1]]
    rows = {
        row[0]: dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    for decision in decisions.values():
        name = decision.region.name
        amounts = {**decision.block_amounts(), "total": decision.total}
        for key, label in (("block1", "Redovisa antal AT-tjänster (kr)"),
                           ("block2", "Ytterligare utökning (kr)"),
                           ("total", "Totalt (kr)")):  # fmt: skip
            assert rows[name][label] == amounts[key]
            assert isinstance(rows[name][label], int)
    assert rows["Region Gotland"]["Plan enligt planeringsunderlaget"] == "60–62"
    assert rows["Region Halland"]["Utökning mot planen"] == -1
    assert rows["Summa"]["Totalt (kr)"] == sum(d.total for d in decisions.values())


def test_reconsidered_amount_is_in_the_downloads(client, decisions, officer):
    old = decisions["Blekinge"]
    reconsider(
        old,
        officer,
        block1=old.block_amounts()["block1"],
        block2=old.block_amounts()["block2"] - 1_000_000,
    )
    header, *lines = people_rows(download(client, "public_list_csv").content)
    rows = {line[0]: dict(zip(header, line, strict=True)) for line in lines}
    assert int(rows["Region Blekinge"]["Totalt (kr)"]) == old.total - 1_000_000
    assert rows["Region Blekinge"]["Omprövat"] == "Ja"


def exports_xlsx_type() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
