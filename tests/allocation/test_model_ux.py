# ruff: noqa: F811 - the fixtures imported from the model tests are used as arguments
"""What an officer sees on the model pages: the error summary at the top of a refused save,
an empty model as a blank editor, a test case's header checked against the model's block ids,
the simulation table's signs and labels, plain Swedish in the model's errors, and a test case
removed only after a confirmation."""

from __future__ import annotations

import copy
import io
import json
import re

import pytest
from django.urls import reverse

from allocation.allocmodel import AllocationModel, ModelError
from allocation.models import ModelTestCase
from atgrant.templatetags.atgrant_format import kr_change
from submissions.models import GrantRound
from tests.allocation.factories import (  # noqa: F401 - eager_celery is a fixture
    eager_celery,
)
from tests.allocation.test_model_cases import (  # noqa: F401 - fixtures
    INPUTS,
    MODEL_2022,
    add_case,
    earlier,
    expected_csv,
    paid,
)
from tests.allocation.test_model_editor import (  # noqa: F401 - fixtures
    MODEL_2024,
    draft,
    editor_data,
    officer_client,
    stored,
)
from tests.factories import GrantRoundFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def model_url(grant_round: GrantRound) -> str:
    return reverse("allocation:round_model", args=[grant_round.slug])


def summary(html: str) -> str:
    """The error summary's markup ("" when the page has none)."""
    match = re.search(r'<div class="alert alert-danger error-summary".*?</div>', html, re.S)
    return match.group(0) if match else ""


# --- 1. the error summary -------------------------------------------------------------------


def test_a_refused_model_save_starts_with_a_focused_summary_linking_to_the_field(
    officer_client, draft
):
    document = copy.deepcopy(MODEL_2024)
    document["blocks"][1]["remainder"] = "rat"
    response = officer_client.post(model_url(draft), editor_data(document))
    assert response.status_code == 400
    html = response.content.decode()
    box = summary(html)
    assert "Modellen sparades inte. Rätta felen nedan:" in box
    assert 'tabindex="-1"' in box and "autofocus" in box
    assert 'href="#id_blocks-1-remainder"' in box and 'id="id_blocks-1-remainder"' in html
    assert "Block 2: Vikt för det som blir över: " in box
    # Before the form, at the top of the content.
    assert html.index("error-summary") < html.index('id="model-form"')
    assert stored(draft) == MODEL_2024


def test_a_page_that_is_not_refused_has_no_summary(officer_client, draft):
    assert summary(officer_client.get(model_url(draft)).content.decode()) == ""
    added = officer_client.post(model_url(draft), {**editor_data(MODEL_2024), "add": "values"})
    assert added.status_code == 200 and summary(added.content.decode()) == ""


def test_a_refused_import_and_test_case_have_the_summary(officer_client, draft):
    upload = io.BytesIO(b"{not json")
    upload.name = "modell.json"
    refused = officer_client.post(
        reverse("allocation:round_model_import", args=[draft.slug]), {"import-file": upload}
    )
    assert refused.status_code == 400
    box = summary(refused.content.decode())
    assert 'href="#id_import-file"' in box and "Filen är inte giltig JSON." in box

    case = add_case(officer_client, draft, "", INPUTS, "region,block1\nAlfa,1\n")
    box = summary(case.content.decode())
    assert case.status_code == 400
    assert "Kontrollfallet sparades inte." in box and 'href="#id_name"' in box


# --- 3. an empty model ----------------------------------------------------------------------


def test_an_empty_model_is_a_blank_editor_and_the_round_lists_no_blocks(officer_client):
    empty = GrantRoundFactory(draft=True, slug="at-2027", year=2027, model={})
    html = officer_client.get(model_url(empty)).content.decode()
    assert "Den sparade modellen är inte giltig" not in html
    assert "format" not in summary(html)
    round_page = officer_client.get(reverse("allocation:round", args=[empty.slug]))
    text = round_page.content.decode()
    assert "Ingen fördelningsmodell ännu" in text
    assert "Redovisa antal AT-tjänster" not in text and "Ytterligare utökning" not in text


# --- 4. the expected amounts' header --------------------------------------------------------


def test_an_unknown_block_id_in_the_expected_header_is_refused_naming_the_ids(
    officer_client, draft
):
    response = add_case(officer_client, draft, "Fel id", INPUTS, "region,goodd\nAlfa,1\n")
    assert response.status_code == 400
    [error] = response.context["form"].errors["expected"]
    assert "goodd" in error and "block1, block2" in error
    assert not ModelTestCase.objects.exists()
    # total is always a column the header may have.
    amounts = paid(MODEL_2024, INPUTS)
    assert add_case(officer_client, draft, "Rätt", INPUTS, expected_csv(amounts)).status_code == 302


def test_a_region_not_in_the_inputs_is_refused_naming_the_inputs(officer_client, draft):
    response = add_case(officer_client, draft, "Fel region", INPUTS, "region,block1\nEpsilon,1\n")
    [error] = response.context["form"].errors["expected"]
    assert "Epsilon" in error and "Alfa, Beta, Gamma, Delta" in error


