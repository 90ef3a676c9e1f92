"""A decided round whose run and decisions are in result format 2 (spec12.md section 2),
written by hand: a 2022-like three-block model over the four regions of read_factories.FOUR.

Blocks: ``good`` (share ``rate``, eligible ``rate >= national_rate``: Blekinge, Gotland),
``growth`` (share ``increase``, same regions with ``increase > 0``), ``improve`` (amount
``step(increase, [[1, 3000000], [5, 6000000]])`` for ``rate < national_rate``: Halland
reaches the first step, Jämtland none; the remainder shared by ``posts``). The figures in
data/three_block_result.json were computed exactly (Fractions, half up, DOMAIN.md rounding).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from django.utils import timezone

from allocation.models import AllocationRun, ChainLink, Decision, RunStatus
from allocation.services.decisions import explanation_of
from allocation.snapshot import build_snapshot, compute
from regions.models import Region
from submissions.models import GrantRound, RoundStatus
from tests.allocation.read_factories import DECISION_DATE, FOUR, closed_round

RESULT_FILE = Path(__file__).parent / "data" / "three_block_result.json"
BLOCK_NAMES = {
    "good": "Goda förutsättningar",
    "growth": "Fortsatt ökning",
    "improve": "Förbättring",
}


def three_block_result() -> dict[str, Any]:
    return json.loads(RESULT_FILE.read_text(encoding="utf-8"))


def format2_run(grant_round: GrantRound, officer: object, *, result: dict | None = None):
    """A finished run of ``grant_round`` with a format-2 snapshot and result."""
    result = copy.deepcopy(result or three_block_result())
    snapshot = build_snapshot(grant_round)
    snapshot.pop("rules", None)
    snapshot["format"] = 2
    snapshot["model"] = result["model"]
    ids = {r["name"]: r["region_id"] for r in snapshot["regions"]}
    for region in result["regions"]:
        region["region_id"] = ids[region["name"]]
    now = timezone.now()
    number = AllocationRun.objects.filter(round=grant_round).count() + 1
    return AllocationRun.objects.create(
        round=grant_round,
        number=number,
        status=RunStatus.DONE,
        requested_by=officer,
        requested_at=now,
        started_at=now,
        finished_at=now,
        snapshot=snapshot,
        result=result,
        content_hash="c" * 64,
        chain_hash="d" * 64,
    )


def format2_explanation(run: AllocationRun, region_row: dict[str, Any]) -> dict[str, Any]:
    """The explanation a format-2 decision stores, as the decisions service writes it."""
    source = next(r for r in run.snapshot["regions"] if r["region_id"] == region_row["region_id"])
    return explanation_of(
        run_number=run.number, run_result=run.result, result=region_row, source=source
    )


def three_block_decided(officer: object, *, slug: str = "at-2022") -> dict[str, Decision]:
    """A decided round (FOUR's regions) with format-2 decisions; by region short name."""
    grant_round = closed_round(FOUR, slug=slug)
    GrantRound.objects.filter(pk=grant_round.pk).update(model=three_block_result()["model"])
    run = format2_run(grant_round, officer)
    regions = Region.objects.in_bulk([r["region_id"] for r in run.result["regions"]])
    decided_at = timezone.now()
    position = ChainLink.objects.count()
    decisions = {}
    for row in run.result["regions"]:
        region = regions[row["region_id"]]
        decision = Decision.objects.create(
            round=grant_round,
            region=region,
            run=run,
            reference=f"AT{grant_round.year}-{region.code}-B1",
            amounts=dict(row["amounts"]),
            total=row["total"],
            explanation=format2_explanation(run, row),
            decided_at=decided_at,
            decision_date=DECISION_DATE,
            decided_by=officer,
            presented_by=officer,
            content_hash=f"{region.code:0>64}",
            chain_hash=f"{region.code:f>64}",
        )
        position += 1
        ChainLink.objects.create(
            position=position + 10_000,
            kind=ChainLink.Kind.DECISION,
            decision=decision,
            content_hash=decision.content_hash,
            chain_hash=decision.chain_hash,
        )
        decisions[region.short_name] = decision
    GrantRound.objects.filter(pk=grant_round.pk).update(status=RoundStatus.DECIDED)
    AllocationRun.objects.filter(pk=run.pk).update(issued_at=decided_at)
    return decisions


LEGACY_RULES = {
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


def legacy_decided(officer: object, regions=FOUR, *, slug: str = "at-2024") -> dict:
    """A decided 2024 round as the code before models were data left it: a format-1
    snapshot, the old result shape, decisions with block1/block2 and the old explanation."""
    grant_round = closed_round(regions, slug=slug)
    snapshot = {k: v for k, v in build_snapshot(grant_round).items() if k != "model"}
    snapshot["format"] = 1
    snapshot["rules"] = copy.deepcopy(LEGACY_RULES)
    result = compute(snapshot)
    assert "format" not in result and "steps_scale" in result
    now = timezone.now()
    run = AllocationRun.objects.create(
        round=grant_round,
        number=1,
        status=RunStatus.DONE,
        requested_by=officer,
        requested_at=now,
        started_at=now,
        finished_at=now,
        snapshot=snapshot,
        result=result,
        content_hash="a" * 64,
        chain_hash="b" * 64,
        issued_at=now,
    )
    sources = {r["region_id"]: r for r in snapshot["regions"]}
    regions_by_id = Region.objects.in_bulk(list(sources))
    decisions = {}
    for row in result["regions"]:
        region = regions_by_id[row["region_id"]]
        decisions[region.short_name] = Decision.objects.create(
            round=grant_round,
            region=region,
            run=run,
            reference=f"AT{grant_round.year}-{region.code}-B1",
            block1=row["block1"],
            block2=row["block2"],
            total=row["total"],
            explanation=explanation_of(
                run_number=1, run_result=result, result=row, source=sources[row["region_id"]]
            ),
            decided_at=now,
            decision_date=DECISION_DATE,
            decided_by=officer,
            presented_by=officer,
            content_hash=f"{region.code:0>64}",
            chain_hash=f"{region.code:e>64}",
        )
    GrantRound.objects.filter(pk=grant_round.pk).update(status=RoundStatus.DECIDED)
    return decisions


__all__ = [
    "BLOCK_NAMES",
    "format2_run",
    "three_block_decided",
    "three_block_result",
    "legacy_decided",
]
