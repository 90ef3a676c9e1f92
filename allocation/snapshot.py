"""Turning a round's inputs into a JSON snapshot, running the engine on it, and back.

JSON conventions (snapshot, result and decision explanations):

* kronor and post counts are JSON integers;
* every exact rational with a small denominator (plan bounds, planned, increase, rate,
  thresholds, the steps' scale) is the text of a ``fractions.Fraction``: ``"173/2"``, or
  ``"86"`` when it is whole. ``Fraction(text)`` reads it back exactly; there is never a float;
* the exact amounts before rounding (``block1_exact``, ``step_payment_exact``,
  ``remainder_exact``, ``block2_exact``) are decimal text rounded half up to
  ``AMOUNT_DECIMALS`` places (``"18615938.123457"``): their denominator is the sum of every
  region's rate, which has thousands of digits with a few thousand regions (past Python's
  int-to-text limit). The whole-krona amounts are exact, and so is everything needed to
  recompute the exact amounts from the snapshot.

A snapshot holds everything a run used, so that ``compute(snapshot)`` gives the same result
later, whatever happened to the reports since (verify_decisions relies on it).

Two shapes are stored (docs: /work/notes/spec12.md section 2):

* format 1, made before models were data: ``"rules"`` (``{"block1", "block2", "staircase"}``);
  its result has no ``"format"`` and the 2024 columns (``block1``, ``step_payment``, ...).
  ``compute`` still runs it through ``allocation.engine``, so that its stored result is
  recomputed exactly as it was made.
* format 2: ``"model"``, the round's model document (RULES.md, format 1); ``compute`` runs it
  through ``allocation.allocmodel`` and the result is format 2: ``"blocks"`` (each block's
  definition and outcome), ``"totals"``, per region its ``"values"``, a cell per block id
  under ``"blocks"``, ``"amounts"`` (kronor per block id) and ``"total"``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from allocation import allocmodel, engine
from allocation.allocmodel import AllocationModel, ModelError
from allocation.selectors import RegionInputRow, regions_not_reporting, round_inputs
from atgrant.templatetags.atgrant_format import format_number
from regions.collation import name_order
from submissions.models import GrantRound

# Snapshots with "rules" (the 2024 columns) are format 1; with "model", format 2.
LEGACY_FORMAT = 1
SNAPSHOT_FORMAT = 2
RESULT_FORMAT = 2


class SnapshotError(ValueError):
    """The round's inputs cannot be run (e.g. a region has no population or plan)."""


def frac(value: Fraction | Decimal | int) -> str:
    """An exact number as Fraction text: "173/2", "86"."""
    if isinstance(value, Decimal):
        value = Fraction(value)
    return str(Fraction(value))


AMOUNT_DECIMALS = 6


def amount_text(value: Fraction) -> str:
    """An exact amount of kronor as decimal text, half up to AMOUNT_DECIMALS places."""
    value = Fraction(value)
    scale = 10**AMOUNT_DECIMALS
    # floor(value * scale + 1/2) in integers: no gcd of huge numbers, no text of them.
    scaled = (2 * value.numerator * scale + value.denominator) // (2 * value.denominator)
    sign = "-" if scaled < 0 else ""
    whole, part = divmod(abs(scaled), scale)
    return f"{sign}{whole}.{part:0{AMOUNT_DECIMALS}d}"


class ModelMissing(SnapshotError):
    """The round has no allocation model, or one that is not valid."""


def round_model(grant_round: GrantRound) -> AllocationModel:
    """The round's allocation model (``GrantRound.model``, RULES.md), validated.

    The model is the round's only source of its budgets and blocks.
    Raises ModelMissing (a SnapshotError, message in Swedish) when the round has no model or
    its document is not valid; the model's own message says which value, total or block.
    """
    if not grant_round.model:
        raise ModelMissing(
            _(
                "Omgången %(round)s har ingen fördelningsmodell. Lägg in modellen innan "
                "fördelningen körs."
            )
            % {"round": grant_round.name}
        )
    try:
        return AllocationModel.from_json(grant_round.model)
    except ModelError as exc:
        raise ModelMissing(
            _("Omgångens fördelningsmodell kan inte användas: %(problem)s") % {"problem": str(exc)}
        ) from exc


def round_model_or_none(grant_round: GrantRound) -> AllocationModel | None:
    """The round's model, or None when it has none or it is not valid (for pages that show
    what they can, such as the forecast)."""
    try:
        return round_model(grant_round)
    except ModelMissing:
        return None


