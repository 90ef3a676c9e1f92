"""Engine scale: the allocation engine on 21, 290, 10 000 and 100 000 synthetic regions.

Target (issue 7): 100 000 regions in under 1 second on one core, with amounts identical to
an exact ``Fraction`` computation on every input small enough for that to finish.

    .venv/bin/python -m bench.engine_scale            # the table, about a minute
    .venv/bin/python -m bench.engine_scale --quick    # smaller, for a smoke run

Regions are generated from a fixed seed: populations 20 000..3 000 000, posts 0..400, plans
near the posts (a fifth of them ranges, some with a half), now and then a started count or a
deduction; unique names. Budgets are the 2024 budgets per region times n (63 MSEK and
160 MSEK for 21 regions), so that the staircase leaves a remainder to share as in 2024; two
extra rows stress the other paths at 100 000 regions: the 2024 budgets themselves (the
steps exceed block 2 and are scaled), and equal rates with a budget that makes every share
exactly x.5 kr (every rounding needs the exact fallback).

The same cases run through ``allocation.allocmodel`` with RULES.md's 2024 model as data
("model" rows; amounts and roundings compared with the engine's for every region, exact
figures too up to ``REFERENCE_MAX``; target: within 1.5 times the engine), and a 2022-like
three-block model with a round-wide total (``national_rate``), two share blocks and a
staircase with a remainder ("three blocks with totals"; compared with
``allocation.allocmodel.reference`` up to ``REFERENCE_MAX``; target: under 2 s at 100 000).

Only ``allocate()`` is timed (inputs are built before). "s (median)" is wall-clock time, "CPU
s" the process's CPU time (one core: the engine is single-threaded; on a machine shared with
other work the wall-clock time includes waiting for the core). Memory is tracemalloc's peak
during a separate, untimed call. "Reading all exact fields" is the time to read every
region's exact Fractions once (the results compute them when read; a snapshot does that).
Up to ``REFERENCE_MAX`` regions the result is compared,
field by field (every amount, adjustment and exact Fraction), with
``allocation.engine_reference``, the original all-Fraction engine, and its time is shown.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, fields
from fractions import Fraction
from pathlib import Path

from allocation import allocmodel, engine, engine_reference
from allocation.allocmodel import AllocationModel
from allocation.allocmodel import reference as model_reference
from allocation.engine import RegionInput, Rules

SEED = 20241101
REFERENCE_MAX = 1_000  # the all-Fraction engine: seconds at 1 000 regions, ~30 s at 2 000
RULES_2024 = Rules.from_dict(
    {
        "block1": 63_000_000,
        "block2": 160_000_000,
        "staircase": [
            [2, 3_000_000],
            [3, 4_500_000],
            [5, 7_500_000],
            [7, 10_500_000],
            [10, 20_000_000],
            [15, 30_000_000],
        ],
    }
)


def synthetic_regions(n: int, seed: int = SEED) -> list[RegionInput]:
    rnd = random.Random(seed * 1_000_003 + n)
    regions = []
    for i in range(n):
        posts = rnd.randint(0, 400)
        planned2 = 2 * max(0, posts - rnd.randint(-4, 20))  # twice the plan: halves allowed
        if rnd.random() < 0.05:
            planned2 += 1
        low = Fraction(planned2, 2)
        high = low + (rnd.randint(1, 5) if rnd.random() < 0.2 else 0)
        started = posts - rnd.randint(0, 3) if rnd.random() < 0.3 else None
        regions.append(
            RegionInput(
                name=f"Region {i:06d}",
                population=rnd.randint(20_000, 3_000_000),
                planned_low=low,
                planned_high=high,
                filled=posts,
                started=started if started is None or started >= 0 else 0,
                deducted=rnd.randint(0, min(2, posts)) if rnd.random() < 0.02 else 0,
            )
        )
    rnd.shuffle(regions)  # input order is not name order
    return regions


def budgets_per_region(n: int) -> Rules:
    """The 2024 budgets per region (21 regions) times n, plus a few odd kronor."""
    return Rules(
        block1=63_000_000 * n // 21 + 7,
        block2=160_000_000 * n // 21 + 3,
        staircase=RULES_2024.staircase,
    )


def equal_rates(n: int) -> tuple[Rules, list[RegionInput]]:
    """n regions with the same posts and population; block 1 is 630.5 kr per region."""
    rules = Rules(
        block1=630 * n + n // 2, block2=7_619_047 * n + n // 2, staircase=RULES_2024.staircase
    )
    names = [f"Region {i:06d}" for i in range(n)]
    random.Random(SEED).shuffle(names)
    regions = [RegionInput(name, 500_000, Fraction(40), Fraction(40), 45, None) for name in names]
    assert n % 2 == 0  # so that every share is exactly x.5
    return rules, regions


@dataclass
class Row:
    label: str
    n: int
    wall: list[float]
    cpu: list[float]
    peak_mib: float
    exact_read_s: float | None = None
    reference_s: float | None = None
    identical: bool | None = None
    engine: str = "engine"  # "engine" (allocation.engine) or "model" (allocation.allocmodel)


def measure(label: str, rules: Rules, regions: list[RegionInput], runs: int) -> Row:
    wall, cpu = [], []
    for _ in range(runs):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        engine.allocate(rules, regions)
        wall.append(time.perf_counter() - start_wall)
        cpu.append(time.process_time() - start_cpu)
    tracemalloc.start()
    result = engine.allocate(rules, regions)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    row = Row(label, len(regions), wall, cpu, peak / 2**20)
    if len(regions) <= REFERENCE_MAX:
        start = time.perf_counter()
        for region in result.regions:
            for name in EXACT_FIELDS:
                getattr(region, name)
        row.exact_read_s = time.perf_counter() - start
        start = time.perf_counter()
        reference = engine_reference.allocate(rules, regions)
        row.reference_s = time.perf_counter() - start
        row.identical = identical(result, reference)
    return row


EXACT_FIELDS = ("rate", "increase", "block1_exact", "step_payment_exact", "remainder_exact")


def model_2024(rules: Rules) -> AllocationModel:
    return allocmodel.model_2024(
        rules.block1, rules.block2, [(step.min_increase, step.payout) for step in rules.staircase]
    )


def three_levels(n: int) -> AllocationModel:
    """RULES.md's 2022-like illustration, its budgets per region times n."""
    return AllocationModel.from_json(
        {
            "format": 1,
            "name": "2022-lik",
            "values": {
                "posts": "max(filled, started) - deducted",
                "rate": "posts * 100000 / population",
                "increase": "posts - planned",
            },
            "totals": {"national_rate": "sum(posts) * 100000 / sum(population)"},
            "blocks": [
                {
                    "id": "good",
                    "name": "God nivå",
                    "budget": 124_000_000 * n // 21 + 5,
                    "eligible": "rate >= national_rate",
                    "share": "rate",
                },
                {
                    "id": "growth",
                    "name": "Ökning",
                    "budget": 164_000_000 * n // 21 + 3,
                    "eligible": "rate >= national_rate and increase > 0",
                    "share": "increase",
                },
                {
                    "id": "improve",
                    "name": "Trappa",
                    "budget": 84_000_000 * n // 21 + 1,
                    "eligible": "rate < national_rate and increase >= 10",
                    "amount": "step(increase, [[10, 500000], [15, 750000]])",
                    "remainder": "posts",
                },
            ],
        }
    )


