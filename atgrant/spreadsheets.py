"""Files for people: CSV for Excel in Sweden and XLSX workbooks, written from one table shape.

Every download a person opens in a spreadsheet program is written here, so that each follows
the same conventions (AGENCY.md, "Formats"; Riksarkivet's UTF-8 CSV):

* CSV: ``;`` between fields, UTF-8 with a byte order mark (without it Excel reads the file as
  Windows-1252), CRLF line ends, a Swedish header row, decimal comma (``-1,5``), whole kronor
  as raw integers, times as ``YYYY-MM-DD HH:MM`` in Europe/Stockholm, and a total row.
* XLSX: Swedish sheet names and headers, kronor with the number format ``#,##0 "kr"``, a
  bold total row, text always written as text.

Formula injection (CWE-1236, OWASP "CSV Injection"): a text cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a line break is run as a formula by Excel and LibreOffice. In a
CSV such text gets a leading ``'`` (which the spreadsheet shows as text); in an XLSX it is
written as a string cell, which is never evaluated. Numbers are typed values, never
neutralised: ``-1,5`` stays a number.

A file for machines (the ``allocate_csv`` input, rules JSON) keeps its own exact format and is
not written here (allocation/exports.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

STOCKHOLM = ZoneInfo("Europe/Stockholm")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The characters a spreadsheet reads as the start of a formula (OWASP "CSV Injection";
# CWE-1236), and a line feed, which some programs also take as a cell's start.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

# Excel's number formats are stored in the file in US notation and shown with the reader's own
# separators: this is "223 000 000 kr" in a Swedish Excel (XlsxWriter, "Number formats in
# different locales"). A literal space ("# ##0") would not group the thousands.
KRONOR_FORMAT = '#,##0 "kr"'
COUNT_FORMAT = "#,##0"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DECIMAL_PLACES = 4  # a non-terminating decimal (none today) is rounded, never cut silently

_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def neutralise(text: str) -> str:
    """``text`` safe for a CSV cell: prefixed with ``'`` if a spreadsheet would run it."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


class Kind(StrEnum):
    """What a column holds, which decides how each file writes it."""

    TEXT = "text"
    COUNT = "count"  # whole numbers (posts, inhabitants)
    DECIMAL = "decimal"  # exact decimals (a plan's mean, an increase): Fraction or Decimal
    KRONOR = "kronor"  # whole kronor
    DATETIME = "datetime"  # aware datetimes, shown in Stockholm
    BOOLEAN = "boolean"  # Ja / Nej


@dataclass(frozen=True)
class Column:
    """A column: its (translated) header, its kind, and whether the total row sums it."""

    header: str
    kind: Kind = Kind.TEXT
    total: bool = False
    width: int | None = None


@dataclass(frozen=True)
class Table:
    """Rows of values in the columns' order; ``None`` is an empty cell.

    With ``total_label`` set, a last row carries the label in the first column and the sum of
    every column marked ``total`` (empty cells count as nothing; all empty: empty).
    """

    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    total_label: str | None = None

    def total_row(self) -> list[Any] | None:
        if self.total_label is None:
            return None
        totals: list[Any] = [None] * len(self.columns)
        for index, column in enumerate(self.columns):
            if column.total:
                values = [row[index] for row in self.rows if row[index] is not None]
                start: Any = Fraction(0) if column.kind == Kind.DECIMAL else 0
                # A column with no values at all (no region gave it) has an empty total.
                totals[index] = sum(values, start) if values else None
        totals[0] = self.total_label
        return totals


# --- CSV -------------------------------------------------------------------------------------


def decimal_comma(value: int | Fraction | Decimal) -> str:
    """An exact number with a decimal comma and an ASCII minus (so Excel reads a number):
    ``Fraction(-3, 2)`` -> ``-1,5``; ``Fraction(173, 2)`` -> ``86,5``; ``47`` -> ``47``."""
    exact = Fraction(value)
    # Half away from zero, as everywhere in atgrant (Python's round() would round half to even).
    scaled = abs(exact) * 10**DECIMAL_PLACES
    rounded = math.floor(scaled + Fraction(1, 2)) * (-1 if exact < 0 else 1)
    text = str(Decimal(rounded).scaleb(-DECIMAL_PLACES))
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(".", ",")


def local_time(value: dt.datetime | dt.date) -> str:
    """ISO 8601 as Excel reads it: ``2024-11-08 23:59`` (Stockholm) or ``2024-11-08``."""
    if isinstance(value, dt.datetime):
        return value.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def csv_cell(value: Any, kind: Kind) -> str:
    """One value as CSV text for Swedish Excel (see the module's docstring)."""
    if value is None or value == "":
        return ""
    if kind == Kind.BOOLEAN or isinstance(value, bool):
        return _("Ja") if value else _("Nej")
    if kind == Kind.DATETIME and isinstance(value, dt.date):
        return local_time(value)
    if kind in (Kind.COUNT, Kind.KRONOR, Kind.DECIMAL) and isinstance(
        value, int | Fraction | Decimal
    ):
        return decimal_comma(value)
    return neutralise(str(value))


