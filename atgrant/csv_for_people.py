"""CSV files for people (opened in Excel in Sweden), as opposed to CSV for machines.

Conventions: ``;`` between fields (Excel with Swedish regional settings splits on it), UTF-8
with a byte order mark (without it Excel reads the file as Windows-1252 and breaks å, ä, ö),
Swedish column headings, and any text that a spreadsheet would run as a formula made inert.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel and LibreOffice, which can run
# commands or send data away when the file is opened (OWASP: "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: object) -> object:
    """Text that would start a formula gets a leading apostrophe, shown as text by the
    spreadsheet; numbers (ints) are left as numbers. ``"=1+1"`` -> ``"'=1+1"``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(out: Any, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write the BOM, `header` and `rows` to the text stream `out`, every cell neutralised."""
    out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    write_csv(out, header, rows)
    return out.getvalue()


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """An attachment `filename` with `header` and `rows`."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_csv(response, header, rows)
    return response
