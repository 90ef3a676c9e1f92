"""One reader of stored allocation results, whatever model made them (spec12.md section 3).

Two result shapes are stored (allocation/snapshot.py):

* the old one, of runs and decisions made before models were data: ``AllocationRun.result``
  without ``"format"`` (keys ``block1``, ``block2``, ``steps_scale``; per region
  ``block1_exact``, ``step_payment``, ``remainder``, ...) and decision explanations written by
  allocation/services/decisions.py ``explanation_of``;
* format 2 (``"format": 2``): blocks of any model (RULES.md), per region a cell per block id.

Both are read into the same frozen views, so that every page, export and letter shows any
model block by block. The old shape is read as RULES.md's 2024 model: block ``block1``
(share ``rate``) and block ``block2`` (eligible from the first step, amount ``step(...)``,
remainder ``rate``); its figures are those stored, never recomputed.

Amounts: ``paid`` and ``rounding`` are whole kronor (int); exact amounts before rounding are
``Decimal`` (the stored 6-place text); weights, values and scale factors are ``Fraction``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext_lazy

from allocation.wording import title

LEGACY_BLOCK1_NAME = "Redovisa antal AT-tjänster"
LEGACY_BLOCK2_NAME = "Ytterligare utökning"
LEGACY_MODEL_NAME = "AT-tjänster 2024"
LEGACY_VALUES = (
    ("posts", "max(filled, started) - deducted"),
    ("rate", "posts * 100000 / population"),
    ("increase", "posts - planned"),
)

_ZERO = Decimal("0")


def _fraction(value: object, default: Fraction | None = None) -> Fraction | None:
    """A stored exact number ("173/2", "12.5", 12, "18615938.123457") as a Fraction."""
    if value is None or value == "" or isinstance(value, bool):
        return default
    try:
        return Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        return default


def _decimal(value: object) -> Decimal:
    if value is None or value == "":
        return _ZERO
    return Decimal(str(value))


def half_up(value: Decimal | Fraction) -> int:
    """Whole kronor, half up (DOMAIN.md)."""
    if isinstance(value, Fraction):
        return (2 * value.numerator + value.denominator) // (2 * value.denominator)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def number_literal(value: Fraction) -> str:
    """An exact number as an expression literal: ``2``, ``2.5``; ``(1/3)`` if not decimal."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return f"({value.numerator}/{value.denominator})"
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def legacy_model_document(rules: Mapping[str, Any], name: str = LEGACY_MODEL_NAME) -> dict:
    """The 2024 rules written before models were data (``{"block1", "block2", "staircase"}``,
    budgets in kronor, staircase ``[[threshold, payout], ...]``) as RULES.md's 2024 model, a
    format-1 document."""
    steps = [(Fraction(str(t)), int(p)) for t, p in rules.get("staircase") or ()]
    table = ", ".join(f"[{number_literal(t)}, {p}]" for t, p in steps)
    first = number_literal(steps[0][0]) if steps else None
    block2: dict[str, Any] = {
        "id": "block2",
        "name": LEGACY_BLOCK2_NAME,
        "budget": int(rules["block2"]),
        "eligible": f"increase >= {first}" if first is not None else "false",
        "amount": f"step(increase, [{table}])",
        "over_budget": "scale",
        "remainder": "rate",
    }
    return {
        "format": 1,
        "name": name,
        "values": dict(LEGACY_VALUES),
        "totals": {},
        "blocks": [
            {
                "id": "block1",
                "name": LEGACY_BLOCK1_NAME,
                "budget": int(rules["block1"]),
                "share": "rate",
            },
            block2,
        ],
    }


# Swedish column labels for the values most models use; any other value shows its name.
VALUE_LABELS = {
    "posts": gettext_lazy("Tjänster"),
    "rate": gettext_lazy("Tjänster per 100 000 inv."),
    "increase": gettext_lazy("Utökning"),
    "planned": gettext_lazy("Plan"),
    "national_rate": gettext_lazy("Tjänster per 100 000 inv. i riket"),
}


def value_label(name: str) -> str:
    """A value's short column heading; a name without one gets its label from wording.py."""
    return str(VALUE_LABELS[name]) if name in VALUE_LABELS else title(name)


