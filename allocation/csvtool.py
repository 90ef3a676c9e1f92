"""Read regions from CSV and a model from JSON, run the model, write the result as CSV.

This is the pure half of ``manage.py allocate_csv``: no Django import, so it is testable
(and usable) on its own. Every problem in the input is collected with its CSV line number
(the header is line 1) before anything is written, so a bad file produces no rows at all; a
bad model (or one that fails on these inputs, e.g. a division by zero) produces none either.

The model is a format-1 document (RULES.md) or the 2024 rules file written before that format
(``{"block1", "block2", "staircase"}``, read as the 2024 model); by default the shipped 2024
model, ``allocation/model_2024.json``.

Output columns (RULES.md "allocate_csv"): ``region``, then each of the model's values (exact
values as decimals with at most 6 places, rounded half up, trailing zeros dropped; conditions
as ``true``/``false``), then each block's paid kronor under its id, then ``total``; one row per
input region, in input order. A file for machines: raw numbers, a decimal point.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Protocol

from allocation.allocmodel import AllocationModel, ModelAllocation, ModelError, allocate
from allocation.engine import InputError, RegionInput
from allocation.exact import round_half_up
from allocation.plans import PlanError, parse_plan

DEFAULT_MODEL_PATH = Path(__file__).with_name("model_2024.json")

REQUIRED_COLUMNS = ("region", "population", "planned", "filled", "started")
OPTIONAL_COLUMNS = ("deducted",)
VALUE_DECIMALS = 6

_INTEGER = re.compile(r"[+-]?\d+")
# A name a spreadsheet would run as a formula (CWE-1236; atgrant.spreadsheets neutralises it in
# the files for people). Refused here so that the output, a file for machines written as it
# is, is safe to open in Excel too.
_FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True)
class LineError:
    """One problem, with the CSV line it is on (None when it concerns a whole file)."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return self.message if self.line is None else f"line {self.line}: {self.message}"


class _CsvReader(Protocol):
    """What ``csv.reader`` returns: rows, and the physical line number last read."""

    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...

    def __next__(self) -> list[str]: ...


class CsvToolError(ValueError):
    """The input or rules cannot be used; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[LineError], source: str = "") -> None:
        self.errors = tuple(errors)
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__("\n".join(prefix + str(error) for error in self.errors))


# --- reading ------------------------------------------------------------------------------


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a UTF-8 file (a leading BOM is dropped) or raise CsvToolError saying why not."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CsvToolError(
            [LineError(None, f"cannot read file: {exc.strerror}")], str(path)
        ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        error = LineError(line, "not valid UTF-8 text (save the file as UTF-8)")
        raise CsvToolError([error], str(path)) from exc


def load_model(path: str | os.PathLike[str] | None = None) -> AllocationModel:
    """Load a model (format 1, or the 2024 rules file) from ``path``, or the shipped 2024
    model. Raises CsvToolError naming the file and the problem (and the field, if known)."""
    source = Path(path) if path is not None else DEFAULT_MODEL_PATH
    text = read_text(source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CsvToolError(
            [LineError(exc.lineno, f"invalid JSON: {exc.msg}")], str(source)
        ) from exc
    except RecursionError as exc:
        raise CsvToolError(
            [LineError(None, "invalid JSON: nested too deeply")], str(source)
        ) from exc
    try:
        return AllocationModel.from_json(data)
    except ModelError as exc:
        raise CsvToolError([LineError(None, _model_problem(exc))], str(source)) from exc


def _model_problem(exc: ModelError) -> str:
    where = f" ({exc.field})" if exc.field else ""
    return f"invalid model{where}: {exc}"


def parse_regions(text: str, source: str = "") -> list[RegionInput]:
    """Parse the regions CSV, raising CsvToolError with every problem and its line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _next_row(reader)
    if header is None or not any(cell.strip() for cell in header):
        raise CsvToolError([LineError(1, "empty file: no header row")], source)
    columns, errors = _check_header(header)
    if errors:
        raise CsvToolError(errors, source)
    regions, errors = _parse_rows(reader, columns)
    if not regions and not errors:
        errors.append(LineError(1, "no data rows after the header"))
    if errors:
        raise CsvToolError(errors, source)
    return regions


def _next_row(reader: Iterable[list[str]]) -> list[str] | None:
    return next(iter(reader), None)


def _check_header(header: list[str]) -> tuple[list[str], list[LineError]]:
    columns = [name.strip().lower() for name in header]
    errors: list[LineError] = []
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    unknown = [name for name in columns if name not in known]
    if unknown:
        errors.append(LineError(1, f"unknown column(s): {', '.join(map(repr, unknown))}"))
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        errors.append(LineError(1, f"repeated column(s): {', '.join(repeated)}"))
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        errors.append(LineError(1, f"missing column(s): {', '.join(missing)}"))
    return columns, errors


def _parse_rows(
    reader: _CsvReader, columns: list[str]
) -> tuple[list[RegionInput], list[LineError]]:
    regions: list[RegionInput] = []
    errors: list[LineError] = []
    first_line: dict[str, int] = {}
    end_of_previous = reader.line_num
    for row in reader:
        # A quoted field may span lines; report the line the row starts on.
        line, end_of_previous = end_of_previous + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # blank lines are layout, not data
        if len(row) != len(columns):
            errors.append(LineError(line, f"expected {len(columns)} fields, found {len(row)}"))
            continue
        cells = dict(zip(columns, row, strict=True))
        name = cells["region"].strip()
        if name in first_line:
            message = f"region {name!r} already given on line {first_line[name]}"
            errors.append(LineError(line, message))
            continue
        if name:
            first_line[name] = line
        region, row_errors = _parse_row(cells, line)
        errors.extend(row_errors)
        if region is not None:
            regions.append(region)
    return regions, errors