def snapshot_model(snapshot: dict[str, Any]) -> AllocationModel:
    """The model a snapshot was (or will be) run with: format 2's ``"model"``, or format 1's
    ``"rules"`` read as RULES.md's 2024 model. Raises ModelError for a document not valid."""
    if is_legacy(snapshot):
        return AllocationModel.from_json(snapshot["rules"])
    return AllocationModel.from_json(snapshot["model"])


def block_budgets(snapshot: dict[str, Any]) -> dict[str, int]:
    """Each block's budget (kronor) by block id, in model order, as the snapshot's model has
    it (``block1``/``block2`` for a format-1 snapshot)."""
    return {block.id: block.budget for block in snapshot_model(snapshot).blocks}


def is_legacy(snapshot: dict[str, Any]) -> bool:
    """Whether the snapshot was made before models were data (format 1, ``"rules"``)."""
    return snapshot.get("format", LEGACY_FORMAT) == LEGACY_FORMAT and "model" not in snapshot


def _region_json(row: RegionInputRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "region_id": row.region_id,
        "code": row.code,
        "population": row.population,
        "plan_text": row.plan_text,
        "plan_low": frac(row.plan_low),
        "plan_high": frac(row.plan_high),
        "filled": row.filled,
        "started": row.started,
        "reported_filled": row.reported_filled,
        "reported_started": row.reported_started,
        "version_id": row.version_id,
        "version_number": row.version_number,
        "version_reference": row.version_reference,
        "deducted": row.deducted,
        "deduction_reason": row.deduction_reason,
        "override_reason": row.override_reason,
    }


