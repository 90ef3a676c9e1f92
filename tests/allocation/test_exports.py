"""The allocation list's downloads: CSV and XLSX with raw integers and every input."""

from __future__ import annotations

import csv
import io
import json
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


def test_input_csv_has_exactly_allocate_csvs_columns():
    text = exports.input_csv([ROW])
    assert text.splitlines() == [
        ",".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS),
        "Östergötland,472660,84-89,88,,0",
    ]


def test_full_csv_is_the_input_followed_by_the_results():
    header, line = exports.full_csv([ROW]).splitlines()
    assert header == (
        "region,population,planned,filled,started,deducted,"
        "posts,increase,block1,step_payment,remainder,block2,total"
    )
    assert line == "Östergötland,472660,84-89,88,,0,88,1.5,3000001,0,0,0,3000001"


def test_rules_json_is_in_allocate_csvs_rules_format():
    assert json.loads(exports.rules_json({**RULES, "extra": 1})) == RULES


def test_xlsx_has_raw_numbers_and_the_rules():
    book = openpyxl.load_workbook(io.BytesIO(exports.xlsx([ROW], rules=RULES, title="T")))
    sheet = book["allocation"]
    values = [cell.value for cell in sheet[2]]
    assert values[:6] == ["Östergötland", 472_660, "84-89", 88, None, 0]
    assert values[6:] == [88, 1.5, 3_000_001, 0, 0, 0, 3_000_001]
    assert isinstance(values[8], int)
    rules = book["rules"]
    assert [c.value for c in rules[2]] == ["block1", 63_000_000]
    assert [c.value for c in rules[6]] == [2, 3_000_000]


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
    rows = {r["region"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    for decision in decisions.values():
        assert int(rows[decision.region.name]["block1"]) == decision.block1
        assert int(rows[decision.region.name]["block2"]) == decision.block2
        assert int(rows[decision.region.name]["total"]) == decision.total
    assert rows["Region Halland"]["deducted"] == "2"
    assert rows["Region Gotland"]["planned"] == "60-62"
    assert rows["Region Gotland"]["started"] == ""


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
        assert int(recomputed[decision.region.name]["block1"]) == decision.block1
        assert int(recomputed[decision.region.name]["block2"]) == decision.block2
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
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["allocation"]
    header = [c.value for c in sheet[1]]
    assert tuple(header) == exports.FULL_COLUMNS
    rows = {
        row[0]: dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    for decision in decisions.values():
        for key in ("block1", "block2", "total"):
            assert rows[decision.region.name][key] == getattr(decision, key)
            assert isinstance(rows[decision.region.name][key], int)
    assert rows["Region Gotland"]["planned"] == "60-62"
    assert rows["Region Halland"]["increase"] == -1


def test_reconsidered_amount_is_in_the_downloads(client, decisions, officer):
    old = decisions["Blekinge"]
    reconsider(old, officer, block1=old.block1, block2=old.block2 - 1_000_000)
    rows = {
        r["region"]: r
        for r in csv.DictReader(io.StringIO(download(client, "public_list_csv").content.decode()))
    }
    assert int(rows["Region Blekinge"]["total"]) == old.total - 1_000_000


def exports_xlsx_type() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
