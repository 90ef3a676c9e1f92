"""Read regions from CSV and rules from JSON, run the engine, write the result as CSV.

This is the pure half of ``manage.py allocate_csv``: no Django import, so it is testable
(and usable) on its own. Every problem in the input is collected with its CSV line number
(the header is line 1) before anything is written, so a bad file produces no rows at all.

Output columns: ``region,posts,planned,increase,rate_per_100k,block1,step_payment,remainder,
block2,total``. Amounts are whole kronor; ``planned`` and ``increase`` are exact decimals
without trailing zeros (86.5, 47, -3.5); ``rate_per_100k`` is the exact rate rounded half up
to four decimals, for reading only (the engine allocates on the exact rate).
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

from allocation.engine import (
    Allocation,
    InputError,
    RegionInput,
    Rules,
    RulesError,
    allocate,
    round_half_up,
)
from allocation.plans import PlanError, parse_plan

DEFAULT_RULES_PATH = Path(__file__).with_name("rules_2024.json")

REQUIRED_COLUMNS = ("region", "population", "planned", "filled", "started")
OPTIONAL_COLUMNS = ("deducted",)
OUTPUT_COLUMNS = (
    "region",
    "posts",
    "planned",
    "increase",
    "rate_per_100k",
    "block1",
    "step_payment",
    "remainder",
    "block2",
    "total",
)
RATE_DECIMALS = 4

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


def load_rules(path: str | os.PathLike[str] | None = None) -> Rules:
    """Load rules JSON from ``path``, or the 2024 rules shipped with the app."""
    source = Path(path) if path is not None else DEFAULT_RULES_PATH
    text = read_text(source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CsvToolError(
            [LineError(exc.lineno, f"invalid JSON: {exc.msg}")], str(source)
        ) from exc
    try:
        return Rules.from_dict(data)
    except RulesError as exc:
        raise CsvToolError([LineError(None, f"invalid rules: {exc}")], str(source)) from exc


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


def format_decimal(value: Fraction) -> str:
    """Exact decimal text without trailing zeros: 86.5, 47, -3.5, 12.75.

    Plans are decimals, so every planned/increase value has a terminating expansion; any
    other value is shown rounded half up to 10 decimals rather than failing.
    """
    places = _terminating_places(value.denominator)
    if places is None:
        places = 10
    scaled = round_half_up(value * 10**places)
    sign = "-" if scaled < 0 else ""
    whole, fraction = divmod(abs(scaled), 10**places)
    digits = f"{fraction:0{places}d}".rstrip("0") if places else ""
    return f"{sign}{whole}.{digits}" if digits else f"{sign}{whole}"


def format_fixed(value: Fraction, places: int = RATE_DECIMALS) -> str:
    """``value`` rounded half up to exactly ``places`` decimals: 6.0713."""
    scaled = round_half_up(value * 10**places)
    sign = "-" if scaled < 0 else ""
    whole, fraction = divmod(abs(scaled), 10**places)
    return f"{sign}{whole}.{fraction:0{places}d}"


def _terminating_places(denominator: int) -> int | None:
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    return max(twos, fives) if denominator == 1 else None


def format_rows(allocation: Allocation) -> str:
    """The result CSV, one row per region in input order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    for r in allocation.regions:
        writer.writerow(
            [
                r.name,
                r.posts,
                format_decimal(r.planned),
                format_decimal(r.increase),
                format_fixed(r.rate),
                r.block1,
                r.step_payment,
                r.remainder,
                r.block2,
                r.total,
            ]
        )
    return out.getvalue()


def format_summary(allocation: Allocation) -> str:
    """Totals and warnings for the officer, one item per line."""
    lines = []
    for label, block in (("Block 1", allocation.block1), ("Block 2", allocation.block2)):
        lines.append(
            f"{label}: budget {block.budget}, paid {block.paid}, not paid {block.not_paid}"
        )
    lines.append(f"Total paid: {allocation.total_paid} to {len(allocation.regions)} regions")
    if allocation.steps_scale != 1:
        lines.append(f"Staircase scaled by {format_fixed(allocation.steps_scale, 6)}")
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
    allocation: Allocation
    csv_text: str
    summary: str


def run(
    input_path: str | os.PathLike[str], rules_path: str | os.PathLike[str] | None = None
) -> Outcome:
    """Validate everything, allocate, and return the CSV and summary text (nothing written)."""
    rules = load_rules(rules_path)
    regions = parse_regions(read_text(input_path), source=str(input_path))
    allocation = allocate(rules, regions)
    return Outcome(allocation, format_rows(allocation), format_summary(allocation))
