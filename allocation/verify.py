"""Verifying the record: every finished run recomputed from its snapshot, every decision checked
against its run, and the hash chain recomputed link by link.

Runs of both snapshot formats are recomputed by ``snapshot.compute``: those made before models
were data by ``allocation.engine`` (the old result shape), those since by their model
(format 2). A decision's amounts per block (``Decision.block_amounts()``) are compared with its
run's row, whichever shape either has.

``verify_all()`` is what ``manage.py verify_decisions`` and the auditor's page call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from allocation import chain, reconsideration
from allocation.models import AllocationRun, ChainLink, Decision, RunStatus
from allocation.snapshot import compute, row_amounts


@dataclass
class VerificationReport:
    checked_runs: int = 0
    checked_decisions: int = 0
    checked_links: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _check_run(run: AllocationRun, report: VerificationReport) -> None:
    label = f"run {run.pk} ({run.round.slug} #{run.number})"
    try:
        recomputed = compute(run.snapshot)
    except Exception as exc:  # noqa: BLE001 - any failure to recompute is a finding
        report.problems.append(f"{label}: cannot recompute from snapshot: {exc}")
        recomputed = None
    if recomputed is not None and recomputed != run.result:
        report.problems.extend(f"{label}: {d}" for d in _result_differences(run.result, recomputed))
    if chain.content_hash(chain.run_content(run)) != run.content_hash:
        report.problems.append(f"{label}: content hash does not match its content")


def _result_differences(stored: dict | None, recomputed: dict) -> list[str]:
    if not stored:
        return ["stored result is missing"]
    found = []
    stored_regions = {r.get("region_id"): r for r in stored.get("regions", [])}
    for region in recomputed["regions"]:
        old = stored_regions.pop(region["region_id"], None)
        if old is None:
            found.append(f"{region['name']}: missing from the stored result")
            continue
        for key, value in region.items():
            if old.get(key) != value:
                found.append(
                    f"{region['name']}: {key} stored {old.get(key)!r}, recomputed {value!r}"
                )
    found.extend(f"region {rid}: in the stored result only" for rid in stored_regions)
    for key in recomputed.keys() - {"regions"}:
        if stored.get(key) != recomputed.get(key):
            found.append(f"{key} stored {stored.get(key)!r}, recomputed {recomputed.get(key)!r}")
    return found or ["stored result differs from the recomputed one"]


def _amounts_text(amounts: dict[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in amounts.items())


def _check_decision(
    decision: Decision,
    report: VerificationReport,
    rows_by_run: dict[int, dict[int, dict[str, Any]]],
) -> None:
    """`rows_by_run`: each done run's result rows by region id (read once, not per decision)."""
    label = f"decision {decision.reference}"
    amounts = decision.block_amounts()
    if None in amounts.values() or decision.total != sum(amounts.values()):
        report.problems.append(f"{label}: total is not the sum of its block amounts")
    if chain.content_hash(chain.decision_content(decision)) != decision.content_hash:
        report.problems.append(f"{label}: content hash does not match its content")
    if decision.replaces_id is not None:
        # Amounts typed at a reconsideration are its own; one made through the model must
        # still be what it gives with its corrected inputs.
        try:
            recomputed = reconsideration.recomputed_amounts(decision)
        except Exception as exc:  # noqa: BLE001 - any failure to recompute is a finding
            report.problems.append(f"{label}: cannot recompute its corrected inputs: {exc}")
            return
        if recomputed is not None and recomputed != amounts:
            report.problems.append(
                f"{label}: amounts {_amounts_text(amounts)}, its corrected inputs "
                f"give {_amounts_text(recomputed)}"
            )
        return
    rows = rows_by_run.get(decision.run_id)
    if rows is None:
        report.problems.append(f"{label}: its run is not done")
        return
    row = rows.get(decision.region_id)
    if row is None:
        report.problems.append(f"{label}: region not in its run's result")
        return
    expected = {**row_amounts(row), "total": row["total"]}
    for key, value in {**amounts, "total": decision.total}.items():
        if key not in expected:
            report.problems.append(f"{label}: block {key} is not in its run's model")
        elif value != expected[key]:
            report.problems.append(f"{label}: {key} is {value}, its run says {expected[key]}")
    for key in expected.keys() - amounts.keys() - {"total"}:
        report.problems.append(f"{label}: no amount for block {key} of its run's model")


def _check_chain(report: VerificationReport) -> None:
    previous = ""
    expected_position = 1
    runs = {r.pk: r for r in AllocationRun.objects.filter(status=RunStatus.DONE)}
    decisions = {d.pk: d for d in Decision.objects.all()}
    linked_runs, linked_decisions = set(), set()
    for link in ChainLink.objects.order_by("position"):
        report.checked_links += 1
        label = f"chain link {link.position}"
        if link.position != expected_position:
            report.problems.append(f"{label}: expected position {expected_position}")
        expected_position = link.position + 1
        if link.previous_hash != previous:
            report.problems.append(f"{label}: previous hash does not match the link before")
        if link.chain_hash != chain.link_hash(link.previous_hash, link.content_hash):
            report.problems.append(f"{label}: chain hash does not match")
        target = runs.get(link.run_id) if link.run_id else decisions.get(link.decision_id)
        if target is None:
            report.problems.append(f"{label}: its record is missing or not done")
        elif (target.content_hash, target.chain_hash) != (link.content_hash, link.chain_hash):
            report.problems.append(f"{label}: the record's hashes differ from the link's")
        (linked_runs if link.run_id else linked_decisions).add(link.run_id or link.decision_id)
        previous = link.chain_hash
    for pk in runs.keys() - linked_runs:
        report.problems.append(f"run {pk}: not in the hash chain")
    for pk in decisions.keys() - linked_decisions:
        report.problems.append(f"decision {decisions[pk].reference}: not in the hash chain")


def verify_all() -> VerificationReport:
    report = VerificationReport()
    done = AllocationRun.objects.filter(status=RunStatus.DONE).select_related("round")
    rows_by_run: dict[int, dict[int, dict[str, Any]]] = {}
    for run in done.order_by("pk"):
        report.checked_runs += 1
        _check_run(run, report)
        rows_by_run[run.pk] = {row["region_id"]: row for row in run.result_regions()}
    for decision in Decision.objects.order_by("pk"):
        report.checked_decisions += 1
        _check_decision(decision, report, rows_by_run)
    _check_chain(report)
    return report