def value_columns(value_names: Sequence[str]) -> list[dict[str, str]]:
    """The model's values a table shows beside the posts and the plan (which have their own
    columns): ``[{"name": "rate", "label": "Tjänster per 100 000 inv."}, ...]``."""
    return [
        {"name": name, "label": value_label(name)}
        for name in value_names
        if name not in ("posts", "planned")
    ]


def model_document(snapshot: Mapping[str, Any] | None) -> dict | None:
    """The format-1 model a run used: ``snapshot["model"]`` (format 2) or its old ``rules``."""
    snapshot = snapshot or {}
    if snapshot.get("model"):
        return dict(snapshot["model"])
    if snapshot.get("rules"):
        return legacy_model_document(snapshot["rules"])
    return None


@dataclass(frozen=True)
class BlockView:
    """One block of a run: its definition (RULES.md) and what it paid (kronor)."""

    id: str
    name: str
    budget: int
    paid: int
    not_paid: int
    kind: str  # "share" | "amount"
    eligible_count: int
    scale: Fraction
    remainder_budget: Fraction
    eligible: str | None = None
    share: str | None = None
    amount: str | None = None
    over_budget: str = "scale"
    remainder: str | None = None
    amount_sum: Fraction | None = None

    @property
    def scaled(self) -> bool:
        """Whether over_budget "scale" scaled this block's amounts down."""
        return self.scale != 1

    @property
    def is_share(self) -> bool:
        return self.kind == "share"

    @property
    def is_paid(self) -> bool:
        return self.paid > 0


@dataclass(frozen=True)
class Cell:
    """One region in one block. ``exact``: the exact amount before rounding (kronor);
    ``scaled_exact``: the amount after scaling (amount blocks); ``remainder_exact``: the
    remainder part; ``paid``: whole kronor; ``rounding``: kronor added (+) or taken (-)."""

    block: BlockView
    eligible: bool
    weight: Fraction | None
    amount: Fraction | None
    step: tuple[Fraction, int] | None
    exact: Decimal
    scaled_exact: Decimal
    remainder_exact: Decimal
    paid: int
    rounding: int
    # The old results' whole-krona split of block 2 (step payment, remainder); None otherwise.
    stored_parts: tuple[int, int] | None = None

    @property
    def weight_share(self) -> Fraction | None:
        """The region's part of the block's total weight (share blocks: exact / budget)."""
        if self.block.kind != "share" or not self.eligible or not self.block.budget:
            return None
        if not self.block.paid:
            return None
        return Fraction(self.exact) / self.block.budget

    @property
    def amount_paid(self) -> int:
        """Whole kronor of the amount part (display split; the rest is the remainder)."""
        if self.stored_parts is not None:
            return self.stored_parts[0]
        if self.block.kind == "share":
            return self.paid
        return min(self.paid, half_up(self.scaled_exact))

    @property
    def remainder_paid(self) -> int:
        """Whole kronor of the remainder part (display split)."""
        if self.stored_parts is not None:
            return self.stored_parts[1]
        return self.paid - self.amount_paid

    @property
    def has_remainder(self) -> bool:
        return self.block.kind == "amount" and self.remainder_exact != 0


@dataclass(frozen=True)
class Row:
    """One region's result, joined with its snapshot inputs."""

    name: str
    region_id: int | None
    code: str
    filled: int | None
    started: int | None
    reported_posts: int
    deducted: int
    posts: int
    planned: Fraction
    planned_is_range: bool
    values: dict[str, Fraction | bool]
    cells: list[Cell]
    total: int
    population: int | None = None
    plan_text: str = ""
    reported_filled: int | None = None
    reported_started: int | None = None
    version_reference: str = ""
    deduction_reason: str = ""
    override_reason: str = ""

    def cell(self, block_id: str) -> Cell | None:
        return next((c for c in self.cells if c.block.id == block_id), None)

    @property
    def amounts(self) -> dict[str, int]:
        """Kronor per block id, in block order."""
        return {c.block.id: c.paid for c in self.cells}

    @property
    def increase(self) -> Fraction | None:
        value = self.values.get("increase")
        return value if isinstance(value, Fraction) else None

    @property
    def rate(self) -> Fraction | None:
        value = self.values.get("rate")
        return value if isinstance(value, Fraction) else None

    @property
    def value_items(self) -> list[tuple[str, Fraction | bool]]:
        return list(self.values.items())


