"""Decisions: issuing one per participating region from a finished run, and reconsidering one
(omprövning). Both enter the hash chain and notify the region after commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from allocation import chain, reconsideration
from allocation.models import AllocationRun, ChainLink, Decision, RunStatus
from allocation.reconsideration import Corrections
from allocation.services import record
from allocation.services.common import active_run_exists, lock_round, require_officer
from allocation.snapshot import row_amounts, snapshot_differences
from atgrant.templatetags.atgrant_format import kr
from audit.models import AuditEvent
from audit.services import audit_event, audit_record, audit_record_many
from regions.models import Region
from registry.delivery import deliveries_queue
from registry.services import register_decisions
from submissions.models import GrantRound, RoundStatus
from submissions.workflow import round_transition


def _reference(grant_round: GrantRound, region: Region, number: int) -> str:
    return f"AT{grant_round.year}-{region.code}-B{number}"


def explanation_for(run: AllocationRun, region_id: int) -> dict[str, Any]:
    """A region's decision explanation, from its run's result and snapshot (JSON-safe)."""
    result = next(r for r in run.result_regions() if r["region_id"] == region_id)
    source = next(r for r in run.snapshot["regions"] if r["region_id"] == region_id)
    return _explanation(run, result, source)


def _explanation(run: AllocationRun, result: dict[str, Any], source: dict[str, Any]) -> dict:
    return explanation_of(
        run_number=run.number, run_result=run.result, result=result, source=source
    )


# The snapshot's inputs a decision repeats beside its result row (the letter shows them).
_SOURCE_KEYS = (
    "population",
    "plan_text",
    "reported_filled",
    "reported_started",
    "version_reference",
    "deduction_reason",
    "override_reason",
)


def explanation_of(
    *, run_number: int, run_result: dict[str, Any], result: dict[str, Any], source: dict[str, Any]
) -> dict[str, Any]:
    """A region's explanation from a computed result (``run_result``: the whole result, as in
    AllocationRun.result; ``result``/``source``: the region's result row and snapshot entry).

    Format 2 (a format-2 result): ``{"format": 2, "run_number", "region_name"}``, the region's
    result row at the top level (``name``, ``region_id``, inputs, ``posts``, ``planned``,
    ``values``, ``amounts`` and ``total``; its cells per block id under ``"cells"``, not
    ``"blocks"``), the snapshot's inputs (``population``, ``plan_text``, reasons, ...), the run's
    ``"blocks"`` list, ``"totals"``, ``"value_names"``, ``"model_name"``, the ``"model"``
    document and the warnings' messages. A result of the old shape (a run made before models
    were data, reconsidered) gives the old explanation.
    """
    if run_result.get("format") != 2:
        return _legacy_explanation_of(
            run_number=run_number, run_result=run_result, result=result, source=source
        )
    row = {key: value for key, value in result.items() if key != "blocks"}
    return {
        "format": 2,
        "run_number": run_number,
        "region_name": result["name"],
        **row,
        "cells": result["blocks"],
        **{key: source.get(key) for key in _SOURCE_KEYS},
        "blocks": run_result["blocks"],
        "totals": run_result["totals"],
        "value_names": run_result["value_names"],
        "model_name": run_result["model"].get("name", ""),
        # The model itself: a decision explains itself without its run (the value expressions).
        "model": run_result["model"],
        "warnings": [w["message"] for w in run_result["warnings"]],
    }


def _legacy_explanation_of(
    *, run_number: int, run_result: dict[str, Any], result: dict[str, Any], source: dict[str, Any]
) -> dict[str, Any]:
    block2_paid = run_result["block2"]["paid"] > 0
    return {
        "region_name": result["name"],
        "run_number": run_number,
        "population": source["population"],
        "filled": result["filled"],
        "started": result["started"],
        "reported_filled": source["reported_filled"],
        "reported_started": source["reported_started"],
        "version_reference": source["version_reference"],
        "reported_posts": result["reported_posts"],
        "deducted": result["deducted"],
        "deduction_reason": source["deduction_reason"],
        "override_reason": source["override_reason"],
        "posts": result["posts"],
        "plan_text": source["plan_text"],
        "planned": result["planned"],
        "plan_is_range": result["planned_is_range"],
        "increase": result["increase"],
        "rate": result["rate"],
        "block1_budget": run_result["block1"]["budget"],
        "block1_exact": result["block1_exact"],
        "block1_rounding": result["block1_rounding"],
        "qualifies": result["qualifies"],
        "step_min_increase": result["step_min_increase"],
        "step_payout": result["step_payout"],
        "step_payment": result["step_payment"],
        "remainder": result["remainder"],
        "steps_scale": run_result["steps_scale"],
        "block2_budget": run_result["block2"]["budget"],
        "block2_exact": result["block2_exact"],
        "block2_rounding": result["block2_rounding"],
        "block2_paid": block2_paid,
        "warnings": [w["message"] for w in run_result["warnings"]],
    }


def _check_issuable(locked: GrantRound, run: AllocationRun) -> None:
    if locked.status == RoundStatus.DECIDED or Decision.objects.filter(round=locked).exists():
        raise ValidationError(_("Omgångens beslut är redan fattade."))
    if locked.status != RoundStatus.ALLOCATED or run.round_id != locked.pk:
        raise ValidationError(_("Omgången har ingen klar fördelning att besluta om."))
    if run.status != RunStatus.DONE:
        raise ValidationError(_("Körningen är inte klar."))
    latest = AllocationRun.objects.filter(round=locked, status=RunStatus.DONE).aggregate(
        n=Max("number")
    )["n"]
    if run.number != latest:
        raise ValidationError(_("Besluten fattas på den senaste klara körningen."))
    if active_run_exists(locked):
        raise ValidationError(_("En ny körning pågår. Vänta tills den är klar."))
    changes = snapshot_differences(run.snapshot, locked)
    if changes:
        raise ValidationError(
            _("Underlaget har ändrats sedan körningen; kör fördelningen igen: %(changes)s")
            % {"changes": " ".join(changes)}
        )


def _chain_decisions(decisions: list[Decision]) -> list[ChainLink]:
    position, previous = chain.chain_head()
    links = []
    for decision in decisions:
        decision.content_hash = chain.content_hash(chain.decision_content(decision))
        decision.chain_hash = chain.link_hash(previous, decision.content_hash)
        position += 1
        links.append(
            ChainLink(
                position=position,
                kind=ChainLink.Kind.DECISION,
                previous_hash=previous,
                content_hash=decision.content_hash,
                chain_hash=decision.chain_hash,
            )
        )
        previous = decision.chain_hash
    return links


def decisions_issue(
    *,
    run: AllocationRun,
    by: AbstractBaseUser,
    decision_date: dt.date | None = None,
    presented_by: AbstractBaseUser | None = None,
) -> list[Decision]:
    """Issue one decision per participating region from a reviewed, finished run.

    The same officer issuing the same run again (a second click, a form sent again) gets the
    decisions already issued: nothing is written twice.
    ``by`` decides; ``presented_by`` (default: the officer who requested the run) presented
    the case. ``decision_date`` defaults to today. Raises ``ValidationError`` when the round
    cannot be decided on this run, or the date or officers break the rules of
    allocation/services/record.py; ``PermissionDenied`` when ``by`` is not an officer.
    """
    require_officer(by)
    now = timezone.now()
    decision_date = decision_date or timezone.localdate(now)
    with transaction.atomic():
        locked = lock_round(run.round)
        # Lock the run's row only, not the requesting officer's read beside it.
        run = (
            AllocationRun.objects.select_for_update(of=("self",))
            .select_related("requested_by")
            .get(pk=run.pk)
        )
        issued = list(Decision.objects.filter(run=run, replaces__isnull=True, decided_by=by))
        if run.issued_at is not None and issued:
            return issued
        _check_issuable(locked, run)
        presented_by = presented_by or run.requested_by
        record.check_decision_date(
            grant_round=locked, decision_date=decision_date, today=timezone.localdate(now)
        )
        record.check_officers(grant_round=locked, decided_by=by, presented_by=presented_by)
        results = run.result_regions()
        regions = Region.objects.in_bulk([r["region_id"] for r in results])
        sources = {r["region_id"]: r for r in run.snapshot["regions"]}
        decisions = [
            Decision(
                round=locked,
                region=regions[r["region_id"]],
                run=run,
                reference=_reference(locked, regions[r["region_id"]], 1),
                amounts=row_amounts(r),
                total=sum(row_amounts(r).values()),
                explanation=_explanation(run, r, sources[r["region_id"]]),
                decided_at=now,
                decision_date=decision_date,
                decided_by=by,
                presented_by=presented_by,
            )
            for r in results
        ]
        links = _chain_decisions(decisions)
        Decision.objects.bulk_create(decisions)
        for link, decision in zip(links, decisions, strict=True):
            link.decision = decision
        ChainLink.objects.bulk_create(links)
        AllocationRun.objects.filter(pk=run.pk).update(issued_at=now)
        round_transition(grant_round=locked, to=RoundStatus.DECIDED, by=by)
        audit_record_many(
            [_decision_event(d, by, action="allocation.decision_issued") for d in decisions]
        )
        audit_record(
            action="allocation.decisions_issued",
            actor=by,
            obj=run,
            after={
                "run": run.number,
                "decisions": len(decisions),
                "total": sum(d.total for d in decisions),
                "decision_date": decision_date.isoformat(),
                "presented_by": record.officer_name(presented_by),
            },
            round_id=locked.pk,
        )
        _register_and_deliver(decisions, by)
    return decisions


def _decision_event(
    decision: Decision, by: AbstractBaseUser, *, action: str, before: dict | None = None
) -> AuditEvent:
    return audit_event(
        action=action,
        actor=by,
        obj=decision,
        before=before,
        after={
            "reference": decision.reference,
            "amounts": decision.block_amounts(),
            "total": decision.total,
            "deducted": decision.explanation.get("deducted"),
            "deduction_reason": decision.explanation.get("deduction_reason"),
            "override_reason": decision.explanation.get("override_reason"),
            "reconsideration_reason": decision.reconsideration_reason,
            "reconsideration_method": decision.explanation.get("reconsideration_method"),
            "corrections": decision.explanation.get("corrections"),
            "overrun_reason": decision.explanation.get("overrun_reason"),
            "decision_date": decision.decision_date.isoformat(),
            "presented_by": record.officer_name(decision.presented_by),
            "content_hash": decision.content_hash,
        },
        round_id=decision.round_id,
        region_id=decision.region_id,
    )


def _register_and_deliver(decisions: list[Decision], by: AbstractBaseUser) -> None:
    """Register the outgoing decisions and queue their e-mails to each region's proxy and
    official mailbox (sent after commit); inside the issuing transaction."""
    register_decisions(decisions=decisions, by=by)
    deliveries_queue(decisions=decisions)


def _same_reconsideration(
    old: Decision, by: AbstractBaseUser, amounts: dict[str, int] | None, reason: str
) -> Decision | None:
    """The decision that replaced `old` if `by` made it with these amounts and reason."""
    new = Decision.objects.filter(replaces=old).first()
    if new is None or new.decided_by_id != by.pk or new.reconsideration_reason != reason:
        return None
    return new if amounts is None or new.block_amounts() == amounts else None


def decision_reconsider(
    *,
    decision: Decision,
    by: AbstractBaseUser,
    reason: str,
    corrections: Corrections | None = None,
    amounts: dict[str, int] | None = None,
    overrun_reason: str = "",
    decision_date: dt.date | None = None,
    presented_by: AbstractBaseUser | None = None,
) -> Decision:
    """Replace a decision in force by a new one (omprövning); both stay on record.

    Either ``corrections`` (the region's corrected inputs: the run's model is run again, see
    allocation.reconsideration) or typed ``amounts`` (kronor per block id of the run's model,
    every block, each between 0 and its budget). When a block's decisions in force would then
    exceed its budget, ``overrun_reason`` must say why. The new decision has its amounts per
    block (``Decision.amounts``). ``decision_date`` defaults to today and may not be before
    the decision replaced; ``presented_by`` defaults to ``by`` (allowed only where the round
    allows one officer). Raises ValidationError (Swedish) for a missing reason, inputs that
    cannot be run, amounts missing or out of bounds, an unconfirmed overrun, or a date or
    officers against the decision record's rules; PermissionDenied for anyone but an officer.
    """
    require_officer(by)
    reason = reason.strip()
    overrun_reason = overrun_reason.strip()
    if not reason:
        raise ValidationError(_("Ange skälet till omprövningen."))
    if (corrections is None) == (amounts is None):
        raise ValidationError(_("Ange antingen rättade uppgifter eller beloppen per block."))
    now = timezone.now()
    with transaction.atomic():
        locked = lock_round(decision.round)
        old = (
            Decision.objects.select_for_update().select_related("region", "run").get(pk=decision.pk)
        )
        if locked.status != RoundStatus.DECIDED:
            raise ValidationError(_("Omgången är inte beslutad."))
        if not old.in_force:
            repeated = _same_reconsideration(old, by, amounts, reason)
            if repeated is not None:
                return repeated  # this very reconsideration, sent again
            raise ValidationError(_("Beslutet har redan ersatts av ett nytt beslut."))
        decision_date = decision_date or timezone.localdate(now)
        presented_by = presented_by or by
        record.check_decision_date(
            grant_round=locked,
            decision_date=decision_date,
            today=timezone.localdate(now),
            replaces=old,
        )
        record.check_officers(grant_round=locked, decided_by=by, presented_by=presented_by)
        outcome = _outcome(old, reason, corrections=corrections, amounts=amounts)
        _check_overrun(outcome, overrun_reason)
        count = Decision.objects.filter(round=locked, region=old.region).count()
        new = Decision(
            round=locked,
            region=old.region,
            run_id=old.run_id,
            reference=_reference(locked, old.region, count + 1),
            amounts=dict(outcome.amounts),
            total=outcome.total,
            explanation={**outcome.explanation, **_overrun_record(outcome, overrun_reason)},
            decided_at=now,
            decision_date=decision_date,
            decided_by=by,
            presented_by=presented_by,
            replaces=old,
            reconsideration_reason=reason,
        )
        (link,) = _chain_decisions([new])
        new.save()
        link.decision = new
        link.save()
        _decision_event(
            new,
            by,
            action="allocation.decision_reconsidered",
            before={"reference": old.reference, "amounts": old.block_amounts()},
        ).save()
        _register_and_deliver([new], by)
    return new


def _outcome(old: Decision, reason: str, **choice: Any) -> reconsideration.Outcome:
    try:
        return reconsideration.preview(decision=old, reason=reason, **choice)
    except reconsideration.ReconsiderationError as exc:
        raise ValidationError(str(exc)) from exc


def overrun_message(outcome: reconsideration.Outcome) -> str:
    """What goes over budget, in Swedish (empty when nothing does)."""
    return " ".join(
        _("%(block)s blir totalt %(total)s, %(over)s över budgeten %(budget)s.")
        % {
            "block": block.name,
            "total": kr(block.total),
            "over": kr(block.over),
            "budget": kr(block.budget),
        }
        for block in outcome.blocks
        if block.over
    )


def _check_overrun(outcome: reconsideration.Outcome, overrun_reason: str) -> None:
    if outcome.overrun and not overrun_reason:
        raise ValidationError(
            overrun_message(outcome)
            + " "
            + _("Bekräfta att budgeten överskrids och ange skälet, eller ändra uppgifterna.")
        )


def _overrun_record(outcome: reconsideration.Outcome, overrun_reason: str) -> dict[str, Any]:
    over = [
        {"block": b.key, "name": b.name, "budget": b.budget, "total": b.total, "over": b.over}
        for b in outcome.blocks
        if b.over
    ]
    return {"budget_overrun": over, "overrun_reason": overrun_reason if over else ""}
