"""A model's expressions (RULES.md "Expressions") in Swedish for regions and the public.

Pure: no database, no request. :func:`humanise` parses an expression with ``ast`` (never
evaluated) and writes it back in words: known names get their Swedish labels (:data:`LABELS`),
unknown names stay as written, comparisons and ``and``/``or``/``not`` read as Swedish words,
``*`` is ``·``, numbers are written the Swedish way (``100 000``, ``2,5``) and
``step(x, [[2, 3000000], ...])`` is a staircase: "x minst 2: 3 000 000 kr; minst 3: ...".
Text that does not parse is returned as written, so a page never fails on it.

The officer's own pages (model editor, audit) show the expressions as written; every page,
letter, list and e-mail a region or the public reads goes through here.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atgrant.templatetags.atgrant_format import MINUS, format_number, kr

# The inputs (RULES.md "Inputs") and the values and totals the agency's models name, as read in
# a sentence (lower case). A name not here is shown as the officer wrote it.
LABELS = {
    "filled": gettext_lazy("tillsatta AT-tjänster"),
    "started": gettext_lazy("påbörjade AT-tjänster"),
    "deducted": gettext_lazy("avräknade tjänster"),
    "population": gettext_lazy("befolkning"),
    "planned": gettext_lazy("planerade tjänster (planens medelvärde)"),
    "posts": gettext_lazy("AT-tjänster som räknas"),
    "rate": gettext_lazy("AT-tjänster per 100 000 invånare"),
    "increase": gettext_lazy("utökning jämfört med planen"),
    "national_rate": gettext_lazy("AT-tjänster per 100 000 invånare i riket"),
}

# Decimals shown for a number written in an expression (thresholds, 0.5, 100000).
PLACES = 6

_COMPARE = {
    ast.GtE: gettext_lazy("är minst"),
    ast.LtE: gettext_lazy("är högst"),
    ast.Gt: gettext_lazy("är större än"),
    ast.Lt: gettext_lazy("är mindre än"),
    ast.Eq: gettext_lazy("är lika med"),
    ast.NotEq: gettext_lazy("är skild från"),
}
_MIRROR = {ast.GtE: ast.LtE, ast.LtE: ast.GtE, ast.Gt: ast.Lt, ast.Lt: ast.Gt}
_ARITHMETIC = {ast.Add: "+", ast.Sub: MINUS, ast.Mult: "·", ast.Div: "/"}
# Binding strength, loosest first: a child that binds more loosely than its parent is put in
# parentheses.
_OR, _AND, _NOT, _COMPARISON, _SUM, _PRODUCT, _UNARY, _ATOM = range(8)
_PHRASE = _OR  # max/min/sum/step in words: always in parentheses inside an operation


def label(name: str) -> str:
    """A value's name for people, lower case: ``"rate"`` -> "AT-tjänster per 100 000
    invånare"; an unknown name as written."""
    return str(LABELS.get(name, name))


def title(name: str) -> str:
    """:func:`label` with a capital first letter, for a heading or a table's column."""
    return capfirst(label(name))


def number(text_or_value: object) -> str:
    """A number as written in an expression (``"100000"``, ``"0.5"``) the Swedish way."""
    return format_number(_exact(text_or_value), places=PLACES)


def step_text(value: str, threshold: object, payout: object) -> str:
    """One step of a staircase: "utökning jämfört med planen minst 3: 4 500 000 kr"."""
    return _("%(value)s minst %(threshold)s: %(payout)s") % {
        "value": label(value),
        "threshold": number(threshold),
        "payout": kr(payout),
    }


def humanise(expression: str | None, names: Mapping[str, str] | None = None) -> str:
    """An expression in Swedish (module docstring). ``names`` replaces names by other text
    (a region's own figures: ``{"posts": "12"}``) instead of their labels."""
    if not expression:
        return ""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
        return _Writer(expression.strip(), names or {}).write(tree.body)[0]
    except (SyntaxError, ValueError, _Unknown, RecursionError):
        return expression


class _Unknown(Exception):
    """A node outside RULES.md's grammar: the expression is shown as written."""


