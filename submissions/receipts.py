"""The receipt (kvittens) of a submitted version as PDF, rendered by WeasyPrint."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from atgrant.language import written_in_swedish
from atgrant.pdf import html_to_pdf
from submissions.models import ReportVersion


def receipt_filename(version: ReportVersion) -> str:
    return f"kvittens-{version.reference}.pdf"


@written_in_swedish
def receipt_pdf(version: ReportVersion) -> bytes:
    """The receipt as PDF/A bytes (atgrant/pdf.py)."""
    html = render_to_string(
        "submissions/receipt_pdf.html",
        {"version": version, "report": version.report, "AGENCY_NAME": settings.ATGRANT_AGENCY_NAME},
    )
    return html_to_pdf(html, base_url=str(settings.BASE_DIR))
