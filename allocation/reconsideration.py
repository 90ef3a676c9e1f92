"""What a reconsideration (omprövning) gives, before anything is written.

Two ways to reach the new amounts:

* ``engine``: the officer corrects the region's inputs (plan, filled and started posts,
  deducted posts); the model of the decision's run (its snapshot's ``"model"``, or an old
  snapshot's rules read as RULES.md's 2024 model) is run again on the snapshot with the
  corrected inputs, and the region gets what that run gives it, per block. Every other
  region's decision stays as decided, so a block may end above its budget: the officer must
  then confirm the overrun with a reason.
* ``manual``: the officer types an amount for every block of the run's model (each between 0
  and its block's budget) with a reason; the explanation then keeps the computation of the
  decision it replaces and says the amounts were set by hand.

Either way the result is an :class:`Outcome`: the amounts, the decision's explanation (which
agrees with them, so the letter does) and each block's new total against its budget.
Reads only; ``allocation.services.decisions.decision_reconsider`` writes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from allocation import engine
from allocation.allocmodel import ModelError
from allocation.models import Decision
from allocation.plans import PlanError, parse_plan
from allocation.snapshot import compute, compute_model, frac, snapshot_model

ENGINE = "engine"
MANUAL = "manual"


class ReconsiderationError(ValueError):
    """The corrected inputs cannot be run (the message is Swedish, for the officer)."""


@dataclass(frozen=True)
class Corrections:
    """The region's corrected inputs (any of them may equal the decided ones).

    ``plan_text`` as written in a plan (``"48-50"``, ``"86,5"``); counts are whole posts;
    at least one of filled and started is given; ``deducted`` may not exceed the posts.
    """

    plan_text: str
    filled: int | None
    started: int | None
    deducted: int = 0


@dataclass(frozen=True)
class BlockTotal:
    """One block after the reconsideration: the other regions' amounts in force (kr), the
    region's new amount (kr), and the block's budget (kr) from the run's model. ``key`` is
    the block's id, ``name`` what people read."""

    key: str
    name: str
    budget: int
    others: int
    amount: int

    @property
    def total(self) -> int:
        return self.others + self.amount

    @property
    def over(self) -> int:
        """Kronor above the budget (0 when within it)."""
        return max(0, self.total - self.budget)


@dataclass(frozen=True)
class Outcome:
    """``amounts``: kronor per block id of the run's model, in model order."""

    method: str
    amounts: dict[str, int]
    explanation: dict[str, Any]
    blocks: tuple[BlockTotal, ...]
    corrections: tuple[dict[str, Any], ...] = field(default=())

    @property
    def total(self) -> int:
        return sum(self.amounts.values())

    @property
    def overrun(self) -> bool:
        return any(block.over for block in self.blocks)


@dataclass(frozen=True)
class ModelBlock:
    """A block of the decision's run as the reconsideration needs it: id, name, budget (kr)."""

    id: str
    name: str
    budget: int


def run_blocks(decision: Decision) -> tuple[ModelBlock, ...]:
    """The blocks of the model the decision's run used, in model order."""
    model = snapshot_model(decision.run.snapshot)
    return tuple(ModelBlock(b.id, b.name, b.budget) for b in model.blocks)


def budgets(decision: Decision) -> dict[str, int]:
    """Each block's budget (kr) by block id, as the decision's run used it."""
    return {block.id: block.budget for block in run_blocks(decision)}


def others_in_force(decision: Decision) -> dict[str, int]:
    """Per block id, the sum (kr) of the round's decisions in force for every other region
    (decisions made before models were data count by their block1/block2)."""
    sums: dict[str, int] = {}
    others = Decision.objects.filter(round_id=decision.round_id, replaced_by__isnull=True).exclude(
        region_id=decision.region_id
    )
    for other in others.only("amounts", "block1", "block2"):
        for key, amount in other.block_amounts().items():
            sums[key] = sums.get(key, 0) + (amount or 0)
    return sums


def _blocks(decision: Decision, amounts: dict[str, int]) -> tuple[BlockTotal, ...]:
    others = others_in_force(decision)
    return tuple(
        BlockTotal(b.id, b.name, b.budget, others.get(b.id, 0), amounts.get(b.id, 0))
        for b in run_blocks(decision)
    )


def _previous(old: Decision, reason: str) -> dict[str, Any]:
    return {
        "reconsideration_reason": reason,
        "replaces_reference": old.reference,
        "previous_amounts": old.block_amounts(),
        "previous_total": old.total,
    }