def _exact(value: object) -> Fraction:
    if isinstance(value, Fraction | int) and not isinstance(value, bool):
        return Fraction(value)
    try:
        return Fraction(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(value) from exc


def _is_number(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return isinstance(node, ast.Constant) and not isinstance(node.value, bool | str)


class _Writer:
    def __init__(self, source: str, names: Mapping[str, str]) -> None:
        self.source = source
        self.names = names

    def text(self, node: ast.AST, parent: int) -> str:
        """The node's words, in parentheses when it binds more loosely than ``parent``."""
        words, strength = self.write(node)
        return (
            f"({words})" if strength < parent or (strength == _PHRASE and parent > _OR) else words
        )

    def literal(self, node: ast.AST) -> Fraction:
        """A constant number (a step table's entries: ``2``, ``-1``, ``5/2``)."""
        if isinstance(node, ast.Constant) and not isinstance(node.value, bool | str):
            return _exact(ast.get_source_segment(self.source, node) or node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -self.literal(node.operand)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            return self.literal(node.left) / self.literal(node.right)
        raise _Unknown

    def write(self, node: ast.AST) -> tuple[str, int]:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            if isinstance(node.value, bool):
                raise _Unknown
            return number(ast.get_source_segment(self.source, node) or node.value), _ATOM
        if isinstance(node, ast.Name):
            if node.id in ("true", "false"):
                return (_("sant") if node.id == "true" else _("falskt")), _ATOM
            return self.names.get(node.id, label(node.id)), _ATOM
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
            strength = _SUM if isinstance(node.op, ast.Add | ast.Sub) else _PRODUCT
            # The right side of - and / binds tighter: a - (b - c), a / (b * c).
            right = strength + (1 if isinstance(node.op, ast.Sub | ast.Div) else 0)
            return (
                f"{self.text(node.left, strength)} {_ARITHMETIC[type(node.op)]} "
                f"{self.text(node.right, right)}",
                strength,
            )
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return f"{MINUS}{self.text(node.operand, _UNARY)}", _UNARY
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return _("inte %(condition)s") % {"condition": self.text(node.operand, _NOT)}, _NOT
        if isinstance(node, ast.BoolOp):
            strength = _AND if isinstance(node.op, ast.And) else _OR
            word = _("och") if strength == _AND else _("eller")
            return f" {word} ".join(self.text(v, strength + 1) for v in node.values), strength
        if isinstance(node, ast.Compare):
            parts = []
            left = node.left
            for op, right in zip(node.ops, node.comparators, strict=True):
                if type(op) not in _COMPARE:
                    raise _Unknown
                first, second = left, right
                if _is_number(first) and not _is_number(second):
                    # "2 <= increase" reads "increase är minst 2"
                    first, second, op = second, first, _MIRROR.get(type(op), type(op))()
                parts.append(
                    f"{self.text(first, _SUM)} {_COMPARE[type(op)]} {self.text(second, _SUM)}"
                )
                left = right
            return (" " + _("och") + " ").join(parts), (_COMPARISON if len(parts) == 1 else _AND)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            return self.call(node.func.id, node.args), _PHRASE
        raise _Unknown

    def call(self, function: str, args: list[ast.expr]) -> str:
        if function in ("max", "min") and args:
            items = [self.text(a, _AND + 1) for a in args]
            if len(items) == 1:
                return items[0]
            listed = ", ".join(items[:-1]) + " " + _("och") + " " + items[-1]
            if function == "max":
                return _("det största av %(items)s") % {"items": listed}
            return _("det minsta av %(items)s") % {"items": listed}
        if function == "sum" and len(args) == 1:
            return _("summan av %(value)s för alla deltagande regioner") % {
                "value": self.text(args[0], _AND + 1)
            }
        if function == "count" and not args:
            return _("antalet deltagande regioner")
        if function == "step" and len(args) == 2 and isinstance(args[1], ast.List | ast.Tuple):
            value = self.text(args[0], _AND + 1)
            steps = []
            for pair in args[1].elts:
                if not isinstance(pair, ast.List | ast.Tuple) or len(pair.elts) != 2:
                    raise _Unknown
                threshold, payout = (self.literal(e) for e in pair.elts)
                steps.append(
                    _("minst %(threshold)s: %(payout)s")
                    % {"threshold": number(threshold), "payout": kr(payout)}
                )
            if not steps:
                return _("trappa utan steg (0 kr)")
            return _("%(value)s %(steps)s, annars 0 kr") % {
                "value": value,
                "steps": "; ".join(steps),
            }
        raise _Unknown
