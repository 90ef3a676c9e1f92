"""Simulation: a draft round's model run on an earlier round's inputs (the snapshot of its
decided run, or of its latest finished run), beside what that run gave. Nothing is written.

The snapshot holds each participating region's population, plan bounds, filled, started and
deducted posts (allocation/snapshot.py); its ``regions`` list has the same shape in snapshot
formats 1 and 2 (spec section 2), so only that list is read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allocation.allocmodel import AllocationModel, allocate
from allocation.models import AllocationRun
from allocation.selectors import issued_run, latest_done_run
from allocation.snapshot import region_inputs
from submissions.models import GrantRound

LEGACY_BLOCKS = ("block1", "block2")


@dataclass(frozen=True)
class SimulatedRow:
    name: str
    simulated: list[int]  # kronor per block of the draft model, in its order
    simulated_total: int
    decided: list[int | None]  # kronor per block of the earlier run, in its order
    decided_total: int | None

    @property
    def difference(self) -> int | None:
        """Simulated total minus the earlier total (kronor)."""
        if self.decided_total is None:
            return None
        return self.simulated_total - self.decided_total


@dataclass(frozen=True)
class Simulation:
    source: GrantRound
    run: AllocationRun
    blocks: list[tuple[str, str]]  # the draft model's (id, name)
    decided_blocks: list[tuple[str, str]]  # the earlier run's (id, name)
    rows: list[SimulatedRow]
    simulated_sums: list[int]
    decided_sums: list[int]
    simulated_total: int
    decided_total: int

    @property
    def difference(self) -> int:
        """The simulated total minus the decided total (kronor)."""
        return self.simulated_total - self.decided_total


def source_run(grant_round: GrantRound) -> AllocationRun | None:
    """The earlier round's run to compare with: the one decided, else its latest finished."""
    return issued_run(grant_round=grant_round) or latest_done_run(grant_round=grant_round)


def _decided_blocks(result: dict[str, Any]) -> list[tuple[str, str]]:
    if result.get("format") == 2:
        return [(b["id"], b["name"]) for b in result.get("blocks", [])]
    # Runs before models were data paid the 2024 model's two blocks (spec section 3).
    return [("block1", "Redovisa antal AT-tjänster"), ("block2", "Ytterligare utökning")]


def _decided_amounts(row: dict[str, Any]) -> dict[str, int]:
    """A result row's kronor per block: format 2's ``amounts``, or the old block1/block2."""
    if isinstance(row.get("amounts"), dict):
        return dict(row["amounts"])
    return {key: row[key] for key in LEGACY_BLOCKS if key in row}


def simulate(model: AllocationModel, source: GrantRound, run: AllocationRun) -> Simulation:
    """Run ``model`` on ``run``'s snapshot inputs. Raises ModelError, engine.InputError."""
    allocation = allocate(model, region_inputs(run.snapshot))
    result = run.result or {}
    decided_blocks = _decided_blocks(result)
    earlier = {row["name"]: row for row in result.get("regions", [])}
    rows = []
    for outcome in allocation.regions:
        row = earlier.get(outcome.name)
        amounts = _decided_amounts(row) if row else {}
        rows.append(
            SimulatedRow(
                name=outcome.name,
                simulated=[cell.paid for cell in outcome.blocks.values()],
                simulated_total=outcome.total,
                decided=[amounts.get(block_id) for block_id, _name in decided_blocks],
                decided_total=row.get("total") if row else None,
            )
        )
    return Simulation(
        source=source,
        run=run,
        blocks=[(b.id, b.name) for b in allocation.blocks],
        decided_blocks=decided_blocks,
        rows=rows,
        simulated_sums=[b.paid for b in allocation.blocks],
        decided_sums=[sum(r.decided[i] or 0 for r in rows) for i in range(len(decided_blocks))],
        simulated_total=allocation.total_paid,
        decided_total=sum(r.decided_total or 0 for r in rows),
    )
