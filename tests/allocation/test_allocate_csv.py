"""The CSV tool (allocation.csvtool) and its command, manage.py allocate_csv. No database."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from allocation import csvtool
from allocation.engine import Rules, allocate

DATA = Path(__file__).parent / "data"
INPUT_2024 = DATA / "input_2024.csv"
REPO = Path(__file__).parents[2]

HEADER = "region,population,planned,filled,started"
VALID_ROW = "Gotland,61093,16,18,17"


def run_command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("allocate_csv", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path: Path, text: str, name: str = "in.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- happy path ---------------------------------------------------------------------------


def test_output_rows_match_the_engine() -> None:
    out, err = run_command(str(INPUT_2024))
    rows = read_rows(out)
    expected = allocate(
        csvtool.load_rules(), csvtool.parse_regions(INPUT_2024.read_text(encoding="utf-8"))
    )
    assert out.splitlines()[0] == ",".join(csvtool.OUTPUT_COLUMNS)
    assert [row["region"] for row in rows] == [r.name for r in expected.regions]
    for row, result in zip(rows, expected.regions, strict=True):
        assert row == {
            "region": result.name,
            "posts": str(result.posts),
            "planned": csvtool.format_decimal(result.planned),
            "increase": csvtool.format_decimal(result.increase),
            "rate_per_100k": csvtool.format_fixed(result.rate),
            "block1": str(result.block1),
            "step_payment": str(result.step_payment),
            "remainder": str(result.remainder),
            "block2": str(result.block2),
            "total": str(result.total),
        }
    assert sum(int(row["total"]) for row in rows) == 223_000_000
    assert "Block 1: budget 63000000, paid 63000000, not paid 0" in err
    assert "Block 2: budget 160000000, paid 160000000, not paid 0" in err
    assert "Total paid: 223000000" in err


def test_output_formats_plans_increases_and_rates() -> None:
    rows = {row["region"]: row for row in read_rows(run_command(str(INPUT_2024))[0])}
    # Östergötland: plan 84-89 -> 86.5, 89 posts -> +2.5; rate 8 900 000 / 472 660 = 18.82960...
    assert rows["Östergötland"]["planned"] == "86.5"
    assert rows["Östergötland"]["increase"] == "2.5"
    assert rows["Östergötland"]["rate_per_100k"] == "18.8296"
    # Kalmar: 45 posts, plan 47 -> -2; Stockholm 29 000 000 / 2 455 914 = 11.80822...
    assert rows["Kalmar"]["increase"] == "-2"
    assert rows["Stockholm"]["rate_per_100k"] == "11.8082"
    assert rows["Gotland"]["step_payment"] == "0"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(173, 2), "86.5"),
        (Fraction(47), "47"),
        (Fraction(-7, 2), "-3.5"),
        (Fraction(51, 4), "12.75"),
        (Fraction(0), "0"),
        (Fraction(-1, 4), "-0.25"),
    ],
)
def test_format_decimal(value: Fraction, text: str) -> None:
    assert csvtool.format_decimal(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(123_456_5, 100_000), "12.3457"),  # 12.345650 -> half up
        (Fraction(123_456_4, 100_000), "12.3456"),
        (Fraction(5, 100_000), "0.0001"),  # 0.00005 -> half up
        (Fraction(10), "10.0000"),
    ],
)
def test_format_fixed_rounds_half_up(value: Fraction, text: str) -> None:
    assert csvtool.format_fixed(value) == text


def test_output_file_is_written_and_stdout_stays_empty(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old contents\n", encoding="utf-8")
    out, err = run_command(str(INPUT_2024), "--output", str(target))
    assert out == ""
    assert "Total paid: 223000000" in err
    assert target.read_text(encoding="utf-8") == csvtool.run(INPUT_2024).csv_text
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temp file left


def test_rules_file_replaces_the_default(tmp_path: Path) -> None:
    rules = {"block1": 1000, "block2": 500, "staircase": [[1, 100]]}
    rules_path = write(tmp_path, json.dumps(rules), "rules.json")
    csv_path = write(tmp_path, f"{HEADER}\nA,100000,10,11,\nB,100000,10,13,\nC,100000,10,6,\n")
    out, err = run_command(str(csv_path), "--rules", str(rules_path))
    rows = {row["region"]: row for row in read_rows(out)}
    # Block 1: rates 11 : 13 : 6 of 1000 -> 366.67, 433.33, 200 -> 367, 433, 200.
    # Block 2: A and B reach the 1-post step (100 each); 300 left, 11 : 13 -> 137.5, 162.5
    # -> A 237.5, B 262.5 -> half up 238 + 263 = 501, one too many -> taken from B
    # (the larger exact amount): A 238, B 262.
    assert [rows[n]["block1"] for n in "ABC"] == ["367", "433", "200"]
    assert [rows[n]["block2"] for n in "ABC"] == ["238", "262", "0"]
    assert [rows[n]["step_payment"] for n in "AB"] == ["100", "100"]
    assert "Block 2: budget 500, paid 500, not paid 0" in err


def test_warnings_go_to_the_summary(tmp_path: Path) -> None:
    csv_path = write(tmp_path, f"{HEADER}\nA,100000,10,10,\n")
    out, err = run_command(str(csv_path))
    assert read_rows(out)[0]["block2"] == "0"
    assert "Warning [no_region_qualifies]" in err
    assert "Block 2: budget 160000000, paid 0, not paid 160000000" in err


def test_flexible_input_bom_order_deducted_and_blank_lines(tmp_path: Path) -> None:
    text = (
        "\ufeffstarted, Region ,planned,deducted,filled,population\n"
        "12,A,84-89,,,100000\n"
        "\n"
        "95,B,84 – 89,5,90,100000\n"
    )
    rows = {row["region"]: row for row in read_rows(run_command(str(write(tmp_path, text)))[0])}
    assert rows["A"]["posts"] == "12" and rows["A"]["planned"] == "86.5"
    assert rows["B"]["posts"] == "90" and rows["B"]["increase"] == "3.5"


def test_run_reads_the_default_rules() -> None:
    assert csvtool.load_rules() == Rules.from_dict(
        json.loads((REPO / "allocation" / "rules_2024.json").read_text(encoding="utf-8"))
    )


# --- errors -------------------------------------------------------------------------------


def assert_fails(tmp_path: Path, args: list[str], *fragments: str) -> str:
    """Run the command expecting failure; nothing on stdout, no output file created."""
    target = tmp_path / "out.csv"
    out = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("allocate_csv", *args, "--output", str(target), stdout=out)
    message = str(excinfo.value)
    for fragment in fragments:
        assert fragment in message
    assert out.getvalue() == ""
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.csv")]
    # And once more without --output: still no rows on stdout.
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("allocate_csv", *args, stdout=out)
    assert out.getvalue() == ""
    return message


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("region,population,planned,filled\nA,1,1,1\n", ["line 1", "missing column(s): started"]),
        (f"{HEADER},notes\n{VALID_ROW},x\n", ["line 1", "unknown column(s): 'notes'"]),
        (f"{HEADER},region\n{VALID_ROW},B\n", ["line 1", "repeated column(s): region"]),
        (f"{HEADER}\n{VALID_ROW}\nA,100,många,1,1\n", ["line 3", "unrecognised plan 'många'"]),
        (f"{HEADER}\n{VALID_ROW}\nA,100,89-84,1,1\n", ["line 3", "reversed"]),
        (f"{HEADER}\nA,100,10,-1,1\n", ["line 2", "filled must not be negative"]),
        (f"{HEADER}\nA,100,10,1,-3\n", ["line 2", "started must not be negative"]),
        (f"{HEADER}\nA,100,10,1.5,1\n", ["line 2", "filled must be a whole number, got '1.5'"]),
        (f"{HEADER}\nA,100,10,1,två\n", ["line 2", "started must be a whole number"]),
        (f"{HEADER}\nA,0,10,1,1\n", ["line 2", "population must be greater than zero"]),
        (f"{HEADER}\nA,-100,10,1,1\n", ["line 2", "population must not be negative"]),
        (f"{HEADER}\nA,100.5,10,1,1\n", ["line 2", "population must be a whole number"]),
        (f"{HEADER}\nA,,10,1,1\n", ["line 2", "population is empty"]),
        (f"{HEADER}\nA,100,10,,\n", ["line 2", "filled and started are both empty"]),
        (
            f"{HEADER},deducted\nA,100,10,3,4,5\n",
            ["line 2", "deducted posts (5) exceed reported posts (4)"],
        ),
        (f"{HEADER},deducted\nA,100,10,3,4,-1\n", ["line 2", "deducted must not be negative"]),
        (
            f"{HEADER}\nA,100,10,1,1\nB,100,10,1,1\nA,100,10,1,1\n",
            ["line 4", "'A' already given on line 2"],
        ),
        (f"{HEADER}\n,100,10,1,1\n", ["line 2", "region name is empty"]),
        (f"{HEADER}\n=1+1,100,10,1,1\n", ["line 2", "must not start with = + - or @"]),
        (f"{HEADER}\n{VALID_ROW}\n@SUM(A1),100,10,1,1\n", ["line 3", "'@SUM(A1)'"]),
        (f"{HEADER}\nA,100,10,1\n", ["line 2", "expected 5 fields, found 4"]),
        ("", ["line 1", "empty file"]),
        ("\n\n", ["line 1", "empty file"]),
        (f"{HEADER}\n", ["line 1", "no data rows"]),
        (f"{HEADER}\n\n\n", ["line 1", "no data rows"]),
    ],
)
def test_bad_input_names_line_and_problem(tmp_path: Path, text: str, fragments: list[str]) -> None:
    assert_fails(tmp_path, [str(write(tmp_path, text))], *fragments)


def test_all_errors_are_reported_not_only_the_first(tmp_path: Path) -> None:
    text = f"{HEADER}\n{VALID_ROW}\nA,0,10,1,1\nB,100,x,1,1\nC,100,10,,\n"
    message = assert_fails(tmp_path, [str(write(tmp_path, text))])
    assert "line 3: population must be greater than zero" in message
    assert "line 4: unrecognised plan 'x'" in message
    assert "line 5: filled and started are both empty" in message


def test_line_numbers_count_physical_lines_of_quoted_fields(tmp_path: Path) -> None:
    text = f'{HEADER}\n"Region\nwith newline",100,10,1,1\nB,100,10,-1,1\n'
    assert_fails(tmp_path, [str(write(tmp_path, text))], "line 4", "filled must not be negative")


def test_existing_output_file_is_left_untouched_on_error(tmp_path: Path) -> None:
    target = tmp_path / "keep.csv"
    target.write_text("previous result\n", encoding="utf-8")
    bad = write(tmp_path, f"{HEADER}\nA,0,10,1,1\n")
    with pytest.raises(CommandError):
        call_command("allocate_csv", str(bad), "--output", str(target), stdout=io.StringIO())
    assert target.read_text(encoding="utf-8") == "previous result\n"


def test_missing_input_file(tmp_path: Path) -> None:
    assert_fails(tmp_path, [str(tmp_path / "nope.csv")], "nope.csv", "cannot read file")


def test_directory_as_input(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    assert_fails(tmp_path, [str(folder)], "cannot read file")


def test_input_not_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\n{VALID_ROW}\nSkåne,100,10,1,1\n", encoding="latin-1")
    assert_fails(tmp_path, [str(path)], "line 3", "not valid UTF-8")


@pytest.mark.parametrize(
    ("rules_text", "fragments"),
    [
        ('{"block1": 1, "block2": 2,\n "staircase": [[2, 3],]}', ["line 2", "invalid JSON"]),
        ("", ["line 1", "invalid JSON"]),
        ('{"block1": 1, "block2": 2}', ["invalid rules", "missing staircase"]),
        (
            '{"block1": 1, "block2": 2, "staircase": [[3, 5], [2, 6]]}',
            ["invalid rules", "strictly increasing"],
        ),
        ('{"block1": -1, "block2": 2, "staircase": []}', ["invalid rules", "block1"]),
        ('{"block1": 1.5, "block2": 2, "staircase": []}', ["invalid rules", "block1"]),
    ],
)
def test_bad_rules_file(tmp_path: Path, rules_text: str, fragments: list[str]) -> None:
    rules = write(tmp_path, rules_text, "rules.json")
    message = assert_fails(tmp_path, [str(INPUT_2024), "--rules", str(rules)], *fragments)
    assert "rules.json" in message


def test_missing_rules_file(tmp_path: Path) -> None:
    args = [str(INPUT_2024), "--rules", str(tmp_path / "none.json")]
    assert_fails(tmp_path, args, "none.json", "cannot read file")


def test_unwritable_output_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot write"):
        call_command(
            "allocate_csv",
            str(INPUT_2024),
            "--output",
            str(tmp_path / "missing-dir" / "out.csv"),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


# --- as a real process --------------------------------------------------------------------


def manage(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "allocate_csv", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )


def test_process_exits_non_zero_with_the_line_on_stderr(tmp_path: Path) -> None:
    result = manage(str(write(tmp_path, f"{HEADER}\n{VALID_ROW}\nA,100,10,,\n")))
    assert result.returncode != 0
    assert result.stdout == ""
    assert "line 3: filled and started are both empty" in result.stderr


def test_process_writes_csv_to_stdout_and_summary_to_stderr() -> None:
    result = manage(str(INPUT_2024))
    assert result.returncode == 0, result.stderr
    assert result.stdout == csvtool.run(INPUT_2024).csv_text
    assert "Total paid: 223000000" in result.stderr
