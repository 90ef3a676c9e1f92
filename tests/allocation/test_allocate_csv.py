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
from allocation.allocmodel import AllocationModel

DATA = Path(__file__).parent / "data"
INPUT_2024 = DATA / "input_2024.csv"
REPO = Path(__file__).parents[2]

HEADER = "region,population,planned,filled,started"
VALID_ROW = "Gotland,61093,16,18,17"

# The 2024 round on data/input_2024.csv (block1, block2, total in kronor), as the 2024 engine
# computed it and tests/allocation/test_engine.py checks against an independent calculation.
TABLE_2024 = [
    ("Stockholm", 1_852_203, 23_570_573, 25_422_776),
    ("Uppsala", 2_170_419, 0, 2_170_419),
    ("Södermanland", 3_268_826, 10_801_460, 14_070_286),
    ("Östergötland", 2_953_554, 8_693_696, 11_647_250),
    ("Jönköping", 3_653_754, 0, 3_653_754),
    ("Kronoberg", 2_921_444, 8_631_796, 11_553_240),
    ("Kalmar", 2_856_989, 0, 2_856_989),
    ("Gotland", 4_108_018, 0, 4_108_018),
    ("Blekinge", 3_469_716, 17_188_725, 20_658_441),
    ("Skåne", 2_415_240, 34_655_966, 37_071_206),
    ("Halland", 2_599_166, 0, 2_599_166),
    ("Västra Götaland", 2_316_062, 14_964_775, 17_280_837),
    ("Värmland", 2_764_866, 0, 2_764_866),
    ("Örebro", 3_102_422, 10_480_676, 13_583_098),
    ("Västmanland", 2_735_569, 8_273_476, 11_009_045),
    ("Dalarna", 3_274_094, 0, 3_274_094),
    ("Gävleborg", 2_631_782, 8_073_402, 10_705_184),
    ("Västernorrland", 3_948_236, 0, 3_948_236),
    ("Jämtland", 2_960_325, 0, 2_960_325),
    ("Västerbotten", 3_717_016, 14_665_455, 18_382_471),
    ("Norrbotten", 3_280_299, 0, 3_280_299),
]
LEGACY_RULES_2024 = REPO / "allocation" / "rules_2024.json"


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


def table(rows: list[dict[str, str]]) -> list[tuple[str, int, int, int]]:
    return [(r["region"], int(r["block1"]), int(r["block2"]), int(r["total"])) for r in rows]


# --- happy path ---------------------------------------------------------------------------


def test_the_2024_round_with_the_default_model() -> None:
    out, err = run_command(str(INPUT_2024))
    assert out.splitlines()[0] == "region,posts,rate,increase,block1,block2,total"
    rows = read_rows(out)
    assert table(rows) == TABLE_2024
    assert sum(int(row["total"]) for row in rows) == 223_000_000
    assert "Block block1 (Redovisa antal AT-tjänster): budget 63000000, paid 63000000" in err
    assert "Block block2 (Ytterligare utökning): budget 160000000, paid 160000000" in err
    assert "Total paid: 223000000 to 21 regions" in err


@pytest.mark.parametrize(
    "model_path",
    [LEGACY_RULES_2024, REPO / "allocation" / "model_2024.json"],
    ids=["legacy rules file", "format 1"],
)
def test_the_2024_round_with_either_rules_file(model_path: Path) -> None:
    out, _ = run_command(str(INPUT_2024), "--rules", str(model_path))
    assert table(read_rows(out)) == TABLE_2024


def test_output_writes_values_as_exact_decimals() -> None:
    rows = {row["region"]: row for row in read_rows(run_command(str(INPUT_2024))[0])}
    # Östergötland: plan 84-89 -> 86.5, 89 posts -> +2.5; rate 8 900 000 / 472 660 =
    # 18.8296027...
    assert rows["Östergötland"]["increase"] == "2.5"
    assert rows["Östergötland"]["rate"] == "18.829603"
    # Kalmar: 45 posts, plan 47 -> -2; Stockholm 29 000 000 / 2 455 914 = 11.80823...
    assert rows["Kalmar"]["increase"] == "-2"
    assert rows["Stockholm"]["rate"] == "11.808231"
    assert rows["Gotland"]["posts"] == "16"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(173, 2), "86.5"),
        (Fraction(47), "47"),
        (Fraction(-7, 2), "-3.5"),
        (Fraction(51, 4), "12.75"),
        (Fraction(0), "0"),
        (Fraction(-1, 4), "-0.25"),
        (Fraction(1, 3), "0.333333"),
        (Fraction(2, 3), "0.666667"),
        (Fraction(1, 2_000_000), "0.000001"),  # 0.0000005 -> half up
        (Fraction(-1, 2_000_000), "0"),  # half up is towards +infinity: no "-0"
        (Fraction(12_345_675, 10_000_000), "1.234568"),
        (True, "true"),
        (False, "false"),
    ],
)
def test_format_value(value: Fraction | bool, text: str) -> None:
    assert csvtool.format_value(value) == text


