"""The decision letter (beslut) as a PDF/A document, rendered with WeasyPrint from HTML.

The letter carries the decision record of förvaltningslagen (2017:900) 31-33 §§: the date, who
decided and who presented the case, the reasons (the explanation per block), the legal basis
(the round's government decision), the appeal instruction or why the decision may not be
appealed, how to ask for reconsideration, and the agency's contact. Its annex is the
allocation list the reasons refer to (every region's inputs and amounts as of this decision),
and its last lines give the decision's place in the hash chain, so that a rewritten chain
can be detected from a letter on paper.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from allocation.explain import explain_for
from allocation.models import ChainLink, Decision
from allocation.results import decision_table, read_explanation
from allocation.services.record import officer_name
from atgrant.language import written_in_swedish
from atgrant.pdf import html_to_pdf
from registry.selectors import case_number_of

LETTER_TEMPLATE = "allocation/letter/decision.html"
LETTER_CSS = "css/allocation-letter.css"


def payment_year(decision: Decision) -> int:
    """Payment is expected in December of the round year (or of the decision's year, for a
    reconsideration decided after that December has begun)."""
    return max(decision.round.year, decision.decision_date.year)


def agency_contact() -> dict[str, str]:
    """The agency's name and contact (settings ATGRANT_AGENCY_*), as the letter prints them."""
    return {
        "name": settings.ATGRANT_AGENCY_NAME,
        "address": settings.ATGRANT_AGENCY_ADDRESS,
        "email": settings.ATGRANT_AGENCY_EMAIL,
        "phone": settings.ATGRANT_AGENCY_PHONE,
        "website": settings.ATGRANT_AGENCY_WEBSITE,
        "appeal_court": settings.ATGRANT_APPEAL_COURT,
    }


def allocation_list_as_of(decision: Decision, position: int) -> list[Decision]:
    """The round's decisions in force when ``decision`` (at ``position`` in the hash chain)
    was made, one per region, by region name.

    The original decisions are issued together in one transaction, so each of them is part
    of every letter's list; a reconsideration counts from its place in the chain, which
    orders decisions as they were made and is append-only. The list a letter annexes
    therefore never changes afterwards.
    """
    made_by_then = Q(replaces__isnull=True) | Q(chain_link__position__lte=position)
    decisions = (
        Decision.objects.filter(made_by_then, round_id=decision.round_id)
        .select_related("region")
        .order_by("region__short_name", "chain_link__position")
    )
    latest: dict[int, Decision] = {}
    for candidate in decisions:
        latest[candidate.region_id] = candidate  # the last one made per region is in force
    return list(latest.values())


def _annex(decision: Decision, position: int | None) -> dict[str, Any]:
    from allocation.views_read.public import decision_row, with_blocks

    in_force = allocation_list_as_of(decision, position) if position else [decision]
    rows = [{**decision_row(d), "is_this": d.pk == decision.pk} for d in in_force]
    blocks = decision_table(in_force).blocks
    with_blocks(rows, blocks)
    totals = {"total": sum(row["total"] for row in rows)}
    block_totals = [sum(row["block_amounts"][i] or 0 for row in rows) for i in range(len(blocks))]
    any_reconsidered = any(row["reconsidered"] for row in rows)
    return {
        "rows": rows,
        "blocks": blocks,
        "block_totals": block_totals,
        "totals": totals,
        "any_reconsidered": any_reconsidered,
    }


def decision_cite(decision: Decision, case_number: str | None) -> str:
    """How the region names the decision when it writes to the agency: the registry's case
    number (diarienummer) and the decision's own number (beslutsnummer), or the latter alone
    for a decision the registry does not hold."""
    if case_number is None:
        return _("beslutsnummer %(reference)s") % {"reference": decision.reference}
    return _("diarienummer %(case)s och beslutsnummer %(reference)s") % {
        "case": case_number,
        "reference": decision.reference,
    }


def letter_context(decision: Decision) -> dict[str, object]:
    position = ChainLink.objects.filter(decision=decision).values_list("position", flat=True)
    position = position.first()
    case_number = case_number_of(decision)
    return {
        "agency": settings.ATGRANT_AGENCY_NAME,
        "contact": agency_contact(),
        "decision": decision,
        "case_number": case_number,
        "cite": decision_cite(decision, case_number),
        "grant_round": decision.round,
        "region": decision.region,
        "decided_by": officer_name(decision.decided_by),
        "presented_by": officer_name(decision.presented_by),
        "items": explain_for(decision),
        "decision_row": read_explanation(decision.explanation, decision.block_amounts())[1],
        "payment_year": payment_year(decision),
        "annex": _annex(decision, position),
        "chain_position": position,
    }


@written_in_swedish
def decision_letter_html(decision: Decision) -> str:
    return render_to_string(LETTER_TEMPLATE, letter_context(decision))


def decision_letter_pdf(decision: Decision, *, base_url: str | None = None) -> bytes:
    """The letter as PDF/A bytes (atgrant/pdf.py). The stylesheet is read from the static
    files on disk."""
    stylesheet = finders.find(LETTER_CSS)
    return html_to_pdf(
        decision_letter_html(decision),
        base_url=base_url,
        stylesheet_files=[stylesheet] if stylesheet else [],
    )
