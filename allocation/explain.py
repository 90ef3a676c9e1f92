"""Turn a decision's stored explanation into plain Swedish sentences.

Pure: it reads the explanation dict written when the decision was issued (exact values are
ints or "p/q" strings) and the decision's amounts, and returns one :class:`ExplainItem` per
topic, in the order a reader follows the computation. The same items are shown on the
region's decision page and printed in the decision letter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from allocation.results import (
    BlockView,
    Cell,
    Row,
    expression_names,
    is_format2,
    read_explanation,
)
from allocation.wording import humanise, label, title
from atgrant.templatetags.atgrant_format import format_number, format_range, format_rate, kr


@dataclass(frozen=True)
class ExplainItem:
    """One step of the explanation: a short term and the sentence(s) that explain it."""

    key: str
    term: str
    text: str


def as_fraction(value: object) -> Fraction | None:
    """An exact stored value (int, "p/q", "12.5", Fraction) as a Fraction; None if missing."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | Fraction):
        return Fraction(value)
    try:
        return Fraction(str(value).strip().replace(",", "."))
    except (ValueError, ZeroDivisionError):
        return None


def number(value: object, places: int = 2) -> str:
    """Swedish number text (86,5; 1 234); a missing value is a dash."""
    fraction = as_fraction(value)
    return "–" if fraction is None else format_number(fraction, places=places)


def posts_text(count: object) -> str:
    value = as_fraction(count) or Fraction(0)
    n = int(value) if value.denominator == 1 else 2  # 2 picks the plural for x.5
    return ngettext("%(n)s tjänst", "%(n)s tjänster", n) % {"n": number(value)}


def explain(
    explanation: Mapping[str, Any],
    *,
    block1: int | None = None,
    block2: int | None = None,
    total: int,
    amounts: Mapping[str, int] | None = None,
    model: Mapping[str, Any] | None = None,
) -> list[ExplainItem]:
    """The explanation of one decision, topic by topic.

    A format-2 explanation (any model, spec12.md) is explained block by block
    (:func:`explain_blocks`, ``amounts``: kronor per block id); the old shape (the 2024
    model, ``block1``/``block2`` in kronor) as before.

    Amounts typed at a reconsideration (``reconsideration_method`` "manual") are not what
    the computation gives: the computation's items then show the amounts it gave
    (``computed_block1``/``computed_block2``) and the reconsideration item says what was
    decided instead, so no sentence contradicts the decision's amounts.
    """
    if is_format2(explanation):
        return explain_blocks(explanation, amounts=amounts, total=total, model=model)
    block1, block2 = int(block1 or 0), int(block2 or 0)
    e = explanation
    # Reconsiderations recorded before the method was: their amounts were typed by hand.
    typed_before = e.get("previous_total") is not None and not e.get("reconsideration_method")
    default1 = e.get("previous_block1") if typed_before else block1
    default2 = e.get("previous_block2") if typed_before else block2
    computed1 = int(as_fraction(e.get("computed_block1", default1)) or 0)
    computed2 = int(as_fraction(e.get("computed_block2", default2)) or 0)
    items = [_reported(e)]
    if e.get("override_reason"):
        items.append(_override(e))
    items.append(_deduction(e))
    items.extend([_plan(e), _increase(e), _rate(e), _block1(e, computed1)])
    items.extend(_block2(e, computed2))
    rounding = _rounding(e)
    if rounding is not None:
        items.append(rounding)
    if e.get("previous_total") is not None:
        items.append(_reconsidered(e, block1, block2))
    items.append(_total(block1, block2, total))
    return items


