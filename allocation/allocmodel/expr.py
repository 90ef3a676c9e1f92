"""A model's expressions (RULES.md "Expressions"): parsed, checked and compiled, never eval'd.

The text is parsed with ``ast.parse(mode="eval")`` and every node is checked against a strict
whitelist; anything else (attributes, subscripts, strings, ``**``, ``%``, lambdas, ...) is a
``ModelError``. The checked tree is compiled into Python closures that work column-wise: each
node computes its value for every region at once (a list, input order), or once for the whole
round when it depends only on literals and totals (a "uniform" node, a plain value). Python's
own ``eval``/``exec``/``compile`` never see the text.

Decisions the grammar leaves open (documented for the officer in RULES.md's terms):

* Numbers are decimal literals read exactly: ``0.5`` is exactly 1/2; no exponents, no ``_``.
* ``true``/``false`` are the conditions; Python's ``True``/``False`` are refused (the
  message says to write them in lower case).
* Comparisons may be chained (``2 <= increase < 5`` means ``2 <= increase and increase < 5``);
  every operand of a chain is evaluated for every region.
* ``and``/``or`` short-circuit per region: the right side is evaluated only for the regions
  where it decides the result, so ``planned > 0 and posts / planned > 1`` never divides by 0.
* Types are checked before any input is seen: a number where a condition is needed (or the
  reverse) is refused when the model is read. ``==``/``!=`` compare two numbers or two
  conditions; ``< <= > >=`` only numbers.
* ``step(x, [[threshold, payout], ...])``: the table is literal (constant numbers, a minus sign
  and ``/`` allowed), thresholds strictly increasing, payouts whole kronor >= 0; it may be
  empty (then it is 0 for everyone).
* ``max``/``min`` take one or more numbers. ``sum(expr)`` (a number per region) and ``count()``
  are allowed only in totals, not nested in each other.

Arithmetic: ints stay ints until a division that does not come out whole; then ``Fraction``.
Nothing here is float.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import repeat
from operator import mul
from typing import Any

from allocation.allocmodel.errors import ModelError

NUM = "number"
BOOL = "condition"
FUNCTIONS = frozenset({"max", "min", "step", "sum", "count"})
RESERVED = FUNCTIONS | {"true", "false"}
MAX_LENGTH = 20_000  # characters; a long step table fits, a pathological text does not
MAX_DEPTH = 200  # levels of operations: evaluation recurses once per level
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
_NO_CONST = object()

Number = int | Fraction
Value = Number | bool


def exact_number(text: str) -> Number:
    """A decimal literal read exactly ("0.5" -> Fraction(1, 2), "2.0" -> 2)."""
    value = Fraction(text)
    return value.numerator if value.denominator == 1 else value


def divide(x: Number, y: Number) -> Number:
    """x / y exactly; an int when it comes out whole. Raises ZeroDivisionError."""
    if type(x) is int and type(y) is int:
        if y and not x % y:
            return x // y
        return Fraction(x, y)
    return x / y


def exact_sum(values: Sequence[Number]) -> Number:
    """The exact sum; Fractions are added grouped by denominator, then pairwise (a running
    sum of many different denominators is what makes exact sums slow)."""
    if all_ints(values):
        return sum(values)
    whole = 0
    grouped: dict[int, int] = {}
    for v in values:
        if type(v) is int:
            whole += v
        else:
            d = v.denominator
            grouped[d] = grouped.get(d, 0) + v.numerator
    terms = [Fraction(p, q) for q, p in grouped.items()]
    while len(terms) > 1:
        paired = [a + b for a, b in zip(terms[::2], terms[1::2], strict=False)]
        if len(terms) % 2:
            paired.append(terms[-1])
        terms = paired
    total = whole + terms[0] if terms else whole
    if isinstance(total, Fraction) and total.denominator == 1:
        return total.numerator
    return total


class Ratios:
    """A column of exact quotients ``nums[i] / dens[i]`` of whole numbers (``dens[i] > 0``),
    not yet reduced: what dividing a column of whole numbers by whole numbers gives.

    Reducing 100 000 fractions (a gcd and a Fraction each) is most of such a division's cost,
    and a weight (a ``share`` or ``remainder``) needs only the pair: it goes to the exact
    sharing primitive as it is. Reading an element gives the reduced number; any other use
    in an expression reads the whole column as a list (once).
    """

    __slots__ = ("nums", "dens", "_list")

    def __init__(self, nums: list[int], dens: list[int]) -> None:
        self.nums = nums
        self.dens = dens
        self._list: list[Number] | None = None

    def __len__(self) -> int:
        return len(self.nums)

    def __getitem__(self, i: int) -> Number:
        return divide(self.nums[i], self.dens[i])

    def as_list(self) -> list[Number]:
        if self._list is None:
            self._list = list(map(divide, self.nums, self.dens))
        return self._list

    def pick(self, idx: list[int]) -> Ratios:
        return Ratios(_pick(self.nums, idx), _pick(self.dens, idx))

    def negatives(self) -> list[int]:
        """Positions of the negative quotients."""
        if not self.nums or min(self.nums) >= 0:
            return []
        return [i for i, n in enumerate(self.nums) if n < 0]


def as_list(column: Any) -> Any:
    """A column as a plain list (a Ratios column read in full); anything else unchanged."""
    return column.as_list() if type(column) is Ratios else column


def all_ints(column: Sequence[Any]) -> bool:
    return set(map(type, column)) <= {int}


class DivisionByZero(Exception):
    """Raised during evaluation; the caller turns it into a ModelError with its label."""

    def __init__(self, region: str | None, expression: str) -> None:
        super().__init__(expression)
        self.region = region
        self.expression = expression


class Env:
    """What an evaluation sees: ``n`` regions, per-region columns by name, round-wide
    scalars by name, the regions' names (for error messages) and, when ``hits`` is a dict,
    where each step() call lands (by the call's position in source order)."""

    __slots__ = ("n", "cols", "scalars", "names", "hits")

    def __init__(
        self,
        n: int,
        cols: Mapping[str, list[Any]],
        scalars: Mapping[str, Any],
        names: Sequence[str],
        hits: dict[int, Any] | None = None,
    ) -> None:
        self.n = n
        self.cols = cols
        self.scalars = scalars
        self.names = names
        self.hits = hits

    def subset(self, idx: list[int]) -> Env:
        return Env(len(idx), _SubColumns(self.cols, idx), self.scalars, _pick(self.names, idx))


class _SubColumns(dict):  # type: ignore[type-arg]
    """The columns of some regions, each picked when first asked for."""

    def __init__(self, cols: Mapping[str, list[Any]], idx: list[int]) -> None:
        super().__init__()
        self._cols = cols
        self._idx = idx

    def __missing__(self, name: str) -> list[Any]:
        column = _pick(self._cols[name], self._idx)
        self[name] = column
        return column


def _pick(column: Any, idx: list[int]) -> Any:
    if type(column) is Ratios:
        return column.pick(idx)
    return list(map(column.__getitem__, idx))


@dataclass(frozen=True)
class StepTable:
    """A step() table: thresholds (strictly increasing) and payouts (whole kronor >= 0)."""

    thresholds: tuple[Fraction, ...]
    payouts: tuple[int, ...]

    def pairs(self) -> list[tuple[Fraction, int]]:
        return list(zip(self.thresholds, self.payouts, strict=True))


@dataclass
class Node:
    kind: str  # NUM or BOOL
    uniform: bool  # the same for every region: a plain value, not a column
    fn: Callable[[Env], Any]
    const: Any = _NO_CONST
    constant_parts: bool = False  # uniform, and every part a constant: fold it now
    raw: Callable[[Env], Any] | None = None  # like fn, but a division may stay Ratios


@dataclass(frozen=True)
class Scope:
    """What an expression may use.

    ``kinds``: the visible names and their kinds; ``uniform``: those of them that are
    round-wide (totals); ``later``: names defined further on, with what they are (for the
    message "uses a later value"); ``aggregates``: sum()/count() allowed (totals).
    """

    kinds: Mapping[str, str]
    uniform: frozenset[str] = frozenset()
    later: Mapping[str, str] = field(default_factory=dict)
    aggregates: bool = False


@dataclass(frozen=True)
class Compiled:
    text: str
    kind: str
    uniform: bool
    names: frozenset[str]  # every name it reads
    tables: tuple[StepTable, ...]  # its step() tables, in source order
    fn: Callable[[Env], Any]

    def column(self, env: Env) -> Any:
        """The value for each of ``env``'s regions, a list or a ``Ratios`` column (raises
        DivisionByZero)."""
        value = self.fn(env)
        return list(repeat(value, env.n)) if self.uniform else value

    def scalar(self, env: Env) -> Any:
        """The round-wide value of a uniform expression (raises DivisionByZero)."""
        return self.fn(env)


def compile_expression(
    text: object, scope: Scope, *, expect: str | None, label: str, field: str
) -> Compiled:
    """Check ``text`` and compile it. ``expect`` is NUM, BOOL or None (either); ``label``
    names the place in Swedish for messages ("Värdet rate"). Raises ModelError naming
    ``label`` and ``field``."""
    if not isinstance(text, str) or not text.strip():
        raise ModelError(f"{label}: uttrycket måste vara en icke-tom text", field)
    if len(text) > MAX_LENGTH:
        raise ModelError(f"{label}: uttrycket är för långt (högst {MAX_LENGTH} tecken)", field)
    source = text.strip()
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        where = f" (tecken {exc.offset})" if exc.offset else ""
        raise ModelError(
            f"{label}: syntaxfel i uttrycket {_short(source)!r}{where}", field
        ) from exc
    except (RecursionError, MemoryError, ValueError) as exc:
        raise ModelError(f"{label}: uttrycket går inte att läsa", field) from exc
    if _depth(tree.body) > MAX_DEPTH:
        raise ModelError(
            f"{label}: uttrycket är för djupt nästlat (högst {MAX_DEPTH} nivåer)", field
        )
    compiler = _Compiler(source, scope, label, field)
    node = compiler.node(tree.body)
    if expect is not None and node.kind != expect:
        want = "ett villkor (sant eller falskt)" if expect == BOOL else "ett tal"
        got = "ett villkor" if node.kind == BOOL else "ett tal"
        raise ModelError(f"{label}: måste vara {want}, men {_short(source)!r} är {got}", field)
    return Compiled(
        source,
        node.kind,
        node.uniform,
        frozenset(compiler.used),
        tuple(compiler.tables),
        node.raw or node.fn,
    )


def _depth(tree: ast.AST) -> int:
    """How deep evaluation will recurse: a chain ``a < b < c`` or ``a and b and c`` of n
    parts counts n levels, as it is compiled into nested pairs."""
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.Compare):
            depth += len(node.ops)
        elif isinstance(node, ast.BoolOp):
            depth += len(node.values)
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


