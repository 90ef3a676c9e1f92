"""Reading SCB's FolkmängdNov (BE0101A) from the PxWeb JSON answer and the CSV download."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from submissions.scb import ImportFileError, parse_population
from tests.factories import rows_2024

DATA = Path(__file__).parent / "data"
JSON_FILE = DATA / "scb_folkmangdnov_2023.json"
CSV_FILE = DATA / "scb_folkmangdnov_2023.csv"


def expected_2023() -> dict[str, int]:
    return {row["code"]: int(row["population_2023_11_01"]) for row in rows_2024()}


@pytest.mark.parametrize("path", [JSON_FILE, CSV_FILE], ids=["json", "csv"])
def test_both_formats_sum_men_and_women_per_county(path):
    table = parse_population(path.read_bytes())

    assert table.year == 2023
    assert table.totals() == expected_2023()


def test_csv_in_windows_1252_with_commas_is_read():
    text = CSV_FILE.read_text(encoding="utf-8-sig").replace(";", ",")
    # The title line holds a comma inside quotes: still one cell.
    table = parse_population(text.encode("cp1252"))

    assert table.totals() == expected_2023()


def _answer(rows):
    answer = json.loads(JSON_FILE.read_text(encoding="utf-8"))
    answer["data"] = rows
    return json.dumps(answer).encode()


def test_json_missing_figure_names_its_data_row():
    rows = json.loads(JSON_FILE.read_text(encoding="utf-8"))["data"]
    rows[4]["values"] = [".."]

    with pytest.raises(ImportFileError) as caught:
        parse_population(_answer(rows))

    assert [str(p) for p in caught.value.problems] == [
        "Rad 5: Län 04: befolkningen '..' är inget heltal.",
        "Län 04: uppgift för män saknas.",
    ]


def test_json_columns_in_another_order_are_read_by_their_codes():
    answer = json.loads(JSON_FILE.read_text(encoding="utf-8"))
    answer["columns"] = [answer["columns"][i] for i in (2, 0, 1, 3)]
    for row in answer["data"]:
        region, sex, year = row["key"]
        row["key"] = [year, region, sex]

    table = parse_population(json.dumps(answer).encode())

    assert table.totals() == expected_2023()


def test_csv_unknown_sex_and_bad_number_each_name_their_line():
    lines = CSV_FILE.read_text(encoding="utf-8-sig").splitlines()
    lines[3] = '"01 Stockholms län";"totalt";2455914'
    lines[6] = '"03 Uppsala län";"kvinnor";20x'

    with pytest.raises(ImportFileError) as caught:
        parse_population("\n".join(lines).encode())

    messages = [str(p) for p in caught.value.problems]
    assert "Rad 4: Okänt kön 'totalt' (väntade män eller kvinnor)." in messages
    assert "Rad 7: Län 03: befolkningen '20x' är inget heltal." in messages


def test_a_county_given_twice_is_refused():
    lines = CSV_FILE.read_text(encoding="utf-8-sig").splitlines()
    lines.insert(5, lines[3])

    with pytest.raises(ImportFileError, match="Rad 6: Län 01: män finns två gånger."):
        parse_population("\n".join(lines).encode())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Filen är tom."),
        (b"{not json", "Ogiltig JSON"),
        (b'{"columns": [], "data": []}', "saknar kolumnerna Region, Kon, Tid"),
        (b"hello;world\n1;2\n", "Hittar ingen rubrikrad"),
    ],
)
def test_unreadable_files_are_refused_with_a_message(content, message):
    with pytest.raises(ImportFileError, match=message):
        parse_population(content)