def _reported(e: Mapping[str, Any]) -> ExplainItem:
    filled, started = e.get("filled"), e.get("started")
    reported = e.get("reported_posts")
    if filled is not None and started is not None:
        text = _(
            "Regionen redovisade %(filled)s tillsatta och %(started)s påbörjade AT-tjänster. "
            "Det högre av de två talen räknas: %(reported)s."
        ) % {"filled": number(filled), "started": number(started), "reported": posts_text(reported)}
    elif filled is not None:
        text = _(
            "Regionen redovisade %(filled)s tillsatta AT-tjänster och inga påbörjade. "
            "Det räknas: %(reported)s."
        ) % {"filled": number(filled), "reported": posts_text(reported)}
    else:
        text = _(
            "Regionen redovisade %(started)s påbörjade AT-tjänster och inga tillsatta. "
            "Det räknas: %(reported)s."
        ) % {"started": number(started), "reported": posts_text(reported)}
    return ExplainItem("reported", _("Redovisade tjänster"), text)


def _override(e: Mapping[str, Any]) -> ExplainItem:
    text = _(
        "Talen för tillsatta och påbörjade tjänster ovan har förts in av handläggaren i stället "
        "för regionens redovisning. Skäl: %(reason)s"
    ) % {"reason": _sentence(e["override_reason"])}
    return ExplainItem("override", _("Värden införda av handläggaren"), text)


def _deduction(e: Mapping[str, Any]) -> ExplainItem:
    deducted = as_fraction(e.get("deducted")) or Fraction(0)
    if not deducted:
        text = _("Inga tjänster har dragits av. Antal tjänster som räknas: %(posts)s.") % {
            "posts": posts_text(e.get("posts"))
        }
    else:
        text = _(
            "%(deducted)s har dragits av eftersom de redan låg till grund för utbetalning av "
            "ett tidigare års statsbidrag. Skäl: %(reason)s Antal tjänster som räknas: %(posts)s."
        ) % {
            "deducted": posts_text(deducted),
            "reason": _sentence(e.get("deduction_reason") or ""),
            "posts": posts_text(e.get("posts")),
        }
    return ExplainItem("deduction", _("Avdrag"), text)


def _plan(e: Mapping[str, Any]) -> ExplainItem:
    values = {
        "plan": format_range(e.get("plan_text")) or number(e.get("planned")),
        "planned": number(e.get("planned")),
    }
    if e.get("plan_is_range"):
        text = (
            _(
                "I planeringsunderlaget (bilaga 2 till regeringens uppdrag) står %(plan)s. "
                "Eftersom det är ett spann används medelvärdet: %(planned)s planerade tjänster."
            )
            % values
        )
    else:
        text = (
            _(
                "I planeringsunderlaget (bilaga 2 till regeringens uppdrag) står %(plan)s. "
                "Det används: %(planned)s planerade tjänster."
            )
            % values
        )
    return ExplainItem("plan", _("Planeringsunderlag"), text)


def _increase(e: Mapping[str, Any]) -> ExplainItem:
    text = _(
        "Utökningen är antalet tjänster minus de planerade: %(posts)s − %(planned)s = %(increase)s."
    ) % {
        "posts": number(e.get("posts")),
        "planned": number(e.get("planned")),
        "increase": number(e.get("increase")),
    }
    return ExplainItem("increase", _("Utökning utöver planen"), text)


def _rate(e: Mapping[str, Any]) -> ExplainItem:
    text = _(
        "Regionen har %(rate)s AT-tjänster per 100 000 invånare (avrundat; beräkningen använder "
        "det exakta värdet)."
    ) % {"rate": format_rate(e.get("rate"))}
    return ExplainItem("rate", _("Tjänster per 100 000 invånare"), text)


def _block1(e: Mapping[str, Any], block1: int) -> ExplainItem:
    text = _(
        "Block 1 delas mellan alla regioner som redovisat, i proportion till antalet tjänster "
        "per 100 000 invånare. Regionens andel: %(amount)s."
    ) % {"amount": kr(block1)}
    return ExplainItem("block1", _("Block 1"), text)


def _block2(e: Mapping[str, Any], block2: int) -> list[ExplainItem]:
    if e.get("block2_paid") is False:
        text = _(
            "Ingen region nådde prestationstrappans första steg, så block 2 betalas inte ut alls "
            "i denna omgång."
        )
        return [ExplainItem("block2_not_paid", _("Block 2"), text)]
    if not e.get("qualifies"):
        text = _(
            "Utökningen når inget steg i prestationstrappan. Regionen får därför inget ur block 2."
        )
        return [ExplainItem("no_step", _("Block 2: prestationstrappan"), text)]
    items = [_step(e)]
    items.append(_remainder(e, block2))
    return items


