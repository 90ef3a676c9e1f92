"""Reconsideration through the round's rules: corrected inputs, the budget, what is published."""

from __future__ import annotations

import csv
import html
import io
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from allocation import engine
from allocation.explain import explain_for
from allocation.letters import decision_letter_html
from allocation.models import Decision
from allocation.reconsideration import Corrections, current_inputs
from allocation.selectors import decisions_in_force
from allocation.services.decisions import decision_reconsider
from allocation.snapshot import region_inputs
from allocation.views_read.public import public_table
from atgrant.templatetags.atgrant_format import kr
from tests.allocation.factories import (  # noqa: F401 - eager_celery is a fixture
    eager_celery,
    issued,
    reported_round,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

REASON = "Regionen hade räknat fel på tillsatta tjänster."


@pytest.fixture
def decided(officer, region, django_capture_on_commit_callbacks):
    grant_round = reported_round(regions=[region])
    decisions = issued(grant_round, officer, django_capture_on_commit_callbacks)
    return grant_round, next(d for d in decisions if d.region == region)


RULES_2024 = engine.Rules(
    block1=63_000_000,
    block2=160_000_000,
    staircase=tuple(
        engine.Step(Fraction(t), p)
        for t, p in [
            (2, 3_000_000),
            (3, 4_500_000),
            (5, 7_500_000),
            (7, 10_500_000),
            (10, 20_000_000),
            (15, 30_000_000),
        ]
    ),
)


def _engine_gives(decision: Decision, name: str, **changes: object) -> engine.RegionResult:
    """What the 2024 engine itself gives the region with `changes` to its run inputs."""
    rules, inputs = RULES_2024, region_inputs(decision.run.snapshot)
    inputs = [engine.RegionInput(**{**vars(r), **changes}) if r.name == name else r for r in inputs]
    return engine.allocate(rules, inputs).by_name()[name]


def _more_posts(decision: Decision, filled: int) -> Corrections:
    inputs = current_inputs(decision)
    return Corrections(
        plan_text=inputs.plan_text, filled=filled, started=inputs.started, deducted=0
    )


def _budget(grant_round, block_id: str) -> int:
    """A block's budget in the round's model (kronor)."""
    return next(b["budget"] for b in grant_round.model_blocks if b["id"] == block_id)


def _block_totals(grant_round) -> dict[str, int]:
    in_force = list(decisions_in_force(grant_round=grant_round))
    return {
        "block1": sum(d.block_amounts()["block1"] for d in in_force),
        "block2": sum(d.block_amounts()["block2"] for d in in_force),
        "total": sum(d.total for d in in_force),
    }


def test_corrected_inputs_are_run_through_the_rules_and_others_stay(decided, officer):
    grant_round, original = decided
    others_before = {
        d.region_id: d.total
        for d in decisions_in_force(grant_round=grant_round)
        if d.pk != original.pk
    }
    # Fewer posts than reported: the region's shares shrink, no block goes over budget.
    new = decision_reconsider(
        decision=original, by=officer, reason=REASON, corrections=_more_posts(original, 51)
    )

    expected = _engine_gives(original, original.region.name, filled=51, started=50)
    assert (new.block_amounts()["block1"], new.block_amounts()["block2"]) == (
        expected.block1,
        expected.block2,
    )
    assert new.total == new.block_amounts()["block1"] + new.block_amounts()["block2"]
    assert new.replaces == original
    others_after = {
        d.region_id: d.total for d in decisions_in_force(grant_round=grant_round) if d.pk != new.pk
    }
    assert others_after == others_before
    totals = _block_totals(grant_round)
    assert totals["block1"] <= _budget(grant_round, "block1")
    assert totals["block2"] <= _budget(grant_round, "block2")
    assert new.explanation["filled"] == 51
    assert new.explanation["override_reason"] == REASON
    assert new.explanation["reconsideration_method"] == "engine"
    assert new.explanation["corrections"] == [{"field": "filled", "before": 52, "after": 51}]
    assert new.explanation["budget_overrun"] == []


def test_the_explanation_and_letter_agree_with_the_new_amounts(decided, officer):
    _, original = decided
    new = decision_reconsider(
        decision=original,
        by=officer,
        reason=REASON,
        corrections=_more_posts(original, 62),
        overrun_reason="Myndighetens fel.",
    )
    items = {item.key: item.text for item in explain_for(new)}
    assert kr(new.block_amounts()["block1"]) in items["block:block1"]
    assert kr(new.block_amounts()["block2"]) in items["block:block2"]
    assert kr(original.total) in items["reconsidered"]  # the amounts it replaces
    assert "52 → 62" in items["reconsidered"]
    assert kr(original.block_amounts()["block1"]) not in items["block:block1"]
    assert kr(original.block_amounts()["block2"]) not in items["block:block2"]
    letter = html.unescape(decision_letter_html(new))  # expressions hold ">="
    for item in items.values():
        assert item in letter


def test_a_budget_overrun_must_be_confirmed_with_a_reason(decided, officer):
    grant_round, original = decided
    # More posts: a larger rate and a higher step, while every other region keeps its amount.
    corrections = _more_posts(original, 62)
    with pytest.raises(ValidationError, match="över budgeten"):
        decision_reconsider(decision=original, by=officer, reason=REASON, corrections=corrections)
    assert original.in_force
    assert Decision.objects.filter(replaces=original).count() == 0

    new = decision_reconsider(
        decision=original,
        by=officer,
        reason=REASON,
        corrections=corrections,
        overrun_reason="Felet var myndighetens; regionen ska inte bära det.",
    )
    totals = _block_totals(grant_round)
    assert totals["block2"] > _budget(grant_round, "block2")
    over = {o["block"]: o for o in new.explanation["budget_overrun"]}
    assert over["block2"]["total"] == totals["block2"]
    assert over["block2"]["over"] == totals["block2"] - _budget(grant_round, "block2")
    assert "budget överskrids" in explain_for(new)[-2].text


def test_typed_amounts_stay_possible_within_the_block_budgets(decided, officer):
    grant_round, original = decided
    with pytest.raises(ValidationError, match="mellan 0 och"):
        decision_reconsider(
            decision=original,
            by=officer,
            reason="x",
            amounts={"block1": _budget(grant_round, "block1") + 1, "block2": 0},
        )
    with pytest.raises(ValidationError):
        decision_reconsider(
            decision=original, by=officer, reason="x", amounts={"block1": -1, "block2": 0}
        )
    new = decision_reconsider(
        decision=original,
        by=officer,
        reason="Beslutat belopp",
        amounts={"block1": 1_000, "block2": 0},
    )
    items = {item.key: item.text for item in explain_for(new)}
    # The computation is the replaced decision's, and says so; the new amounts are stated once.
    assert kr(original.block_amounts()["block1"]) in items["block:block1"]
    assert (
        kr(1_000) in items["reconsidered"]
        and kr(original.block_amounts()["block1"]) in items["reconsidered"]
    )
    assert kr(1_000) in items["total"]


@pytest.mark.parametrize(
    ("corrections", "message"),
    [
        (Corrections(plan_text="femtio", filled=52, started=50), "kan inte läsas"),
        (Corrections(plan_text="50", filled=None, started=None), "tillsatta eller påbörjade"),
        (Corrections(plan_text="50", filled=5, started=None, deducted=6), "Avräkningen"),
    ],
)
def test_inputs_that_cannot_be_run_are_refused_with_a_message(
    decided, officer, corrections, message
):
    _, original = decided
    with pytest.raises(ValidationError, match=message):
        decision_reconsider(decision=original, by=officer, reason=REASON, corrections=corrections)
    assert original.in_force


def test_a_second_reconsideration_starts_from_the_corrected_inputs(decided, officer):
    _, original = decided
    first = decision_reconsider(
        decision=original, by=officer, reason=REASON, corrections=_more_posts(original, 51)
    )
    assert current_inputs(first).filled == 51
    second = decision_reconsider(
        decision=first,
        by=officer,
        reason="Planen var fel.",
        corrections=Corrections(plan_text="48-50", filled=51, started=50),
    )
    assert second.explanation["corrections"] == [
        {"field": "plan_text", "before": "50", "after": "48-50"}
    ]
    assert second.explanation["override_reason"] == REASON  # the first correction's reason
    expected = _engine_gives(
        original, original.region.name, filled=51, started=50, planned_low=48, planned_high=50
    )
    assert (second.amounts["block1"], second.amounts["block2"]) == (
        expected.block1,
        expected.block2,
    )


# --- what is published ------------------------------------------------------------------------


def test_the_public_list_its_index_and_the_exports_agree_after_a_reconsideration(
    decided, officer, client
):
    grant_round, original = decided
    new = decision_reconsider(
        decision=original,
        by=officer,
        reason=REASON,
        corrections=_more_posts(original, 62),
        overrun_reason="Myndighetens fel.",
    )
    totals = _block_totals(grant_round)
    table = public_table(grant_round)
    assert table.totals["total"] == totals["total"]

    index = client.get(reverse("allocation_read:public_lists")).content.decode()
    assert kr(totals["total"]) in index
    page = client.get(reverse("allocation_read:public_list", args=[grant_round.slug]))
    page = page.content.decode()
    assert kr(totals["total"]) in page
    assert kr(totals["block2"]) in page and 'data-over-budget="block2"' in page
    assert f"beslut {new.reference} ersätter beslut {original.reference}" in page

    rows = _people_csv(client, grant_round)
    regions = [row for row in rows if row["Region"] != "Summa"]
    assert sum(int(row["Totalt (kr)"]) for row in regions) == totals["total"]
    assert int(next(r for r in rows if r["Region"] == "Summa")["Totalt (kr)"]) == totals["total"]
    marked = {row["Region"]: row["Ersätter beslut"] for row in regions if row["Ersätter beslut"]}
    assert marked == {"Region Blekinge": original.reference}
    blekinge = next(r for r in regions if r["Region"] == "Region Blekinge")
    assert blekinge["Beslut"] == new.reference and blekinge["Tillsatta AT-tjänster"] == "62"


def _people_csv(client, grant_round) -> list[dict[str, str]]:  # noqa: ANN001
    """The public list's CSV for people (Excel in Sweden: BOM, ';')."""
    body = client.get(reverse("allocation_read:public_list_csv", args=[grant_round.slug]))
    text = body.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_typed_amounts_leave_no_stale_step_or_remainder_in_the_exports(decided, officer, client):
    grant_round, original = decided
    decision_reconsider(
        decision=original, by=officer, reason="x", amounts={"block1": 1_000, "block2": 2_000}
    )
    row = next(r for r in _people_csv(client, grant_round) if r["Region"] == "Region Blekinge")
    # A column per block of the run's model: no step or remainder column to go stale.
    assert (
        row["Redovisa antal AT-tjänster (kr)"],
        row["Ytterligare utökning (kr)"],
        row["Totalt (kr)"],
    ) == ("1000", "2000", "3000")
    assert "Steg i prestationstrappan (kr)" not in row and "Restbelopp (kr)" not in row


# --- the officer's page -----------------------------------------------------------------------


def _post(client, decision, **data):  # noqa: ANN001, ANN202, ANN003
    url = reverse("allocation:decision_reconsider", args=[decision.reference])
    return client.post(url, data)


def _engine_data(decision: Decision, filled: int, **extra: str) -> dict[str, object]:
    inputs = current_inputs(decision)
    return {
        "method": "engine",
        "plan_text": inputs.plan_text,
        "filled_posts": filled,
        "started_posts": inputs.started,
        "deducted": 0,
        "reason": REASON,
        **extra,
    }


def test_the_page_previews_the_outcome_against_the_budget_and_writes_nothing(
    decided, officer, client, login
):
    _, original = decided
    login(client, officer)
    response = _post(client, original, **_engine_data(original, 62, action="preview"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Det nya beslutet skulle bli" in page
    assert 'id="reconsider-budgets"' in page
    assert "över budgeten" in page
    assert Decision.objects.filter(replaces=original).count() == 0


def test_the_page_requires_the_overrun_to_be_confirmed(decided, officer, client, login):
    _, original = decided
    login(client, officer)
    response = _post(client, original, **_engine_data(original, 62, action="issue"))
    assert response.status_code == 400
    assert "över budgeten" in response.content.decode()
    assert Decision.objects.filter(replaces=original).count() == 0

    response = _post(
        client,
        original,
        **_engine_data(
            original,
            62,
            action="issue",
            confirm_overrun="on",
            overrun_reason="Myndighetens fel.",
        ),
    )
    new = Decision.objects.get(replaces=original)
    assert response.status_code == 302
    assert new.explanation["overrun_reason"] == "Myndighetens fel."


@pytest.mark.parametrize(
    "amounts",
    [
        {"block1": str(2**63), "block2": "0"},
        {"block1": "63000001", "block2": "0"},
        {"block1": "-1", "block2": "0"},
        {"block1": "1", "block2": str(10**30)},
        {"block1": "", "block2": "0"},
    ],
)
def test_typed_amounts_out_of_bounds_are_field_errors_not_500(
    decided, officer, client, login, amounts
):
    _, original = decided
    login(client, officer)
    response = _post(client, original, method="manual", reason="x", action="issue", **amounts)
    assert response.status_code == 400
    assert 'class="invalid-feedback' in response.content.decode() or "is-invalid" in (
        response.content.decode()
    )
    assert Decision.objects.filter(replaces=original).count() == 0


def test_counts_out_of_bounds_are_field_errors_not_500(decided, officer, client, login):
    _, original = decided
    login(client, officer)
    response = _post(client, original, **_engine_data(original, 2**63, action="issue"))
    assert response.status_code == 400
    assert Decision.objects.filter(replaces=original).count() == 0


def test_verification_recomputes_a_reconsideration_made_through_the_rules(decided, officer):
    from allocation import reconsideration
    from allocation.verify import verify_all

    _, original = decided
    new = decision_reconsider(
        decision=original, by=officer, reason=REASON, corrections=_more_posts(original, 51)
    )
    assert verify_all().ok
    assert reconsideration.recomputed_amounts(new) == new.amounts
    # Had the stored inputs said something else, the amounts would not be what they give.
    tampered = Decision(**{f.attname: getattr(new, f.attname) for f in Decision._meta.fields})
    tampered.explanation = {**new.explanation, "filled": 62}
    assert reconsideration.recomputed_amounts(tampered) != new.amounts


def test_the_audit_event_records_the_corrections_and_the_overrun(decided, officer):
    from audit.models import AuditEvent

    _, original = decided
    decision_reconsider(
        decision=original,
        by=officer,
        reason=REASON,
        corrections=_more_posts(original, 62),
        overrun_reason="Myndighetens fel.",
    )
    event = AuditEvent.objects.get(action="allocation.decision_reconsidered")
    assert event.actor == officer
    assert event.after["reconsideration_method"] == "engine"
    assert event.after["corrections"] == [{"field": "filled", "before": 52, "after": 62}]
    assert event.after["overrun_reason"] == "Myndighetens fel."


def test_the_officers_round_page_totals_the_decisions_in_force_against_the_budget(
    decided, officer, client, login
):
    grant_round, original = decided
    new = decision_reconsider(
        decision=original,
        by=officer,
        reason="x",
        amounts={"block1": original.block_amounts()["block1"], "block2": 0},
    )
    login(client, officer)
    page = client.get(reverse("allocation:round", args=[grant_round.slug])).content.decode()
    totals = _block_totals(grant_round)
    footer = page.split('id="decisions-totals"')[1].split("</tr>")[0]
    assert kr(totals["block2"]) in footer and kr(totals["total"]) in footer
    assert f"omprövning av {original.reference}" in page
    assert new.reference in page


def test_the_officers_decision_page_shows_the_corrections_and_the_overrun(
    decided, officer, client, login
):
    _, original = decided
    new = decision_reconsider(
        decision=original,
        by=officer,
        reason=REASON,
        corrections=_more_posts(original, 62),
        overrun_reason="Myndighetens fel.",
    )
    login(client, officer)
    page = client.get(reverse("allocation:decision", args=[new.reference])).content.decode()
    assert "tillsatta tjänster 52 → 62" in page
    assert "Myndighetens fel." in page
    assert "över budgeten" in page
