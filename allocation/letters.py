"""The decision letter (beslut) as a PDF, rendered with WeasyPrint from an HTML template."""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from allocation.explain import explain
from allocation.models import Decision

LETTER_TEMPLATE = "allocation/letter/decision.html"
LETTER_CSS = "css/allocation-letter.css"


def payment_year(decision: Decision) -> int:
    """Payment is expected in December of the round year (or of the decision's year, for a
    reconsideration decided after that December has begun)."""
    return max(decision.round.year, decision.decision_date.year)


def letter_context(decision: Decision) -> dict[str, object]:
    return {
        "agency": settings.ATGRANT_AGENCY_NAME,
        "decision": decision,
        "grant_round": decision.round,
        "region": decision.region,
        "items": explain(
            decision.explanation,
            block1=decision.block1,
            block2=decision.block2,
            total=decision.total,
        ),
        "payment_year": payment_year(decision),
    }


def decision_letter_html(decision: Decision) -> str:
    return render_to_string(LETTER_TEMPLATE, letter_context(decision))


def decision_letter_pdf(decision: Decision, *, base_url: str | None = None) -> bytes:
    """The letter as PDF bytes. The stylesheet is read from the static files on disk, so no
    request to the site itself is made while rendering."""
    from weasyprint import CSS, HTML  # heavy import, only when a letter is asked for

    stylesheet = finders.find(LETTER_CSS)
    stylesheets = [CSS(filename=stylesheet)] if stylesheet else []
    html = HTML(string=decision_letter_html(decision), base_url=base_url)
    return html.write_pdf(stylesheets=stylesheets)