def _step(e: Mapping[str, Any]) -> ExplainItem:
    text = _(
        "Utökningen når trappsteget för en utökning med minst %(threshold)s, som ger %(payment)s."
    ) % {"threshold": posts_text(e.get("step_min_increase")), "payment": kr(e.get("step_payment"))}
    if _scaled(e):
        text += " " + _(
            "Trappstegen översteg tillsammans block 2, så alla stegbelopp har minskats i samma "
            "proportion."
        )
    return ExplainItem("step", _("Block 2: prestationstrappan"), text)


def _remainder(e: Mapping[str, Any], block2: int) -> ExplainItem:
    remainder = as_fraction(e.get("remainder")) or Fraction(0)
    if remainder:
        text = _(
            "Det som blev kvar av block 2 efter trappstegen delas mellan de regioner som nått ett "
            "steg, i proportion till antalet tjänster per 100 000 invånare. Regionens del: "
            "%(remainder)s. Block 2 totalt: %(block2)s."
        ) % {"remainder": kr(remainder), "block2": kr(block2)}
    else:
        text = _("Ingen rest av block 2 fanns att fördela. Block 2 totalt: %(block2)s.") % {
            "block2": kr(block2)
        }
    return ExplainItem("remainder", _("Block 2: resten"), text)


def _scaled(e: Mapping[str, Any]) -> bool:
    """Whether the staircase was scaled down (its steps together exceeded block 2)."""
    scale = as_fraction(e.get("steps_scale"))
    if scale is not None:
        return scale != 1
    return any(
        isinstance(w, Mapping) and w.get("code") == "steps_exceed_block2"
        for w in e.get("warnings") or ()
    )


def _rounding(e: Mapping[str, Any]) -> ExplainItem | None:
    changes = [
        change
        for change in (
            _rounding_change(_("Block 1"), e.get("block1_rounding")),
            _rounding_change(_("Block 2"), e.get("block2_rounding")),
        )
        if change
    ]
    if not changes:
        return None
    intro = _(
        "Beloppen avrundas till hela kronor, och kronor som avrundningen tappat eller lagt till "
        "justeras så att varje block summerar exakt till sin budget."
    )
    return ExplainItem("rounding", _("Avrundning"), " ".join([intro, *changes]))


def _rounding_change(block: str, value: object) -> str:
    amount = int(as_fraction(value) or 0)
    if amount > 0:
        return ngettext(
            "%(block)s: %(n)s krona har lagts till regionens belopp.",
            "%(block)s: %(n)s kronor har lagts till regionens belopp.",
            amount,
        ) % {"block": block, "n": format_number(amount)}
    if amount < 0:
        return ngettext(
            "%(block)s: %(n)s krona har dragits från regionens belopp.",
            "%(block)s: %(n)s kronor har dragits från regionens belopp.",
            -amount,
        ) % {"block": block, "n": format_number(-amount)}
    return ""


def _total(block1: int, block2: int, total: int) -> ExplainItem:
    text = _("Block 1 %(block1)s + block 2 %(block2)s = %(total)s.") % {
        "block1": kr(block1),
        "block2": kr(block2),
        "total": kr(total),
    }
    return ExplainItem("total", _("Totalt"), text)


_CORRECTED_FIELDS = {
    "plan_text": gettext_lazy("planen"),
    "filled": gettext_lazy("tillsatta tjänster"),
    "started": gettext_lazy("påbörjade tjänster"),
    "deducted": gettext_lazy("avräknade tjänster"),
}


