"""Test cases (kontrollfall) of a round's allocation model: reading the officer's CSV text,
running a case through the model, and comparing the amounts with the expected ones.

Inputs are written in allocate_csv's input format (README, RULES.md "allocate_csv"):
``region,population,planned,filled,started[,deducted]``. Expected amounts are a CSV too:
``region,<block id>,...[,total]`` with whole kronor; an empty cell is not checked.

Stored shapes (allocation.models.ModelTestCase): ``inputs`` is a list of
``{"region", "population", "planned", "filled", "started", "deducted"}`` (``planned`` as
written, counts as JSON integers or null), ``expected`` is ``{region: {block id: kronor}}``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from allocation import engine
from allocation.allocmodel import AllocationModel, ModelError, allocate
from allocation.plans import PlanError, parse_plan

INPUT_COLUMNS = ("region", "population", "planned", "filled", "started", "deducted")
REQUIRED_INPUT_COLUMNS = INPUT_COLUMNS[:5]
TOTAL = "total"
MAX_ROWS = 1000
MAX_COUNT = 10**9  # posts and inhabitants: far beyond any region
MAX_KRONOR = 2**63 - 1  # what a BigIntegerField holds
_INTEGER = re.compile(r"\d+")


class CaseTextError(ValueError):
    """The officer's CSV text cannot be read; ``messages`` are Swedish, one per problem."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


# --- reading the officer's text --------------------------------------------------------------


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank row, the header first."""
    reader = csv.reader(io.StringIO(text.strip("\ufeff"), newline=""))
    rows = []
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((reader.line_num, [cell.strip() for cell in cells]))
    except csv.Error as exc:
        raise CaseTextError(
            [_("Rad %(line)s: %(error)s") % {"line": reader.line_num, "error": exc}]
        ) from None
    if not rows:
        raise CaseTextError([_("Texten är tom: skriv en rubrikrad och minst en region.")])
    if len(rows) > MAX_ROWS + 1:
        raise CaseTextError([_("Högst %(max)s regioner per kontrollfall.") % {"max": MAX_ROWS}])
    return rows


def _count(text: str, label: str, errors: list[str], line: int, *, required: bool) -> int | None:
    if not text:
        if required:
            errors.append(_("Rad %(line)s: %(label)s saknas.") % {"line": line, "label": label})
        return None
    if not _INTEGER.fullmatch(text) or int(text) > MAX_COUNT:
        errors.append(
            _("Rad %(line)s: %(label)s ska vara ett heltal från 0, inte %(text)s.")
            % {"line": line, "label": label, "text": text}
        )
        return None
    return int(text)


def _plan(text: str, errors: list[str], line: int) -> None:
    try:
        parse_plan(text)
    except PlanError as exc:
        values = {"line": line, "text": repr(text)}
        if exc.code == "negative":
            errors.append(_("Rad %(line)s: planen %(text)s är negativ.") % values)
        elif exc.code == "reversed":
            errors.append(
                _("Rad %(line)s: intervallet %(text)s är baklänges (det lägre talet först).")
                % values
            )
        else:
            errors.append(
                _(
                    "Rad %(line)s: planen %(text)s känns inte igen: skriv ett tal (280, 12,5), "
                    "ett intervall (84–89) eller ett tal med anmärkning (46 (ev. 48))."
                )
                % values
            )


def _input_row(cells: dict[str, str], line: int, errors: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {"region": cells["region"], "planned": cells["planned"]}
    if not row["region"]:
        errors.append(_("Rad %(line)s: regionens namn saknas.") % {"line": line})
    before = len(errors)
    row["population"] = _count(cells["population"], "population", errors, line, required=True)
    if row["population"] == 0:
        errors.append(_("Rad %(line)s: population ska vara större än 0.") % {"line": line})
    row["filled"] = _count(cells["filled"], "filled", errors, line, required=False)
    row["started"] = _count(cells["started"], "started", errors, line, required=False)
    row["deducted"] = _count(cells.get("deducted", ""), "deducted", errors, line, required=False)
    row["deducted"] = row["deducted"] or 0
    if row["filled"] is None and row["started"] is None and len(errors) == before:
        errors.append(_("Rad %(line)s: ange filled eller started (eller båda).") % {"line": line})
    _plan(row["planned"], errors, line)
    if len(errors) == before:
        try:
            region_input(row)
        except engine.InputError:
            errors.append(
                _("Rad %(line)s: avräkningen är större än regionens tjänster.") % {"line": line}
            )
    return row


def parse_inputs(text: str) -> list[dict[str, Any]]:
    """The officer's input CSV as stored rows; raises CaseTextError naming each line."""
    (_line, header), *rows = _rows(text)
    columns = [cell.lower() for cell in header]
    missing = [name for name in REQUIRED_INPUT_COLUMNS if name not in columns]
    unknown = [name for name in columns if name not in INPUT_COLUMNS]
    if missing or unknown or len(set(columns)) != len(columns):
        raise CaseTextError(
            [
                _("Rubrikraden ska vara %(columns)s (deducted får saknas).")
                % {"columns": ",".join(INPUT_COLUMNS)}
            ]
        )
    errors: list[str] = []
    parsed: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line, cells in rows:
        if len(cells) != len(columns):
            errors.append(
                _("Rad %(line)s: %(count)s fält, rubrikraden har %(columns)s.")
                % {"line": line, "count": len(cells), "columns": len(columns)}
            )
            continue
        row = _input_row(dict(zip(columns, cells, strict=True)), line, errors)
        if row["region"] in seen:
            errors.append(
                _("Rad %(line)s: %(region)s står redan på en tidigare rad.")
                % {"line": line, "region": row["region"]}
            )
        seen.add(row["region"])
        parsed.append(row)
    if not parsed and not errors:
        errors.append(_("Skriv minst en region under rubrikraden."))
    if errors:
        raise CaseTextError(errors)
    return parsed


