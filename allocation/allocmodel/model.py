"""The allocation model as data (RULES.md "The model document"): read, checked, written.

``AllocationModel.from_json`` reads a format-1 document, or the 2024 rules file written before
the format (``{"block1", "block2", "staircase"}``, read as :func:`model_2024`), and checks
everything that can be checked without inputs: the format, every field's type, names, the
order of values and totals, every expression's syntax and type, ``sum``/``count`` outside
totals, duplicate block ids and every ``step()`` table. Any problem is a ``ModelError`` with a
Swedish message and the field's dotted path (block positions count from 0).

Names: values and totals are identifiers (letters, digits, ``_``; not starting with a digit),
not an input name, a function or ``true``/``false``, and unique across values and totals.
Block ids are identifiers too, unique, and differ from the values' names and from ``region``
and ``total``, since ``allocate_csv`` writes all of them as columns of one row.
"""

from __future__ import annotations

import keyword
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from allocation.allocmodel.errors import ModelError, block_label
from allocation.allocmodel.expr import BOOL, NUM, RESERVED, Compiled, Scope, compile_expression

FORMAT = 1
INPUT_NAMES = ("filled", "started", "deducted", "population", "planned")
OVER_BUDGET = ("scale", "error")
_CSV_COLUMNS = ("region", "total")
_TOP_KEYS = {"format", "name", "values", "totals", "blocks"}
_BLOCK_KEYS = {"id", "name", "budget", "eligible", "share", "amount", "over_budget", "remainder"}
_LEGACY_KEYS = {"block1", "block2", "staircase"}


@dataclass(frozen=True)
class Block:
    """One block: a budget (whole kronor >= 0) paid to the eligible regions either by
    ``share`` (a weight) or by ``amount`` (kronor each, then ``over_budget`` and
    ``remainder``). Expressions are kept as the text the officer wrote."""

    id: str
    name: str
    budget: int
    eligible: str | None
    share: str | None
    amount: str | None
    over_budget: str = "scale"
    remainder: str | None = None

    @property
    def kind(self) -> str:
        return "share" if self.share is not None else "amount"

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"id": self.id, "name": self.name, "budget": self.budget}
        if self.eligible is not None:
            doc["eligible"] = self.eligible
        if self.share is not None:
            doc["share"] = self.share
        else:
            doc["amount"] = self.amount
            doc["over_budget"] = self.over_budget
            if self.remainder is not None:
                doc["remainder"] = self.remainder
        return doc


@dataclass(frozen=True)
class CompiledBlock:
    eligible: Compiled | None
    weight: Compiled | None  # share blocks
    amount: Compiled | None  # amount blocks
    remainder: Compiled | None


@dataclass(frozen=True)
class Plan:
    """A model's expressions, compiled (see allocation.allocmodel.expr)."""

    values: tuple[tuple[str, Compiled], ...]
    totals: tuple[tuple[str, Compiled], ...]
    blocks: tuple[CompiledBlock, ...]


@dataclass(frozen=True)
class AllocationModel:
    """A round's allocation model (RULES.md). Constructing one checks it (ModelError)."""

    name: str
    values: tuple[tuple[str, str], ...]  # (name, expression), in order
    totals: tuple[tuple[str, str], ...]
    blocks: tuple[Block, ...]
    plan: Plan = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(tuple(v) for v in self.values))
        object.__setattr__(self, "totals", tuple(tuple(t) for t in self.totals))
        object.__setattr__(self, "blocks", tuple(self.blocks))
        object.__setattr__(self, "plan", _check(self))

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        # The compiled plan holds closures, which do not pickle: rebuild it from the document.
        return (AllocationModel.from_json, (self.to_json(),))

    @classmethod
    def from_json(cls, data: object) -> AllocationModel:
        """A format-1 document, or the legacy 2024 rules (as :func:`model_2024`).
        Raises ModelError."""
        if not isinstance(data, Mapping):
            raise ModelError("Modellen ska vara ett JSON-objekt.", "")
        if "format" not in data and set(data) & _LEGACY_KEYS:
            return _legacy(data)
        if "format" not in data:
            raise ModelError('Modellen saknar "format" (ange "format": 1).', "format")
        fmt = data["format"]
        if type(fmt) is not int or fmt != FORMAT:
            raise ModelError(f"Okänt format {fmt!r}; bara format 1 finns.", "format")
        unknown = sorted(map(str, set(data) - _TOP_KEYS))
        if unknown:
            raise ModelError(f"Okända fält i modellen: {', '.join(unknown)}.", unknown[0])
        name = data.get("name", "")
        if not isinstance(name, str):
            raise ModelError("Modellens namn ska vara en text.", "name")
        blocks = data.get("blocks")
        if not isinstance(blocks, list) or not blocks:
            raise ModelError("Modellen behöver minst ett block.", "blocks")
        return cls(
            name=name,
            values=_named(data.get("values", {}), "values"),
            totals=_named(data.get("totals", {}), "totals"),
            blocks=tuple(_block(index, doc) for index, doc in enumerate(blocks)),
        )

    def to_json(self) -> dict[str, Any]:
        """The format-1 document: ``from_json(m.to_json()) == m``."""
        return {
            "format": FORMAT,
            "name": self.name,
            "values": dict(self.values),
            "totals": dict(self.totals),
            "blocks": [block.to_json() for block in self.blocks],
        }

    @property
    def block_ids(self) -> tuple[str, ...]:
        return tuple(block.id for block in self.blocks)

    @property
    def value_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.values)

    def block(self, id: str) -> Block:
        """The block with this id; KeyError if there is none."""
        for block in self.blocks:
            if block.id == id:
                return block
        raise KeyError(id)

    def staircases(self, block_id: str) -> list[list[tuple[Fraction, int]]]:
        """The step() tables of the block's amount expression, in source order: each a list
        of (threshold, payout in kronor). Empty for a share block. KeyError if no such block."""
        index = self.block_ids.index(block_id) if block_id in self.block_ids else None
        if index is None:
            raise KeyError(block_id)
        amount = self.plan.blocks[index].amount
        return [table.pairs() for table in amount.tables] if amount else []