def _reconsidered(e: Mapping[str, Any], block1: int, block2: int) -> ExplainItem:
    values = {
        "reference": e.get("replaces_reference", ""),
        "block1": kr(e.get("previous_block1")),
        "block2": kr(e.get("previous_block2")),
        "total": kr(e.get("previous_total")),
        "reason": _sentence(e.get("reconsideration_reason") or ""),
    }
    method = e.get("reconsideration_method")
    if method == "engine":
        text = _(
            "Beslutet är en omprövning av beslut %(reference)s (block 1 %(block1)s, block 2 "
            "%(block2)s, totalt %(total)s). Regionens uppgifter har rättats: %(changes)s. "
            "Beräkningen ovan är gjord med omgångens regler och de rättade uppgifterna; övriga "
            "regioners beslut står fast. Skäl: %(reason)s"
        ) % {**values, "changes": _changes(e.get("corrections") or [])}
    elif method == "manual":
        text = _(
            "Beräkningen ovan är den som låg till grund för beslut %(reference)s. Vid "
            "omprövningen bestämdes beloppen i stället till block 1 %(new_block1)s och block 2 "
            "%(new_block2)s (tidigare block 1 %(block1)s och block 2 %(block2)s, totalt "
            "%(total)s). Skäl: %(reason)s"
        ) % {
            **values,
            "new_block1": kr(block1),
            "new_block2": kr(block2),
        }
    else:  # decisions reconsidered before the method was recorded
        text = (
            _(
                "Beräkningen ovan är den ursprungliga. Vid omprövningen av beslut "
                "%(reference)s ändrades beloppen från block 1 %(block1)s och block 2 "
                "%(block2)s (totalt %(total)s) till de belopp som anges i detta beslut. "
                "Skäl: %(reason)s"
            )
            % values
        )
    if e.get("overrun_reason"):
        text += " " + _("Beslutet innebär att omgångens budget överskrids. Skäl: %(reason)s") % {
            "reason": _sentence(e["overrun_reason"])
        }
    return ExplainItem("reconsidered", _("Omprövning"), text)


def _changes(corrections: list[Mapping[str, Any]]) -> str:
    if not corrections:
        return _("inga uppgifter ändrades")
    return "; ".join(correction_texts(corrections))


def correction_texts(corrections: list[Mapping[str, Any]]) -> list[str]:
    """A reconsideration's corrected inputs, one Swedish phrase each: "planen 50 → 48–50"."""
    return [
        _("%(field)s %(before)s → %(after)s")
        % {
            "field": _CORRECTED_FIELDS.get(c.get("field"), c.get("field")),
            "before": _value(c.get("before")),
            "after": _value(c.get("after")),
        }
        for c in corrections
    ]


def _value(value: object) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, str) and as_fraction(value) is None:
        return value.replace("-", "–")  # a plan range, written with an en dash
    return number(value)


def _sentence(text: str) -> str:
    """A reason as a full sentence (ending with a full stop)."""
    text = str(text).strip()
    return text if not text or text[-1] in ".!?" else text + "."


# --- any model (format 2) ---------------------------------------------------------------------


def explain_for(decision: Any) -> list[ExplainItem]:
    """A decision's explanation (``allocation.models.Decision``), either shape. A format-2
    one shows the value expressions of the model it records."""
    model = None
    if is_format2(decision.explanation):
        model = decision.explanation.get("model")
        if not isinstance(model, Mapping):
            # Recorded before decisions carried their model: their run's snapshot has it.
            from allocation.models import AllocationRun

            run = AllocationRun.objects.only("snapshot").filter(pk=decision.run_id).first()
            snapshot = run.snapshot if run is not None else None
            model = snapshot.get("model") if isinstance(snapshot, Mapping) else None
    return explain(
        decision.explanation or {},
        block1=decision.block1,
        block2=decision.block2,
        total=decision.total,
        amounts=decision.block_amounts(),
        model=model,
    )