def measure_model(
    label: str, model: AllocationModel, regions: list[RegionInput], runs: int, rules: Rules | None
) -> Row:
    """Time allocmodel.allocate; compare with the engine (``rules``) or the reference."""
    wall, cpu = [], []
    for _ in range(runs):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        allocmodel.allocate(model, regions)
        wall.append(time.perf_counter() - start_wall)
        cpu.append(time.process_time() - start_cpu)
    tracemalloc.start()
    result = allocmodel.allocate(model, regions)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    row = Row(label, len(regions), wall, cpu, peak / 2**20, engine="model")
    small = len(regions) <= REFERENCE_MAX
    if rules is not None:
        row.identical = same_as_engine(result, engine.allocate(rules, regions), exact=small)
    elif small:
        start = time.perf_counter()
        expected = model_reference.allocate(model, regions)
        row.reference_s = time.perf_counter() - start
        row.identical = same_as_reference(result, expected)
    if small:
        start = time.perf_counter()
        for region in result.regions:
            figures = [region.values]
            for cell in region.blocks.values():
                figures.append((cell.exact, cell.scaled_exact, cell.remainder_exact))
        row.exact_read_s = time.perf_counter() - start
    return row


def same_as_engine(
    result: allocmodel.ModelAllocation, expected: engine.Allocation, exact: bool
) -> bool:
    for mine, theirs in zip(result.regions, expected.regions, strict=True):
        b1, b2 = mine.blocks["block1"], mine.blocks["block2"]
        if (mine.name, b1.paid, b1.rounding, b2.paid, b2.rounding, mine.total) != (
            theirs.name,
            theirs.block1,
            theirs.block1_rounding,
            theirs.block2,
            theirs.block2_rounding,
            theirs.total,
        ):
            return False
        if exact and (b1.exact, b2.exact) != (theirs.block1_exact, theirs.block2_exact):
            return False
    return result.total_paid == expected.total_paid


