"""The officer's model page: editing a draft round's model through its forms (field errors,
nothing saved unless the whole model is valid), JSON export and import, who may do what."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import pytest
from django.urls import reverse

from allocation.allocmodel import AllocationModel
from audit.models import AuditEvent
from submissions.models import GrantRound, RoundStatus
from tests.allocation.test_allocmodel_2024 import RULES_MD_2024
from tests.factories import GrantRoundFactory

pytestmark = pytest.mark.django_db

# RULES.md's 2024 model, word for word (tests/allocation/test_allocmodel_2024.py pins it).
MODEL_2024: dict[str, Any] = RULES_MD_2024


def canonical(document: dict[str, Any]) -> dict[str, Any]:
    return AllocationModel.from_json(document).to_json()


def editor_data(document: dict[str, Any]) -> dict[str, str]:
    """The editor's POST for ``document``, as the page's forms send it (no extra rows)."""
    data = {"model-name": document["name"]}
    for section in ("values", "totals"):
        rows = list(document.get(section, {}).items())
        data[f"{section}-TOTAL_FORMS"] = str(len(rows))
        data[f"{section}-INITIAL_FORMS"] = str(len(rows))
        for i, (name, expression) in enumerate(rows):
            data[f"{section}-{i}-name"] = name
            data[f"{section}-{i}-expression"] = expression
            data[f"{section}-{i}-ORDER"] = str(i + 1)
    blocks = document["blocks"]
    data["blocks-TOTAL_FORMS"] = data["blocks-INITIAL_FORMS"] = str(len(blocks))
    for i, block in enumerate(blocks):
        kind = "amount" if "amount" in block else "share"
        fields = {
            "id": block["id"],
            "name": block["name"],
            "budget": str(block["budget"]),
            "eligible": block.get("eligible", ""),
            "kind": kind,
            "expression": block[kind],
            "over_budget": block.get("over_budget", "scale"),
            "remainder": block.get("remainder", ""),
            "ORDER": str(i + 1),
        }
        data.update({f"blocks-{i}-{key}": value for key, value in fields.items()})
    return data


@pytest.fixture
def draft():
    return GrantRoundFactory(draft=True, slug="at-2026", year=2026, model=copy.deepcopy(MODEL_2024))


@pytest.fixture
def officer_client(client, officer, login):
    login(client, officer)
    return client


def url(grant_round: GrantRound, name: str = "allocation:round_model") -> str:
    return reverse(name, args=[grant_round.slug])


def stored(grant_round: GrantRound) -> dict[str, Any]:
    grant_round.refresh_from_db()
    return grant_round.model


def post(client, grant_round, data):  # noqa: ANN001, ANN201
    return client.post(url(grant_round), data)


# --- showing and saving ----------------------------------------------------------------------


def test_the_editor_shows_the_rounds_model_in_its_forms(officer_client, draft):
    response = officer_client.get(url(draft))
    assert response.status_code == 200
    editor = response.context["editor"]
    assert [f.initial["name"] for f in editor.values.initial_forms] == ["posts", "rate", "increase"]
    block2 = editor.blocks.initial_forms[1]
    assert block2.initial["kind"] == "amount"
    assert block2.initial["expression"].startswith("step(increase")
    assert block2.initial["remainder"] == "rate"
    assert b'name="blocks-1-budget"' in response.content


def test_a_valid_change_is_saved_whole_and_audited(officer_client, officer, draft):
    document = copy.deepcopy(MODEL_2024)
    document["blocks"][0]["budget"] = 70_000_000
    document["values"]["rate"] = "posts * 100000 / population"
    response = post(officer_client, draft, editor_data(document))
    assert response.status_code == 302
    assert stored(draft) == canonical(document)
    event = AuditEvent.objects.get(action="allocation.model_changed")
    assert event.actor == officer and event.round_id == draft.pk
    assert json.loads(event.before["model"]) == MODEL_2024
    assert json.loads(event.after["model"])["blocks"][0]["budget"] == 70_000_000


def _errors_at(response, section: str, index: int, field: str) -> list[str]:  # noqa: ANN001
    editor = response.context["editor"]
    return getattr(editor, section).forms[index].errors.get(field, [])


@pytest.mark.parametrize(
    ("change", "section", "index", "field"),
    [
        (
            lambda d: d["values"].update(rate="posts * 100000 / populaton"),
            "values",
            1,
            "expression",
        ),
        (lambda d: d["values"].update(increase="posts - (planned"), "values", 2, "expression"),
        (
            lambda d: d["blocks"][1].update(amount="step(increase, [[3, 1], [2, 5]])"),
            "blocks",
            1,
            "expression",
        ),
        (lambda d: d["blocks"][1].update(eligible="increase >= nothing"), "blocks", 1, "eligible"),
        (lambda d: d["blocks"][0].update(share="sum(rate)"), "blocks", 0, "expression"),
        (lambda d: d["blocks"][1].update(remainder="rat"), "blocks", 1, "remainder"),
    ],
    ids=["unknown-name", "syntax", "bad-staircase", "eligible", "sum-outside-totals", "remainder"],
)
def test_an_invalid_model_is_not_saved_and_the_error_is_at_its_field(
    officer_client, draft, change, section, index, field
):
    document = copy.deepcopy(MODEL_2024)
    change(document)
    response = post(officer_client, draft, editor_data(document))
    assert response.status_code == 400
    assert _errors_at(response, section, index, field), response.context["editor"].model_errors
    assert stored(draft) == MODEL_2024
    assert not AuditEvent.objects.filter(action="allocation.model_changed").exists()


def test_an_error_in_a_total_is_at_the_totals_row(officer_client, draft):
    document = copy.deepcopy(MODEL_2024)
    document["totals"] = {"national_rate": "sum(posts) * 100000 / sum(populaton)"}
    response = post(officer_client, draft, editor_data(document))
    assert response.status_code == 400
    assert _errors_at(response, "totals", 0, "expression")
    assert stored(draft) == MODEL_2024


def test_a_value_that_uses_a_later_one_is_an_error_after_reordering(officer_client, draft):
    data = editor_data(MODEL_2024)
    data["values-1-ORDER"] = "0"  # rate before posts
    response = post(officer_client, draft, data)
    assert response.status_code == 400
    assert _errors_at(response, "values", 1, "expression")
    assert stored(draft) == MODEL_2024


def test_reordering_and_removing_rows_and_blocks_is_saved(officer_client, draft):
    data = editor_data(MODEL_2024)
    data["blocks-0-ORDER"], data["blocks-1-ORDER"] = "2", "1"
    data["values-2-DELETE"] = "on"
    data["blocks-1-eligible"] = "rate > 0"  # increase is gone
    data["blocks-1-expression"] = "1000"
    response = post(officer_client, draft, data)
    assert response.status_code == 302, response.context["editor"].model_errors
    model = stored(draft)
    assert list(model["values"]) == ["posts", "rate"]
    assert [b["id"] for b in model["blocks"]] == ["block2", "block1"]


def test_duplicate_names_and_block_ids_are_field_errors(officer_client, draft):
    data = editor_data(MODEL_2024)
    data["values-2-name"] = "posts"
    data["blocks-1-id"] = "block1"
    response = post(officer_client, draft, data)
    assert response.status_code == 400
    assert _errors_at(response, "values", 2, "name")
    assert _errors_at(response, "blocks", 1, "id")
    assert stored(draft) == MODEL_2024


def test_a_share_block_cannot_have_a_remainder_and_a_budget_is_whole_kronor(officer_client, draft):
    data = editor_data(MODEL_2024)
    data["blocks-0-remainder"] = "rate"
    data["blocks-1-budget"] = "12,5"
    response = post(officer_client, draft, data)
    assert response.status_code == 400
    assert _errors_at(response, "blocks", 0, "remainder")
    assert _errors_at(response, "blocks", 1, "budget")
    assert stored(draft) == MODEL_2024


def test_adding_a_row_shows_an_empty_one_and_saves_nothing(officer_client, draft):
    data = editor_data(MODEL_2024)
    data["values-0-expression"] = "posts posts"  # not checked while adding
    response = post(officer_client, draft, {**data, "add": "totals"})
    assert response.status_code == 200
    editor = response.context["editor"]
    assert len(editor.totals.forms) == 1
    assert b'name="totals-0-name"' in response.content
    assert stored(draft) == MODEL_2024


def test_an_empty_extra_row_is_ignored(officer_client, draft):
    data = editor_data(MODEL_2024)
    data["values-TOTAL_FORMS"] = "4"
    data["blocks-TOTAL_FORMS"] = "3"
    data["blocks-2-kind"], data["blocks-2-over_budget"] = "share", "scale"
    document = copy.deepcopy(MODEL_2024)
    document["name"] = "AT-tjänster 2026"
    data["model-name"] = document["name"]
    response = post(officer_client, draft, data)
    assert response.status_code == 302
    assert stored(draft) == canonical(document)


# --- export and import -------------------------------------------------------------------------


def _upload(content: bytes, name: str = "modell.json") -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def test_export_and_import_round_trip(officer_client, draft):
    response = officer_client.get(url(draft, "allocation:round_model_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    exported = json.loads(response.content)
    assert exported == canonical(MODEL_2024)
    other = GrantRoundFactory(draft=True, slug="at-2027", year=2027, model={})
    response = officer_client.post(
        url(other, "allocation:round_model_import"),
        {"import-file": _upload(response.content)},
    )
    assert response.status_code == 302
    assert stored(other) == exported
    assert AuditEvent.objects.filter(action="allocation.model_imported").count() == 1


def test_import_reads_the_2024_rules_file_too(officer_client, draft):
    rules = {"block1": 1000, "block2": 2000, "staircase": [[2, 100], [3, 150]]}
    response = officer_client.post(
        url(draft, "allocation:round_model_import"),
        {"import-file": _upload(json.dumps(rules).encode())},
    )
    assert response.status_code == 302
    assert [b["budget"] for b in stored(draft)["blocks"]] == [1000, 2000]


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        "ä".encode("latin-1"),
        json.dumps({**MODEL_2024, "format": 7}).encode(),
        json.dumps({**MODEL_2024, "values": {"rate": "posts * 2"}}).encode(),
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["syntax", "not-utf8", "format", "unknown-name", "deep"],
)
def test_an_invalid_import_is_refused_with_a_message_and_saves_nothing(
    officer_client, draft, content
):
    response = officer_client.post(
        url(draft, "allocation:round_model_import"), {"import-file": _upload(content)}
    )
    assert response.status_code == 400
    assert response.context["import_form"].errors["file"]
    assert stored(draft) == MODEL_2024


def test_an_import_over_the_size_limit_is_refused(officer_client, draft):
    content = json.dumps({**MODEL_2024, "name": "x" * (3 * 1024 * 1024)}).encode()
    response = officer_client.post(
        url(draft, "allocation:round_model_import"), {"import-file": _upload(content)}
    )
    assert response.status_code == 400
    assert "för stor" in " ".join(response.context["import_form"].errors["file"])
    assert stored(draft) == MODEL_2024


# --- rounds that are not drafts, and who may do what --------------------------------------------


@pytest.mark.parametrize("status", [RoundStatus.OPEN, RoundStatus.CLOSED, RoundStatus.DECIDED])
def test_a_round_that_is_not_a_draft_shows_its_model_and_refuses_changes(
    officer_client, draft, status
):
    GrantRound.objects.filter(pk=draft.pk).update(status=status)
    response = officer_client.get(url(draft))
    assert response.status_code == 200
    assert b'id="model-form"' not in response.content
    assert "Ytterligare utökning" in response.content.decode()
    document = copy.deepcopy(MODEL_2024)
    document["blocks"][0]["budget"] = 1
    assert post(officer_client, draft, editor_data(document)).status_code == 403
    response = officer_client.post(
        url(draft, "allocation:round_model_import"),
        {"import-file": _upload(json.dumps(document).encode())},
    )
    assert response.status_code == 403
    assert stored(draft) == MODEL_2024


def test_the_service_refuses_a_round_that_is_no_longer_a_draft(officer, draft):
    from django.core.exceptions import ValidationError

    from allocation.services.model import round_model_set

    GrantRound.objects.filter(pk=draft.pk).update(status=RoundStatus.OPEN)
    document = {**MODEL_2024, "name": "Ändrad"}
    with pytest.raises(ValidationError):
        round_model_set(
            grant_round=draft,
            model=AllocationModel.from_json(document),
            by=officer,
            imported=False,
        )
    assert stored(draft) == MODEL_2024


def _all_urls(grant_round: GrantRound) -> list[str]:
    return [
        url(grant_round),
        url(grant_round, "allocation:round_model_export"),
        url(grant_round, "allocation:round_model_import"),
        url(grant_round, "allocation:model_case_add"),
    ]


def test_anonymous_is_sent_to_login(client, draft):
    for address in _all_urls(draft):
        response = client.get(address)
        assert response.status_code == 302 and "login" in response["Location"], address
    assert client.post(url(draft), editor_data(MODEL_2024)).status_code == 302


@pytest.mark.parametrize("role", ["proxy", "colleague"])
def test_a_regions_people_get_404(client, login, draft, role, request):
    login(client, request.getfixturevalue(role))
    for address in _all_urls(draft):
        assert client.get(address).status_code == 404, address
        assert client.post(address).status_code == 404, address


def test_an_auditor_reads_the_model_and_cannot_change_it(client, login, auditor, draft):
    login(client, auditor)
    response = client.get(url(draft))
    assert response.status_code == 200
    assert b'id="model-form"' not in response.content
    assert client.get(url(draft, "allocation:round_model_export")).status_code == 200
    document = {**MODEL_2024, "name": "Revisorns"}
    assert client.post(url(draft), editor_data(document)).status_code == 403
    response = client.post(
        url(draft, "allocation:round_model_import"),
        {"import-file": _upload(json.dumps(document).encode())},
    )
    assert response.status_code == 403
    assert stored(draft) == MODEL_2024


def test_the_round_page_links_to_the_model(officer_client, draft):
    response = officer_client.get(reverse("allocation:round", args=[draft.slug]))
    assert url(draft).encode() in response.content


def test_a_name_the_engine_refuses_is_shown_at_the_name_not_the_expression(officer_client, draft):
    document = copy.deepcopy(MODEL_2024)
    document["totals"] = {"rate": "sum(posts)"}  # the name of a value
    response = post(officer_client, draft, editor_data(document))
    assert response.status_code == 400
    assert _errors_at(response, "totals", 0, "name")
    assert not _errors_at(response, "totals", 0, "expression")
    data = editor_data(MODEL_2024)
    data["values-2-name"] = "population"  # an input's name
    response = post(officer_client, draft, data)
    assert _errors_at(response, "values", 2, "name")
    assert stored(draft) == MODEL_2024


def test_an_error_without_a_field_of_its_own_is_shown_at_the_top(officer_client, draft):
    data = editor_data(MODEL_2024)
    data["blocks-0-DELETE"] = data["blocks-1-DELETE"] = "on"  # no block left
    response = post(officer_client, draft, data)
    assert response.status_code == 400
    editor = response.context["editor"]
    [error] = editor.blocks.non_form_errors()
    assert error in response.content.decode()
    assert stored(draft) == MODEL_2024