def value_text(name: str, value: Fraction | bool | None) -> str:
    """A model value as a reader reads it: ja/nej, a rate with one decimal, a number."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nej")
    if "rate" in name:
        return format_rate(value)
    return number(value)


def _named_values(names: list[str], row: Row, totals: Mapping[str, Any]) -> str:
    """ "AT-tjänster per 100 000 invånare: 34,60; AT-tjänster per 100 000 invånare i riket:
    31,80" for the names an expression uses (labels, wording.py)."""
    parts = []
    for name in names:
        if name in row.values:
            parts.append(f"{label(name)}: {value_text(name, row.values[name])}")
        elif name in totals:
            value = totals[name]
            parts.append(f"{label(name)}: {value_text(name, as_total(value))}")
    return "; ".join(parts)


def as_total(value: object) -> Fraction | bool | None:
    if isinstance(value, bool):
        return value
    return as_fraction(value)


def _weight_words(expression: str | None) -> str:
    """A weight for people: ``"rate"`` -> "AT-tjänster per 100 000 invånare"."""
    return humanise(expression) or "–"


def _percent(part: Fraction) -> str:
    return format_number(part * 100, places=2)


def _eligibility(block: BlockView, cell: Cell, row: Row, totals: Mapping[str, Any]) -> str:
    if not block.eligible:
        return _("Alla regioner som redovisat deltar i blocket.")
    values = _named_values(expression_names(block.eligible), row, totals)
    if cell.eligible:
        text = _("För att delta i blocket krävs att %(condition)s. Regionen uppfyller det.")
    else:
        text = _(
            "För att delta i blocket krävs att %(condition)s. Regionen uppfyller det inte och får "
            "därför inget ur blocket."
        )
    text %= {"condition": humanise(block.eligible)}
    if values:
        text += " " + _("Regionens värden: %(values)s.") % {"values": values}
    return text


def _share_text(block: BlockView, cell: Cell, row: Row, totals: Mapping[str, Any]) -> str:
    parts = [
        _("Blockets %(budget)s delas mellan de regioner som deltar, i proportion till %(weight)s.")
        % {"budget": kr(block.budget), "weight": _weight_words(block.share)}
    ]
    if cell.weight is not None:
        share = cell.weight_share
        if share is not None:
            parts.append(
                _(
                    "Regionens vikt är %(weight)s, %(percent)s procent av de deltagande "
                    "regionernas sammanlagda vikt."
                )
                % {"weight": number(cell.weight), "percent": _percent(share)}
            )
        else:
            parts.append(_("Regionens vikt är %(weight)s.") % {"weight": number(cell.weight)})
    parts.append(
        _("Regionens andel: %(exact)s kronor, avrundat %(paid)s.")
        % {"exact": number(cell.exact), "paid": kr(cell.paid)}
    )
    return " ".join(parts)


def _amount_text(block: BlockView, cell: Cell, row: Row, totals: Mapping[str, Any]) -> str:
    parts = []
    amount = cell.amount if cell.amount is not None else Fraction(0)
    if cell.step is not None:
        threshold, payout = cell.step
        used = _named_values(expression_names(block.amount)[:1], row, totals)
        parts.append(
            _(
                "Beloppet räknas med en trappa (%(expression)s). Regionen (%(values)s) når "
                "steget för minst %(threshold)s, som ger %(payout)s."
            )
            % {
                "expression": humanise(block.amount),
                "values": used,
                "threshold": number(threshold),
                "payout": kr(payout),
            }
        )
    elif block.amount and "step(" in block.amount:
        used = _named_values(expression_names(block.amount)[:1], row, totals)
        parts.append(
            _(
                "Beloppet räknas med en trappa (%(expression)s). Regionen (%(values)s) når "
                "inget steg: %(amount)s."
            )
            % {"expression": humanise(block.amount), "values": used, "amount": kr(amount)}
        )
    else:
        parts.append(
            _("Beloppet räknas som %(expression)s: %(amount)s kronor.")
            % {"expression": humanise(block.amount) or "–", "amount": number(amount)}
        )
    if block.scaled:
        parts.append(
            _(
                "Beloppen översteg tillsammans blockets budget (%(sum)s mot %(budget)s), så "
                "alla belopp har minskats med samma faktor, %(scale)s: %(scaled)s kronor."
            )
            % {
                "sum": kr(int(block.amount_sum)) if block.amount_sum is not None else "–",
                "budget": kr(block.budget),
                "scale": format_number(block.scale, places=6),
                "scaled": number(cell.scaled_exact),
            }
        )
    if cell.remainder_exact:
        parts.append(
            _(
                "Det som blev kvar av blocket (%(rest)s) delas mellan de regioner som deltar, i "
                "proportion till %(weight)s. Regionens vikt är %(own)s, och dess del av resten "
                "%(part)s kronor."
            )
            % {
                "rest": kr(int(block.remainder_budget))
                if block.remainder_budget.denominator == 1
                else number(block.remainder_budget) + " kr",
                "weight": _weight_words(block.remainder),
                "own": number(cell.weight),
                "part": number(cell.remainder_exact),
            }
        )
    elif block.remainder and not block.scaled and cell.eligible:
        parts.append(_("Ingen rest av blocket fanns att fördela."))
    parts.append(
        _("Regionens belopp ur blocket: %(exact)s kronor, avrundat %(paid)s.")
        % {"exact": number(cell.exact), "paid": kr(cell.paid)}
    )
    return " ".join(parts)