def _parse_row(cells: dict[str, str], line: int) -> tuple[RegionInput | None, list[LineError]]:
    errors: list[str] = []
    name = cells["region"].strip()
    if not name:
        errors.append("region name is empty")
    elif name.startswith(_FORMULA_START):
        errors.append(f"region name must not start with = + - or @ (a formula), got {name!r}")
    population = _count(cells["population"], "population", errors, required=True)
    if population == 0:
        errors.append("population must be greater than zero")
    filled = _count(cells["filled"], "filled", errors)
    started = _count(cells["started"], "started", errors)
    deducted = _count(cells.get("deducted", ""), "deducted", errors)
    plan = None
    try:
        plan = parse_plan(cells["planned"])
    except PlanError as exc:
        errors.append(str(exc))
    if not cells["filled"].strip() and not cells["started"].strip():
        errors.append("filled and started are both empty; give at least one")
    if errors or plan is None or population is None:
        return None, [LineError(line, message) for message in errors]
    try:
        region = RegionInput(
            name=name,
            population=population,
            planned_low=plan.low,
            planned_high=plan.high,
            filled=filled,
            started=started,
            deducted=deducted or 0,
        )
    except InputError as exc:
        return None, [LineError(line, str(exc))]
    return region, []


def _count(text: str, label: str, errors: list[str], *, required: bool = False) -> int | None:
    """Parse a whole, non-negative number; empty gives None (an error if ``required``)."""
    value = text.strip()
    if not value:
        if required:
            errors.append(f"{label} is empty")
        return None
    if not _INTEGER.fullmatch(value):
        errors.append(f"{label} must be a whole number, got {value!r}")
        return None
    number = int(value)
    if number < 0:
        errors.append(f"{label} must not be negative, got {value!r}")
        return None
    return number


# --- writing ------------------------------------------------------------------------------


def format_value(value: Fraction | bool) -> str:
    """A value as the output writes it: ``true``/``false``, or the exact number as a decimal
    with at most 6 places, rounded half up, trailing zeros dropped: 86.5, 47, -3.5, 11.808228.
    """
    if value is True or value is False:
        return "true" if value else "false"
    scaled = round_half_up(Fraction(value) * 10**VALUE_DECIMALS)
    sign = "-" if scaled < 0 else ""
    whole, fraction = divmod(abs(scaled), 10**VALUE_DECIMALS)
    digits = f"{fraction:0{VALUE_DECIMALS}d}".rstrip("0")
    return f"{sign}{whole}.{digits}" if digits else f"{sign}{whole}"


def output_columns(model: AllocationModel) -> list[str]:
    """``region``, the values' names, the blocks' ids, ``total`` (all distinct: the model
    refuses a value or block named ``region`` or ``total``, or a block named as a value)."""
    return ["region", *model.value_names, *model.block_ids, "total"]


def format_rows(allocation: ModelAllocation) -> str:
    """The result CSV, one row per region in input order."""
    model = allocation.model
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(output_columns(model))
    for r in allocation.regions:
        values = r.values
        blocks = r.blocks
        writer.writerow(
            [
                r.name,
                *(format_value(values[name]) for name in model.value_names),
                *(blocks[block_id].paid for block_id in model.block_ids),
                r.total,
            ]
        )
    return out.getvalue()


def format_summary(allocation: ModelAllocation) -> str:
    """Totals and warnings for the officer, one item per line."""
    lines = [f"Model: {allocation.model.name}"]
    for name, value in allocation.totals.items():
        lines.append(f"Total value {name}: {format_value(value)}")
    for block in allocation.blocks:
        lines.append(
            f"Block {block.id} ({block.name}): budget {block.budget}, paid {block.paid}, "
            f"not paid {block.not_paid}"
        )
        if block.scale != 1:
            lines.append(f"Block {block.id} amounts scaled by {format_value(block.scale)}")
    lines.append(f"Total paid: {allocation.total_paid} to {len(allocation.regions)} regions")
    lines.extend(f"Warning [{w.code}]: {w.message}" for w in allocation.warnings)
    return "\n".join(lines) + "\n"


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same directory and a rename,
    so a reader never sees half a file and a failure leaves any old file untouched."""
    target = Path(path)
    temp = None
    try:
        fd, temp = _create_temp(target)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except OSError as exc:
        _discard(temp)
        raise CsvToolError([LineError(None, f"cannot write: {exc.strerror}")], str(path)) from exc
    except BaseException:
        _discard(temp)
        raise


def _create_temp(target: Path) -> tuple[int, Path]:
    # os.open with 0o666 lets the umask set the mode, as for any newly written file
    # (tempfile.mkstemp would leave the result readable by its owner only).
    while True:
        temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temp
        except FileExistsError:
            continue


def _discard(temp: Path | None) -> None:
    if temp is not None:
        temp.unlink(missing_ok=True)


@dataclass(frozen=True)
class Outcome:
    allocation: ModelAllocation
    csv_text: str
    summary: str


def run(
    input_path: str | os.PathLike[str], model_path: str | os.PathLike[str] | None = None
) -> Outcome:
    """Validate everything, allocate, and return the CSV and summary text (nothing written).
    Raises CsvToolError for a bad input, a bad model, or a model that fails on the input."""
    model = load_model(model_path)
    regions = parse_regions(read_text(input_path), source=str(input_path))
    try:
        allocation = allocate(model, regions)
    except ModelError as exc:
        source = str(model_path) if model_path is not None else str(DEFAULT_MODEL_PATH)
        raise CsvToolError([LineError(None, _model_problem(exc))], source) from exc
    return Outcome(allocation, format_rows(allocation), format_summary(allocation))