# --- 7. the simulation table ----------------------------------------------------------------


def test_kr_change_is_signed():
    assert kr_change(1500) == "+1\u00a0500\u00a0kr"
    assert kr_change(-1500) == "\u22121\u00a0500\u00a0kr"
    assert kr_change(0) == "0\u00a0kr"
    assert kr_change(None) == ""


def test_the_simulation_table_stacks_with_signed_differences_and_a_total(
    officer_client, draft, earlier
):
    source, run = earlier
    GrantRound.objects.filter(pk=draft.pk).update(model=MODEL_2022)
    response = officer_client.get(model_url(draft), {"source": source.slug})
    simulation = response.context["simulation"]
    assert simulation.difference == simulation.simulated_total - simulation.decided_total
    html = response.content.decode()
    table = re.search(r'<table class="[^"]*" id="simulation">.*?</table>', html, re.S).group(0)
    assert "table-stack" in table and "table-responsive" not in html
    cells = re.findall(r"<t[dh] (?![^>]*scope=\"col)[^>]*>", table)
    assert cells and all("data-label=" in cell for cell in cells), cells
    for row in simulation.rows:
        if row.difference:
            assert kr_change(row.difference) in table
            assert kr_change(row.difference)[0] in "+\u2212"
    footer = table[table.index("<tfoot>") :]
    assert f'data-label="Skillnad totalt">{kr_change(simulation.difference)}</td>' in footer


# --- 8. wording -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["blocks"][1].update(eligible="increase >= nothing"), "villkoret för att"),
        (lambda d: d["blocks"][0].update(share="1 / 0 + x"), "vikten"),
        (lambda d: d["blocks"][1].update(remainder="rat"), "vikten för det som blir över"),
        (lambda d: d["blocks"][1].update(amount="step(increase, 5)"), "beloppet"),
        (lambda d: d["blocks"][0].update(amount="1"), "andel av budgeten"),
    ],
)
def test_the_models_errors_are_plain_swedish(change, expected):
    document = copy.deepcopy(MODEL_2024)
    change(document)
    with pytest.raises(ModelError) as info:
        AllocationModel.from_json(document)
    message = str(info.value)
    assert expected in message and message.startswith("Block "), message
    assert "(Redovisa antal AT-tjänster)" in message or "(Ytterligare utökning)" in message
    for english in ("eligible", "share", "amount", "remainder", "over_budget", "blocks."):
        assert english not in message, message
    assert info.value.field.startswith("blocks.")  # the path stays, for code


def test_the_import_shows_the_message_without_the_document_path(officer_client, draft):
    document = copy.deepcopy(MODEL_2024)
    document["blocks"][1]["id"] = "block1"
    upload = io.BytesIO(json.dumps(document).encode())
    upload.name = "modell.json"
    response = officer_client.post(
        reverse("allocation:round_model_import", args=[draft.slug]), {"import-file": upload}
    )
    assert response.status_code == 400
    [error] = response.context["import_form"].errors["file"]
    assert "Block 2 (Ytterligare utökning)" in error and "blocks.1" not in error


def test_the_page_does_not_cite_rules_md(officer_client, draft):
    assert "RULES.md" not in officer_client.get(model_url(draft)).content.decode()


def test_one_passing_case_is_singular_and_several_plural(officer_client, draft):
    amounts = paid(MODEL_2024, INPUTS)
    response = add_case(officer_client, draft, "Ett", INPUTS, expected_csv(amounts))
    texts = [str(m) for m in response.wsgi_request._messages]
    assert "Kontrollfallet stämmer." in texts
    assert "Kontrollfallet stämmer." in officer_client.get(model_url(draft)).content.decode()
    add_case(officer_client, draft, "Två", INPUTS, expected_csv(amounts))
    response = add_case(officer_client, draft, "Tre", INPUTS, expected_csv(amounts))
    assert "Alla 3 kontrollfall stämmer." in [str(m) for m in response.wsgi_request._messages]
    assert "Alla 3 kontrollfall stämmer." in officer_client.get(model_url(draft)).content.decode()


def test_removing_a_case_asks_first(officer_client, draft):
    amounts = paid(MODEL_2024, INPUTS)
    add_case(officer_client, draft, "Fallet", INPUTS, expected_csv(amounts))
    case = ModelTestCase.objects.get()
    remove = reverse("allocation:model_case_remove", args=[draft.slug, case.pk])
    page = officer_client.get(model_url(draft)).content.decode()
    assert f'href="{remove}"' in page and f'action="{remove}"' not in page
    asked = officer_client.get(remove)
    assert asked.status_code == 200 and ModelTestCase.objects.exists()
    assert f'action="{remove}"' in asked.content.decode()
    assert officer_client.post(remove).status_code == 302
    assert not ModelTestCase.objects.exists()
