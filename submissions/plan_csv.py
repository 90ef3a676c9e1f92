"""The plan per region (planeringsunderlag) as a CSV file: county code and the plan as written.

The file has a header naming two columns, ``länskod`` (or ``code``) and ``plan`` (or
``planeringsunderlag``), separated by semicolons (Excel in Sweden) or commas (then a plan
with a decimal comma must be quoted). UTF-8, a BOM allowed. Each plan is parsed with
allocation.plans.parse_plan, the parser the allocation uses, so that a file is refused line by
line for exactly the texts the allocation could not read. No Django import.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from allocation.plans import PlanBounds, PlanError, parse_plan
from submissions.scb import FileProblem, ImportFileError, decode

CODE_COLUMNS = ("länskod", "lanskod", "code", "county_code")
PLAN_COLUMNS = ("plan", "planeringsunderlag", "planned")
_CODE = re.compile(r"\d{1,2}")


# The plan parser's errors (allocation.plans.PlanError.code) in the officer's words.
_PLAN_ERRORS = {
    "negative": "planeringsunderlaget {text!r} är negativt",
    "reversed": "intervallet {text!r} är baklänges (det lägre talet ska stå först)",
    "unrecognised": (
        "planeringsunderlaget {text!r} känns inte igen: skriv ett tal (280, 12,5), "
        "ett intervall (84–89) eller ett tal med anmärkning (46 (ev. 48), 46 (ev.+))"
    ),
}


def plan_error_message(error: PlanError, text: str) -> str:
    """The parser's error about ``text`` in the officer's words (Swedish)."""
    return _PLAN_ERRORS.get(error.code, _PLAN_ERRORS["unrecognised"]).format(text=text)


@dataclass(frozen=True)
class PlanRow:
    line: int
    code: str
    text: str
    bounds: PlanBounds


def parse_plan_csv(content: bytes) -> dict[str, PlanRow]:
    """county code (two digits) -> its plan; raises ImportFileError listing every bad line."""
    text = decode(content)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if ";" in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [cell.strip().lower() for cell in next(reader, [])]
    code_at = next((header.index(c) for c in CODE_COLUMNS if c in header), None)
    plan_at = next((header.index(c) for c in PLAN_COLUMNS if c in header), None)
    if code_at is None or plan_at is None:
        problem = "rubrikraden ska ha kolumnerna länskod och plan"
        raise ImportFileError([FileProblem(1, problem)])
    plans: dict[str, PlanRow] = {}
    problems: list[FileProblem] = []
    seen: set[str] = set()  # every well-formed county code, its plan read or not
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(code_at, plan_at):
            problems.append(FileProblem(line, f"väntade {len(header)} fält men fick {len(row)}"))
            continue
        code, plan = row[code_at].strip(), row[plan_at].strip()
        if not _CODE.fullmatch(code):
            problems.append(FileProblem(line, f"länskoden {code!r} är inte två siffror"))
            continue
        code = code.zfill(2)
        seen.add(code)
        if code in plans:
            problems.append(FileProblem(line, f"län {code} finns redan på rad {plans[code].line}"))
            continue
        try:
            bounds = parse_plan(plan)
        except PlanError as exc:
            problems.append(FileProblem(line, f"län {code}: {plan_error_message(exc, plan)}"))
            continue
        plans[code] = PlanRow(line=line, code=code, text=plan, bounds=bounds)
    if not plans and not problems:
        problems.append(FileProblem(None, "filen innehåller inga planeringsunderlag"))
    if problems:
        raise ImportFileError(problems, codes=seen)
    return plans