@dataclass(frozen=True)
class RunResult:
    blocks: list[BlockView]
    value_names: list[str]
    totals: dict[str, Fraction | bool]
    rows: list[Row]
    total_paid: int
    warnings: list[dict]
    model: dict | None
    legacy: bool = False
    extra: dict = field(default_factory=dict)

    def block(self, block_id: str) -> BlockView | None:
        return next((b for b in self.blocks if b.id == block_id), None)

    @property
    def scaled_blocks(self) -> list[BlockView]:
        return [b for b in self.blocks if b.scaled]

    @property
    def block_totals(self) -> dict[str, int]:
        return {b.id: b.paid for b in self.blocks}


# --- format 2 ---------------------------------------------------------------------------------


def _value(value: object) -> Fraction | bool:
    if isinstance(value, bool):
        return value
    return _fraction(value, Fraction(0))


def _block_view(data: Mapping[str, Any]) -> BlockView:
    budget = int(data.get("budget") or 0)
    paid = int(data.get("paid", 0) or 0)
    kind = data.get("kind") or ("share" if data.get("share") else "amount")
    return BlockView(
        id=str(data["id"]),
        name=str(data.get("name") or data["id"]),
        budget=budget,
        paid=paid,
        not_paid=int(data.get("not_paid", budget - paid) or 0),
        kind=kind,
        eligible_count=int(data.get("eligible_count") or 0),
        scale=_fraction(data.get("scale"), Fraction(1)),
        remainder_budget=_fraction(data.get("remainder_budget"), Fraction(0)),
        eligible=data.get("eligible"),
        share=data.get("share"),
        amount=data.get("amount"),
        over_budget=data.get("over_budget") or "scale",
        remainder=data.get("remainder"),
        amount_sum=_fraction(data.get("amount_sum")),
    )


def _cell(block: BlockView, data: Mapping[str, Any] | None, paid: int | None = None) -> Cell:
    data = data or {}
    step = data.get("step")
    return Cell(
        block=block,
        eligible=bool(data.get("eligible")),
        weight=_fraction(data.get("weight")),
        amount=_fraction(data.get("amount")),
        step=(Fraction(str(step[0])), int(step[1])) if step else None,
        exact=_decimal(data.get("exact")),
        scaled_exact=_decimal(data.get("scaled_exact")),
        remainder_exact=_decimal(data.get("remainder_exact")),
        paid=int(data.get("paid", 0) or 0) if paid is None else paid,
        rounding=int(data.get("rounding") or 0),
    )


def _row(
    region: Mapping[str, Any],
    source: Mapping[str, Any],
    values: dict[str, Fraction | bool],
    cells: list[Cell],
) -> Row:
    def pick(key: str, default: Any = None) -> Any:
        if region.get(key) is not None:
            return region[key]
        return source.get(key, default)

    return Row(
        name=region["name"],
        region_id=pick("region_id"),
        code=pick("code", "") or "",
        filled=pick("filled"),
        started=pick("started"),
        reported_posts=int(pick("reported_posts", 0) or 0),
        deducted=int(pick("deducted", 0) or 0),
        posts=int(pick("posts", 0) or 0),
        planned=_fraction(pick("planned"), Fraction(0)),
        planned_is_range=bool(pick("planned_is_range", pick("plan_is_range", False))),
        values=values,
        cells=cells,
        total=int(pick("total", sum(c.paid for c in cells)) or 0),
        population=pick("population"),
        plan_text=pick("plan_text", "") or "",
        reported_filled=pick("reported_filled"),
        reported_started=pick("reported_started"),
        version_reference=pick("version_reference", "") or "",
        deduction_reason=pick("deduction_reason", "") or "",
        override_reason=pick("override_reason", "") or "",
    )


def _format2_row(
    region: Mapping[str, Any],
    source: Mapping[str, Any],
    blocks: Sequence[BlockView],
    amounts: Mapping[str, int] | None = None,
) -> Row:
    region_cells = region.get("blocks") or {}
    cells = [
        _cell(
            block,
            region_cells.get(block.id),
            None if amounts is None or block.id not in amounts else int(amounts[block.id]),
        )
        for block in blocks
    ]
    values = {name: _value(v) for name, v in (region.get("values") or {}).items()}
    return _row(region, source, values, cells)


