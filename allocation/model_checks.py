"""Checks of a round's allocation model that other parts of the product ask for: whether the
model is valid and every test case (kontrollfall) passes (a round cannot open otherwise,
issue 12), and copying a round's test cases with the round."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from allocation.allocmodel import AllocationModel, ModelError
from allocation.model_cases import CaseOutcome, run_cases
from allocation.models import ModelTestCase
from atgrant.templatetags.atgrant_format import kr
from submissions.models import GrantRound


def outcome_problem(outcome: CaseOutcome) -> str:
    """One failed case in a sentence (Swedish); empty when it passed."""
    if outcome.passed:
        return ""
    if outcome.error:
        detail = outcome.error
    else:
        detail = "; ".join(
            _("%(region)s, %(block)s: väntat %(expected)s, modellen ger %(actual)s")
            % {
                "region": d.region,
                "block": d.block,
                "expected": kr(d.expected),
                "actual": kr(d.actual) if d.actual is not None else _("inget belopp"),
            }
            for d in outcome.differences
        )
    return _("Kontrollfallet %(name)s stämmer inte: %(detail)s") % {
        "name": outcome.name,
        "detail": detail,
    }


def model_problems(grant_round: GrantRound) -> list[str]:
    """What stops the round's model from being used, in Swedish: an invalid model, or each
    test case that fails (an error, or the amounts that differ). Empty: the model is valid
    and every test case passes."""
    if not grant_round.model:
        return [_("Omgången har ingen fördelningsmodell ännu. Skriv den under Fördelningsmodell.")]
    try:
        model = AllocationModel.from_json(grant_round.model)
    except ModelError as exc:
        return [_("Fördelningsmodellen är inte giltig: %(error)s") % {"error": exc}]
    cases = ModelTestCase.objects.filter(round=grant_round).order_by("name", "pk")
    problems = [outcome_problem(outcome) for outcome in run_cases(model, cases)]
    return [problem for problem in problems if problem]


def copy_test_cases(source_round: GrantRound, target_round: GrantRound) -> int:
    """Copy every test case of ``source_round`` to ``target_round`` (a case whose name the
    target already has is left out); the number copied. The copies keep who last changed
    the originals."""
    taken = set(ModelTestCase.objects.filter(round=target_round).values_list("name", flat=True))
    copies = [
        ModelTestCase(
            round=target_round,
            name=case.name,
            inputs=case.inputs,
            expected=case.expected,
            updated_by_id=case.updated_by_id,
        )
        for case in ModelTestCase.objects.filter(round=source_round).order_by("name", "pk")
        if case.name not in taken
    ]
    with transaction.atomic():
        ModelTestCase.objects.bulk_create(copies)
    return len(copies)
