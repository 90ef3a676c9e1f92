"""Test cases (kontrollfall) of a round's model: written by officers as CSV, run on every
change of the model or the cases, model_problems and copy_test_cases; the simulation on an
earlier round's inputs; a 2022-like three-level model built through the forms."""

from __future__ import annotations

import copy
from fractions import Fraction

import pytest
from django.urls import reverse

from allocation import engine
from allocation.allocmodel import AllocationModel, allocate
from allocation.model_cases import CaseTextError, parse_expected, parse_inputs
from allocation.model_checks import copy_test_cases, model_problems
from allocation.models import ModelTestCase
from allocation.snapshot import region_inputs
from audit.models import AuditEvent
from submissions.models import GrantRound, RoundStatus
from tests.allocation.factories import (  # noqa: F401 - eager_celery is a fixture
    eager_celery,
    reported_round,
    run_done,
)
from tests.allocation.test_model_editor import MODEL_2024, editor_data, stored
from tests.factories import GrantRoundFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

INPUTS = """region,population,planned,filled,started,deducted
Alfa,100000,10,30,,0
Beta,100000,5,10,,0
Gamma,200000,10,20,18,0
Delta,100000,25,20,,0
"""

# RULES.md "Illustration": a 2022-like model.
MODEL_2022 = {
    "format": 1,
    "name": "AT-tjänster 2022 (tre nivåer)",
    "values": {
        "posts": "max(filled, started) - deducted",
        "rate": "posts * 100000 / population",
        "increase": "posts - planned",
    },
    "totals": {"national_rate": "sum(posts) * 100000 / sum(population)"},
    "blocks": [
        {
            "id": "good",
            "name": "Nivå 1: minst rikssnittet",
            "budget": 124_000_000,
            "eligible": "rate >= national_rate",
            "share": "rate",
        },
        {
            "id": "growth",
            "name": "Nivå 2: ökning",
            "budget": 164_000_000,
            "eligible": "rate >= national_rate and increase > 0",
            "share": "increase",
        },
        {
            "id": "improve",
            "name": "Nivå 3: trappa",
            "budget": 84_000_000,
            "eligible": "rate < national_rate and increase >= 10",
            "amount": "step(increase, [[10, 20000000], [15, 30000000]])",
            "over_budget": "scale",
            "remainder": "posts",
        },
    ],
}
# By hand: national rate = 80 * 100000 / 500000 = 16. Alfa (rate 30) and Delta (20) are at
# or above it: "good" shares 124 000 000 by rate 30:20; only Alfa grew (+20), "growth" is
# all Alfa's; below it only Gamma grew by 10: 20 000 000 from the staircase and the rest of
# "improve" (64 000 000) by posts, Gamma's alone.
EXPECTED_2022 = """region,good,growth,improve,total
Alfa,74400000,164000000,0,238400000
Beta,0,0,0,0
Gamma,0,0,84000000,84000000
Delta,49600000,0,0,49600000
"""


@pytest.fixture
def draft():
    return GrantRoundFactory(draft=True, slug="at-2026", year=2026, model=copy.deepcopy(MODEL_2024))


@pytest.fixture
def officer_client(client, officer, login):
    login(client, officer)
    return client


def model_url(grant_round: GrantRound) -> str:
    return reverse("allocation:round_model", args=[grant_round.slug])


def add_case(client, grant_round, name, inputs, expected):  # noqa: ANN001, ANN201
    return client.post(
        reverse("allocation:model_case_add", args=[grant_round.slug]),
        {"name": name, "inputs": inputs, "expected": expected},
    )


def paid(model: dict, inputs: str) -> dict[str, dict[str, int]]:
    regions = [
        engine.RegionInput(
            name=row["region"],
            population=row["population"],
            planned_low=Fraction(row["planned"]),
            planned_high=Fraction(row["planned"]),
            filled=row["filled"],
            started=row["started"],
            deducted=row["deducted"],
        )
        for row in parse_inputs(inputs)
    ]
    result = allocate(AllocationModel.from_json(model), regions)
    return {r.name: {b: cell.paid for b, cell in r.blocks.items()} for r in result.regions}


def expected_csv(amounts: dict[str, dict[str, int]], change: int = 0) -> str:
    blocks = list(next(iter(amounts.values())))
    lines = ["region," + ",".join(blocks)]
    for i, (region, row) in enumerate(amounts.items()):
        cells = [str(row[b] + (change if i == 0 and j == 0 else 0)) for j, b in enumerate(blocks)]
        lines.append(region + "," + ",".join(cells))
    return "\n".join(lines) + "\n"


# --- the CSV text --------------------------------------------------------------------------------