def _block_item(block: BlockView, cell: Cell, row: Row, totals: Mapping[str, Any]) -> ExplainItem:
    key = f"block:{block.id}"
    if not block.is_paid and not cell.paid:
        text = _("Blocket (%(budget)s) betalas inte ut i denna omgång.") % {
            "budget": kr(block.budget)
        }
        if block.eligible:
            text += " " + _("Ingen region uppfyllde villkoret att %(condition)s.") % {
                "condition": humanise(block.eligible)
            }
        return ExplainItem(key, block.name, text)
    parts = [_eligibility(block, cell, row, totals)]
    if cell.eligible:
        if block.kind == "share":
            parts.append(_share_text(block, cell, row, totals))
        else:
            parts.append(_amount_text(block, cell, row, totals))
    return ExplainItem(key, block.name, " ".join(parts))


def substituted(expression: str, known: Mapping[str, str]) -> str:
    """An expression with each known name replaced by its value's text, for people:
    ``"posts - planned"`` -> ``"55 − 50"`` (wording.py). Text only: nothing is evaluated."""
    return humanise(expression, known)


def _known_texts(row: Row, totals: Mapping[str, Any]) -> dict[str, str]:
    """The text of every input, value and total a value expression may use."""
    known = {
        "filled": number(row.filled if row.filled is not None else 0),
        "started": number(row.started if row.started is not None else 0),
        "deducted": number(row.deducted),
        "population": number(row.population, places=0),
        "planned": number(row.planned),
    }
    for name, value in row.values.items():
        known[name] = number(value) if not isinstance(value, bool) else value_text(name, value)
    for name, value in totals.items():
        known[name] = (
            value_text(name, as_total(value)) if isinstance(value, bool) else number(value)
        )
    return known


def _values_item(
    row: Row, totals: Mapping[str, Any], expressions: Mapping[str, str]
) -> ExplainItem | None:
    known = _known_texts(row, totals)
    shown = []
    for name, value in row.values.items():
        if name == "posts":
            continue
        expression = expressions.get(name)
        if expression and not isinstance(value, bool):
            shown.append(
                f"{title(name)} ({humanise(expression)}): "
                f"{substituted(expression, known)} = {value_text(name, value)}"
            )
        else:
            shown.append(f"{title(name)}: {value_text(name, value)}")
    if not shown:
        return None
    text = _("Regionens värden i fördelningsmodellen: %(values)s.") % {"values": "; ".join(shown)}
    if totals:
        common = "; ".join(
            f"{title(name)}: {value_text(name, as_total(value))}" for name, value in totals.items()
        )
        text += " " + _("Omgångens gemensamma värden: %(values)s.") % {"values": common}
    return ExplainItem("values", _("Regionens värden"), text)


