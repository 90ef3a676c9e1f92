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
    explanation: Mapping[str, Any], *, block1: int, block2: int, total: int
) -> list[ExplainItem]:
    """The explanation of one decision, topic by topic.

    Amounts typed at a reconsideration (``reconsideration_method`` "manual") are not what
    the computation gives: the computation's items then show the amounts it gave
    (``computed_block1``/``computed_block2``) and the reconsideration item says what was
    decided instead, so no sentence contradicts the decision's amounts.
    """
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