_ARITH: dict[type, tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", divide),
}
_COMPARE: dict[type, tuple[str, Callable[[Any, Any], bool]]] = {
    ast.Lt: ("<", operator.lt),
    ast.LtE: ("<=", operator.le),
    ast.Gt: (">", operator.gt),
    ast.GtE: (">=", operator.ge),
    ast.Eq: ("==", operator.eq),
    ast.NotEq: ("!=", operator.ne),
}
_REFUSED_OPERATORS = {
    ast.Pow: "**",
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
}


class _Compiler:
    def __init__(self, source: str, scope: Scope, label: str, field: str) -> None:
        self.source = source
        self.scope = scope
        self.label = label
        self.field = field
        self.used: set[str] = set()
        self.tables: list[StepTable] = []
        self.in_aggregate = False

    def error(self, problem: str) -> ModelError:
        return ModelError(f"{self.label}: {problem}", self.field)

    def segment(self, node: ast.AST) -> str:
        return _short(ast.get_source_segment(self.source, node) or self.source)

    def node(self, node: ast.AST) -> Node:
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            raise self.error(f"{self.segment(node)!r} är inte tillåtet i ett uttryck")
        return method(node)

    # --- leaves -------------------------------------------------------------------------

    def visit_Constant(self, node: ast.Constant) -> Node:
        value = node.value
        if isinstance(value, bool):
            word = "true" if value else "false"
            raise self.error(f"skriv {word} med små bokstäver, inte {value}")
        text = ast.get_source_segment(self.source, node) or ""
        if isinstance(value, int | float) and _DECIMAL.fullmatch(text):
            number = exact_number(text)
            return _constant(NUM, number)
        if isinstance(value, int | float | complex):
            raise self.error(
                f"talet {_short(text)!r} ska skrivas med siffror och ev. decimalpunkt, "
                "t.ex. 100000 eller 0.5"
            )
        raise self.error(
            f"{_short(text)!r} är inte tillåtet i ett uttryck (bara tal, namn och funktioner)"
        )

    def visit_Name(self, node: ast.Name) -> Node:
        name = node.id
        if name == "true":
            return _constant(BOOL, True)
        if name == "false":
            return _constant(BOOL, False)
        if name in FUNCTIONS:
            raise self.error(f"{name} är en funktion och måste anropas, t.ex. {name}(...)")
        kinds = self.scope.kinds
        if name not in kinds:
            later = self.scope.later.get(name)
            if later is not None:
                raise self.error(f"använder {later}, som kommer senare i modellen")
            raise self.error(f"okänt namn {name!r}")
        self.used.add(name)
        if name in self.scope.uniform:
            return Node(kinds[name], True, lambda env: env.scalars[name])
        if not self.scope.aggregates or self.in_aggregate:
            return Node(
                kinds[name],
                False,
                lambda env: as_list(env.cols[name]),
                raw=lambda env: env.cols[name],
            )
        raise self.error(f"{name} har ett värde per region och kan bara användas inne i sum(...)")

    # --- operators ----------------------------------------------------------------------

    def visit_BinOp(self, node: ast.BinOp) -> Node:
        op_type = type(node.op)
        if op_type not in _ARITH:
            symbol = _REFUSED_OPERATORS.get(op_type, "?")
            raise self.error(f"operatorn {symbol} är inte tillåten (bara + - * /)")
        symbol, fn = _ARITH[op_type]
        left, right = self.number(node.left, symbol), self.number(node.right, symbol)
        return self.fold(_binary(fn, left, right, self.segment(node)))

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Node:
        if isinstance(node.op, ast.USub):
            operand = self.number(node.operand, "-")
            return self.fold(_unary(operator.neg, operand, NUM))
        if isinstance(node.op, ast.Not):
            operand = self.condition(node.operand, "not")
            return self.fold(_unary(operator.not_, operand, BOOL))
        raise self.error(f"{self.segment(node)!r}: bara - och not får stå framför ett uttryck")

    def visit_BoolOp(self, node: ast.BoolOp) -> Node:
        word = "and" if isinstance(node.op, ast.And) else "or"
        parts = [self.condition(value, word) for value in node.values]
        result = parts[0]
        for part in parts[1:]:
            result = self.fold(_logical(word == "and", result, part))
        return result

    def visit_Compare(self, node: ast.Compare) -> Node:
        operands = [node.left, *node.comparators]
        compiled = [self.node(o) for o in operands]
        checks = []
        for index, op in enumerate(node.ops):
            if type(op) not in _COMPARE:
                raise self.error(f"{self.segment(node)!r}: jämför med < <= > >= == !=")
            symbol, fn = _COMPARE[type(op)]
            left, right = compiled[index], compiled[index + 1]
            if symbol in ("==", "!="):
                if left.kind != right.kind:
                    raise self.error(
                        f"{self.segment(node)!r}: {symbol} jämför två tal eller två villkor, "
                        "inte ett tal med ett villkor"
                    )
            elif BOOL in (left.kind, right.kind):
                raise self.error(f"{self.segment(node)!r}: {symbol} jämför bara tal")
            checks.append(_binary(fn, left, right, self.segment(node), kind=BOOL))
        result = self.fold(checks[0])
        for check in checks[1:]:
            result = self.fold(_all_of(result, self.fold(check)))
        return result

    def visit_Call(self, node: ast.Call) -> Node:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            called = self.segment(node.func)
            raise self.error(
                f"okänd funktion {called!r} (tillåtna: max, min, step, och sum, count i summor)"
            )
        name = node.func.id
        if node.keywords:
            raise self.error(f"{name}(...) tar inga namngivna argument")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise self.error(f"{name}(...): * är inte tillåtet")
        return getattr(self, "call_" + name)(node)

    def call_max(self, node: ast.Call) -> Node:
        return self.extreme(node, max, "max")

    def call_min(self, node: ast.Call) -> Node:
        return self.extreme(node, min, "min")

    def extreme(self, node: ast.Call, fn: Callable[..., Any], name: str) -> Node:
        if not node.args:
            raise self.error(f"{name}(...) behöver minst ett tal")
        args = [self.number(a, name) for a in node.args]
        if len(args) == 1:
            return args[0]
        return self.fold(_many(fn, args))

    def call_step(self, node: ast.Call) -> Node:
        if len(node.args) != 2:
            raise self.error("step(x, [[tröskel, utbetalning], ...]) tar två argument")
        x = self.number(node.args[0], "step")
        table = self.step_table(node.args[1])
        position = len(self.tables)
        self.tables.append(table)
        return self.fold(_step(x, table, position))

    def step_table(self, node: ast.AST) -> StepTable:
        if not isinstance(node, ast.List | ast.Tuple):
            raise self.error(
                "step(): andra argumentet ska vara en lista [[tröskel, utbetalning], ...]"
            )
        thresholds: list[Fraction] = []
        payouts: list[int] = []
        for index, pair in enumerate(node.elts, 1):
            if not isinstance(pair, ast.List | ast.Tuple) or len(pair.elts) != 2:
                raise self.error(
                    f"step(): trappsteg {index} ska vara ett par [tröskel, utbetalning]"
                )
            threshold = self.literal(pair.elts[0], f"step(): trappsteg {index}: tröskeln")
            payout = self.literal(pair.elts[1], f"step(): trappsteg {index}: utbetalningen")
            if isinstance(payout, Fraction) or payout < 0:
                raise self.error(
                    f"step(): trappsteg {index}: utbetalningen ska vara hela kronor >= 0, "
                    f"inte {self.segment(pair.elts[1])}"
                )
            if thresholds and threshold <= thresholds[-1]:
                raise self.error(
                    "step(): trösklarna ska vara strikt stigande, men "
                    f"{self.segment(pair.elts[0])} kommer efter {_text(thresholds[-1])}"
                )
            thresholds.append(Fraction(threshold))
            payouts.append(int(payout))
        return StepTable(tuple(thresholds), tuple(payouts))

    def literal(self, node: ast.AST, what: str) -> Number:
        inner = _Compiler(self.source, Scope({}), self.label, self.field)
        try:
            compiled = inner.node(node)
        except ModelError:
            compiled = None
        if compiled is None or compiled.kind != NUM or compiled.const is _NO_CONST:
            raise self.error(f"{what} ska vara ett tal, inte {self.segment(node)!r}")
        return compiled.const

    def call_sum(self, node: ast.Call) -> Node:
        self.aggregate_allowed("sum")
        if len(node.args) != 1:
            raise self.error("sum(...) tar ett argument")
        self.in_aggregate = True
        try:
            inner = self.number(node.args[0], "sum")
        finally:
            self.in_aggregate = False
        segment = self.segment(node)

        def total(env: Env) -> Any:
            if inner.uniform:
                return inner.fn(env) * env.n
            return exact_sum(inner.fn(env))

        return Node(NUM, True, _guard_uniform(total, segment))

    def call_count(self, node: ast.Call) -> Node:
        self.aggregate_allowed("count")
        if node.args:
            raise self.error("count() tar inga argument")
        return Node(NUM, True, lambda env: env.n)

    def aggregate_allowed(self, name: str) -> None:
        if not self.scope.aggregates:
            raise self.error(f"{name}(...) får bara användas i summor för hela omgången")
        if self.in_aggregate:
            raise self.error(f"{name}(...) får inte stå inne i sum(...)")

    # --- helpers ------------------------------------------------------------------------

    def number(self, node: ast.AST, where: str) -> Node:
        compiled = self.node(node)
        if compiled.kind != NUM:
            raise self.error(f"{where}: {self.segment(node)!r} är ett villkor, här behövs ett tal")
        return compiled

    def condition(self, node: ast.AST, where: str) -> Node:
        compiled = self.node(node)
        if compiled.kind != BOOL:
            raise self.error(
                f"{where}: {self.segment(node)!r} är ett tal, här behövs ett villkor (sant/falskt)"
            )
        return compiled

    def fold(self, node: Node) -> Node:
        """Evaluate a node whose parts are all constants now (so 1/0 is refused up front)."""
        if node.const is not _NO_CONST or not node.constant_parts:
            return node
        try:
            value = node.fn(_EMPTY)
        except DivisionByZero as exc:
            raise self.error(f"division med noll i {exc.expression!r}") from exc
        return _constant(node.kind, value)


