"""The public allocation list (fördelningslista) of a decided round, and its downloads."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

from django.db.models import OuterRef, Q, Subquery, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject

from allocation import exports
from allocation.explain import as_fraction
from allocation.models import AllocationRun, Decision
from allocation.results import (
    BlockView,
    decision_table,
    is_format2,
    model_document,
    read_explanation,
)
from allocation.selectors import decisions_in_force
from atgrant.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, download
from regions.collation import name_order
from submissions.models import GrantRound, RoundStatus

AMOUNT_KEYS = ("block1", "step_payment", "remainder", "block2", "total")


@dataclass
class PublicTable:
    """The list's rows (one per region, by name), the ranking by total, and the totals."""

    grant_round: GrantRound
    rows: list[dict[str, Any]]
    run_id: int | None
    totals: dict[str, Any] = field(default_factory=dict)
    # The blocks of the decisions' model, in its order (allocation/results.py).
    blocks: list[BlockView] = field(default_factory=list)

    @property
    def legacy(self) -> bool:
        """Decisions made before models were data (the 2024 model's block1/block2)."""
        return all(row["legacy"] for row in self.rows)

    @property
    def block_totals(self) -> list[tuple[BlockView, int]]:
        return list(zip(self.blocks, self.totals.get("blocks", []), strict=True))

    @cached_property
    def model(self) -> dict[str, Any] | None:
        """The model the decisions' run used, as a format-1 document (RULES.md)."""
        run = AllocationRun.objects.only("snapshot", "result").filter(pk=self.run_id).first()
        if run is None:
            return None
        return model_document(run.snapshot) or (run.result or {}).get("model")

    @cached_property
    def rules(self) -> dict[str, Any] | None:
        """The 2024 rules (``{"block1", "block2", "staircase"}``) the decisions' run used, for
        a run made before models were data; None otherwise (read only for the downloads that
        need them)."""
        run = AllocationRun.objects.only("snapshot").filter(pk=self.run_id).first()
        return snapshot_rules(run.snapshot if run else None)

    @property
    def ranked(self) -> list[dict[str, Any]]:
        """As in the agency's published table: largest total first, ties by name."""
        return sorted(self.rows, key=lambda row: (-row["total"], name_order(row["region"])))

    @property
    def any_range(self) -> bool:
        return any(row["plan_is_range"] for row in self.rows)

    @property
    def reconsidered(self) -> list[dict[str, Any]]:
        return [row for row in self.rows if row["reconsidered"]]

    @property
    def over_budget(self) -> list[dict[str, Any]]:
        """Blocks whose decisions in force exceed their budget (after reconsiderations):
        ``{"block": id, "name": str, "total": kr, "budget": kr}``."""
        return [
            {"block": block.id, "name": block.name, "total": total, "budget": block.budget}
            for block, total in self.block_totals
            if total > block.budget
        ]

    def chart_data(self) -> dict[str, Any]:
        ranked = self.ranked
        return {
            "labels": [row["region"] for row in ranked],
            "datasets": [
                {"label": block.name, "data": [row["block_amounts"][i] or 0 for row in ranked]}
                for i, block in enumerate(self.blocks)
            ],
        }


def snapshot_rules(snapshot: dict[str, Any] | None) -> dict[str, Any] | None:
    """The 2024 rules a format-1 snapshot (a run made before models were data) holds, or None:
    a format-2 snapshot holds its model instead (PublicTable.model), and the round itself has
    no rules but its model."""
    rules = (snapshot or {}).get("rules")
    return dict(rules) if rules else None


def decision_row(decision: Decision) -> dict[str, Any]:
    """One region's line of the list: its inputs (as the run used them, copied into the
    decision's explanation, corrected there by a reconsideration through the engine) and the
    amounts of the decision in force. ``replaces`` names the decision a reconsideration
    replaced. Amounts typed at a reconsideration have no step payment or remainder (None)."""
    e = decision.explanation
    amounts = decision.block_amounts()
    if is_format2(e):
        _blocks, row = read_explanation(e, amounts)
        return {
            "region": decision.region.name,
            "run_name": row.name or decision.region.name,
            "code": decision.region.code,
            "reference": decision.reference,
            "population": row.population,
            "plan_text": row.plan_text,
            "planned": row.planned,
            "plan_is_range": row.planned_is_range,
            "filled": row.filled,
            "started": row.started,
            "deducted": row.deducted,
            "posts": row.posts,
            "increase": row.increase,
            "values": row.values,
            "amounts": amounts,
            "legacy": False,
            "step_payment": None,
            "remainder": None,
            "block1": amounts.get("block1"),
            "block2": amounts.get("block2"),
            "total": decision.total,
            "reconsidered": decision.replaces_id is not None,
            "replaces": e.get("replaces_reference", "") if decision.replaces_id else "",
            "reconsideration_reason": decision.reconsideration_reason,
        }
    typed = e.get("reconsideration_method") == "manual" or (
        decision.replaces_id is not None and not e.get("reconsideration_method")
    )
    return {
        # The registry's name (regions.Region.name), the same on every page, letter and file;
        # the run's own copy only for the input file that re-runs it.
        "region": decision.region.name,
        "run_name": e.get("region_name") or decision.region.name,
        "code": decision.region.code,
        "reference": decision.reference,
        "population": e.get("population"),
        "plan_text": e.get("plan_text", ""),
        "planned": as_fraction(e.get("planned")),
        "plan_is_range": bool(e.get("plan_is_range")),
        "filled": e.get("filled"),
        "started": e.get("started"),
        "deducted": e.get("deducted") or 0,
        "posts": e.get("posts"),
        "increase": as_fraction(e.get("increase")) or Fraction(0),
        "step_payment": None if typed else int(as_fraction(e.get("step_payment")) or 0),
        "remainder": None if typed else int(as_fraction(e.get("remainder")) or 0),
        "amounts": amounts,
        "legacy": True,
        "block1": decision.block1,
        "block2": decision.block2,
        "total": decision.total,
        "reconsidered": decision.replaces_id is not None,
        "replaces": e.get("replaces_reference", "") if decision.replaces_id else "",
        "reconsideration_reason": decision.reconsideration_reason,
    }


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    totals: dict[str, Any] = {key: sum(row[key] or 0 for row in rows) for key in AMOUNT_KEYS}
    totals["posts"] = sum(row["posts"] or 0 for row in rows)
    totals["planned"] = sum((row["planned"] or Fraction(0) for row in rows), Fraction(0))
    totals["increase"] = sum((row["increase"] or Fraction(0) for row in rows), Fraction(0))
    return totals


