"""What a reconsideration (omprövning) gives, before anything is written.

Two ways to reach the new amounts:

* ``engine``: the officer corrects the region's inputs (plan, filled and started posts,
  deducted posts); the round's rules are run again on the decision's run snapshot with
  the corrected inputs, and the region gets what that run gives it. Every other region's
  decision stays as decided, so a block may end above its budget: the officer must then
  confirm the overrun with a reason.
* ``manual``: the officer types the two block amounts (each between 0 and its block's
  budget) with a reason; the explanation then keeps the computation of the decision it
  replaces and says the amounts were set by hand.

Either way the result is an :class:`Outcome`: the amounts, the decision's explanation (which
agrees with them, so the letter does) and each block's new total against its budget.
Reads only; ``allocation.services.decisions.decision_reconsider`` writes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from allocation import engine
from allocation.models import Decision
from allocation.plans import PlanError, parse_plan
from allocation.snapshot import compute, frac

ENGINE = "engine"
MANUAL = "manual"
BLOCKS = ("block1", "block2")


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
    region's new amount (kr), and the block's budget (kr) from the run's rules."""

    key: str
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
    method: str
    block1: int
    block2: int
    explanation: dict[str, Any]
    blocks: tuple[BlockTotal, ...]
    corrections: tuple[dict[str, Any], ...] = field(default=())

    @property
    def total(self) -> int:
        return self.block1 + self.block2

    @property
    def overrun(self) -> bool:
        return any(block.over for block in self.blocks)


def budgets(decision: Decision) -> dict[str, int]:
    """Each block's budget (kr) as the decision's run used it."""
    rules = decision.run.snapshot["rules"]
    return {key: int(rules[key]) for key in BLOCKS}


def others_in_force(decision: Decision) -> dict[str, int]:
    """Per block, the sum (kr) of the round's decisions in force for every other region."""
    sums = (
        Decision.objects.filter(round_id=decision.round_id, replaced_by__isnull=True)
        .exclude(region_id=decision.region_id)
        .aggregate(block1=Sum("block1"), block2=Sum("block2"))
    )
    return {key: sums[key] or 0 for key in BLOCKS}


def _blocks(decision: Decision, block1: int, block2: int) -> tuple[BlockTotal, ...]:
    limits, others = budgets(decision), others_in_force(decision)
    amounts = {"block1": block1, "block2": block2}
    return tuple(BlockTotal(key, limits[key], others[key], amounts[key]) for key in BLOCKS)


def _previous(old: Decision, reason: str) -> dict[str, Any]:
    return {
        "reconsideration_reason": reason,
        "replaces_reference": old.reference,
        "previous_block1": old.block1,
        "previous_block2": old.block2,
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


def engine_outcome(*, decision: Decision, corrections: Corrections, reason: str) -> Outcome:
    """Run the round's rules again with the region's corrected inputs (see the module).

    Raises ReconsiderationError when the inputs cannot be run (an unreadable plan, no
    posts, more deducted than posts).
    """
    from allocation.services.decisions import explanation_of

    run = decision.run
    snapshot = copy.deepcopy(run.snapshot)
    index = next(
        i for i, r in enumerate(snapshot["regions"]) if r["region_id"] == decision.region_id
    )
    source, changes = _corrected_source(snapshot["regions"][index], decision, corrections, reason)
    snapshot["regions"][index] = source
    try:
        result = compute(snapshot)
    except (engine.InputError, engine.RulesError) as exc:
        raise ReconsiderationError(_input_problem(corrections)) from exc
    row = next(r for r in result["regions"] if r["region_id"] == decision.region_id)
    explanation = {
        **explanation_of(run_number=run.number, run_result=result, result=row, source=source),
        **_previous(decision, reason),
        "reconsideration_method": ENGINE,
        "corrections": changes,
    }
    return Outcome(
        method=ENGINE,
        block1=row["block1"],
        block2=row["block2"],
        explanation=explanation,
        blocks=_blocks(decision, row["block1"], row["block2"]),
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


def manual_outcome(*, decision: Decision, block1: int, block2: int, reason: str) -> Outcome:
    """Amounts typed by the officer: each between 0 and its block's budget.

    The explanation keeps the computation of the replaced decision (with the amounts that
    computation gave, ``computed_block1``/``computed_block2``) and records the method, so
    the letter says the amounts were set at the reconsideration rather than computed.
    Raises ReconsiderationError for an amount out of bounds.
    """
    limits = budgets(decision)
    for key, amount in (("block1", block1), ("block2", block2)):
        if not 0 <= amount <= limits[key]:
            raise ReconsiderationError(
                _("Beloppet för %(block)s ska vara mellan 0 och %(budget)s kr.")
                % {"block": _block_name(key), "budget": limits[key]}
            )
    old = decision.explanation
    explanation = {
        **old,
        **_previous(decision, reason),
        "reconsideration_method": MANUAL,
        "corrections": [],
        "computed_block1": old.get("computed_block1", decision.block1),
        "computed_block2": old.get("computed_block2", decision.block2),
    }
    return Outcome(
        method=MANUAL,
        block1=block1,
        block2=block2,
        explanation=explanation,
        blocks=_blocks(decision, block1, block2),
    )


def _block_name(key: str) -> str:
    return _("block 1") if key == "block1" else _("block 2")


def preview(
    *,
    decision: Decision,
    reason: str,
    corrections: Corrections | None = None,
    block1: int | None = None,
    block2: int | None = None,
    overrun_reason: str = "",
) -> Outcome:
    """What decision_reconsider would decide with the same arguments (nothing is written).

    Raises ReconsiderationError as engine_outcome and manual_outcome do.
    """
    if corrections is not None:
        return engine_outcome(decision=decision, corrections=corrections, reason=reason)
    return manual_outcome(decision=decision, block1=int(block1), block2=int(block2), reason=reason)


def recomputed_amounts(decision: Decision) -> tuple[int, int] | None:
    """(block 1, block 2) in kronor that the round's rules give a reconsideration made through
    them, recomputed from its run's snapshot and the inputs its explanation records; None
    for any other decision. For allocation.verify: an engine reconsideration must agree."""
    if decision.explanation.get("reconsideration_method") != ENGINE:
        return None
    e = decision.explanation
    snapshot = copy.deepcopy(decision.run.snapshot)
    for source in snapshot["regions"]:
        if source["region_id"] == decision.region_id:
            if e.get("plan_text") != source.get("plan_text"):
                source["plan_low"], source["plan_high"] = _plan_bounds(e["plan_text"])
            for key in ("plan_text", "filled", "started", "deducted"):
                source[key] = e.get(key)
    row = next(r for r in compute(snapshot)["regions"] if r["region_id"] == decision.region_id)
    return row["block1"], row["block2"]
