"""The allocation list's downloads, for people and for machines, from plain row dicts.

Pure functions (no models): a view builds the rows from a run's snapshot and the decisions
in force and hands them here. Amounts are raw integers (whole kronor), never formatted.

For people (opened in Excel; written by :mod:`atgrant.spreadsheets`, Swedish conventions):

* :func:`full_csv`: every input and result per region with Swedish headers and a total row;
* :func:`xlsx`: the same table and the rules, on Swedish sheets, kronor formatted.

For machines (exact formats, never changed for readability):

* :func:`input_csv`: exactly the columns ``manage.py allocate_csv`` reads
  (``region,population,planned,filled,started,deducted``, ``,``-separated, no BOM, plans as
  written), so anyone can re-run the round; it refuses columns it does not know;
* :func:`model_json`: the allocation model (RULES.md), the file ``allocate_csv --rules``
  reads.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from allocation.csvtool import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from atgrant import spreadsheets
from atgrant.spreadsheets import Column, Kind, Table

INPUT_COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

Row = Mapping[str, Any]

# "84-89" as AGENCY.md writes a range for people: "84–89" (and Excel cannot take it for a date).
_RANGE_DASH = re.compile(r"(?<=\d)\s*-\s*(?=\d)")


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


def _csv(header: Sequence[str], lines: Iterable[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(lines)
    return out.getvalue()


def input_csv(rows: Iterable[Row]) -> str:
    """For machines: the input of ``manage.py allocate_csv``, to re-run the allocation."""
    # The name the run used, so that a tie is broken as the run broke it (DOMAIN.md).
    lines = (_input_cells(row, name=row.get("run_name") or row["region"]) for row in rows)
    return _csv(INPUT_COLUMNS, lines)


def model_json(model: Mapping[str, Any]) -> str:
    """For machines: an allocation model, a format-1 document (RULES.md), as
    ``allocate_csv --rules`` reads it."""
    return json.dumps(dict(model), indent=2, ensure_ascii=False) + "\n"


# --- for people ------------------------------------------------------------------------------


def people_plan(text: str) -> str:
    """A plan as written, its ranges with an en dash: ``"84-89"`` -> ``"84–89"``."""
    return _RANGE_DASH.sub("\u2013", text or "")


def _list_columns() -> list[Column]:
    return [
        Column(_("Region"), width=18),
        Column(_("Befolkning"), Kind.COUNT, total=True),
        Column(_("Plan enligt planeringsunderlaget"), width=16),
        Column(_("Plan som används"), Kind.DECIMAL, total=True),
        Column(_("Tillsatta AT-tjänster"), Kind.COUNT, total=True),
        Column(_("Påbörjade AT-tjänster"), Kind.COUNT, total=True),
        Column(_("Avräknade tjänster"), Kind.COUNT, total=True),
        Column(_("Tjänster som räknas"), Kind.COUNT, total=True),
        Column(_("Utökning mot planen"), Kind.DECIMAL, total=True),
        Column(_("Block 1 (kr)"), Kind.KRONOR, total=True, width=14),
        Column(_("Steg i prestationstrappan (kr)"), Kind.KRONOR, total=True, width=14),
        Column(_("Restbelopp (kr)"), Kind.KRONOR, total=True, width=14),
        Column(_("Block 2 (kr)"), Kind.KRONOR, total=True, width=14),
        Column(_("Totalt (kr)"), Kind.KRONOR, total=True, width=15),
        Column(_("Omprövat"), Kind.BOOLEAN),
        Column(_("Beslut"), width=18),
        Column(_("Ersätter beslut"), width=18),
    ]


def _list_cells(row: Row) -> list[object]:
    return [
        row["region"],
        row["population"],
        people_plan(row["plan_text"]),
        row.get("planned"),
        row.get("filled"),
        row.get("started"),
        row.get("deducted") or 0,
        row["posts"],
        _exact(row["increase"]),
        row["block1"],
        # None where it does not apply (amounts typed at a reconsideration): an empty cell.
        row["step_payment"],
        row["remainder"],
        row["block2"],
        row["total"],
        bool(row.get("reconsidered")),
        row.get("reference") or None,
        row.get("replaces") or None,
    ]


def _block_columns(blocks: Sequence[Any]) -> list[Column]:
    """The list's columns for any model: the inputs, then a column per block (kronor)."""
    inputs = _list_columns()[:9]
    per_block = [
        Column(_("%(block)s (kr)") % {"block": block.name}, Kind.KRONOR, total=True, width=14)
        for block in blocks
    ]
    tail = _list_columns()[-4:]
    return inputs + per_block + tail


