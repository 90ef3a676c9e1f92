"""The reference evaluator: RULES.md done the plain way, every figure a ``Fraction``.

One region at a time, a recursive walk over each expression's ``ast`` (the model has been
checked by ``AllocationModel``), plain sums of Fractions, and DOMAIN.md's rounding written out
with a sort. Slow (the exact sums' denominators grow with every region): it is the oracle the
column-wise engine is tested against (tests/allocation/test_allocmodel_*.py), not for the
application. It shares nothing with the engine's computation but the input type.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from allocation.allocmodel.model import AllocationModel
from allocation.engine import RegionInput


@dataclass(frozen=True)
class ReferenceBlock:
    paid: int
    scale: Fraction
    remainder_budget: Fraction
    eligible: list[bool]
    exact: list[Fraction]  # per region, input order
    amounts: list[int]
    rounding: list[int]


@dataclass(frozen=True)
class ReferenceResult:
    values: list[dict[str, Any]]  # per region
    totals: dict[str, Any]
    blocks: dict[str, ReferenceBlock]

    def paid(self, block_id: str) -> list[int]:
        return self.blocks[block_id].amounts


def round_half_up(value: Fraction) -> int:
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


def _eval(text: str, names: dict[str, Any], regions: list[dict[str, Any]] | None = None) -> Any:
    source = text.strip()
    tree = ast.parse(source, mode="eval")
    return _walk(tree.body, source, names, regions)


def _walk(node: ast.AST, source: str, names: dict[str, Any], regions: Any) -> Any:
    def walk(n: ast.AST) -> Any:
        return _walk(n, source, names, regions)

    if isinstance(node, ast.Constant):
        return Fraction(ast.get_source_segment(source, node))
    if isinstance(node, ast.Name):
        if node.id in ("true", "false"):
            return node.id == "true"
        return names[node.id]
    if isinstance(node, ast.UnaryOp):
        value = walk(node.operand)
        return -value if isinstance(node.op, ast.USub) else not value
    if isinstance(node, ast.BinOp):
        a, b = walk(node.left), walk(node.right)
        op = type(node.op)
        if op is ast.Add:
            return a + b
        if op is ast.Sub:
            return a - b
        if op is ast.Mult:
            return a * b
        return Fraction(a) / Fraction(b)
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            return all(walk(v) for v in node.values)
        return any(walk(v) for v in node.values)
    if isinstance(node, ast.Compare):
        operands = [walk(node.left), *(walk(c) for c in node.comparators)]
        checks = {
            ast.Lt: lambda x, y: x < y,
            ast.LtE: lambda x, y: x <= y,
            ast.Gt: lambda x, y: x > y,
            ast.GtE: lambda x, y: x >= y,
            ast.Eq: lambda x, y: x == y,
            ast.NotEq: lambda x, y: x != y,
        }
        return all(checks[type(op)](operands[k], operands[k + 1]) for k, op in enumerate(node.ops))
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        fn = node.func.id
        if fn == "max":
            return max(walk(a) for a in node.args)
        if fn == "min":
            return min(walk(a) for a in node.args)
        if fn == "count":
            return Fraction(len(regions))
        if fn == "sum":
            return sum(
                (_walk(node.args[0], source, {**names, **r}, None) for r in regions), Fraction(0)
            )
        if fn == "step":
            x = walk(node.args[0])
            payout = Fraction(0)
            for pair in node.args[1].elts:  # type: ignore[attr-defined]
                threshold, pay = walk(pair.elts[0]), walk(pair.elts[1])
                if x >= threshold:
                    payout = pay
            return payout
    raise AssertionError(f"not a checked model: {ast.dump(node)}")


def allocate(model: AllocationModel, regions: Sequence[RegionInput]) -> ReferenceResult:
    """The model's amounts and exact figures, the slow and simple way."""
    env = []
    for r in regions:
        names: dict[str, Any] = {
            "filled": Fraction(r.filled or 0),
            "started": Fraction(r.started or 0),
            "deducted": Fraction(r.deducted),
            "population": Fraction(r.population),
            "planned": (r.planned_low + r.planned_high) / 2,
        }
        for name, text in model.values:
            names[name] = _eval(text, names)
        env.append(names)
    totals: dict[str, Any] = {}
    if regions:
        for name, text in model.totals:
            totals[name] = _eval(text, dict(totals), env)
    region_names = [r.name for r in regions]
    blocks = {
        block.id: _block(block, [{**e, **totals} for e in env], region_names)
        for block in model.blocks
    }
    return ReferenceResult(env, totals, blocks)


def _block(block: Any, env: list[dict[str, Any]], names: list[str]) -> ReferenceBlock:
    n = len(env)
    eligible = [block.eligible is None or bool(_eval(block.eligible, e)) for e in env]
    zero = [Fraction(0)] * n
    who = [i for i in range(n) if eligible[i]]
    exact = zero[:]
    scale, remainder_budget = Fraction(1), Fraction(0)
    target = 0
    if block.share is not None:
        weights = {i: _eval(block.share, env[i]) for i in who}
        total = sum(weights.values(), Fraction(0))
        if total:
            for i in who:
                exact[i] = block.budget * weights[i] / total
            target = block.budget
    elif who:
        amounts = {i: _eval(block.amount, env[i]) for i in who}
        total = sum(amounts.values(), Fraction(0))
        if total > block.budget:
            scale = Fraction(block.budget) / total
            for i in who:
                exact[i] = amounts[i] * scale
        else:
            rest = block.budget - total
            weights = {i: _eval(block.remainder, env[i]) for i in who} if block.remainder else {}
            weight_total = sum(weights.values(), Fraction(0))
            for i in who:
                exact[i] = amounts[i]
                if rest and weight_total:
                    exact[i] += rest * weights[i] / weight_total
            if rest and weight_total:
                remainder_budget = rest
        target = round_half_up(sum(exact, Fraction(0)))
    amounts_paid, rounding = _apportion(target, exact, names)
    return ReferenceBlock(
        paid=target,
        scale=scale,
        remainder_budget=remainder_budget,
        eligible=eligible,
        exact=exact,
        amounts=amounts_paid,
        rounding=rounding,
    )


def _apportion(total: int, exact: list[Fraction], names: list[str]) -> tuple[list[int], list[int]]:
    """DOMAIN.md's rounding, written out: half up, then the residual one krona at a time,
    largest exact amount first, ties by name, positive amounts only, never below 0."""
    rounded = [round_half_up(x) for x in exact]
    residual = total - sum(rounded)
    order = sorted((i for i, x in enumerate(exact) if x > 0), key=lambda i: (-exact[i], names[i]))
    adjust = [0] * len(exact)
    step = 1 if residual > 0 else -1
    while residual:
        if not order or (step < 0 and not any(rounded[i] + adjust[i] for i in order)):
            raise AssertionError(f"cannot apportion {total} among {exact!r}")
        for i in order:
            if residual == 0:
                break
            if step < 0 and rounded[i] + adjust[i] == 0:
                continue
            adjust[i] += step
            residual -= step
    return [r + a for r, a in zip(rounded, adjust, strict=True)], adjust
