"""The allocation list's downloads: CSV and XLSX, written from plain row dicts.

Pure functions (no models): a view builds the rows from a run's snapshot and the decisions
in force and hands them here. Amounts are raw integers (whole kronor), never formatted.

Two CSV files, because ``manage.py allocate_csv`` refuses columns it does not know:

* the input file has exactly the columns ``allocate_csv`` reads
  (``region,population,planned,filled,started,deducted``), so anyone can re-run the round;
* the full file has the same input columns followed by the result columns.

The rules (budgets and staircase) go in a JSON file in ``allocate_csv --rules`` format and in
a sheet of the XLSX workbook.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import xlsxwriter

from allocation.csvtool import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, format_decimal

INPUT_COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
RESULT_COLUMNS: tuple[str, ...] = (
    "posts",
    "increase",
    "block1",
    "step_payment",
    "remainder",
    "block2",
    "total",
)
FULL_COLUMNS: tuple[str, ...] = INPUT_COLUMNS + RESULT_COLUMNS

Row = Mapping[str, Any]


def _exact(value: object) -> Fraction:
    if isinstance(value, int | Fraction):
        return Fraction(value)
    return Fraction(str(value))


def _input_cells(row: Row, *, name: str | None = None) -> list[object]:
    """A row's input values as ``allocate_csv`` reads them (plan as written, empty = missing);
    `name` in place of the region's name."""
    return [
        row["region"] if name is None else name,
        row["population"],
        row["plan_text"],
        "" if row.get("filled") is None else row["filled"],
        "" if row.get("started") is None else row["started"],
        row.get("deducted") or 0,
    ]


def _result_cells(row: Row) -> list[object]:
    return [
        row["posts"],
        format_decimal(_exact(row["increase"])),
        row["block1"],
        row["step_payment"],
        row["remainder"],
        row["block2"],
        row["total"],
    ]


def _csv(header: Sequence[str], lines: Iterable[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(lines)
    return out.getvalue()


def input_csv(rows: Iterable[Row]) -> str:
    """The input CSV: feed it to ``manage.py allocate_csv`` to re-run the allocation."""
    # The name the run used, so that a tie is broken as the run broke it (DOMAIN.md).
    lines = (_input_cells(row, name=row.get("run_name") or row["region"]) for row in rows)
    return _csv(INPUT_COLUMNS, lines)


def full_csv(rows: Iterable[Row]) -> str:
    """Inputs and results, one row per region."""
    return _csv(FULL_COLUMNS, (_input_cells(row) + _result_cells(row) for row in rows))


def rules_json(rules: Mapping[str, Any]) -> str:
    """The rules in ``allocate_csv --rules`` format."""
    data = {key: rules[key] for key in ("block1", "block2", "staircase")}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _number(value: object) -> int | float:
    """An exact value as an XLSX number: ints stay ints; plans and increases are x.5 at most,
    which a binary float holds exactly."""
    exact = _exact(value)
    return exact.numerator if exact.denominator == 1 else float(exact)


def xlsx(rows: Sequence[Row], *, rules: Mapping[str, Any], title: str) -> bytes:
    """A workbook with the full table (raw integers) and a sheet with the rules."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"title": title})
    bold = workbook.add_format({"bold": True})
    _write_table(workbook.add_worksheet("allocation"), rows, bold)
    _write_rules(workbook.add_worksheet("rules"), rules, bold)
    workbook.close()
    return buffer.getvalue()


def _write_table(sheet: Any, rows: Sequence[Row], bold: Any) -> None:
    sheet.write_row(0, 0, FULL_COLUMNS, bold)
    for index, row in enumerate(rows, start=1):
        cells = _input_cells(row) + _result_cells(row)
        cells[FULL_COLUMNS.index("increase")] = _number(row["increase"])
        for column, value in enumerate(cells):
            if value == "":
                continue  # a missing count stays an empty cell, as in the CSV
            if isinstance(value, int | float):
                sheet.write_number(index, column, value)
            else:
                sheet.write_string(index, column, str(value))
    sheet.freeze_panes(1, 1)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, len(FULL_COLUMNS) - 1, 13)


def _write_rules(sheet: Any, rules: Mapping[str, Any], bold: Any) -> None:
    sheet.write_row(0, 0, ("setting", "value"), bold)
    sheet.write_row(1, 0, ("block1", rules["block1"]))
    sheet.write_row(2, 0, ("block2", rules["block2"]))
    sheet.write_row(4, 0, ("step_min_increase", "step_payout"), bold)
    for index, (threshold, payout) in enumerate(rules["staircase"], start=5):
        sheet.write_number(index, 0, _number(threshold))
        sheet.write_number(index, 1, payout)
    sheet.set_column(0, 1, 20)
