"""The receipt (kvittens) of a submitted version as PDF, rendered by WeasyPrint."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from submissions.models import ReportVersion


def receipt_filename(version: ReportVersion) -> str:
    return f"kvittens-{version.reference}.pdf"


def receipt_pdf(version: ReportVersion) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "submissions/receipt_pdf.html",
        {"version": version, "report": version.report, "AGENCY_NAME": settings.ATGRANT_AGENCY_NAME},
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