def test_output_file_is_written_and_stdout_stays_empty(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old contents\n", encoding="utf-8")
    out, err = run_command(str(INPUT_2024), "--output", str(target))
    assert out == ""
    assert "Total paid: 223000000" in err
    assert target.read_text(encoding="utf-8") == csvtool.run(INPUT_2024).csv_text
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temp file left


def test_legacy_rules_file_replaces_the_default(tmp_path: Path) -> None:
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
    assert [rows[n]["total"] for n in "ABC"] == ["605", "695", "200"]
    assert "Block block2 (Ytterligare utökning): budget 500, paid 500, not paid 0" in err


THREE_LEVELS = {
    "format": 1,
    "name": "2022-lik",
    "values": {
        "posts": "max(filled, started) - deducted",
        "rate": "posts * 100000 / population",
        "increase": "posts - planned",
        "high_rate": "rate >= 10",
    },
    "totals": {"national_rate": "sum(posts) * 100000 / sum(population)", "n": "count()"},
    "blocks": [
        {
            "id": "good",
            "name": "Bra nivå",
            "budget": 1000,
            "eligible": "rate >= national_rate",
            "share": "rate",
        },
        {
            "id": "growth",
            "name": "Ökning",
            "budget": 600,
            "eligible": "rate >= national_rate and increase > 0",
            "share": "increase",
        },
        {
            "id": "improve",
            "name": "Trappa",
            "budget": 500,
            "eligible": "rate < national_rate and increase >= 1",
            "amount": "step(increase, [[1, 100], [3, 250]])",
            "remainder": "posts",
        },
    ],
}


def test_a_three_level_model_with_totals(tmp_path: Path) -> None:
    model_path = write(tmp_path, json.dumps(THREE_LEVELS), "model.json")
    # Rates per 100 000: A 11, B 13, C 6, D 8; national rate 38 / 4 = 9.5.
    csv_path = write(
        tmp_path,
        f"{HEADER}\nA,100000,10,11,\nB,100000,10,13,\nC,100000,2,6,\nD,100000,7,8,\n",
    )
    out, err = run_command(str(csv_path), "--rules", str(model_path))
    header = "region,posts,rate,increase,high_rate,good,growth,improve,total"
    assert out.splitlines()[0] == header
    rows = {row["region"]: row for row in read_rows(out)}
    # good: A and B by rate 11 : 13 of 1000 -> 458.33, 541.67 -> 458, 542.
    # growth: A (+1) and B (+3) by increase of 600 -> 150, 450.
    # improve: C (+4: 250) and D (+1: 100); 150 left by posts 6 : 8 -> 64.29, 85.71
    # -> C 314.29, D 185.71 -> 314, 186.
    assert [rows[n]["high_rate"] for n in "ABCD"] == ["true", "true", "false", "false"]
    assert [rows[n]["good"] for n in "ABCD"] == ["458", "542", "0", "0"]
    assert "Total value national_rate: 9.5" in err
    assert [(rows[n]["growth"], rows[n]["improve"], rows[n]["total"]) for n in "ABCD"] == [
        ("150", "0", "608"),
        ("450", "0", "992"),
        ("0", "314", "314"),
        ("0", "186", "186"),
    ]


def test_warnings_go_to_the_summary(tmp_path: Path) -> None:
    csv_path = write(tmp_path, f"{HEADER}\nA,100000,10,10,\n")
    out, err = run_command(str(csv_path))
    assert read_rows(out)[0]["block2"] == "0"
    assert "Warning [no_one_eligible]" in err
    assert (
        "Block block2 (Ytterligare utökning): budget 160000000, paid 0, not paid 160000000" in err
    )


def test_flexible_input_bom_order_deducted_and_blank_lines(tmp_path: Path) -> None:
    text = (
        "\ufeffstarted, Region ,planned,deducted,filled,population\n"
        "12,A,84-89,,,100000\n"
        "\n"
        "95,B,84 – 89,5,90,100000\n"
    )
    rows = {row["region"]: row for row in read_rows(run_command(str(write(tmp_path, text)))[0])}
    # A: 12 posts, plan 86.5; B: max(90, 95) - 5 = 90 posts, +3.5.
    assert rows["A"]["posts"] == "12" and rows["A"]["increase"] == "-74.5"
    assert rows["B"]["posts"] == "90" and rows["B"]["increase"] == "3.5"


def test_run_reads_the_default_model() -> None:
    shipped = json.loads((REPO / "allocation" / "model_2024.json").read_text(encoding="utf-8"))
    assert csvtool.load_model() == AllocationModel.from_json(shipped)
    legacy = json.loads(LEGACY_RULES_2024.read_text(encoding="utf-8"))
    assert csvtool.load_model() == AllocationModel.from_json(legacy)


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
        ('{"block1": 1, "block2": 2}', ["invalid model (staircase)", "saknar staircase"]),
        (
            '{"block1": 1, "block2": 2, "staircase": [[3, 5], [2, 6]]}',
            ["invalid model (staircase)", "strikt stigande"],
        ),
        ('{"block1": -1, "block2": 2, "staircase": []}', ["invalid model (block1)", "block1"]),
        ('{"block1": 1.5, "block2": 2, "staircase": []}', ["invalid model (block1)", "block1"]),
        ('{"format": 2, "blocks": []}', ["invalid model (format)", "Okänt format 2"]),
        ("[1, 2]", ["invalid model", "JSON-objekt"]),
        (
            '{"format": 1, "values": {"x": "postz * 2"}, '
            '"blocks": [{"id": "a", "name": "A", "budget": 1, "share": "x"}]}',
            ["invalid model (values.x)", "Värdet x: okänt namn 'postz'"],
        ),
        (
            '{"format": 1, "blocks": [{"id": "a", "name": "A", "budget": 1, "share": "1"}, '
            '{"id": "a", "name": "B", "budget": 1, "share": "1"}]}',
            ["invalid model (blocks.1.id)", "id a finns redan"],
        ),
        (
            '{"format": 1, "blocks": [{"id": "a", "name": "A", "budget": 1, '
            '"amount": "step(filled, [[2, 1], [1, 2]])"}]}',
            ["invalid model (blocks.0.amount)", "strikt stigande"],
        ),
        (
            '{"format": 1, "values": {"x": "sum(filled)"}, '
            '"blocks": [{"id": "a", "name": "A", "budget": 1, "share": "1"}]}',
            ["invalid model (values.x)", "sum(...) får bara användas i summor"],
        ),
    ],
)
def test_bad_rules_file(tmp_path: Path, rules_text: str, fragments: list[str]) -> None:
    rules = write(tmp_path, rules_text, "rules.json")
    message = assert_fails(tmp_path, [str(INPUT_2024), "--rules", str(rules)], *fragments)
    assert "rules.json" in message