def test_inputs_are_read_as_allocate_csv_reads_them():
    rows = parse_inputs("region,population,planned,filled,started\nAlfa,1000,84-89,5,\n")
    assert rows == [
        {
            "region": "Alfa",
            "population": 1000,
            "planned": "84-89",
            "filled": 5,
            "started": None,
            "deducted": 0,
        }
    ]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("region,population\nAlfa,1\n", "Rubrikraden"),
        ("region,population,planned,filled,started\nAlfa,0,5,1,1\n", "Rad 2"),
        ("region,population,planned,filled,started\nAlfa,10,fem,1,1\n", "fem"),
        ("region,population,planned,filled,started\nAlfa,10,5,,\n", "filled eller started"),
        ("region,population,planned,filled,started,deducted\nAlfa,10,5,1,1,3\n", "avräkningen"),
        ("region,population,planned,filled,started\nAlfa,10,5,1,1\nAlfa,10,5,1,1\n", "Rad 3"),
        ("region,population,planned,filled,started\n", "minst en region"),
    ],
)
def test_bad_inputs_are_refused_naming_the_line(text, fragment):
    with pytest.raises(CaseTextError) as error:
        parse_inputs(text)
    assert fragment in str(error.value)


def test_expected_amounts_are_whole_kronor_per_region_and_block():
    assert parse_expected("region,block1,total\nAlfa,10,\nBeta,0,5\n") == {
        "Alfa": {"block1": 10},
        "Beta": {"block1": 0, "total": 5},
    }
    for bad in ("region,block1\nAlfa,1.5\n", "region,block1\nAlfa,-1\n", "block1\n1\n"):
        with pytest.raises(CaseTextError):
            parse_expected(bad)


# --- cases on the page -------------------------------------------------------------------------


def test_a_case_that_matches_the_model_passes_and_one_that_does_not_fails(officer_client, draft):
    amounts = paid(MODEL_2024, INPUTS)
    response = add_case(officer_client, draft, "Rätt", INPUTS, expected_csv(amounts))
    assert response.status_code == 302
    response = add_case(officer_client, draft, "Fel", INPUTS, expected_csv(amounts, change=1))
    assert response.status_code == 302
    page = officer_client.get(model_url(draft))
    outcomes = {outcome.name: outcome for outcome, _case in page.context["outcomes"]}
    assert outcomes["Rätt"].passed
    assert not outcomes["Fel"].passed
    [difference] = outcomes["Fel"].differences
    first = next(iter(amounts))
    assert (difference.region, difference.expected, difference.actual) == (
        first,
        amounts[first]["block1"] + 1,
        amounts[first]["block1"],
    )
    assert page.context["failed"] == 1
    [problem] = model_problems(draft)
    assert "Fel" in problem and first in problem
    assert AuditEvent.objects.filter(action="allocation.test_case_saved").count() == 2


def test_a_model_change_runs_the_cases_again(officer_client, draft):
    amounts = paid(MODEL_2024, INPUTS)
    add_case(officer_client, draft, "Rätt", INPUTS, expected_csv(amounts))
    assert model_problems(draft) == []
    document = copy.deepcopy(MODEL_2024)
    document["blocks"][0]["budget"] = 60_000_000
    response = officer_client.post(model_url(draft), editor_data(document), follow=True)
    assert response.status_code == 200
    assert "Kontrollfallet Rätt stämmer inte" in response.content.decode()
    draft.refresh_from_db()
    assert model_problems(draft) and "Rätt" in model_problems(draft)[0]


