"""The receipt (kvittens) of a submitted version as PDF, rendered by WeasyPrint."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from atgrant.language import written_in_swedish
from atgrant.pdf import html_to_pdf
from submissions.deadlines import deadline_in_force
from submissions.models import ReportVersion


def receipt_filename(version: ReportVersion) -> str:
    return f"kvittens-{version.reference}.pdf"


def receipt_context(version: ReportVersion) -> dict[str, object]:
    """What the receipt's PDF and e-mail say beyond the version: until when it may be changed
    (the deadline in force when it was sent in)."""
    report = version.report
    return {
        "version": version,
        "report": report,
        "deadline": deadline_in_force(
            grant_round=report.round, region=report.region, at=version.submitted_at
        ),
    }


@written_in_swedish
def receipt_pdf(version: ReportVersion) -> bytes:
    """The receipt as PDF/A bytes (atgrant/pdf.py)."""
    html = render_to_string(
        "submissions/receipt_pdf.html",
        {**receipt_context(version), "AGENCY_NAME": settings.ATGRANT_AGENCY_NAME},
    )
    return html_to_pdf(html, base_url=str(settings.BASE_DIR))
