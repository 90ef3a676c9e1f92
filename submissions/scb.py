"""SCB's table FolkmängdNov (BE0101A), population on 1 November, read from either format.

- The PxWeb API v1's JSON answer: ``columns`` name the key parts (``Region``, ``Kon``, ``Tid``),
  and each of ``data`` is ``{"key": ["01", "1", "2023"], "values": ["1224330"]}`` (values are
  strings; ".." is SCB's "no figure").
- The CSV a user downloads from SCB's web table: optional title lines, then a header
  ``"region","kön","2023"`` (one column per year), then a row per county and sex with the
  county as ``"01 Stockholms län"`` and the sex as ``män``/``kvinnor``. Comma or semicolon
  separated; UTF-8 (with or without BOM) or, from older downloads, Windows-1252.

Either way the result is one figure per county code, men and women summed (AGENCY.md,
"Population from SCB"). The parsers collect every problem with its line (CSV) or data row
(JSON) and raise them together; no Django import, so they are tested as plain Python.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field

SEXES = {"1": "men", "2": "women", "män": "men", "kvinnor": "women"}
_COUNTY = re.compile(r"(?P<code>\d{2})(?:\s+.*)?")
_YEAR = re.compile(r"\d{4}")


@dataclass(frozen=True)
class FileProblem:
    """One problem in an imported file; ``line`` is 1-based (CSV line, or JSON data row)."""

    line: int | None
    message: str

    def __str__(self) -> str:
        """A sentence: "Rad 12: Län 01: befolkningen 'x' är inget heltal." (a capital letter,
        a full stop), whatever case the message is written in."""
        text = sentence(self.message)
        return f"Rad {self.line}: {text}" if self.line else text


def sentence(text: str) -> str:
    """``text`` as a sentence: its first letter a capital, ending with a full stop."""
    text = str(text).strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


class ImportFileError(ValueError):
    """The file cannot be imported; ``problems`` lists each one with its line.

    ``codes`` (county codes) and ``year`` are what the file names despite its problems,
    when it could be read that far: the caller checks them against the registry and the
    round too, so that every problem of a file is reported in one pass."""

    def __init__(
        self, problems: list[FileProblem], *, codes: set[str] | None = None, year: int | None = None
    ) -> None:
        self.problems = problems
        self.codes = codes
        self.year = year
        super().__init__(" ".join(str(p) for p in problems))


@dataclass(frozen=True)
class CountyPopulation:
    men: int
    women: int

    @property
    def total(self) -> int:
        return self.men + self.women


@dataclass(frozen=True)
class PopulationTable:
    """Population on 1 November ``year`` per two-digit county code."""

    year: int
    counties: dict[str, CountyPopulation] = field(default_factory=dict)

    def totals(self) -> dict[str, int]:
        return {code: figure.total for code, figure in sorted(self.counties.items())}


def decode(content: bytes) -> str:
    """The file's text: UTF-8 (a BOM dropped), else Windows-1252 as older SCB downloads are."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def parse_population(content: bytes) -> PopulationTable:
    """Parse either format, told apart by the first character (``{`` is the API's JSON)."""
    text = decode(content).lstrip()
    if not text:
        raise ImportFileError([FileProblem(None, "filen är tom")])
    if text.startswith("{"):
        return parse_pxweb_json(text)
    return parse_scb_csv(text)