def parse_expected(text: str, block_ids: Sequence[str] | None = None) -> dict[str, dict[str, int]]:
    """The officer's expected amounts, ``region,<block id>,...``: {region: {block id: kronor}}.
    With ``block_ids`` (the model's), a column that is neither one of them nor ``total`` is
    refused naming it and the model's ids."""
    (_line, header), *rows = _rows(text)
    if not header or header[0].lower() != "region" or len(header) < 2:
        raise CaseTextError(
            [
                _(
                    "Rubrikraden ska börja med region och sedan blockens id, "
                    "t.ex. region,block1,total."
                )
            ]
        )
    blocks = header[1:]
    if len(set(blocks)) != len(blocks) or not all(blocks):
        raise CaseTextError([_("Rubrikraden har ett tomt eller upprepat block-id.")])
    if block_ids is not None:
        unknown = [block for block in blocks if block != TOTAL and block not in block_ids]
        if unknown:
            raise CaseTextError(
                [
                    _(
                        "Rubrikraden har block-id som modellen inte har: %(unknown)s. "
                        "Modellens block-id: %(ids)s (och total)."
                    )
                    % {"unknown": ", ".join(unknown), "ids": ", ".join(block_ids) or "–"}
                ]
            )
    errors: list[str] = []
    expected: dict[str, dict[str, int]] = {}
    for line, cells in rows:
        if len(cells) != len(header):
            errors.append(
                _("Rad %(line)s: %(count)s fält, rubrikraden har %(columns)s.")
                % {"line": line, "count": len(cells), "columns": len(header)}
            )
            continue
        region, amounts = cells[0], {}
        if not region or region in expected:
            errors.append(
                _("Rad %(line)s: regionens namn saknas eller är upprepat.") % {"line": line}
            )
            continue
        for block, cell in zip(blocks, cells[1:], strict=True):
            if not cell:
                continue
            if not _INTEGER.fullmatch(cell) or int(cell) > MAX_KRONOR:
                errors.append(
                    _("Rad %(line)s: %(block)s ska vara hela kronor (0 eller mer), inte %(text)s.")
                    % {"line": line, "block": block, "text": cell}
                )
                continue
            amounts[block] = int(cell)
        expected[region] = amounts
    if not expected and not errors:
        errors.append(_("Skriv minst en region under rubrikraden."))
    if errors:
        raise CaseTextError(errors)
    return expected


# --- writing the stored shapes back as text ----------------------------------------------------


def _csv(rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return out.getvalue()


def inputs_text(inputs: list[dict[str, Any]]) -> str:
    return _csv([INPUT_COLUMNS, *([row.get(c) for c in INPUT_COLUMNS] for row in inputs)])


def expected_text(expected: dict[str, dict[str, int]]) -> str:
    blocks: list[str] = []
    for amounts in expected.values():
        blocks += [block for block in amounts if block not in blocks]
    rows = [[region, *(amounts.get(b) for b in blocks)] for region, amounts in expected.items()]
    return _csv([["region", *blocks], *rows])


# --- running ----------------------------------------------------------------------------------


def region_input(row: dict[str, Any]) -> engine.RegionInput:
    """A stored input row as the engine's input (raises PlanError, engine.InputError)."""
    plan = parse_plan(row["planned"])
    return engine.RegionInput(
        name=row["region"],
        population=row["population"],
        planned_low=plan.low,
        planned_high=plan.high,
        filled=row["filled"],
        started=row["started"],
        deducted=row.get("deducted") or 0,
    )


@dataclass(frozen=True)
class Difference:
    """One expected figure the model does not pay: ``actual`` None when the region or block
    is not in the result."""

    region: str
    block: str
    expected: int
    actual: int | None


@dataclass(frozen=True)
class CaseOutcome:
    name: str
    error: str = ""  # the model could not run on the inputs (Swedish)
    differences: tuple[Difference, ...] = ()
    amounts: dict[str, dict[str, int]] = field(default_factory=dict)  # region -> block -> kronor

    @property
    def passed(self) -> bool:
        return not self.error and not self.differences


def paid_amounts(model: AllocationModel, regions: Sequence[engine.RegionInput]) -> dict:
    """{region: {block id: kronor, ..., "total": kronor}} as the model pays the inputs.
    Raises ModelError, engine.InputError."""
    allocation = allocate(model, regions)
    return {
        outcome.name: {
            **{block: cell.paid for block, cell in outcome.blocks.items()},
            TOTAL: outcome.total,
        }
        for outcome in allocation.regions
    }


def run_case(model: AllocationModel, name: str, inputs: list, expected: dict) -> CaseOutcome:
    """Run one test case; never raises for a model or input problem (it is the outcome)."""
    try:
        amounts = paid_amounts(model, [region_input(row) for row in inputs])
    except (ModelError, engine.InputError, PlanError, KeyError, TypeError) as exc:
        return CaseOutcome(name=name, error=str(exc))
    differences = [
        Difference(region, block, want, amounts.get(region, {}).get(block))
        for region, wanted in expected.items()
        for block, want in wanted.items()
        if amounts.get(region, {}).get(block) != want
    ]
    return CaseOutcome(name=name, differences=tuple(differences), amounts=amounts)


def run_cases(model: AllocationModel, cases: Iterable[Any]) -> list[CaseOutcome]:
    """Every case (ModelTestCase rows, or anything with name/inputs/expected)."""
    return [run_case(model, case.name, case.inputs, case.expected) for case in cases]