def current_inputs(decision: Decision) -> Corrections:
    """The inputs the decision was computed with (the form's starting values)."""
    e = decision.explanation
    return Corrections(
        plan_text=e.get("plan_text") or "",
        filled=e.get("filled"),
        started=e.get("started"),
        deducted=e.get("deducted") or 0,
    )


def _plan_bounds(text: str) -> tuple[str, str]:
    try:
        bounds = parse_plan(text)
    except PlanError as exc:
        raise ReconsiderationError(
            _("Planen ”%(plan)s” kan inte läsas. Skriv ett tal (86,5) eller ett spann (84–89).")
            % {"plan": text}
        ) from exc
    return frac(bounds.low), frac(bounds.high)


def _corrected_source(
    source: dict[str, Any], decision: Decision, corrections: Corrections, reason: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The region's snapshot entry with the decision's inputs (an earlier reconsideration may
    have corrected them) and then the corrections; and what changed against the decision."""
    e = decision.explanation
    before = current_inputs(decision)
    corrected = {
        **source,
        "filled": corrections.filled,
        "started": corrections.started,
        "deducted": corrections.deducted,
        "override_reason": e.get("override_reason", source.get("override_reason", "")),
        "deduction_reason": e.get("deduction_reason", source.get("deduction_reason", "")),
    }
    plan_text = corrections.plan_text.strip()
    if plan_text != source.get("plan_text"):
        corrected["plan_text"] = plan_text
        corrected["plan_low"], corrected["plan_high"] = _plan_bounds(plan_text)
    changes = [
        {"field": key, "before": getattr(before, key), "after": getattr(corrections, key)}
        for key in ("plan_text", "filled", "started", "deducted")
        if getattr(before, key) != getattr(corrections, key)
    ]
    changed = {change["field"] for change in changes}
    if changed & {"filled", "started"}:
        corrected["override_reason"] = reason
    if "deducted" in changed:
        corrected["deduction_reason"] = reason if corrections.deducted else ""
    return corrected, changes


def _corrected_snapshot(decision: Decision, source: dict[str, Any]) -> dict[str, Any]:
    snapshot = copy.deepcopy(decision.run.snapshot)
    snapshot["regions"] = [
        source if r["region_id"] == decision.region_id else r for r in snapshot["regions"]
    ]
    return snapshot


def _region_source(decision: Decision) -> dict[str, Any]:
    return next(r for r in decision.run.snapshot["regions"] if r["region_id"] == decision.region_id)


def engine_outcome(*, decision: Decision, corrections: Corrections, reason: str) -> Outcome:
    """Run the model of the decision's run again with the region's corrected inputs (see the
    module); the result is format 2 whatever the run's snapshot format.

    Raises ReconsiderationError when the inputs cannot be run (an unreadable plan, no
    posts, more deducted than posts, or the model cannot evaluate them: its message names
    the value, block or region).
    """
    from allocation.services.decisions import explanation_of

    source, changes = _corrected_source(_region_source(decision), decision, corrections, reason)
    snapshot = _corrected_snapshot(decision, source)
    try:
        result = compute_model(snapshot)
    except ModelError as exc:
        raise ReconsiderationError(str(exc)) from exc
    except (engine.InputError, engine.RulesError) as exc:
        raise ReconsiderationError(_input_problem(corrections)) from exc
    row = next(r for r in result["regions"] if r["region_id"] == decision.region_id)
    explanation = {
        **explanation_of(
            run_number=decision.run.number, run_result=result, result=row, source=source
        ),
        **_previous(decision, reason),
        "reconsideration_method": ENGINE,
        "corrections": changes,
    }
    amounts = dict(row["amounts"])
    return Outcome(
        method=ENGINE,
        amounts=amounts,
        explanation=explanation,
        blocks=_blocks(decision, amounts),
        corrections=tuple(changes),
    )


def _input_problem(corrections: Corrections) -> str:
    if corrections.filled is None and corrections.started is None:
        return _("Ange tillsatta eller påbörjade tjänster (eller båda).")
    posts = max(v for v in (corrections.filled, corrections.started) if v is not None)
    if corrections.deducted > posts:
        return _("Avräkningen (%(deducted)s) kan inte vara större än tjänsterna (%(posts)s).") % {
            "deducted": corrections.deducted,
            "posts": posts,
        }
    return _("Uppgifterna kan inte räknas med omgångens regler. Kontrollera dem.")


def _typed_amounts(decision: Decision, amounts: dict[str, Any]) -> dict[str, int]:
    """Every block of the run's model with its typed amount (kr), in model order. Raises
    ReconsiderationError for a block missing or unknown, or an amount out of bounds."""
    blocks = run_blocks(decision)
    unknown = set(amounts) - {b.id for b in blocks}
    if unknown:
        raise ReconsiderationError(
            _("Körningens modell har inget block %(block)s.")
            % {"block": ", ".join(sorted(unknown))}
        )
    typed = {}
    for block in blocks:
        amount = amounts.get(block.id)
        if amount is None:
            raise ReconsiderationError(_("Ange beloppet för %(block)s.") % {"block": block.name})
        if (
            isinstance(amount, bool)
            or not isinstance(amount, int)
            or not 0 <= amount <= block.budget
        ):
            raise ReconsiderationError(
                _("Beloppet för %(block)s ska vara mellan 0 och %(budget)s kr.")
                % {"block": block.name, "budget": block.budget}
            )
        typed[block.id] = amount
    return typed


def manual_outcome(*, decision: Decision, amounts: dict[str, Any], reason: str) -> Outcome:
    """Amounts typed by the officer: one per block of the run's model, each between 0 and its
    block's budget (kr).

    The explanation keeps the computation of the replaced decision (with the amounts that
    computation gave, ``computed_amounts``) and records the method, so the letter says the
    amounts were set at the reconsideration rather than computed.
    Raises ReconsiderationError for a block missing or an amount out of bounds.
    """
    typed = _typed_amounts(decision, amounts)
    old = decision.explanation
    computed = _computed_amounts(decision)
    explanation = {
        **old,
        **_previous(decision, reason),
        "reconsideration_method": MANUAL,
        "corrections": [],
        "computed_amounts": computed,
    }
    if old.get("format") != 2:
        # An explanation of the old shape is read by its old keys (allocation.explain).
        previous = decision.block_amounts()
        for key in ("block1", "block2"):
            explanation[f"previous_{key}"] = previous.get(key)
            explanation[f"computed_{key}"] = computed.get(key)
    return Outcome(
        method=MANUAL,
        amounts=typed,
        explanation=explanation,
        blocks=_blocks(decision, typed),
    )


def _computed_amounts(decision: Decision) -> dict[str, int]:
    """What the computation in the decision's explanation gave, per block id (a chain of
    typed reconsiderations keeps the first computation's amounts)."""
    e = decision.explanation
    if e.get("computed_amounts") is not None:
        return dict(e["computed_amounts"])
    if e.get("computed_block1") is not None:  # typed before models were data
        return {"block1": e["computed_block1"], "block2": e["computed_block2"]}
    return decision.block_amounts()


def preview(
    *,
    decision: Decision,
    reason: str,
    corrections: Corrections | None = None,
    amounts: dict[str, Any] | None = None,
    overrun_reason: str = "",
) -> Outcome:
    """What decision_reconsider would decide with the same arguments (nothing is written).

    Raises ReconsiderationError as engine_outcome and manual_outcome do.
    """
    if corrections is not None:
        return engine_outcome(decision=decision, corrections=corrections, reason=reason)
    return manual_outcome(decision=decision, amounts=dict(amounts or {}), reason=reason)


def _recorded_snapshot(decision: Decision) -> dict[str, Any]:
    """The decision's run snapshot with the region's inputs as its explanation records them."""
    e = decision.explanation
    source = dict(_region_source(decision))
    if e.get("plan_text") != source.get("plan_text"):
        source["plan_low"], source["plan_high"] = _plan_bounds(e["plan_text"])
    for key in ("plan_text", "filled", "started", "deducted"):
        source[key] = e.get(key)
    return _corrected_snapshot(decision, source)


def recomputed_amounts(decision: Decision) -> dict[str, int] | None:
    """Kronor per block id that the run's model gives a reconsideration made through it,
    recomputed from its run's snapshot and the inputs its explanation records; None for any
    other decision. For allocation.verify: an engine reconsideration must agree.

    A reconsideration made before models were data (``amounts`` null) was computed by
    ``allocation.engine`` on its format-1 snapshot and is recomputed so; one made since, by
    the model (``compute_model``)."""
    if decision.explanation.get("reconsideration_method") != ENGINE:
        return None
    snapshot = _recorded_snapshot(decision)
    if decision.amounts is None:
        row = _region_row(compute(snapshot), decision.region_id)
        return {"block1": row["block1"], "block2": row["block2"]}
    return dict(_region_row(compute_model(snapshot), decision.region_id)["amounts"])


def _region_row(result: dict[str, Any], region_id: int) -> dict[str, Any]:
    return next(r for r in result["regions"] if r["region_id"] == region_id)
