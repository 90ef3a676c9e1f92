"""Every page, file and letter that shows amounts shows any model block by block: a
three-block format-2 run (format2_factories) and, unchanged, decisions made before models
were data."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re

import openpyxl
import pytest
from django.urls import reverse

from allocation.letters import decision_letter_html, decision_letter_pdf
from tests.allocation.format2_factories import (
    BLOCK_NAMES,
    format2_run,
    legacy_decided,
    three_block_decided,
    three_block_result,
)
from tests.allocation.read_factories import FAST_HASHERS, FOUR, closed_round

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def three(officer):
    return three_block_decided(officer)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(NBSP, " ")


def block_headers(html: str, table_id: str) -> list[str]:
    body = html.split(f'id="{table_id}"', 1)[1].split("</thead>", 1)[0]
    return re.findall(r'<th scope="col" class="num" data-block="(\w+)">', body)


def assert_every_block(text: str) -> None:
    for name in BLOCK_NAMES.values():
        assert name in text, name


def test_officer_run_page_has_a_column_and_a_summary_line_per_block(client, login, officer):
    grant_round = closed_round(FOUR)
    run = format2_run(grant_round, officer)
    login(client, officer)
    html = client.get(reverse("allocation:run", args=[grant_round.slug, run.number])).content
    html = html.decode()
    table = html.split('class="table table-stack-lg table-sm allocation-result"', 1)[1]
    assert re.findall(r'<th scope="col" class="num" data-block="(\w+)">', table) == list(
        BLOCK_NAMES
    )
    summary = html.split('id="block-summary"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<tr data-block="(\w+)">', summary) == list(BLOCK_NAMES)
    text = text_of(html)
    assert "rest 81 000 000 kr delad" in text  # improve's remainder
    assert "steg ≥ 1: 3 000 000 kr" in text  # Halland's step
    assert "59 382 353 kr" in text and "372 000 000 kr" in text
    # national_rate, a total of the model, is shown with the blocks
    assert "national_rate = 31,79" in text


# The model's code a region must never read: its names, operators and functions.
MODEL_CODE = re.compile(
    r"\b(posts|rate|increase|planned|national_rate|filled|started|deducted|population|step)\b"
    r"|>=|<=|==|!=|\*|\[\["
)


def assert_no_model_code(text: str) -> None:
    assert not MODEL_CODE.findall(text), MODEL_CODE.findall(text)


def explanation_text(html: str) -> str:
    """The text of the explanation list (the "Skäl för beslutet" part)."""
    return text_of(html.split('class="explanation"', 1)[1].split("</dl>", 1)[0])


def test_region_decision_page_explains_every_block(client, login, three, officer):
    login(client, officer)
    halland = three["Halland"]
    html = client.get(
        reverse("allocation_read:region_decision", kwargs={"reference": halland.reference})
    ).content.decode()
    keys = re.findall(r'data-explain="block:(\w+)"', html)
    assert keys == list(BLOCK_NAMES)
    text = text_of(html)
    assert_every_block(text)
    # not eligible, and why: the condition and the region's values
    assert "Regionen uppfyller det inte och får därför inget ur blocket" in text
    assert (
        "AT-tjänster per 100 000 invånare: 20,88; AT-tjänster per 100 000 invånare i riket: 31,79"
    ) in text
    # the amount block: the step reached, the remainder part, the amount
    assert "når steget för minst 1, som ger 3 000 000 kr" in text
    assert "i proportion till AT-tjänster som räknas." in text
    assert "Förbättring 59 382 353 kr" in text
    assert "Totalt Goda förutsättningar 0 kr + Fortsatt ökning 0 kr + Förbättring" in text
    assert_no_model_code(explanation_text(html))
    gotland = client.get(
        reverse("allocation_read:region_decision", kwargs={"reference": three["Gotland"].reference})
    ).content.decode()
    # a share block: the weight and its share of the total weight
    assert "Regionens vikt är 2, " in text_of(gotland)
    assert "procent av de deltagande regionernas sammanlagda vikt" in text_of(gotland)


def test_region_decisions_list_names_each_block(client, login, three, officer):
    login(client, officer)
    html = client.get(reverse("allocation_read:region_decisions")).content.decode()
    for block_id in BLOCK_NAMES:
        assert f'data-block="{block_id}"' in html
    assert_every_block(text_of(html))


def test_officer_round_page_totals_decisions_per_block(client, login, three, officer):
    login(client, officer)
    grant_round = three["Halland"].round
    html = client.get(reverse("allocation:round", args=[grant_round.slug])).content.decode()
    text = text_of(html)
    assert_every_block(text)
    totals = text_of(html.split('id="decisions-totals"', 1)[1].split("</tr>", 1)[0])
    assert "124 000 000 kr 164 000 000 kr 84 000 000 kr 372 000 000 kr" in totals


def test_the_letter_names_each_block_and_renders(three):
    decision = three["Halland"]
    text = text_of(decision_letter_html(decision))
    assert_every_block(text)
    assert "Goda förutsättningar (124 000 000 kr)" in text
    assert "når steget för minst 1, som ger 3 000 000 kr" in text
    html = decision_letter_html(decision)
    assert_no_model_code(text_of(html.split("Skäl för beslutet", 1)[1].split("Grund för", 1)[0]))
    annex = text.split("Bilaga: Fördelningslista", 1)[1]
    assert_every_block(annex)
    assert decision_letter_pdf(decision).startswith(b"%PDF")


def test_public_list_chart_and_tables_have_every_block(client, three):
    url = reverse("allocation_read:public_list", kwargs={"slug": "at-2022"})
    html = client.get(url).content.decode()
    assert block_headers(html, "ranking-table") == list(BLOCK_NAMES)
    assert block_headers(html, "appendix-table") == list(BLOCK_NAMES)
    data = json.loads(
        html.split('id="allocation-chart-data" type="application/json">', 1)[1].split("<", 1)[0]
    )
    assert [d["label"] for d in data["datasets"]] == list(BLOCK_NAMES.values())
    totals = text_of(html.split('id="totals-row"', 1)[1].split("</tr>", 1)[0])
    assert "124 000 000 kr 164 000 000 kr 84 000 000 kr 372 000 000 kr" in totals
    assert "fördelningsmodellen för maskinläsning (JSON)" in html


def _download(client, name: str, slug: str = "at-2022"):
    response = client.get(reverse(f"allocation_read:{name}", kwargs={"slug": slug}))
    assert response.status_code == 200
    return response


def test_csv_and_xlsx_have_a_column_per_block(client, three):
    content = _download(client, "public_list_csv").content
    assert content.startswith(codecs.BOM_UTF8)
    header, *lines, total = list(
        csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
    )
    columns = [f"{name} (kr)" for name in BLOCK_NAMES.values()]
    assert all(column in header for column in columns)
    rows = {line[0]: dict(zip(header, line, strict=True)) for line in lines}
    for decision in three.values():
        row = rows[decision.region.name]
        for block_id, name in BLOCK_NAMES.items():
            assert int(row[f"{name} (kr)"]) == decision.amounts[block_id]
    assert total[header.index("Förbättring (kr)")] == "84000000"
    book = openpyxl.load_workbook(io.BytesIO(_download(client, "public_list_xlsx").content))
    sheet = book["Fördelning"]
    header = [c.value for c in sheet[1]]
    assert all(column in header for column in columns)
    halland = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if "Halland" in r[0])
    assert halland[header.index("Förbättring (kr)")] == 59_382_353
    rules = [[c.value for c in row] for row in book["Regler"].iter_rows()]
    assert ["Block: Förbättring", None, 84_000_000] in rules


def test_the_model_json_link_downloads_the_runs_model(client, three):
    response = _download(client, "public_list_rules")
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert json.loads(response.content) == three_block_result()["model"]


def test_auditor_run_page_shows_the_model_and_every_block(client, login, three, auditor):
    login(client, auditor)
    run = three["Halland"].run
    html = client.get(reverse("allocation_read:audit_run", kwargs={"pk": run.pk})).content
    html = html.decode()
    model = html.split('id="model-table"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<tr data-block="(\w+)">', model) == list(BLOCK_NAMES)
    assert "rate &lt; national_rate" in model
    assert_every_block(text_of(html.split("Motorns resultat per region", 1)[1]))


# --- decisions made before models were data display as before -------------------------------


def test_old_decisions_keep_their_explanation_and_files(client, login, officer):
    decisions = legacy_decided(officer)
    blekinge = decisions["Blekinge"]
    login(client, officer)
    html = client.get(
        reverse("allocation_read:region_decision", kwargs={"reference": blekinge.reference})
    ).content.decode()
    text = text_of(html)
    # the old explanation, word for word
    assert "55 − 50 = 5" in text
    assert "minst 5 tjänster, som ger 7 500 000 kr" in text
    assert f"Block 1 {blekinge.block1:,} kr".replace(",", " ") in text
    assert "Redovisa antal AT-tjänster" in text and "Ytterligare utökning" in text
    # the old columns of the people's files, and the 2024 rules file
    header = next(
        csv.reader(
            io.StringIO(
                _download(client, "public_list_csv", "at-2024").content.decode("utf-8-sig")
            ),
            delimiter=";",
        )
    )
    assert "Block 1 (kr)" in header and "Steg i prestationstrappan (kr)" in header
    # their rules, as the 2024 model document allocate_csv reads
    model = json.loads(_download(client, "public_list_rules", "at-2024").content)
    assert model["format"] == 1
    assert [b["id"] for b in model["blocks"]] == ["block1", "block2"]
    assert model["blocks"][1]["eligible"] == "increase >= 2"


def test_officer_decision_page_lists_each_block(client, login, three, officer):
    login(client, officer)
    halland = three["Halland"]
    html = client.get(reverse("allocation:decision", args=[halland.reference])).content.decode()
    text = text_of(html)
    for block_id in BLOCK_NAMES:
        assert f'<tr data-block="{block_id}">' in html
        assert f'<dt class="col-sm-4" data-block="{block_id}">' in html
    assert "Förbättring 59 382 353 kr" in text
    assert "≥ 1: stegbelopp 3 000 000 kr, restdel 56 382 353 kr" in text
    assert "Uppfyller inte villkoret för blocket." in text
    letter = reverse(
        "allocation_read:region_decision_letter", kwargs={"reference": halland.reference}
    )
    assert f'href="{letter}"' in html


def test_an_old_run_shows_its_stored_figures_per_block(client, login, officer):
    decisions = legacy_decided(officer)
    run = decisions["Blekinge"].run
    stored = next(r for r in run.result["regions"] if r["name"] == "Region Blekinge")
    login(client, officer)
    html = client.get(reverse("allocation:run", args=[run.round.slug, run.number])).content
    html = html.decode()
    row = text_of(html.split('<tr data-region="Region Blekinge">', 1)[1].split("</tr>", 1)[0])
    assert f"{stored['block1']:,} kr".replace(",", " ") in row
    assert f"{stored['block2']:,} kr".replace(",", " ") in row
    assert f"varav restdel {stored['remainder']:,} kr".replace(",", " ") in row
    assert "steg ≥ 5: 7 500 000 kr" in row
    assert f"{stored['total']:,} kr".replace(",", " ") in row