def with_blocks(rows: list[dict[str, Any]], blocks: list[BlockView]) -> None:
    """Each row's kronor aligned to ``blocks`` (``block_amounts``; None: not in its model)."""
    for row in rows:
        row["block_amounts"] = [row["amounts"].get(block.id) for block in blocks]
        row["block_cells"] = list(zip(blocks, row["block_amounts"], strict=True))


def public_table(grant_round: GrantRound) -> PublicTable:
    """The decided round's list from its decisions in force (one query; the runs' large JSON
    is not loaded)."""
    decisions = list(
        decisions_in_force(grant_round=grant_round).defer("run__snapshot", "run__result")
    )
    rows = [decision_row(decision) for decision in decisions]
    blocks = decision_table(decisions).blocks
    with_blocks(rows, blocks)
    originals = [d for d in decisions if d.replaces_id is None] or decisions
    run_id = originals[0].run_id if originals else None
    totals = _totals(rows)
    totals["blocks"] = [
        sum(row["block_amounts"][i] or 0 for row in rows) for i in range(len(blocks))
    ]
    return PublicTable(grant_round, rows, run_id, totals, blocks)


def _decided_round(slug: str) -> GrantRound:
    """The decided round, with its latest decision's chain hash as ``latest_chain`` and that
    decision's position in the chain as ``latest_position`` (one query). The list publishes
    both, outside the database, so that a rewritten chain can be detected."""
    latest = Decision.objects.filter(round=OuterRef("pk")).order_by("-pk")
    return get_object_or_404(
        GrantRound.objects.annotate(
            latest_chain=Subquery(latest.values("chain_hash")[:1]),
            latest_position=Subquery(latest.values("chain_link__position")[:1]),
        ),
        slug=slug,
        status=RoundStatus.DECIDED,
    )


def public_lists(request: HttpRequest) -> HttpResponse:
    """The decided rounds with what their decisions in force grant (``granted``, kr): the
    same sum as each list's total row, reconsiderations included (one query)."""
    in_force = Q(decisions__replaced_by__isnull=True)
    rounds = (
        GrantRound.objects.filter(status=RoundStatus.DECIDED)
        .annotate(granted=Sum("decisions__total", filter=in_force))
        .order_by("-year", "name")
    )
    return render(request, "allocation/public/lists.html", {"rounds": rounds})


def input_file_name(slug: str) -> str:
    """The machine input file's name as downloaded; the page's allocate_csv line names it."""
    return f"maskinlasbar-indata-allocate_csv-{slug}.csv"


def model_file_name(slug: str) -> str:
    """The machine model file's name as downloaded (``allocate_csv --rules``)."""
    return f"maskinlasbar-modell-allocate_csv-{slug}.json"


def public_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The list's body is a cached fragment keyed by the round's latest decision's chain hash
    (a reconsideration adds a decision and so a new key); the table is read only on a miss."""
    grant_round = _decided_round(slug)
    context = {
        "grant_round": grant_round,
        "table": SimpleLazyObject(lambda: public_table(grant_round)),
        "input_file": input_file_name(grant_round.slug),
        "model_file": model_file_name(grant_round.slug),
    }
    return render(request, "allocation/public/list.html", context)


def public_list_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """For people: the whole list as a CSV for Excel in Sweden."""
    table = public_table(_decided_round(slug))
    content = exports.full_csv(table.rows, blocks=None if table.legacy else table.blocks)
    return download(content, CSV_CONTENT_TYPE, f"fordelningslista-{slug}.csv")


def public_list_input_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """For machines: the ``allocate_csv`` input, in its exact format (the name says so)."""
    table = public_table(_decided_round(slug))
    content = exports.input_csv(table.rows)
    return download(content, CSV_CONTENT_TYPE, input_file_name(slug))


def public_list_rules(request: HttpRequest, slug: str) -> HttpResponse:
    """For machines: the decisions' allocation model as a format-1 document (RULES.md), the
    file ``allocate_csv --rules`` reads; decisions made before models were data get their
    rules as the 2024 model."""
    table = public_table(_decided_round(slug))
    if not table.model:
        raise Http404
    content = exports.model_json(table.model)
    return download(content, "application/json", model_file_name(slug))


def public_list_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    """For people: the list and the rules as an Excel workbook."""
    grant_round = _decided_round(slug)
    table = public_table(grant_round)
    if table.legacy and table.rules is not None:
        content = exports.xlsx(table.rows, rules=table.rules, title=grant_round.name)
    else:
        content = exports.xlsx(
            table.rows, rules=None, model=table.model, blocks=table.blocks, title=grant_round.name
        )
    return download(content, XLSX_CONTENT_TYPE, f"fordelningslista-{slug}.xlsx")