def build_snapshot(grant_round: GrantRound, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The round's model and every input the next run uses (format 2). Raises SnapshotError if
    they are incomplete or the round's model is missing or not valid."""
    model = round_model(grant_round)
    rows = round_inputs(grant_round=grant_round)
    missing = [row.name for row in rows if row.baseline_missing]
    if missing:
        raise SnapshotError(
            _("Befolkning och planeringsunderlag saknas för: %(regions)s.")
            % {"regions": ", ".join(missing)}
        )
    absent = regions_not_reporting(grant_round=grant_round)
    return {
        "format": SNAPSHOT_FORMAT,
        "taken_at": (now or timezone.now()).astimezone(dt.UTC).isoformat(),
        "round": {
            "id": grant_round.pk,
            "slug": grant_round.slug,
            "name": grant_round.name,
            "year": grant_round.year,
            "population_date": grant_round.population_date.isoformat(),
        },
        "model": model.to_json(),
        "regions": [_region_json(row) for row in rows],
        "not_reporting": [{"region_id": r.pk, "name": r.name, "code": r.code} for r in absent],
    }


def region_inputs(snapshot: dict[str, Any]) -> list[engine.RegionInput]:
    """The snapshot's regions as the engines' input rows (either snapshot format).
    Raises engine.InputError for a row that cannot be run."""
    return [
        engine.RegionInput(
            name=r["name"],
            population=r["population"],
            planned_low=Fraction(r["plan_low"]),
            planned_high=Fraction(r["plan_high"]),
            filled=r["filled"],
            started=r["started"],
            deducted=r["deducted"],
        )
        for r in snapshot["regions"]
    ]


def engine_inputs(snapshot: dict[str, Any]) -> tuple[engine.Rules, list[engine.RegionInput]]:
    """A format-1 snapshot's rules and regions for ``allocation.engine``."""
    rules_data = snapshot["rules"]
    rules = engine.Rules(
        block1=rules_data["block1"],
        block2=rules_data["block2"],
        staircase=tuple(
            engine.Step(min_increase=Fraction(t), payout=p) for t, p in rules_data["staircase"]
        ),
    )
    return rules, region_inputs(snapshot)


def _result_region(res: engine.RegionResult, source: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": res.name,
        "region_id": source["region_id"],
        "code": source["code"],
        "filled": res.filled,
        "started": res.started,
        "reported_posts": res.reported_posts,
        "deducted": res.deducted,
        "posts": res.posts,
        "planned": frac(res.planned),
        "planned_is_range": res.planned_is_range,
        "increase": frac(res.increase),
        "rate": frac(res.rate),
        "block1_exact": amount_text(res.block1_exact),
        "block1": res.block1,
        "block1_rounding": res.block1_rounding,
        "qualifies": res.qualifies,
        "step_min_increase": frac(res.step.min_increase) if res.step else None,
        "step_payout": res.step.payout if res.step else None,
        "step_payment_exact": amount_text(res.step_payment_exact),
        "step_payment": res.step_payment,
        "remainder_exact": amount_text(res.remainder_exact),
        "remainder": res.remainder,
        "block2_exact": amount_text(res.block2_exact),
        "block2": res.block2,
        "block2_rounding": res.block2_rounding,
        "total": res.total,
    }


def _block_json(block: engine.BlockResult) -> dict[str, int]:
    return {"budget": block.budget, "paid": block.paid, "not_paid": block.not_paid}


def serialise(allocation: engine.Allocation, snapshot: dict[str, Any]) -> dict[str, Any]:
    by_name = {r["name"]: r for r in snapshot["regions"]}
    return {
        "regions": [_result_region(r, by_name[r.name]) for r in allocation.regions],
        "block1": _block_json(allocation.block1),
        "block2": _block_json(allocation.block2),
        "steps_scale": frac(allocation.steps_scale),
        "total_paid": allocation.total_paid,
        "warnings": [{"code": w.code, "message": w.message} for w in allocation.warnings],
    }


def _value_json(value: Fraction | bool) -> str | bool:
    """A model value or total: true/false, or Fraction text."""
    return value if isinstance(value, bool) else frac(value)


def _cell_json(cell: allocmodel.RegionBlock) -> dict[str, Any]:
    return {
        "eligible": cell.eligible,
        "weight": None if cell.weight is None else frac(cell.weight),
        "amount": None if cell.amount is None else frac(cell.amount),
        "step": None if cell.step is None else [frac(cell.step[0]), cell.step[1]],
        "exact": amount_text(cell.exact),
        "scaled_exact": amount_text(cell.scaled_exact),
        "remainder_exact": amount_text(cell.remainder_exact),
        "paid": cell.paid,
        "rounding": cell.rounding,
    }


def _model_region(outcome: allocmodel.RegionOutcome, source: dict[str, Any]) -> dict[str, Any]:
    given = outcome.input
    return {
        "name": outcome.name,
        "region_id": source["region_id"],
        "code": source["code"],
        "filled": given.filled,
        "started": given.started,
        "reported_posts": given.reported_posts,
        "deducted": given.deducted,
        "posts": outcome.posts,
        "planned": frac(given.planned),
        "planned_is_range": given.planned_low != given.planned_high,
        "values": {name: _value_json(v) for name, v in outcome.values.items()},
        "blocks": {block_id: _cell_json(cell) for block_id, cell in outcome.blocks.items()},
        "amounts": {block_id: cell.paid for block_id, cell in outcome.blocks.items()},
        "total": outcome.total,
    }


def _model_block(block: allocmodel.BlockOutcome, model: AllocationModel) -> dict[str, Any]:
    definition = model.block(block.id)
    return {
        "id": block.id,
        "name": block.name,
        "kind": block.kind,
        "budget": block.budget,
        "paid": block.paid,
        "not_paid": block.not_paid,
        "eligible_count": block.eligible_count,
        "amount_sum": None if block.amount_sum is None else frac(block.amount_sum),
        "scale": frac(block.scale),
        "remainder_budget": frac(block.remainder_budget),
        "eligible": definition.eligible,
        "share": definition.share,
        "amount": definition.amount,
        "over_budget": definition.over_budget,
        "remainder": definition.remainder,
    }


def serialise_model(allocation: allocmodel.ModelAllocation, snapshot: dict[str, Any]) -> dict:
    """A model allocation as stored in AllocationRun.result (format 2, spec12.md section 2)."""
    by_name = {r["name"]: r for r in snapshot["regions"]}
    model = allocation.model
    return {
        "format": RESULT_FORMAT,
        "model": model.to_json(),
        "value_names": [name for name, _expression in model.values],
        "blocks": [_model_block(b, model) for b in allocation.blocks],
        "totals": {name: _value_json(v) for name, v in allocation.totals.items()},
        "regions": [_model_region(r, by_name[r.name]) for r in allocation.regions],
        "total_paid": allocation.total_paid,
        "warnings": [{"code": w.code, "message": w.message} for w in allocation.warnings],
    }


def compute_model(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Run the snapshot's model (format 1's rules read as the 2024 model) through
    ``allocation.allocmodel``: always a format-2 result. Raises ModelError, engine.InputError."""
    model = snapshot_model(snapshot)
    return serialise_model(allocmodel.allocate(model, region_inputs(snapshot)), snapshot)


def compute(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Run a snapshot; the result as stored in AllocationRun.result.

    A format-1 snapshot (``"rules"``) is run by ``allocation.engine`` and gives the old result
    shape, exactly as stored by the runs made with it; a format-2 snapshot gives format 2.
    Raises ModelError, engine.InputError, engine.RulesError; SnapshotError for an unknown
    format.
    """
    if is_legacy(snapshot):
        rules, regions = engine_inputs(snapshot)
        return serialise(engine.allocate(rules, regions), snapshot)
    if snapshot.get("format") != SNAPSHOT_FORMAT:
        raise SnapshotError(
            _("Underlaget har ett okänt format (%(format)s).") % {"format": snapshot.get("format")}
        )
    return compute_model(snapshot)


@dataclass
class Preview:
    """What the next run would give now; ``error`` set when it cannot be computed."""

    snapshot: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    error: str = ""
    rows: list[RegionInputRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result is not None


def preview(grant_round: GrantRound) -> Preview:
    try:
        snapshot = build_snapshot(grant_round)
        result = compute(snapshot)
    except (SnapshotError, ModelError, engine.InputError, engine.RulesError) as exc:
        return Preview(error=str(exc), rows=round_inputs(grant_round=grant_round))
    return Preview(snapshot=snapshot, result=result)


# The compared inputs, with the words the officer reads for them.
_COMPARED = {
    "population": gettext_lazy("befolkningen"),
    "plan_low": gettext_lazy("planens nedre värde"),
    "plan_high": gettext_lazy("planens övre värde"),
    "filled": gettext_lazy("tillsatta tjänster"),
    "started": gettext_lazy("påbörjade tjänster"),
    "version_id": gettext_lazy("den inskickade versionen"),
    "deducted": gettext_lazy("avräknade tjänster"),
    "deduction_reason": gettext_lazy("skälet för avräkning"),
    "override_reason": gettext_lazy("skälet för handläggarens värde"),
}


def _shown(value: Any) -> str:
    """A compared value as the officer reads it: Swedish numbers, a dash for nothing."""
    if value is None or value == "":
        return "–"
    if isinstance(value, int | float | Decimal) or re.fullmatch(r"-?\d+(\.\d+)?", str(value)):
        return format_number(value)
    return str(value)


def snapshot_differences(snapshot: dict[str, Any], grant_round: GrantRound) -> list[str]:
    """How the round's current inputs differ from a snapshot, in Swedish (empty: none)."""
    try:
        current = build_snapshot(grant_round)
    except SnapshotError as exc:
        return [str(exc)]
    problems = []
    if not _same_model(snapshot, current["model"]):
        problems.append(_("Omgångens fördelningsmodell har ändrats."))
    old = {r["region_id"]: r for r in snapshot["regions"]}
    new = {r["region_id"]: r for r in current["regions"]}
    names = {pk: r["name"] for pk, r in {**old, **new}.items()}
    for region_id in sorted(old.keys() | new.keys(), key=lambda pk: name_order(names[pk])):
        before, after = old.get(region_id), new.get(region_id)
        if before is None or after is None:
            name = (before or after)["name"]
            problems.append(
                _("%(name)s: deltar nu inte längre.") % {"name": name}
                if after is None
                else _("%(name)s: har tillkommit.") % {"name": name}
            )
            continue
        for key in _COMPARED:
            if before.get(key) != after.get(key):
                problems.append(
                    _("%(name)s: %(field)s var %(before)s, är nu %(after)s.")
                    % {
                        "name": after["name"],
                        "field": _COMPARED[key],
                        "before": _shown(before.get(key)),
                        "after": _shown(after.get(key)),
                    }
                )
    return problems


def row_amounts(row: dict[str, Any]) -> dict[str, int]:
    """Kronor per block id of a run's result row: format 2's ``amounts``, or an old row's
    ``block1``/``block2``."""
    if "amounts" in row:
        return dict(row["amounts"])
    return {"block1": row["block1"], "block2": row["block2"]}


def _same_model(snapshot: dict[str, Any], current: dict[str, Any]) -> bool:
    """Whether the snapshot's model is the current one. A format-1 snapshot's rules are read
    as the 2024 model and compared without the model's name, which they never had."""
    if not is_legacy(snapshot):
        return snapshot.get("model") == current
    try:
        before = snapshot_model(snapshot).to_json()
    except ModelError:
        return False
    before.pop("name", None)
    return before == {k: v for k, v in current.items() if k != "name"}


def result_rows(snapshot: dict[str, Any], result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each region's result joined with its snapshot inputs (plan text, reasons), for tables."""
    inputs = {r["region_id"]: r for r in snapshot["regions"]}
    rows = []
    for region in result["regions"]:
        source = inputs.get(region["region_id"], {})
        rows.append(
            {
                **region,
                "plan_text": source.get("plan_text", ""),
                "population": source.get("population"),
                "reported_filled": source.get("reported_filled"),
                "reported_started": source.get("reported_started"),
                "version_reference": source.get("version_reference", ""),
                "deduction_reason": source.get("deduction_reason", ""),
                "override_reason": source.get("override_reason", ""),
            }
        )
    return rows
