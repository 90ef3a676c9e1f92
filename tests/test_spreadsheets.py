"""Files for people: the shared CSV/XLSX writer (atgrant.spreadsheets)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from fractions import Fraction

import openpyxl
import pytest

from atgrant import spreadsheets
from atgrant.spreadsheets import Column, Kind, Table, neutralise

FORMULAS = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x")']


def parse(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 byte order mark for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def table(*rows, total_label=None) -> Table:
    columns = [
        Column("Namn"),
        Column("Antal", Kind.COUNT, total=True),
        Column("Utökning", Kind.DECIMAL, total=True),
        Column("Belopp", Kind.KRONOR, total=True),
        Column("Tid", Kind.DATETIME),
        Column("Klar", Kind.BOOLEAN),
    ]
    return Table(columns, list(rows), total_label=total_label)


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_text_is_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Region Skåne", "84–89", "1+1", "a=b", "", "'=x"])
def test_plain_text_is_left_as_it_is(text):
    assert neutralise(text) == text


@pytest.mark.parametrize("text", FORMULAS)
def test_no_csv_cell_starts_a_formula_header_or_body(text):
    rows = parse(spreadsheets.csv_bytes(Table([Column(text)], [[text]])))
    assert rows == [["'" + text], ["'" + text]]


def test_csv_is_for_excel_in_sweden():
    when = dt.datetime(2024, 11, 1, 22, 59, tzinfo=dt.UTC)
    content = spreadsheets.csv_bytes(
        table(["Östergötland", 472_660, Fraction(-3, 2), 223_000_000, when, True])
    )
    assert b"\r\n" in content
    assert parse(content) == [
        ["Namn", "Antal", "Utökning", "Belopp", "Tid", "Klar"],
        # A negative decimal is a number with a decimal comma, not neutralised text;
        # kronor are raw integers; the time is Stockholm's.
        ["Östergötland", "472660", "-1,5", "223000000", "2024-11-01 23:59", "Ja"],
    ]


def test_the_total_row_sums_the_marked_columns():
    content = spreadsheets.csv_bytes(
        table(
            ["A", 1, Fraction(173, 2), 100, None, False],
            ["B", None, Fraction(1, 4), 250, None, True],
            total_label="Summa",
        )
    )
    assert parse(content)[-1] == ["Summa", "1", "86,75", "350", "", ""]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Fraction(173, 2), "86,5"), (47, "47"), (Fraction(-7, 2), "-3,5"), (Fraction(0), "0"),
     (Fraction(1, 3), "0,3333"), (Fraction(1, 20000), "0,0001"), (Fraction(-1, 20000), "-0,0001"),
     (Fraction(-1, 300000), "0"), (223_000_000, "223000000")],
)  # fmt: skip
def test_decimal_comma(value, expected):
    assert spreadsheets.decimal_comma(value) == expected


def test_xlsx_has_swedish_sheets_formatted_kronor_a_total_row_and_text_never_a_formula():
    content = spreadsheets.xlsx_bytes(
        [
            (
                "Fördelning",
                table(
                    ["=1+1", 3, Fraction(3, 2), 3_000_000, None, True],
                    ["B", 4, Fraction(-1), 1_500_000, None, False],
                    total_label="Summa",
                ),
            )
        ],
        title="T",
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Fördelning"]
    assert [c.value for c in sheet[1]] == ["Namn", "Antal", "Utökning", "Belopp", "Tid", "Klar"]
    formula_text = sheet["A2"]
    assert (formula_text.value, formula_text.data_type) == ("=1+1", "s")
    assert sheet["D2"].number_format == spreadsheets.KRONOR_FORMAT == '#,##0 "kr"'
    assert sheet["C2"].value == 1.5
    total = [c.value for c in sheet[4]]
    assert total[:4] == ["Summa", 7, 0.5, 4_500_000]
    assert sheet["A4"].font.b and sheet["D4"].number_format == '#,##0 "kr"'


def test_sheet_names_are_what_excel_accepts():
    assert spreadsheets.sheet_name("Regler: 2024/2025 [utkast]") == "Regler 2024 2025 utkast"
    assert len(spreadsheets.sheet_name("x" * 40)) == 31


def test_a_download_is_an_attachment_with_its_name():
    response = spreadsheets.csv_response(table(), "fördelning.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "f%C3%B6rdelning.csv" in response["Content-Disposition"]