def model_2024(
    block1: int,
    block2: int,
    staircase: Sequence[tuple[Fraction, int]],
    name: str = "AT-tjänster 2024",
) -> AllocationModel:
    """RULES.md's 2024 model with these budgets (kronor) and staircase ((threshold, payout)
    pairs, thresholds strictly increasing). Eligible for block 2: ``increase >=`` the first
    threshold (the regions that reach a step; with no steps nobody, as the 2024 engine)."""
    steps = [(Fraction(t), p) for t, p in staircase]
    table = ", ".join(f"[{_literal(t)}, {p}]" for t, p in steps)
    eligible = f"increase >= {_literal(steps[0][0])}" if steps else "false"
    return AllocationModel(
        name=name,
        values=(
            ("posts", "max(filled, started) - deducted"),
            ("rate", "posts * 100000 / population"),
            ("increase", "posts - planned"),
        ),
        totals=(),
        blocks=(
            Block("block1", "Redovisa antal AT-tjänster", block1, None, "rate", None),
            Block(
                "block2",
                "Ytterligare utökning",
                block2,
                eligible,
                None,
                f"step(increase, [{table}])",
                "scale",
                "rate",
            ),
        ),
    )


def _literal(value: Fraction) -> str:
    """An exact number as expression text: 2, 2.5, -1, or 1/3 when it has no decimal form."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value.denominator == 1:
        return f"{sign}{value.numerator}"
    d, places = value.denominator, 0
    while d % 2 == 0 or d % 5 == 0:
        d //= 2 if d % 2 == 0 else 5
        places += 1
    if d != 1:
        return f"{sign}{value.numerator}/{value.denominator}"
    digits = value.numerator * 10**places // value.denominator
    whole, frac = divmod(digits, 10**places)
    return f"{sign}{whole}.{frac:0{places}d}".rstrip("0")


# --- reading ------------------------------------------------------------------------------


def _named(data: object, section: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(data, Mapping):
        raise ModelError(f"{section} ska vara ett objekt med namn och uttryck.", section)
    return tuple((name, expression) for name, expression in data.items())


def _block(index: int, doc: object) -> Block:
    where = f"blocks.{index}"
    if not isinstance(doc, Mapping):
        raise ModelError(f"Block {index + 1} ska vara ett objekt.", where)
    unknown = sorted(map(str, set(doc) - _BLOCK_KEYS))
    if unknown:
        raise ModelError(f"Block {index + 1}: okända fält {', '.join(unknown)}.", where)
    block_id = doc.get("id")
    if not isinstance(block_id, str):
        raise ModelError(f"Block {index + 1} saknar id (en text).", f"{where}.id")
    return Block(
        id=block_id,
        name=doc.get("name", block_id),
        budget=doc.get("budget"),  # type: ignore[arg-type]
        eligible=doc.get("eligible"),
        share=doc.get("share"),
        amount=doc.get("amount"),
        over_budget=doc.get("over_budget", "scale"),
        remainder=doc.get("remainder"),
    )


def _legacy(data: Mapping[str, Any]) -> AllocationModel:
    """The 2024 rules file: ``{"block1": kr, "block2": kr, "staircase": [[threshold, payout],
    ...]}`` (thresholds strictly increasing, payouts whole kronor, not decreasing)."""
    missing = sorted(_LEGACY_KEYS - set(data))
    if missing:
        raise ModelError(f"2024 års regelfil saknar {', '.join(missing)}.", missing[0])
    unknown = sorted(map(str, set(data) - _LEGACY_KEYS))
    if unknown:
        raise ModelError(f"2024 års regelfil har okända fält: {', '.join(unknown)}.", unknown[0])
    for key in ("block1", "block2"):
        value = data[key]
        if type(value) is not int or value < 0:
            raise ModelError(f"{key} ska vara hela kronor >= 0, inte {value!r}.", key)
    staircase = data["staircase"]
    if not isinstance(staircase, list):
        raise ModelError("staircase ska vara en lista med [tröskel, utbetalning].", "staircase")
    steps: list[tuple[Fraction, int]] = []
    for number, pair in enumerate(staircase, 1):
        if not isinstance(pair, list) or len(pair) != 2:
            raise ModelError(
                f"staircase: trappsteg {number} ska vara ett par [tröskel, utbetalning].",
                "staircase",
            )
        threshold = _legacy_threshold(number, pair[0])
        payout = pair[1]
        if type(payout) is not int or payout < 0:
            raise ModelError(
                f"staircase: trappsteg {number}: utbetalningen ska vara hela kronor >= 0, "
                f"inte {payout!r}.",
                "staircase",
            )
        if steps and threshold <= steps[-1][0]:
            raise ModelError(
                f"staircase: trösklarna ska vara strikt stigande ({threshold} efter "
                f"{steps[-1][0]}).",
                "staircase",
            )
        if steps and payout < steps[-1][1]:
            raise ModelError(
                f"staircase: utbetalningarna får inte minska ({payout} efter {steps[-1][1]}).",
                "staircase",
            )
        steps.append((threshold, payout))
    return model_2024(data["block1"], data["block2"], steps)


def _legacy_threshold(number: int, value: object) -> Fraction:
    if isinstance(value, int) and not isinstance(value, bool):
        return Fraction(value)
    # repr() of a float is its shortest decimal text, so 2.5 reads as exactly 5/2.
    text = repr(value) if isinstance(value, float) else value
    if isinstance(text, str):
        try:
            return Fraction(text)
        except (ValueError, ZeroDivisionError):
            pass
    raise ModelError(
        f"staircase: trappsteg {number}: tröskeln ska vara ett tal, inte {value!r}.", "staircase"
    )


# --- checking -----------------------------------------------------------------------------


def _check(model: AllocationModel) -> Plan:
    if not isinstance(model.name, str):
        raise ModelError("Modellens namn ska vara en text.", "name")
    taken: dict[str, str] = {}
    for section, label in (("values", "värdet"), ("totals", "summan")):
        for name, _ in getattr(model, section):
            _check_name(name, section, label, taken)
            taken[name] = f"{label} {name}"
    values = _compile_values(model)
    totals = _compile_totals(model, values)
    kinds = {name: NUM for name in INPUT_NAMES}
    kinds.update((name, c.kind) for name, c in values)
    kinds.update((name, c.kind) for name, c in totals)
    scope = Scope(kinds, uniform=frozenset(name for name, _ in totals))
    if not model.blocks:
        raise ModelError("Modellen behöver minst ett block.", "blocks")
    ids: set[str] = set()
    blocks = []
    for index, block in enumerate(model.blocks):
        _check_block_fields(index, block, ids, {name for name, _ in model.values})
        ids.add(block.id)
        blocks.append(_compile_block(index, block, scope))
    return Plan(values, totals, tuple(blocks))


def _check_name(name: object, section: str, label: str, taken: Mapping[str, str]) -> None:
    where = f"{section}.{name}"
    if not isinstance(name, str) or not _is_identifier(name):
        raise ModelError(
            f"{label.capitalize()} {name!r}: namnet ska bestå av bokstäver, siffror och _ "
            "och inte börja med en siffra.",
            where,
        )
    if name in INPUT_NAMES:
        raise ModelError(f"{label.capitalize()} {name}: {name} är redan ett indata-namn.", where)
    if name in RESERVED or keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise ModelError(f"{label.capitalize()} {name}: {name} är ett reserverat ord.", where)
    if name in taken:
        raise ModelError(
            f"{label.capitalize()} {name}: namnet används redan av {taken[name]}.", where
        )
    if section == "values" and name in _CSV_COLUMNS:
        raise ModelError(
            f"Värdet {name}: namnet {name} är reserverat för en kolumn i resultatet.", where
        )


def _is_identifier(name: str) -> bool:
    # Python normalises identifiers (NFKC): a name must already be in that form, so that
    # the name written and the name parsed are the same text.
    return name.isidentifier() and unicodedata.normalize("NFKC", name) == name


def _compile_values(model: AllocationModel) -> tuple[tuple[str, Compiled], ...]:
    kinds = {name: NUM for name in INPUT_NAMES}
    names = [name for name, _ in model.values]
    compiled = []
    for position, (name, text) in enumerate(model.values):
        later = {n: f"värdet {n}" for n in names[position:]}
        later.update({n: f"summan {n}" for n, _ in model.totals})
        c = compile_expression(
            text,
            Scope(dict(kinds), later=later),
            expect=None,
            label=f"Värdet {name}",
            field=f"values.{name}",
        )
        kinds[name] = c.kind
        compiled.append((name, c))
    return tuple(compiled)


def _compile_totals(
    model: AllocationModel, values: tuple[tuple[str, Compiled], ...]
) -> tuple[tuple[str, Compiled], ...]:
    kinds = {name: NUM for name in INPUT_NAMES}
    kinds.update((name, c.kind) for name, c in values)
    names = [name for name, _ in model.totals]
    uniform: set[str] = set()
    compiled = []
    for position, (name, text) in enumerate(model.totals):
        later = {n: f"summan {n}" for n in names[position:]}
        scope = Scope(dict(kinds), uniform=frozenset(uniform), later=later, aggregates=True)
        c = compile_expression(
            text, scope, expect=None, label=f"Summan {name}", field=f"totals.{name}"
        )
        kinds[name] = c.kind
        uniform.add(name)
        compiled.append((name, c))
    return tuple(compiled)


def _check_block_fields(index: int, block: Block, ids: set[str], values: set[str]) -> None:
    where = f"blocks.{index}"
    label = f"Block {index + 1}"
    if not isinstance(block.id, str) or not _is_identifier(block.id):
        raise ModelError(
            f"{label}: id {block.id!r} ska bestå av bokstäver, siffror och _ och inte börja "
            "med en siffra.",
            f"{where}.id",
        )
    label = block_label(index, block.name)
    if block.id in ids:
        raise ModelError(
            f"{label}: id {block.id} finns redan; varje block behöver ett eget id.", f"{where}.id"
        )
    if block.id in values or block.id in _CSV_COLUMNS:
        raise ModelError(
            f"{label}: id {block.id} är redan namnet på ett värde eller en kolumn i resultatet.",
            f"{where}.id",
        )
    if not isinstance(block.name, str) or not block.name.strip():
        raise ModelError(f"{label}: namnet ska vara en icke-tom text.", f"{where}.name")
    if type(block.budget) is not int or block.budget < 0:
        raise ModelError(
            f"{label}: budgeten ska vara hela kronor >= 0, inte {block.budget!r}.",
            f"{where}.budget",
        )
    if (block.share is None) == (block.amount is None):
        raise ModelError(
            f"{label}: välj antingen andel av budgeten (vikt) eller belopp per region.",
            f"{where}.share",
        )
    if block.over_budget not in OVER_BUDGET:
        raise ModelError(
            f"{label}: om beloppen överstiger budgeten ska de skalas ned eller stoppa körningen, "
            f"inte {block.over_budget!r}.",
            f"{where}.over_budget",
        )
    if block.share is not None and block.over_budget != "scale":
        raise ModelError(
            f"{label}: valet om beloppen överstiger budgeten gäller bara belopp per region.",
            f"{where}.over_budget",
        )
    if block.share is not None and block.remainder is not None:
        raise ModelError(
            f"{label}: vikten för det som blir över gäller bara belopp per region.",
            f"{where}.remainder",
        )


def _compile_block(index: int, block: Block, scope: Scope) -> CompiledBlock:
    where = f"blocks.{index}"

    def compiled(text: str | None, key: str, expect: str, what: str) -> Compiled | None:
        if text is None:
            return None
        return compile_expression(
            text,
            scope,
            expect=expect,
            label=f"{block_label(index, block.name)}, {what}",
            field=f"{where}.{key}",
        )

    return CompiledBlock(
        eligible=compiled(block.eligible, "eligible", BOOL, "villkoret för att delta"),
        weight=compiled(block.share, "share", NUM, "vikten"),
        amount=compiled(block.amount, "amount", NUM, "beloppet"),
        remainder=compiled(block.remainder, "remainder", NUM, "vikten för det som blir över"),
    )