class _Collector:
    """Men and women per county, with the problems found on the way."""

    def __init__(self) -> None:
        self.problems: list[FileProblem] = []
        self.parts: dict[str, dict[str, int]] = {}
        self.years: set[str] = set()

    def add(self, line: int, county: str, sex: str, year: str, value: str) -> None:
        match = _COUNTY.fullmatch(county.strip())
        kind = SEXES.get(sex.strip().lower())
        number = value.strip().replace(" ", "").replace("\u00a0", "")
        if not match:
            problem = f"okänd region {county!r} (väntade länskod 01–25)"
            self.problems.append(FileProblem(line, problem))
        elif kind is None:
            problem = f"okänt kön {sex!r} (väntade män eller kvinnor)"
            self.problems.append(FileProblem(line, problem))
        elif not number.isdigit():
            self.problems.append(
                FileProblem(line, f"län {match['code']}: befolkningen {value!r} är inget heltal")
            )
        elif kind in self.parts.setdefault(match["code"], {}):
            self.problems.append(FileProblem(line, f"län {match['code']}: {sex} finns två gånger"))
        else:
            self.parts[match["code"]][kind] = int(number)
            self.years.add(year.strip())

    def table(self) -> PopulationTable:
        for code, parts in sorted(self.parts.items()):
            for kind, label in (("men", "män"), ("women", "kvinnor")):
                if kind not in parts:
                    problem = f"län {code}: uppgift för {label} saknas"
                    self.problems.append(FileProblem(None, problem))
        if not self.parts and not self.problems:
            self.problems.append(FileProblem(None, "filen innehåller inga befolkningsuppgifter"))
        if len(self.years) > 1:
            years = ", ".join(sorted(self.years))
            self.problems.append(FileProblem(None, f"filen har flera år ({years}); välj ett"))
        if self.problems:
            years = [int(y) for y in self.years if y.isdigit()]
            raise ImportFileError(
                self.problems,
                codes=set(self.parts),
                year=years[0] if len(years) == 1 else None,
            )
        (year,) = self.years
        counties = {c: CountyPopulation(p["men"], p["women"]) for c, p in self.parts.items()}
        return PopulationTable(year=int(year), counties=counties)


def parse_pxweb_json(text: str) -> PopulationTable:
    """Parse the PxWeb API v1 answer (``"response": {"format": "json"}``)."""
    try:
        answer = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError([FileProblem(exc.lineno, f"ogiltig JSON: {exc.msg}")]) from None
    if not isinstance(answer, dict) or not isinstance(answer.get("data"), list):
        raise ImportFileError([FileProblem(None, "JSON-svaret saknar listan data")])
    codes = [c.get("code") for c in answer.get("columns", []) if isinstance(c, dict)]
    missing = [name for name in ("Region", "Kon", "Tid") if name not in codes]
    if missing:
        names = ", ".join(missing)
        raise ImportFileError([FileProblem(None, f"JSON-svaret saknar kolumnerna {names}")])
    where = {name: codes.index(name) for name in ("Region", "Kon", "Tid")}
    collector = _Collector()
    for number, row in enumerate(answer["data"], start=1):
        key = row.get("key") if isinstance(row, dict) else None
        values = row.get("values") if isinstance(row, dict) else None
        if not (isinstance(key, list) and len(key) >= 3 and isinstance(values, list) and values):
            collector.problems.append(FileProblem(number, "dataraden saknar key eller values"))
            continue
        parts = [str(key[where[name]]) for name in ("Region", "Kon", "Tid")]
        collector.add(number, *parts, str(values[0]))
    return collector.table()


def parse_scb_csv(text: str) -> PopulationTable:
    """Parse SCB's CSV download: the header is the first line whose last cell is a year."""
    lines = text.splitlines()
    delimiter = ";" if any(";" in line for line in lines[:10]) else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header_at = next(
        (i for i, row in enumerate(rows) if len(row) >= 3 and _YEAR.fullmatch(row[-1].strip())),
        None,
    )
    if header_at is None:
        problem = "hittar ingen rubrikrad (region, kön, år) i CSV-filen"
        raise ImportFileError([FileProblem(None, problem)])
    header = [cell.strip() for cell in rows[header_at]]
    if len(header) != 3:
        problem = f"väntade tre kolumner (region, kön, år) men fick {len(header)}"
        raise ImportFileError([FileProblem(header_at + 1, problem)])
    collector = _Collector()
    for index in range(header_at + 1, len(rows)):
        row = rows[index]
        if not any(cell.strip() for cell in row):
            if collector.parts:
                break  # after the table: SCB's footnotes (source, definitions)
            continue
        if len(row) != 3:
            problem = f"väntade 3 fält men fick {len(row)}"
            collector.problems.append(FileProblem(index + 1, problem))
            continue
        collector.add(index + 1, row[0], row[1], header[2], row[2])
    return collector.table()