def _read_format2(snapshot: Mapping[str, Any], result: Mapping[str, Any]) -> RunResult:
    blocks = [_block_view(b) for b in result.get("blocks") or ()]
    sources = {r.get("region_id"): r for r in (snapshot or {}).get("regions") or ()}
    rows = [
        _format2_row(region, sources.get(region.get("region_id"), {}), blocks)
        for region in result.get("regions") or ()
    ]
    return RunResult(
        blocks=blocks,
        value_names=list(result.get("value_names") or ()),
        totals={k: _value(v) for k, v in (result.get("totals") or {}).items()},
        rows=rows,
        total_paid=int(result.get("total_paid", sum(b.paid for b in blocks))),
        warnings=list(result.get("warnings") or ()),
        model=dict(result.get("model") or model_document(snapshot) or {}),
    )


# --- the old shape ----------------------------------------------------------------------------


def _legacy_blocks(
    rules: Mapping[str, Any] | None,
    *,
    block1: Mapping[str, Any],
    block2: Mapping[str, Any],
    steps_scale: object,
    eligible_counts: tuple[int, int],
    amount_sum: Fraction | None,
) -> list[BlockView]:
    document = legacy_model_document(
        rules or {"block1": block1["budget"], "block2": block2["budget"], "staircase": []}
    )
    definition1, definition2 = document["blocks"]
    scale = _fraction(steps_scale, Fraction(1))
    budget2 = int(block2["budget"])
    if not block2.get("paid") or amount_sum is None:
        remainder_budget = Fraction(0)
    else:
        remainder_budget = max(Fraction(0), budget2 - amount_sum * scale)
    return [
        BlockView(
            id="block1",
            name=definition1["name"],
            budget=int(block1["budget"]),
            paid=int(block1.get("paid", block1["budget"])),
            not_paid=int(block1.get("not_paid", 0)),
            kind="share",
            eligible_count=eligible_counts[0],
            scale=Fraction(1),
            remainder_budget=Fraction(0),
            share="rate",
        ),
        BlockView(
            id="block2",
            name=definition2["name"],
            budget=budget2,
            paid=int(block2.get("paid", 0)),
            not_paid=int(block2.get("not_paid", budget2 - int(block2.get("paid", 0)))),
            kind="amount",
            eligible_count=eligible_counts[1],
            scale=scale,
            remainder_budget=remainder_budget,
            eligible=definition2["eligible"] if rules else None,
            amount=definition2["amount"] if rules else None,
            over_budget="scale",
            remainder="rate",
            amount_sum=amount_sum,
        ),
    ]


def _legacy_values(region: Mapping[str, Any]) -> dict[str, Fraction | bool]:
    return {
        "posts": Fraction(int(region.get("posts") or 0)),
        "rate": _fraction(region.get("rate"), Fraction(0)),
        "increase": _fraction(region.get("increase"), Fraction(0)),
    }


def _legacy_cells(
    region: Mapping[str, Any],
    blocks: Sequence[BlockView],
    amounts: Mapping[str, int] | None = None,
) -> list[Cell]:
    block1, block2 = blocks
    qualifies = bool(region.get("qualifies"))
    rate = _fraction(region.get("rate"), Fraction(0))
    threshold = region.get("step_min_increase")
    payout = region.get("step_payout")
    paid1 = region.get("block1")
    paid2 = region.get("block2")
    if amounts is not None:
        paid1, paid2 = amounts.get("block1", paid1), amounts.get("block2", paid2)
    exact1 = _decimal(region.get("block1_exact"))
    exact2 = _decimal(region.get("block2_exact"))
    if paid1 is None:  # an explanation stores the exact amount and the rounding, not the kronor
        paid1 = half_up(exact1) + int(region.get("block1_rounding") or 0)
    if paid2 is None:
        paid2 = half_up(exact2) + int(region.get("block2_rounding") or 0)
    step_payment = region.get("step_payment")
    remainder = region.get("remainder")
    parts = None
    if step_payment is not None and remainder is not None:
        parts = (int(_fraction(step_payment, Fraction(0))), int(_fraction(remainder, Fraction(0))))
    return [
        Cell(
            block=block1,
            eligible=True,
            weight=rate,
            amount=None,
            step=None,
            exact=exact1,
            scaled_exact=_ZERO,
            remainder_exact=_ZERO,
            paid=int(paid1),
            rounding=int(region.get("block1_rounding") or 0),
        ),
        Cell(
            block=block2,
            eligible=qualifies,
            weight=rate if qualifies else None,
            amount=Fraction(int(payout)) if qualifies and payout is not None else None,
            step=(Fraction(str(threshold)), int(payout))
            if qualifies and threshold is not None and payout is not None
            else None,
            exact=exact2,
            scaled_exact=_decimal(region.get("step_payment_exact"))
            if region.get("step_payment_exact") is not None
            else Decimal(int(_fraction(step_payment, Fraction(0)))),
            remainder_exact=_decimal(region.get("remainder_exact"))
            if region.get("remainder_exact") is not None
            else Decimal(int(_fraction(remainder, Fraction(0)))),
            paid=int(paid2),
            rounding=int(region.get("block2_rounding") or 0),
            stored_parts=parts,
        ),
    ]


