"""A round's model as data from the run to its decisions, reconsiderations and verification.

The model is RULES.md's "Illustration" (a 2022-like round): a national rate over all
participants, blocks ``good`` and ``growth`` for the regions at or above it, and ``improve``,
a staircase with a remainder, for those below it that grew by 10 posts or more.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from allocation.allocmodel import AllocationModel
from allocation.forms import ReconsiderForm
from allocation.models import AllocationRun, ChainLink, Decision, RunStatus
from allocation.reconsideration import Corrections, current_inputs, run_blocks
from allocation.services.decisions import decision_reconsider, decisions_issue
from allocation.snapshot import compute, compute_model, preview
from allocation.verify import verify_all
from regions.models import Region
from submissions.models import RoundStatus
from tests.allocation.factories import (  # noqa: F401 - eager_celery is a fixture
    eager_celery,
    issued,
    report_for,
    reported_round,
    run_done,
)
from tests.factories import GrantRoundFactory, RegionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

MODEL_2022 = {
    "format": 1,
    "name": "AT-tjänster 2022 (exempel)",
    "values": {
        "posts": "max(filled, started) - deducted",
        "rate": "posts * 100000 / population",
        "increase": "posts - planned",
    },
    "totals": {"national_rate": "sum(posts) * 100000 / sum(population)"},
    "blocks": [
        {
            "id": "good",
            "name": "Nivå 1",
            "budget": 124_000_000,
            "eligible": "rate >= national_rate",
            "share": "rate",
        },
        {
            "id": "growth",
            "name": "Nivå 2",
            "budget": 164_000_000,
            "eligible": "rate >= national_rate and increase > 0",
            "share": "increase",
        },
        {
            "id": "improve",
            "name": "Nivå 3",
            "budget": 84_000_000,
            "eligible": "rate < national_rate and increase >= 10",
            "amount": "step(increase, [[10, 5000000], [15, 8000000]])",
            "remainder": "posts",
        },
    ],
}
BLOCK_IDS = ["good", "growth", "improve"]


def _half_up(value: Fraction) -> int:
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


def _round_2022(**kwargs: object):
    """DEFAULT_REGIONS (Alfa 56 posts / 300 000, plan 50; Beta 90 / 450 000, plan 84-89;
    Gamma 21 / 150 000, plan 20) and Delta (115 / 1 000 000, plan 100): the national rate is
    282 * 100 000 / 1 900 000; Alfa and Beta are above it, Gamma and Delta below, and only
    Delta grew by 10 or more."""
    grant_round = reported_round(**{"model": MODEL_2022, **kwargs})
    delta = RegionFactory(code="24", short_name="Delta", name="Region Delta")
    report_for(
        grant_round, delta, filled=115, started=None, population=1_000_000, plan=("100",) * 3
    )
    return grant_round


@pytest.fixture
def decisions_2022(officer, django_capture_on_commit_callbacks):
    return issued(_round_2022(), officer, django_capture_on_commit_callbacks)


def _by_name(decisions: list[Decision]) -> dict[str, Decision]:
    return {d.region.short_name: d for d in decisions}


def test_a_three_block_model_runs_block_by_block(officer, django_capture_on_commit_callbacks):
    run = run_done(_round_2022(), officer, django_capture_on_commit_callbacks)

    assert run.status == RunStatus.DONE, run.error
    assert run.snapshot["format"] == 2 and "rules" not in run.snapshot
    assert run.snapshot["model"] == AllocationModel.from_json(MODEL_2022).to_json()
    result = run.result
    assert result["format"] == 2
    assert result["value_names"] == ["posts", "rate", "increase"]
    assert result["totals"] == {"national_rate": str(Fraction(282 * 100_000, 1_900_000))}
    assert [b["id"] for b in result["blocks"]] == BLOCK_IDS
    assert [(b["paid"], b["not_paid"]) for b in result["blocks"]] == [
        (124_000_000, 0),
        (164_000_000, 0),
        (84_000_000, 0),
    ]
    assert [b["eligible_count"] for b in result["blocks"]] == [2, 2, 1]
    rows = {r["name"]: r for r in result["regions"]}
    # good: shared by rate, Alfa 56/3 and Beta 20; growth: by increase, 6 and 3.5.
    alfa_good = _half_up(Fraction(124_000_000) * Fraction(56, 3) / (Fraction(56, 3) + 20))
    alfa_growth = _half_up(Fraction(164_000_000) * 6 / Fraction(19, 2))
    assert rows["Region Alfa"]["amounts"] == {
        "good": alfa_good,
        "growth": alfa_growth,
        "improve": 0,
    }
    assert rows["Region Beta"]["amounts"] == {
        "good": 124_000_000 - alfa_good,
        "growth": 164_000_000 - alfa_growth,
        "improve": 0,
    }
    assert rows["Region Gamma"]["total"] == 0
    delta = rows["Region Delta"]
    assert delta["amounts"] == {"good": 0, "growth": 0, "improve": 84_000_000}
    assert delta["blocks"]["improve"]["step"] == ["15", 8_000_000]
    assert delta["blocks"]["improve"]["remainder_exact"] == "76000000.000000"
    assert delta["values"]["increase"] == "15"
    assert result["total_paid"] == 372_000_000
    assert compute(run.snapshot) == result


def test_decisions_of_a_three_block_model_have_an_amount_per_block_and_verify(decisions_2022):
    run = AllocationRun.objects.get()
    rows = {r["region_id"]: r for r in run.result["regions"]}
    assert len(decisions_2022) == 4
    for decision in decisions_2022:
        decision.refresh_from_db()
        assert list(decision.amounts) == BLOCK_IDS
        assert decision.amounts == rows[decision.region_id]["amounts"]
        assert (decision.block1, decision.block2) == (None, None)
        assert decision.total == sum(decision.amounts.values())
        assert decision.block_amounts() == decision.amounts
        e = decision.explanation
        assert e["format"] == 2
        assert [b["id"] for b in e["blocks"]] == BLOCK_IDS
        assert list(e["cells"]) == BLOCK_IDS
        assert e["totals"] == run.result["totals"]
        assert e["amounts"] == decision.amounts and e["plan_text"]
    assert sum(d.total for d in decisions_2022) == 372_000_000
    report = verify_all()
    assert report.ok, report.problems
    assert (report.checked_runs, report.checked_decisions) == (1, 4)


def test_verify_compares_every_block_of_a_decision_with_its_run(decisions_2022):
    from tests.allocation.test_verify import _raw

    target = _by_name(decisions_2022)["Alfa"]
    amounts = {**target.amounts, "growth": target.amounts["growth"] + 1}
    _raw(
        "UPDATE allocation_decision SET amounts = %s, total = total + 1 WHERE id = %s",
        [__import__("json").dumps(amounts), target.pk],
        "allocation_decision",
    )
    problems = verify_all().problems
    assert any(target.reference in p and "growth" in p for p in problems), problems
    assert any(target.reference in p and "content hash" in p for p in problems)


def _legacy_snapshot(snapshot: dict) -> dict:
    """A format-2 snapshot of a 2024 round as the code before models were data stored it."""
    legacy = {k: v for k, v in copy.deepcopy(snapshot).items() if k != "model"}
    legacy["format"] = 1
    legacy["rules"] = {
        "block1": 63_000_000,
        "block2": 160_000_000,
        "staircase": [
            ["2", 3_000_000],
            ["3", 4_500_000],
            ["5", 7_500_000],
            ["7", 10_500_000],
            ["10", 20_000_000],
            ["15", 30_000_000],
        ],
    }
    return legacy


@pytest.fixture
def legacy_run(officer, django_capture_on_commit_callbacks, monkeypatch):
    """A 2024 round run by the code before models were data: a format-1 snapshot and the old
    result shape, in the hash chain."""
    from allocation.services import runs
    from allocation.snapshot import build_snapshot

    monkeypatch.setattr(
        runs, "build_snapshot", lambda *a, **kw: _legacy_snapshot(build_snapshot(*a, **kw))
    )
    run = run_done(reported_round(), officer, django_capture_on_commit_callbacks)
    monkeypatch.undo()
    assert run.status == RunStatus.DONE, run.error
    assert "format" not in run.result and "steps_scale" in run.result
    return run


def _old_decisions(run: AllocationRun, officer) -> list[Decision]:  # noqa: ANN001
    """Decisions as the code before models were data issued them: block1/block2, no amounts,
    the old explanation, chained."""
    from allocation.services import decisions as service

    now = dt.datetime(2024, 12, 2, 10, 0, tzinfo=dt.UTC)
    sources = {r["region_id"]: r for r in run.snapshot["regions"]}
    made = [
        Decision(
            round=run.round,
            region=Region.objects.get(pk=r["region_id"]),
            run=run,
            reference=f"AT2024-{r['code']}-B1",
            block1=r["block1"],
            block2=r["block2"],
            total=r["total"],
            explanation=service.explanation_of(
                run_number=run.number,
                run_result=run.result,
                result=r,
                source=sources[r["region_id"]],
            ),
            decided_at=now,
            decision_date=dt.date(2024, 12, 2),
            decided_by=officer,
        )
        for r in run.result["regions"]
    ]
    links = service._chain_decisions(made)
    Decision.objects.bulk_create(made)
    for link, decision in zip(links, made, strict=True):
        link.decision = decision
    ChainLink.objects.bulk_create(links)
    AllocationRun.objects.filter(pk=run.pk).update(issued_at=now)
    run.round.status = RoundStatus.DECIDED
    run.round.save(update_fields=["status"])
    return made


def test_a_run_and_decisions_made_before_models_were_data_still_verify(legacy_run, officer):
    stored = legacy_run.result
    assert compute(legacy_run.snapshot) == stored  # the old engine, the old shape, exactly
    old = _old_decisions(legacy_run, officer)
    assert all(d.amounts is None and d.block_amounts()["block1"] == d.block1 for d in old)
    report = verify_all()
    assert report.ok, report.problems
    assert (report.checked_runs, report.checked_decisions) == (1, 3)


def test_the_2024_model_as_data_gives_the_old_runs_amounts(legacy_run):
    legacy = legacy_run.result["regions"]
    modelled = compute_model(legacy_run.snapshot)["regions"]
    assert [r["amounts"] for r in modelled] == [
        {"block1": r["block1"], "block2": r["block2"]} for r in legacy
    ]


def test_a_run_made_before_is_issued_with_amounts_per_block(
    legacy_run, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = decisions_issue(run=legacy_run, by=officer, decision_date=dt.date(2024, 12, 2))
    rows = {r["region_id"]: r for r in legacy_run.result["regions"]}
    for decision in made:
        row = rows[decision.region_id]
        assert decision.amounts == {"block1": row["block1"], "block2": row["block2"]}
        assert decision.block1 is None and decision.total == row["total"]
    assert verify_all().ok


def test_an_old_decision_reconsidered_through_the_model_verifies(legacy_run, officer):
    old = _old_decisions(legacy_run, officer)[0]
    inputs = current_inputs(old)
    new = decision_reconsider(
        decision=old,
        by=officer,
        reason="Rättade tillsatta tjänster.",
        corrections=Corrections(
            plan_text=inputs.plan_text, filled=(inputs.filled or 0) + 4, started=inputs.started
        ),
        overrun_reason="Rättelse efter beslut.",
    )
    assert list(new.amounts) == ["block1", "block2"] and new.block1 is None
    assert new.total == sum(new.amounts.values()) > old.total
    assert new.explanation["previous_amounts"] == {"block1": old.block1, "block2": old.block2}
    report = verify_all()
    assert report.ok, report.problems


# --- a model that cannot be run ------------------------------------------------------------


def test_a_round_without_a_valid_model_cannot_be_run(officer, django_capture_on_commit_callbacks):
    bad = copy.deepcopy(MODEL_2022)
    bad["blocks"][1]["share"] = "increase *"
    grant_round = _round_2022()
    grant_round.model = bad
    grant_round.save(update_fields=["model"])
    with pytest.raises(ValidationError, match="fördelningsmodell"):
        run_done(grant_round, officer, django_capture_on_commit_callbacks)
    assert not AllocationRun.objects.exists()
    assert "fördelningsmodell" in preview(grant_round).error

    grant_round.model = {}
    grant_round.save(update_fields=["model"])
    with pytest.raises(ValidationError, match="ingen fördelningsmodell"):
        run_done(grant_round, officer, django_capture_on_commit_callbacks)


def test_a_model_that_fails_on_the_inputs_fails_the_run_cleanly(
    officer, django_capture_on_commit_callbacks
):
    failing = copy.deepcopy(MODEL_2022)
    failing["values"]["per_growth"] = "posts / (increase - increase)"
    grant_round = _round_2022(model=failing)
    assert not preview(grant_round).ok and preview(grant_round).error
    run = run_done(grant_round, officer, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.FAILED
    assert "increase - increase" in run.error or "noll" in run.error
    assert run.result is None and run.content_hash == ""
    assert not ChainLink.objects.exists()
    grant_round.refresh_from_db()
    assert grant_round.status == RoundStatus.CLOSED


# --- reconsideration per block ---------------------------------------------------------------


def test_corrections_rerun_the_runs_model_for_the_region(decisions_2022, officer):
    gamma = _by_name(decisions_2022)["Gamma"]
    inputs = current_inputs(gamma)
    # Gamma (plan 20) with 31 posts: rate 20 600/..., increase 11, still below the national
    # rate with the others unchanged? Its run is run again with only its inputs corrected.
    corrections = Corrections(plan_text=inputs.plan_text, filled=31, started=31)
    new = decision_reconsider(
        decision=gamma,
        by=officer,
        reason="Rättat antal tjänster.",
        corrections=corrections,
        overrun_reason="Rättelse efter beslut.",
    )
    snapshot = copy.deepcopy(gamma.run.snapshot)
    for source in snapshot["regions"]:
        if source["region_id"] == gamma.region_id:
            source.update(filled=31, started=31, override_reason="Rättat antal tjänster.")
    row = next(r for r in compute(snapshot)["regions"] if r["region_id"] == gamma.region_id)
    assert new.amounts == row["amounts"] and list(new.amounts) == BLOCK_IDS
    assert new.total == row["total"] > 0
    assert new.explanation["format"] == 2 and new.explanation["reconsideration_method"] == "engine"
    assert new.explanation["previous_amounts"] == gamma.amounts
    report = verify_all()
    assert report.ok, report.problems


def test_typed_amounts_are_one_per_block_of_the_runs_model(decisions_2022, officer):
    gamma = _by_name(decisions_2022)["Gamma"]
    with pytest.raises(ValidationError, match="Nivå 3"):
        decision_reconsider(
            decision=gamma, by=officer, reason="x", amounts={"good": 0, "growth": 0}
        )
    with pytest.raises(ValidationError, match="Nivå 1"):
        decision_reconsider(
            decision=gamma,
            by=officer,
            reason="x",
            amounts={"good": 124_000_001, "growth": 0, "improve": 0},
        )
    # Nothing is left of "improve": one krona more goes over its budget, named by the block.
    typed = {"good": 0, "growth": 0, "improve": 1}
    with pytest.raises(ValidationError, match="Nivå 3 blir totalt"):
        decision_reconsider(decision=gamma, by=officer, reason="Skönsmässigt", amounts=typed)
    assert gamma.in_force
    new = decision_reconsider(
        decision=gamma,
        by=officer,
        reason="Skönsmässigt",
        amounts=typed,
        overrun_reason="Beslutat av myndigheten.",
    )
    assert new.amounts == typed and new.total == 1
    assert new.explanation["reconsideration_method"] == "manual"
    assert new.explanation["computed_amounts"] == gamma.amounts
    assert new.explanation["budget_overrun"] == [
        {"block": "improve", "name": "Nivå 3", "budget": 84_000_000, "total": 84_000_001, "over": 1}
    ]
    assert verify_all().ok


def test_the_reconsider_form_has_an_amount_field_per_block(decisions_2022, officer, client, login):
    gamma = _by_name(decisions_2022)["Gamma"]
    blocks = run_blocks(gamma)
    assert [b.id for b in blocks] == BLOCK_IDS
    form = ReconsiderForm(blocks=blocks, grant_round=gamma.round, decided_by=officer)
    assert {"good", "growth", "improve"} <= set(form.fields)
    assert "block1" not in form.fields
    assert form.fields["improve"].max_value == 84_000_000
    assert str(form.fields["growth"].label).startswith("Nivå 2")

    login(client, officer)
    data = {
        "method": "manual",
        "good": "0",
        "growth": "5",
        "improve": "",
        "reason": "Skönsmässigt",
        "action": "issue",
        "presented_by": officer.pk,
    }
    url = reverse("allocation:decision_reconsider", args=[gamma.reference])
    response = client.post(url, data)
    assert response.status_code == 400
    assert gamma.in_force
    response = client.post(url, {**data, "improve": "0"})
    assert response.status_code == 400  # growth goes over its budget, named by the block
    assert "Nivå 2 blir totalt" in response.content.decode()
    confirmed = {"confirm_overrun": "on", "overrun_reason": "Beslutat av myndigheten."}
    response = client.post(url, {**data, "improve": "0", **confirmed})
    assert response.status_code == 302, response.context["form"].errors
    new = Decision.objects.get(replaces=gamma)
    assert new.amounts == {"good": 0, "growth": 5, "improve": 0}


# --- rounds get a model where they are created ------------------------------------------------


def test_the_factorys_budgets_and_staircase_build_the_2024_model_of_them():
    grant_round = GrantRoundFactory(
        block1_budget=1_000, block2_budget=2_000, staircase=[(3, 500), ("4.5", 900)]
    )
    model = AllocationModel.from_json(grant_round.model)
    assert [(b.id, b.budget) for b in model.blocks] == [("block1", 1_000), ("block2", 2_000)]
    assert model.block("block2").eligible == "increase >= 3"
    assert model.staircases("block2") == [[(Fraction(3), 500), (Fraction(9, 2), 900)]]
    assert grant_round.total_budget == 3_000
    # A round given a model keeps it: the budgets and staircase only build the default one.
    other = GrantRoundFactory(model=MODEL_2022)
    assert other.model == MODEL_2022


def test_the_admin_refuses_a_model_that_cannot_be_used():
    from django import forms

    from submissions.admin import GrantRoundForm

    form = GrantRoundForm()
    form.cleaned_data = {"model": {**MODEL_2022, "blocks": [{"id": "x", "budget": 1}]}}
    with pytest.raises(forms.ValidationError, match="Fördelningsmodellen kan inte användas"):
        form.clean_model()
    form.cleaned_data = {"model": MODEL_2022}
    assert form.clean_model() == MODEL_2022


def test_an_engine_reconsideration_made_before_models_were_data_still_verifies(legacy_run, officer):
    old = _old_decisions(legacy_run, officer)[0]
    source = next(r for r in legacy_run.snapshot["regions"] if r["region_id"] == old.region_id)
    corrected = copy.deepcopy(legacy_run.snapshot)
    for region in corrected["regions"]:
        if region["region_id"] == old.region_id:
            region["filled"] = source["filled"] + 4
    row = next(r for r in compute(corrected)["regions"] if r["region_id"] == old.region_id)
    # As the code before models were data wrote it: block1/block2, the old explanation.
    made = Decision(
        round=old.round,
        region=old.region,
        run=legacy_run,
        reference=old.reference.replace("-B1", "-B2"),
        block1=row["block1"],
        block2=row["block2"],
        total=row["total"],
        explanation={
            **old.explanation,
            "filled": source["filled"] + 4,
            "reconsideration_method": "engine",
            "previous_block1": old.block1,
            "previous_block2": old.block2,
            "previous_total": old.total,
        },
        decided_at=old.decided_at,
        decision_date=old.decision_date,
        decided_by=officer,
        replaces=old,
        reconsideration_reason="Rättat.",
    )
    from allocation.services.decisions import _chain_decisions

    (link,) = _chain_decisions([made])
    made.save()
    link.decision = made
    link.save()
    report = verify_all()
    assert report.ok, report.problems

    # Amounts its corrected inputs do not give are found.
    made.pk, made.reference = None, old.reference.replace("-B1", "-B9")
    made.block1, made.block2, made.total = row["block1"] + 1, row["block2"], row["total"] + 1
    made.replaces = Decision.objects.get(pk=link.decision_id)
    made._state.adding = True
    (link,) = _chain_decisions([made])
    made.save()
    link.decision = made
    link.save()
    problems = verify_all().problems
    assert any("-B9" in p and "corrected inputs give" in p for p in problems), problems


def test_the_public_list_of_a_three_block_model_is_recomputed_by_allocate_csv(
    decisions_2022, client, tmp_path
):
    """The list's machine files (its input and its model) give every decided block amount
    again through allocate_csv (RULES.md, `allocate_csv`)."""
    slug = decisions_2022[0].round.slug
    for name, file in (("public_list_input_csv", "input.csv"), ("public_list_rules", "m.json")):
        response = client.get(reverse(f"allocation_read:{name}", kwargs={"slug": slug}))
        assert response.status_code == 200
        (tmp_path / file).write_bytes(response.content)
    out = io.StringIO()
    call_command(
        "allocate_csv",
        str(tmp_path / "input.csv"),
        "--rules",
        str(tmp_path / "m.json"),
        stdout=out,
        stderr=io.StringIO(),
    )
    rows = {row["region"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}
    assert set(rows) == {d.region.name for d in decisions_2022}
    for decision in decisions_2022:
        row = rows[decision.region.name]
        assert {block: int(row[block]) for block in BLOCK_IDS} == decision.amounts
        assert int(row["total"]) == decision.total