def _block_cells(row: Row) -> list[object]:
    increase = row.get("increase")
    cells = _list_cells({**row, "increase": increase or 0})
    inputs = cells[:8] + [_exact(increase) if increase is not None else None]
    return inputs + list(row["block_amounts"]) + cells[-4:]


def list_table(rows: Iterable[Row], blocks: Sequence[Any] | None = None) -> Table:
    """The allocation list for people: one row per region and a total row. Without
    ``blocks`` (decisions made before models were data) the 2024 columns (block 1, step,
    remainder, block 2); with them a column per block (rows carry ``block_amounts``)."""
    if blocks is None:
        return Table(_list_columns(), [_list_cells(row) for row in rows], total_label=_("Summa"))
    return Table(
        _block_columns(blocks), [_block_cells(row) for row in rows], total_label=_("Summa")
    )


def model_table(model: Mapping[str, Any]) -> Table:
    """An allocation model for people: its values, totals and blocks, one a row."""
    columns = [
        Column(_("Del"), width=30),
        Column(_("Uttryck eller villkor"), width=60),
        Column(_("Belopp (kr)"), Kind.KRONOR, width=16),
    ]
    lines: list[list[object]] = []
    for name, expression in (model.get("values") or {}).items():
        lines.append([_("Värde: %(name)s") % {"name": name}, expression, None])
    for name, expression in (model.get("totals") or {}).items():
        lines.append([_("Gemensamt värde: %(name)s") % {"name": name}, expression, None])
    for block in model.get("blocks") or ():
        name = block.get("name") or block.get("id")
        lines.append([_("Block: %(name)s") % {"name": name}, None, block.get("budget")])
        if block.get("eligible"):
            lines.append([_("  villkor"), block["eligible"], None])
        if block.get("share"):
            lines.append([_("  delas i proportion till"), block["share"], None])
        if block.get("amount"):
            lines.append([_("  belopp"), block["amount"], None])
            lines.append([_("  över budget"), block.get("over_budget", "scale"), None])
        if block.get("remainder"):
            lines.append([_("  resten delas i proportion till"), block["remainder"], None])
    return Table(columns, lines)


def rules_table(rules: Mapping[str, Any]) -> Table:
    """The budgets and the staircase, one rule a row."""
    columns = [
        Column(_("Regel"), width=30),
        Column(_("Utökning minst (tjänster)"), Kind.DECIMAL),
        Column(_("Belopp (kr)"), Kind.KRONOR, width=16),
    ]
    lines: list[list[object]] = [
        [_("Block 1: rapporteringsblocket"), None, rules["block1"]],
        [_("Block 2: prestationsblocket"), None, rules["block2"]],
    ]
    for number, (threshold, payout) in enumerate(rules["staircase"], start=1):
        label = _("Prestationstrappan, steg %(n)s") % {"n": number}
        lines.append([label, _exact(threshold), payout])
    return Table(columns, lines)


def full_csv(rows: Iterable[Row], blocks: Sequence[Any] | None = None) -> bytes:
    """For people: inputs and results per region, as a CSV for Excel in Sweden (bytes)."""
    return spreadsheets.csv_bytes(list_table(rows, blocks))


def xlsx(
    rows: Sequence[Row],
    *,
    rules: Mapping[str, Any] | None,
    title: str,
    model: Mapping[str, Any] | None = None,
    blocks: Sequence[Any] | None = None,
) -> bytes:
    """For people: a workbook with the list (sheet "Fördelning") and the rules ("Regler":
    the 2024 rules, or the model's values, totals and blocks)."""
    rules_sheet = rules_table(rules) if rules is not None else model_table(model or {})
    sheets = [(_("Fördelning"), list_table(rows, blocks)), (_("Regler"), rules_sheet)]
    return spreadsheets.xlsx_bytes(sheets, title=title)