def test_a_case_with_bad_text_is_refused_at_its_field_and_not_saved(officer_client, draft):
    response = add_case(
        officer_client,
        draft,
        "Fel",
        "region,population,planned,filled,started\nAlfa,x,5,1,1\n",
        "region,block1\nOkänd,5\n",
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "Rad 2" in " ".join(form.errors["inputs"])
    assert not ModelTestCase.objects.exists()
    response = add_case(officer_client, draft, "Fel", INPUTS, "region,block1\nOkänd,5\n")
    assert response.status_code == 400
    assert "Okänd" in " ".join(response.context["form"].errors["expected"])
    assert not ModelTestCase.objects.exists()


def test_a_case_can_be_changed_and_removed(officer_client, draft):
    amounts = paid(MODEL_2024, INPUTS)
    add_case(officer_client, draft, "Fallet", INPUTS, expected_csv(amounts, change=5))
    case = ModelTestCase.objects.get()
    edit = reverse("allocation:model_case", args=[draft.slug, case.pk])
    response = officer_client.get(edit)
    assert response.status_code == 200
    assert "Alfa,100000,10,30,,0" in response.context["form"].initial["inputs"]
    response = officer_client.post(
        edit, {"name": "Fallet", "inputs": INPUTS, "expected": expected_csv(amounts)}
    )
    assert response.status_code == 302
    assert model_problems(draft) == []
    remove = reverse("allocation:model_case_remove", args=[draft.slug, case.pk])
    assert officer_client.post(remove).status_code == 302
    assert not ModelTestCase.objects.exists()
    assert AuditEvent.objects.filter(action="allocation.test_case_removed").count() == 1


def test_two_cases_cannot_share_a_name(officer_client, draft):
    amounts = paid(MODEL_2024, INPUTS)
    add_case(officer_client, draft, "Fallet", INPUTS, expected_csv(amounts))
    response = add_case(officer_client, draft, "Fallet", INPUTS, expected_csv(amounts))
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert ModelTestCase.objects.count() == 1


def test_cases_of_a_round_that_is_not_a_draft_cannot_change(client, login, officer, auditor, draft):
    amounts = paid(MODEL_2024, INPUTS)
    login(client, officer)
    add_case(client, draft, "Fallet", INPUTS, expected_csv(amounts))
    case = ModelTestCase.objects.get()
    GrantRound.objects.filter(pk=draft.pk).update(status=RoundStatus.OPEN)
    assert add_case(client, draft, "Nytt", INPUTS, expected_csv(amounts)).status_code == 403
    remove = reverse("allocation:model_case_remove", args=[draft.slug, case.pk])
    assert client.post(remove).status_code == 403
    GrantRound.objects.filter(pk=draft.pk).update(status=RoundStatus.DRAFT)
    login(client, auditor)
    assert (
        client.get(reverse("allocation:model_case", args=[draft.slug, case.pk])).status_code == 200
    )
    assert client.post(remove).status_code == 403
    assert ModelTestCase.objects.count() == 1


# --- model_problems and copy_test_cases ---------------------------------------------------------


def test_model_problems_names_an_invalid_model(draft):
    GrantRound.objects.filter(pk=draft.pk).update(model={**MODEL_2024, "format": 9})
    draft.refresh_from_db()
    [problem] = model_problems(draft)
    assert problem.startswith("Fördelningsmodellen är inte giltig")


def test_model_problems_is_empty_for_a_valid_model_without_cases(draft):
    assert model_problems(draft) == []


def test_a_case_whose_inputs_the_model_cannot_run_is_a_problem(officer, draft):
    GrantRound.objects.filter(pk=draft.pk).update(
        model={
            **MODEL_2024,
            "values": {
                **MODEL_2024["values"],
                "rate": "posts * 100000 / (population - population)",
            },
        }
    )
    draft.refresh_from_db()
    ModelTestCase.objects.create(
        round=draft, name="Noll", inputs=parse_inputs(INPUTS), expected={}, updated_by=officer
    )
    [problem] = model_problems(draft)
    assert "Noll" in problem


def test_copy_test_cases_copies_each_once(officer, draft):
    for name in ("Ett", "Två"):
        ModelTestCase.objects.create(
            round=draft, name=name, inputs=parse_inputs(INPUTS), expected={}, updated_by=officer
        )
    target = GrantRoundFactory(draft=True, slug="at-2027", year=2027, model=MODEL_2024)
    assert copy_test_cases(draft, target) == 2
    assert copy_test_cases(draft, target) == 0
    copies = ModelTestCase.objects.filter(round=target).order_by("name")
    assert [c.name for c in copies] == ["Ett", "Två"]
    assert copies[0].inputs == parse_inputs(INPUTS)
    assert ModelTestCase.objects.filter(round=draft).count() == 2


# --- simulation -------------------------------------------------------------------------------


def decided_amounts(row: dict) -> dict[str, int]:
    """A run's result row per block: format 2's amounts, or the old block1/block2."""
    return row.get("amounts") or {"block1": row["block1"], "block2": row["block2"]}


@pytest.fixture
def earlier(officer, django_capture_on_commit_callbacks):
    grant_round = reported_round(status=RoundStatus.CLOSED, model=copy.deepcopy(MODEL_2024))
    run = run_done(grant_round, officer, django_capture_on_commit_callbacks)
    assert run.is_done
    return grant_round, run


def test_simulation_of_the_same_model_gives_what_was_decided(officer_client, draft, earlier):
    source, run = earlier
    response = officer_client.get(model_url(draft), {"source": source.slug})
    assert response.status_code == 200
    simulation = response.context["simulation"]
    assert simulation.run == run
    for row in simulation.rows:
        decided = next(r for r in run.result["regions"] if r["name"] == row.name)
        assert row.simulated == list(decided_amounts(decided).values())
        assert row.simulated_total == decided["total"] and row.difference == 0
    assert simulation.simulated_total == simulation.decided_total == run.result["total_paid"]


def test_simulation_of_another_model_gives_what_allocate_gives(officer_client, draft, earlier):
    source, run = earlier
    GrantRound.objects.filter(pk=draft.pk).update(model=MODEL_2022)
    response = officer_client.get(model_url(draft), {"source": source.slug})
    simulation = response.context["simulation"]
    expected = allocate(AllocationModel.from_json(MODEL_2022), region_inputs(run.snapshot))
    assert [b for b, _name in simulation.blocks] == ["good", "growth", "improve"]
    assert [row.name for row in simulation.rows] == [r.name for r in expected.regions]
    for row, outcome in zip(simulation.rows, expected.regions, strict=True):
        assert row.simulated == [cell.paid for cell in outcome.blocks.values()]
        decided = next(r for r in run.result["regions"] if r["name"] == row.name)
        assert row.decided == list(decided_amounts(decided).values())
        assert row.difference == outcome.total - decided["total"]
    assert "Nivå 3: trappa" in response.content.decode()
    assert stored(draft) == MODEL_2022  # nothing written


def test_simulation_lists_only_other_rounds_with_a_finished_run(officer_client, draft, earlier):
    GrantRoundFactory(slug="utan-korning", status=RoundStatus.CLOSED)
    form = officer_client.get(model_url(draft)).context["simulation_form"]
    assert [r.slug for r in form.fields["source"].queryset] == [earlier[0].slug]
    response = officer_client.get(model_url(draft), {"source": "utan-korning"})
    assert response.context["simulation"] is None
    assert response.context["simulation_form"].errors["source"]


# --- the 2022-like model, built through the forms -------------------------------------------------


def test_a_2022_like_three_level_model_built_through_the_forms(officer_client):
    grant_round = GrantRoundFactory(draft=True, slug="tre-nivaer", year=2026, model={})
    page = officer_client.get(model_url(grant_round))
    assert page.status_code == 200
    # Start from the empty editor, adding the rows and blocks one by one as the officer does.
    data = {
        "model-name": MODEL_2022["name"],
        "values-TOTAL_FORMS": "1",
        "values-INITIAL_FORMS": "0",
        "totals-TOTAL_FORMS": "1",
        "totals-INITIAL_FORMS": "0",
        "blocks-TOTAL_FORMS": "1",
        "blocks-INITIAL_FORMS": "0",
    }
    for _ in range(2):
        response = officer_client.post(model_url(grant_round), {**data, "add": "values"})
        data["values-TOTAL_FORMS"] = str(len(response.context["editor"].values.forms))
    for _ in range(2):
        response = officer_client.post(model_url(grant_round), {**data, "add": "blocks"})
        data["blocks-TOTAL_FORMS"] = str(len(response.context["editor"].blocks.forms))
    assert (data["values-TOTAL_FORMS"], data["blocks-TOTAL_FORMS"]) == ("3", "3")
    filled = editor_data(MODEL_2022)
    for key in ("values", "totals", "blocks"):
        filled[f"{key}-INITIAL_FORMS"] = "0"
    response = officer_client.post(model_url(grant_round), filled)
    assert response.status_code == 302, response.context["editor"].model_errors
    assert stored(grant_round) == AllocationModel.from_json(MODEL_2022).to_json()
    response = add_case(officer_client, grant_round, "Fyra regioner", INPUTS, EXPECTED_2022)
    assert response.status_code == 302
    page = officer_client.get(model_url(grant_round))
    [(outcome, _case)] = page.context["outcomes"]
    assert outcome.passed, (outcome.error, outcome.differences)
    assert model_problems(grant_round) == []


def test_the_model_page_query_count(client, login, officer, draft, django_assert_num_queries):
    from tests.queries import LOGGED_IN

    amounts = paid(MODEL_2024, INPUTS)
    for name in ("Ett", "Två", "Tre"):
        ModelTestCase.objects.create(
            round=draft,
            name=name,
            inputs=parse_inputs(INPUTS),
            expected=parse_expected(expected_csv(amounts)),
            updated_by=officer,
        )
    login(client, officer)
    client.get(model_url(draft))  # warm the caches of the login session
    # LOGGED_IN, then 1 the round, 2 its test cases (all three run), 3 the earlier rounds to
    # simulate on.
    with django_assert_num_queries(LOGGED_IN + 3):
        response = client.get(model_url(draft))
    assert response.status_code == 200
    assert response.content.decode().count("case-passed") == 3