def _rounding_blocks(cells: list[Cell]) -> ExplainItem | None:
    changes = [c for c in (_rounding_change(cell.block.name, cell.rounding) for cell in cells) if c]
    if not changes:
        return None
    intro = _(
        "Beloppen avrundas till hela kronor, och kronor som avrundningen tappat eller lagt till "
        "justeras så att varje block summerar exakt till sitt belopp."
    )
    return ExplainItem("rounding", _("Avrundning"), " ".join([intro, *changes]))


def explain_blocks(
    explanation: Mapping[str, Any],
    *,
    amounts: Mapping[str, int] | None,
    total: int,
    model: Mapping[str, Any] | None = None,
) -> list[ExplainItem]:
    """A format-2 explanation, block by block: eligible or not and why (the condition and
    the region's values), the weight and its share of the total weight (share blocks), the
    amount and the step reached (amount blocks), the scaling, the remainder part, the
    rounding, and the total (kronor)."""
    blocks, row = read_explanation(explanation)
    e = {**explanation, **_row_fields(row)}
    totals = explanation.get("totals") or {}
    items = [_reported(e)]
    if row.override_reason:
        items.append(_override(e))
    items.append(_deduction(e))
    if row.plan_text or row.planned:
        items.append(_plan(e))
    expressions = dict((model or {}).get("values") or {})
    values = _values_item(row, totals, expressions)
    if values is not None:
        items.append(values)
    items.extend(_block_item(cell.block, cell, row, totals) for cell in row.cells)
    rounding = _rounding_blocks(row.cells)
    if rounding is not None:
        items.append(rounding)
    decided = dict(amounts) if amounts is not None else row.amounts
    if explanation.get("previous_total") is not None:
        items.append(_reconsidered_blocks(explanation, blocks, decided))
    terms = " + ".join(f"{block.name} {kr(decided.get(block.id, 0))}" for block in blocks)
    items.append(ExplainItem("total", _("Totalt"), f"{terms} = {kr(total)}."))
    return items


def _row_fields(row: Row) -> dict[str, Any]:
    return {
        "filled": row.filled,
        "started": row.started,
        "reported_posts": row.reported_posts,
        "deducted": row.deducted,
        "posts": row.posts,
        "planned": row.planned,
        "plan_is_range": row.planned_is_range,
        "plan_text": row.plan_text,
        "deduction_reason": row.deduction_reason,
        "override_reason": row.override_reason,
    }


def _reconsidered_blocks(
    e: Mapping[str, Any], blocks: list[BlockView], decided: Mapping[str, int]
) -> ExplainItem:
    previous = e.get("previous_amounts") or {}
    before = ", ".join(
        f"{block.name} {kr(previous[block.id])}" for block in blocks if block.id in previous
    )
    values = {
        "reference": e.get("replaces_reference", ""),
        "before": before or "–",
        "total": kr(e.get("previous_total")),
        "reason": _sentence(e.get("reconsideration_reason") or ""),
    }
    if e.get("reconsideration_method") == "engine":
        text = _(
            "Beslutet är en omprövning av beslut %(reference)s (%(before)s, totalt %(total)s). "
            "Regionens uppgifter har rättats: %(changes)s. Beräkningen ovan är gjord med "
            "omgångens fördelningsmodell och de rättade uppgifterna; övriga regioners beslut "
            "står fast. Skäl: %(reason)s"
        ) % {**values, "changes": _changes(e.get("corrections") or [])}
    else:
        now = ", ".join(f"{block.name} {kr(decided.get(block.id, 0))}" for block in blocks)
        text = _(
            "Beräkningen ovan är den som låg till grund för beslut %(reference)s (%(before)s, "
            "totalt %(total)s). Vid omprövningen bestämdes beloppen i stället till %(now)s. "
            "Skäl: %(reason)s"
        ) % {**values, "now": now}
    if e.get("overrun_reason"):
        text += " " + _("Beslutet innebär att omgångens budget överskrids. Skäl: %(reason)s") % {
            "reason": _sentence(e["overrun_reason"])
        }
    return ExplainItem("reconsidered", _("Omprövning"), text)