def same_as_reference(
    result: allocmodel.ModelAllocation, expected: model_reference.ReferenceResult
) -> bool:
    for block in result.blocks:
        ref = expected.blocks[block.id]
        cells = [r.blocks[block.id] for r in result.regions]
        if block.paid != ref.paid or [c.paid for c in cells] != ref.amounts:
            return False
        if [c.rounding for c in cells] != ref.rounding or [c.exact for c in cells] != ref.exact:
            return False
    return True


def identical(fast: engine.Allocation, reference: engine_reference.Allocation) -> bool:
    names = [f.name for f in fields(engine_reference.RegionResult)]
    same_regions = all(
        getattr(mine, name) == getattr(theirs, name)
        for mine, theirs in zip(fast.regions, reference.regions, strict=True)
        for name in names
    )
    return same_regions and (fast.block1, fast.block2, fast.steps_scale, fast.warnings) == (
        reference.block1,
        reference.block2,
        reference.steps_scale,
        reference.warnings,
    )


def machine() -> str:
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f", {kib / 2**20:.0f} GiB memory"
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    return f"{os.cpu_count()} cores ({cpu}){memory}; Python {platform.python_version()}{load}"


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def table(rows: list[Row]) -> str:
    lines = [
        "| regions | case | engine | s (median) | s (best) | CPU s (median) | × engine "
        "| peak MiB | reading all exact fields s | Fraction reference s "
        "| identical to reference |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    engine_cpu = {
        (row.label, row.n): statistics.median(row.cpu) for row in rows if row.engine == "engine"
    }
    for row in rows:
        base = engine_cpu.get((row.label, row.n))
        times = (
            f"{statistics.median(row.cpu) / base:.2f}" if row.engine == "model" and base else "–"
        )
        reference = f"{row.reference_s:.2f}" if row.reference_s is not None else "–"
        exact_read = f"{row.exact_read_s:.2f}" if row.exact_read_s is not None else "–"
        same = {True: "yes", False: "**NO**", None: "not compared"}[row.identical]
        lines.append(
            f"| {_thousands(row.n)} | {row.label} | {row.engine} "
            f"| {statistics.median(row.wall):.3f} | {min(row.wall):.3f} "
            f"| {statistics.median(row.cpu):.3f} | {times} | {row.peak_mib:.1f} "
            f"| {exact_read} | {reference} | {same} |"
        )
    return "\n".join(lines)


def cases(quick: bool) -> list[tuple[str, Callable[[], tuple[Rules, list[RegionInput]]], int]]:
    sizes = [(21, 3), (290, 3), (1_000, 3), (10_000, 3), (100_000, 3)]
    big = 100_000
    if quick:
        sizes, big = [(21, 3), (290, 3), (10_000, 1)], 10_000
    rows: list[tuple[str, Callable[[], tuple[Rules, list[RegionInput]]], int]] = [
        (
            "budgets per region as 2024",
            lambda n=n: (budgets_per_region(n), synthetic_regions(n)),
            runs,
        )
        for n, runs in sizes
    ]
    rows.append(
        ("2024 budgets: steps exceed block 2", lambda: (RULES_2024, synthetic_regions(big)), 3)
    )
    rows.append(("equal rates, every share x.5 kr", lambda: equal_rates(big), 3))
    rows.append(("equal rates, every share x.5 kr", lambda: equal_rates(290), 3))
    return rows


def three_level_sizes(quick: bool) -> list[tuple[int, int]]:
    return (
        [(21, 3), (1_000, 3), (10_000, 1)]
        if quick
        else [(21, 3), (1_000, 3), (2_000, 3), (100_000, 3)]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    args = parser.parse_args(argv)
    print(f"Engine scale, {dt.datetime.now(dt.UTC).date().isoformat()}: {machine()}", flush=True)
    rows = []
    for label, build, runs in cases(args.quick):
        rules, regions = build()
        rows.append(measure(label, rules, regions, runs))
        print(f"  {len(regions):>7} regions, {label}: done", file=sys.stderr, flush=True)
        rows.append(measure_model(label, model_2024(rules), regions, runs, rules))
        print(f"  {len(regions):>7} regions, {label}, model: done", file=sys.stderr, flush=True)
    for n, runs in three_level_sizes(args.quick):
        label = "three blocks with totals (2022-like)"
        rows.append(measure_model(label, three_levels(n), synthetic_regions(n), runs, None))
        print(f"  {n:>7} regions, {label}: done", file=sys.stderr, flush=True)
    print(table(rows))
    print(
        f"\nCompared with the all-Fraction reference up to {_thousands(REFERENCE_MAX)} regions "
        "(every field of every region); model rows of the 2024 model with the engine (every "
        "amount and rounding; exact figures too up to that size); \u00d7 engine: CPU time over "
        "the engine's on the same case."
    )
    failed = [row for row in rows if row.identical is False]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