@pytest.mark.parametrize(
    ("block", "fragments"),
    [
        (
            {"id": "a", "name": "A", "budget": 1, "share": "1 / (filled - 18)"},
            ["invalid model (blocks.0.share)", "division med noll för region Gotland"],
        ),
        (
            {"id": "a", "name": "A", "budget": 1, "share": "filled - 18"},
            ["invalid model (blocks.0.share)", "negativ vikt för region Södermanland"],
        ),
        (
            {"id": "a", "name": "A", "budget": 1, "amount": "filled", "over_budget": "error"},
            ["invalid model (blocks.0.over_budget)", "Block 1 (A): beloppen blir tillsammans"],
        ),
    ],
)
def test_a_model_that_fails_on_the_input_writes_nothing(
    tmp_path: Path, block: dict[str, object], fragments: list[str]
) -> None:
    text = f"{HEADER}\n{VALID_ROW}\nSödermanland,302310,60,17,\n"
    model = write(tmp_path, json.dumps({"format": 1, "blocks": [block]}), "model.json")
    assert_fails(tmp_path, [str(write(tmp_path, text)), "--rules", str(model)], *fragments)


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
    assert table(read_rows(result.stdout)) == TABLE_2024
    assert "Total paid: 223000000" in result.stderr


def test_process_refuses_a_bad_model_with_a_non_zero_exit(tmp_path: Path) -> None:
    model = write(tmp_path, '{"format": 1, "blocks": [{"id": "a"}]}', "model.json")
    result = manage(str(INPUT_2024), "--rules", str(model))
    assert result.returncode != 0
    assert result.stdout == ""
    assert "model.json: invalid model (blocks.0.budget)" in result.stderr
