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
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from allocation import engine
from allocation.selectors import RegionInputRow, regions_not_reporting, round_inputs
from submissions.forecast import rules_for_round
from submissions.models import GrantRound

SNAPSHOT_FORMAT = 1


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


def _rules_json(rules: engine.Rules) -> dict[str, Any]:
    return {
        "block1": rules.block1,
        "block2": rules.block2,
        "staircase": [[frac(s.min_increase), s.payout] for s in rules.staircase],
    }


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
    """The rules and every input the next run uses. Raises SnapshotError if they are incomplete."""
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
        "rules": _rules_json(rules_for_round(grant_round)),
        "regions": [_region_json(row) for row in rows],
        "not_reporting": [
            {"region_id": r.pk, "name": r.short_name, "code": r.code} for r in absent
        ],
    }


def engine_inputs(snapshot: dict[str, Any]) -> tuple[engine.Rules, list[engine.RegionInput]]:
    rules_data = snapshot["rules"]
    rules = engine.Rules(
        block1=rules_data["block1"],
        block2=rules_data["block2"],
        staircase=tuple(
            engine.Step(min_increase=Fraction(t), payout=p) for t, p in rules_data["staircase"]
        ),
    )
    regions = [
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
    return rules, regions


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


def compute(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Run the engine on a snapshot; the result as stored in AllocationRun.result."""
    rules, regions = engine_inputs(snapshot)
    return serialise(engine.allocate(rules, regions), snapshot)


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
    except (SnapshotError, engine.InputError, engine.RulesError) as exc:
        return Preview(error=str(exc), rows=round_inputs(grant_round=grant_round))
    return Preview(snapshot=snapshot, result=result)


_COMPARED = (
    "population",
    "plan_low",
    "plan_high",
    "filled",
    "started",
    "version_id",
    "deducted",
    "deduction_reason",
    "override_reason",
)


def snapshot_differences(snapshot: dict[str, Any], grant_round: GrantRound) -> list[str]:
    """How the round's current inputs differ from a snapshot, in Swedish (empty: none)."""
    try:
        current = build_snapshot(grant_round)
    except SnapshotError as exc:
        return [str(exc)]
    problems = []
    if current["rules"] != snapshot["rules"]:
        problems.append(_("Omgångens budget eller trappa har ändrats."))
    old = {r["region_id"]: r for r in snapshot["regions"]}
    new = {r["region_id"]: r for r in current["regions"]}
    for region_id in sorted(old.keys() | new.keys()):
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
                        "field": key,
                        "before": before.get(key),
                        "after": after.get(key),
                    }
                )
    return problems


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