_EMPTY = Env(0, {}, {}, [])


def _short(text: str, limit: int = 80) -> str:
    """An expression for a message: at most ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(value)


def _constant(kind: str, value: Any) -> Node:
    return Node(kind, True, lambda env: value, value)


def _constant_parts(node: Node, *parts: Node) -> Node:
    node.constant_parts = all(p.const is not _NO_CONST for p in parts)
    return node


def _guard_uniform(fn: Callable[[Env], Any], segment: str) -> Callable[[Env], Any]:
    def guarded(env: Env) -> Any:
        try:
            return fn(env)
        except ZeroDivisionError as exc:
            raise DivisionByZero(None, segment) from exc

    return guarded


def _first_zero_region(env: Env, divisors: Any) -> str | None:
    if not isinstance(divisors, list):
        return None
    zeros = [i for i, d in enumerate(divisors) if d == 0]
    if not zeros or not env.names:
        return None
    return min(env.names[i] for i in zeros)  # by name: the message does not depend on order


def _binary(
    fn: Callable[[Any, Any], Any], left: Node, right: Node, segment: str, kind: str = NUM
) -> Node:
    lf, rf = left.fn, right.fn
    divides = fn is divide
    if left.uniform and right.uniform:

        def both_uniform(env: Env) -> Any:
            return fn(lf(env), rf(env))

        node = Node(kind, True, _guard_uniform(both_uniform, segment))
        return _constant_parts(node, left, right)
    if kind == BOOL and (left.uniform or right.uniform):
        return Node(kind, False, _compare_with_scalar(fn, left, right))
    if left.uniform:

        def left_uniform(env: Env) -> Any:
            return list(map(fn, repeat(lf(env)), rf(env)))

        column = left_uniform
    elif right.uniform:

        def right_uniform(env: Env) -> Any:
            return list(map(fn, lf(env), repeat(rf(env))))

        column = right_uniform
    else:

        def columns(env: Env) -> Any:
            return list(map(fn, lf(env), rf(env)))

        column = columns
    if not divides:
        return Node(kind, False, column)

    def guarded(env: Env) -> Any:
        xs, ys = lf(env), rf(env)
        if not isinstance(xs, list):
            xs = [xs] * env.n
        if not isinstance(ys, list):
            ys = [ys] * env.n
        if all_ints(ys) and all_ints(xs) and (not ys or min(ys) > 0):
            return Ratios(xs, ys)
        try:
            return list(map(divide, xs, ys))
        except ZeroDivisionError as exc:
            raise DivisionByZero(_first_zero_region(env, ys), segment) from exc

    return Node(kind, False, lambda env: as_list(guarded(env)), raw=guarded)


def _compare_with_scalar(
    fn: Callable[[Any, Any], Any], left: Node, right: Node
) -> Callable[[Env], Any]:
    """A column compared with one round-wide value (``rate >= national_rate``).

    A ``Ratios`` column (``n / d``, d > 0) compares with ``N / D`` (D > 0) as ``n * D`` with
    ``N * d``: integers, without building a Fraction per region.
    """
    column_node, scalar_node = (right, left) if left.uniform else (left, right)
    column_fn = column_node.raw or column_node.fn
    scalar_fn = scalar_node.fn
    scalar_left = left.uniform

    def compare(env: Env) -> Any:
        xs, c = column_fn(env), scalar_fn(env)
        if type(xs) is Ratios and type(c) in (int, Fraction):
            num, den = c.as_integer_ratio()
            lhs = list(map(mul, xs.nums, repeat(den)))
            rhs = list(map(mul, xs.dens, repeat(num)))
        else:
            lhs, rhs = as_list(xs), repeat(c)
        if scalar_left:
            return list(map(fn, rhs, lhs))
        return list(map(fn, lhs, rhs))

    return compare


def _unary(fn: Callable[[Any], Any], operand: Node, kind: str) -> Node:
    f = operand.fn
    if operand.uniform:
        return _constant_parts(Node(kind, True, lambda env: fn(f(env))), operand)
    return Node(kind, False, lambda env: list(map(fn, f(env))))


def _many(fn: Callable[..., Any], args: list[Node]) -> Node:
    fns = [a.fn for a in args]
    if all(a.uniform for a in args):
        return _constant_parts(Node(NUM, True, lambda env: fn(*(f(env) for f in fns))), *args)

    def column(env: Env) -> Any:
        cols = [f(env) for f in fns]
        cols = [c if isinstance(c, list) else repeat(c, env.n) for c in cols]
        if len(cols) == 2:
            # The builtin with two arguments is several times slower than a comparison;
            # the same result (the first of equal values, as max/min give it).
            if fn is max:
                return [b if b > a else a for a, b in zip(*cols, strict=False)]
            return [b if b < a else a for a, b in zip(*cols, strict=False)]
        return list(map(fn, *cols))

    return Node(NUM, False, column)


def _logical(is_and: bool, left: Node, right: Node) -> Node:
    lf, rf = left.fn, right.fn
    if left.uniform and right.uniform:
        if is_and:
            node = Node(BOOL, True, lambda env: lf(env) and rf(env))
        else:
            node = Node(BOOL, True, lambda env: lf(env) or rf(env))
        return _constant_parts(node, left, right)

    def column(env: Env) -> Any:
        decided = lf(env)
        if not isinstance(decided, list):
            if decided is not is_and:  # false and ... / true or ...: decided for everyone
                return [decided] * env.n
            value = rf(env)
            return value if isinstance(value, list) else [value] * env.n
        # The right side only where the left side does not decide.
        need = [i for i, v in enumerate(decided) if v is is_and]
        if not need:
            return decided
        if len(need) == env.n:
            value = rf(env)
            return value if isinstance(value, list) else [value] * env.n
        value = rf(env.subset(need))
        result = decided[:]
        if isinstance(value, list):
            for i, v in zip(need, value, strict=True):
                result[i] = v
        else:
            for i in need:
                result[i] = value
        return result

    return Node(BOOL, False, column)


def _all_of(left: Node, right: Node) -> Node:
    """Two links of a comparison chain: both evaluated for everyone, then combined."""
    lf, rf = left.fn, right.fn
    if left.uniform and right.uniform:
        return _constant_parts(Node(BOOL, True, lambda env: lf(env) and rf(env)), left, right)

    def column(env: Env) -> Any:
        a, b = lf(env), rf(env)
        a = a if isinstance(a, list) else repeat(a, env.n)
        b = b if isinstance(b, list) else repeat(b, env.n)
        return [x and y for x, y in zip(a, b, strict=False)]  # repeat() has no length

    return Node(BOOL, False, column)


def step_index(x: Number, edges: list[int], common: int) -> int:
    """How many thresholds ``x`` reaches (edges are thresholds * common, whole numbers)."""
    if type(x) is int:
        return bisect_right(edges, x * common)
    return bisect_right(edges, (x.numerator * common) // x.denominator)


def _step(x: Node, table: StepTable, position: int) -> Node:
    # x >= t  <=>  floor(x * D) >= t * D for D the thresholds' common denominator: integers.
    common = math.lcm(1, *(t.denominator for t in table.thresholds))
    edges = [int(t * common) for t in table.thresholds]
    pays = (0, *table.payouts)
    f = x.fn
    if x.uniform:

        def uniform(env: Env) -> Any:
            reached = step_index(f(env), edges, common)
            if env.hits is not None:
                env.hits[position] = reached
            return pays[reached]

        return _constant_parts(Node(NUM, True, uniform), x)

    def column(env: Env) -> Any:
        xs = f(env)
        if all_ints(xs):
            reached = [bisect_right(edges, v * common) for v in xs]
        else:  # step_index, inline: a call per region costs as much as the rest
            reached = [
                bisect_right(
                    edges,
                    v * common if type(v) is int else (v.numerator * common) // v.denominator,
                )
                for v in xs
            ]
        if env.hits is not None:
            env.hits[position] = reached
        return list(map(pays.__getitem__, reached))

    return Node(NUM, False, column)