def csv_bytes(table: Table) -> bytes:
    """The table as a CSV for Excel in Sweden, encoded (with its BOM)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(str(column.header)) for column in table.columns])
    total = table.total_row()
    for row in [*table.rows, *([total] if total else [])]:
        writer.writerow(
            csv_cell(value, column.kind) for value, column in zip(row, table.columns, strict=True)
        )
    return out.getvalue().encode("utf-8-sig")


def csv_response(table: Table, filename: str) -> HttpResponse:
    """The table as a CSV download named ``filename``."""
    return download(csv_bytes(table), CSV_CONTENT_TYPE, filename)


# --- XLSX ------------------------------------------------------------------------------------


def sheet_name(name: str) -> str:
    """A name Excel accepts for a sheet: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = " ".join(_SHEET_NAME_FORBIDDEN.sub(" ", str(name)).split()).strip("'")
    return cleaned[:31] or "Blad1"


def xlsx_bytes(sheets: Sequence[tuple[str, Table]], *, title: str) -> bytes:
    """A workbook with one sheet per ``(name, table)``."""
    buffer = io.BytesIO()
    # Text is written with write_string anyway; these options keep any other write() of a
    # string from turning it into a formula, a number or a link.
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
    workbook = xlsxwriter.Workbook(buffer, options)
    workbook.set_properties({"title": title})
    formats = _Formats(workbook)
    for name, table in sheets:
        _write_sheet(workbook.add_worksheet(sheet_name(name)), table, formats)
    workbook.close()
    return buffer.getvalue()


def xlsx_response(
    sheets: Sequence[tuple[str, Table]], *, title: str, filename: str
) -> HttpResponse:
    """The sheets as an XLSX download named ``filename``."""
    return download(xlsx_bytes(sheets, title=title), XLSX_CONTENT_TYPE, filename)


class _Formats:
    """The workbook's cell formats, plain and bold (for the header and the total row)."""

    def __init__(self, workbook: Any) -> None:
        self.header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self._by_kind: dict[tuple[Kind, bool], Any] = {}
        for bold in (False, True):
            base = {"bold": True} if bold else {}
            for kind, number_format in (
                (Kind.KRONOR, KRONOR_FORMAT),
                (Kind.COUNT, COUNT_FORMAT),
                (Kind.DATETIME, DATETIME_FORMAT),
            ):
                self._by_kind[kind, bold] = workbook.add_format(
                    {**base, "num_format": number_format}
                )
            for kind in (Kind.TEXT, Kind.DECIMAL, Kind.BOOLEAN):
                self._by_kind[kind, bold] = workbook.add_format(base) if bold else None

    def of(self, kind: Kind, *, bold: bool = False) -> Any:
        return self._by_kind[kind, bold]


def _write_sheet(sheet: Any, table: Table, formats: _Formats) -> None:
    for column_index, column in enumerate(table.columns):
        sheet.write_string(0, column_index, str(column.header), formats.header)
        width = column.width or max(10, min(40, len(str(column.header)) + 2))
        sheet.set_column(column_index, column_index, width)
    for row_index, row in enumerate(table.rows, start=1):
        _write_row(sheet, row_index, row, table.columns, formats, bold=False)
    total = table.total_row()
    if total is not None:
        _write_row(sheet, len(table.rows) + 1, total, table.columns, formats, bold=True)
    sheet.freeze_panes(1, 1)
    if table.rows:
        sheet.autofilter(0, 0, len(table.rows), len(table.columns) - 1)


def _write_row(
    sheet: Any,
    row_index: int,
    row: Sequence[Any],
    columns: Sequence[Column],
    formats: _Formats,
    *,
    bold: bool,
) -> None:
    for column_index, (value, column) in enumerate(zip(row, columns, strict=True)):
        cell_format = formats.of(column.kind, bold=bold)
        _write_cell(sheet, row_index, column_index, value, column.kind, cell_format)


def _write_cell(sheet: Any, row: int, col: int, value: Any, kind: Kind, cell_format: Any) -> None:
    if value is None or value == "":
        if cell_format is not None:
            sheet.write_blank(row, col, None, cell_format)
        return
    if kind == Kind.BOOLEAN or isinstance(value, bool):
        sheet.write_string(row, col, _("Ja") if value else _("Nej"), cell_format)
    elif kind == Kind.DATETIME and isinstance(value, dt.datetime):
        local = value.astimezone(STOCKHOLM).replace(tzinfo=None)  # Excel has no time zones
        sheet.write_datetime(row, col, local, cell_format)
    elif isinstance(value, int | Fraction | Decimal):
        sheet.write_number(row, col, _number(value), cell_format)
    else:
        sheet.write_string(row, col, str(value), cell_format)


def _number(value: int | Fraction | Decimal) -> int | float:
    """Whole numbers stay integers; a decimal becomes the nearest float (x.5 is exact)."""
    exact = Fraction(value)
    return exact.numerator if exact.denominator == 1 else float(exact)


# --- the response ----------------------------------------------------------------------------


def download(content: str | bytes, content_type: str, filename: str) -> HttpResponse:
    """A response the browser saves as ``filename`` (ASCII or not: RFC 6266 via Django)."""
    response = HttpResponse(content, content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response