def _read_legacy(snapshot: Mapping[str, Any], result: Mapping[str, Any]) -> RunResult:
    regions = list(result.get("regions") or ())
    qualifiers = [r for r in regions if r.get("qualifies")]
    amount_sum = sum(
        (Fraction(int(r["step_payout"])) for r in qualifiers if r.get("step_payout") is not None),
        Fraction(0),
    )
    blocks = _legacy_blocks(
        (snapshot or {}).get("rules"),
        block1=result["block1"],
        block2=result["block2"],
        steps_scale=result.get("steps_scale"),
        eligible_counts=(len(regions), len(qualifiers)),
        amount_sum=amount_sum,
    )
    sources = {r.get("region_id"): r for r in (snapshot or {}).get("regions") or ()}
    rows = [
        _row(
            region,
            sources.get(region.get("region_id"), {}),
            _legacy_values(region),
            _legacy_cells(region, blocks),
        )
        for region in regions
    ]
    return RunResult(
        blocks=blocks,
        value_names=[name for name, _expr in LEGACY_VALUES],
        totals={},
        rows=rows,
        total_paid=int(result.get("total_paid", sum(b.paid for b in blocks))),
        warnings=list(result.get("warnings") or ()),
        model=model_document(snapshot),
        legacy=True,
        extra={"steps_scale": _fraction(result.get("steps_scale"), Fraction(1))},
    )


# --- the readers ------------------------------------------------------------------------------


def is_format2(data: Mapping[str, Any] | None) -> bool:
    return bool(data) and data.get("format") == 2


def read_result(snapshot: Mapping[str, Any] | None, result: Mapping[str, Any] | None) -> RunResult:
    """A run's stored result (old shape or format 2) with its snapshot inputs joined per
    region (by region_id). An empty result reads as no blocks and no rows."""
    if not result:
        return RunResult([], [], {}, [], 0, [], model_document(snapshot))
    if is_format2(result):
        return _read_format2(snapshot or {}, result)
    return _read_legacy(snapshot or {}, result)


def explanation_parts(
    explanation: Mapping[str, Any],
) -> tuple[list[Mapping[str, Any]], Mapping[str, Any]]:
    """A format-2 explanation's block list and region row.

    The region's format-2 result row may be stored at the top level (its cells then under
    ``cells``, ``region_blocks`` or ``blocks`` when that is a mapping) or under ``region``;
    the run's block list under ``blocks`` (a list), ``block_list`` or ``run_blocks``."""
    e = explanation
    blocks = e.get("blocks")
    block_list: Any = blocks if isinstance(blocks, list) else None
    for key in ("block_list", "run_blocks", "model_blocks"):
        if block_list is None and isinstance(e.get(key), list):
            block_list = e[key]
    region = e.get("region") if isinstance(e.get("region"), Mapping) else None
    if region is None:
        region = dict(e)
        cells = next(
            (e[k] for k in ("cells", "region_blocks", "blocks") if isinstance(e.get(k), Mapping)),
            {},
        )
        region["blocks"] = cells
    else:
        region = {**{k: v for k, v in e.items() if k not in ("region", "blocks")}, **region}
    if "name" not in region:
        region["name"] = e.get("region_name", "")
    if not isinstance(region.get("blocks"), Mapping):
        region["blocks"] = {}
    return list(block_list or ()), region


def read_explanation(
    explanation: Mapping[str, Any], amounts: Mapping[str, int] | None = None
) -> tuple[list[BlockView], Row]:
    """A decision's stored explanation (either shape) as its blocks and its row.

    ``amounts`` (kronor per block id, ``Decision.block_amounts()``) are the decided amounts;
    without them a cell's kronor are those the computation gave."""
    e = explanation or {}
    if is_format2(e):
        block_list, region = explanation_parts(e)
        blocks = [_block_view(b) for b in block_list]
        return blocks, _format2_row(region, e, blocks, amounts)
    rules = None
    paid2 = e.get("block2_paid")
    budget1 = int(e.get("block1_budget") or 0)
    budget2 = int(e.get("block2_budget") or 0)
    qualifies = bool(e.get("qualifies"))
    blocks = _legacy_blocks(
        rules,
        block1={"budget": budget1, "paid": budget1, "not_paid": 0},
        block2={
            "budget": budget2,
            "paid": 0 if paid2 is False else budget2,
            "not_paid": budget2 if paid2 is False else 0,
        },
        steps_scale=e.get("steps_scale"),
        eligible_counts=(0, 0),
        amount_sum=None,
    )
    region = {**e, "name": e.get("region_name", "")}
    computed = {
        key: int(_fraction(e[f"computed_{key}"], Fraction(0)))
        for key in ("block1", "block2")
        if e.get(f"computed_{key}") is not None
    }
    row = _row(
        region,
        {},
        _legacy_values(e),
        _legacy_cells({**e, "qualifies": qualifies}, blocks, amounts or computed or None),
    )
    return blocks, row


def expression_names(text: str | None) -> list[str]:
    """The names an expression text uses (no evaluation: words that are not keywords or
    functions), in order of first use."""
    words = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text or "")
    skip = {"and", "or", "not", "true", "false", "max", "min", "step", "sum", "count"}
    seen: list[str] = []
    for word in words:
        if word not in skip and word not in seen:
            seen.append(word)
    return seen


# --- decisions and rounds ---------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionLine:
    """A decision with its kronor per block, aligned to a table's blocks (None: not in it)."""

    decision: Any
    amounts: list[int | None]
    total: int
    blocks: list[BlockView] = field(default_factory=list)

    @property
    def cells(self) -> list[tuple[BlockView, int | None]]:
        return list(zip(self.blocks, self.amounts, strict=True))


@dataclass(frozen=True)
class DecisionTable:
    """Decisions of one round as a table: a column per block of its model, and the totals."""

    blocks: list[BlockView]
    lines: list[DecisionLine]
    totals: list[int]
    total: int

    @property
    def budget(self) -> int:
        return sum(block.budget for block in self.blocks)

    @property
    def block_totals(self) -> list[tuple[BlockView, int]]:
        return list(zip(self.blocks, self.totals, strict=True))


def decision_blocks(decision: Any) -> list[BlockView]:
    """The blocks a decision's explanation names (the run's model)."""
    blocks, _row = read_explanation(decision.explanation or {}, decision.block_amounts())
    return blocks


def decision_table(decisions: Sequence[Any]) -> DecisionTable:
    """Decisions (``allocation.models.Decision``) as rows with a column per block, in the
    order of the first decision's model; a block another decision's model adds comes after."""
    blocks: list[BlockView] = []
    seen: set[str] = set()
    amounts = []
    for decision in decisions:
        by_block = decision.block_amounts()
        amounts.append(by_block)
        if any(block_id not in seen for block_id in by_block):
            for block in decision_blocks(decision):
                if block.id not in seen:
                    seen.add(block.id)
                    blocks.append(block)
    lines = [
        DecisionLine(d, [a.get(b.id) for b in blocks], d.total, blocks)
        for d, a in zip(decisions, amounts, strict=True)
    ]
    totals = [sum(line.amounts[i] or 0 for line in lines) for i in range(len(blocks))]
    return DecisionTable(blocks, lines, totals, sum(line.total for line in lines))


@dataclass(frozen=True)
class ModelBlock:
    """A block of a round's model as written (format 1): id, name, budget (kronor)."""

    id: str
    name: str
    budget: int


def round_model_blocks(grant_round: Any) -> list[ModelBlock]:
    """The blocks of a round's model (``GrantRound.model``, the only source of its budgets);
    [] for a round without one."""
    return [
        ModelBlock(
            str(b.get("id", "")),
            str(b.get("name") or b.get("id", "")),
            int(b.get("budget") or 0),
        )
        for b in grant_round.model_blocks
    ]
