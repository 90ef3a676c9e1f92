"""The receipt as PDF: archival PDF/A, and no text off the page however long a word is."""

from __future__ import annotations

import io

import pypdf
import pytest

from submissions.receipts import receipt_pdf
from tests.factories import ReportFactory, ReportVersionFactory, UserFactory
from tests.pdf_bounds import embedded_font_families, pages_text, runs_off_page

pytestmark = pytest.mark.django_db

LONG_EMAIL = "kontaktperson.for.inrapportering.av.at.tjanster.vid.regionen@" + "a" * 60 + ".se"
LONG_WORD = "Allmäntjänstgöringstjänstetillsättningsuppföljningsrapporteringsunderlag" * 3


def test_long_comment_e_mail_and_name_stay_on_the_page():
    submitter = UserFactory(email=LONG_EMAIL, first_name=LONG_WORD[:60], last_name="")
    report = ReportFactory(contact_email=LONG_EMAIL, contact_name=LONG_WORD[:80])
    version = ReportVersionFactory(
        report=report,
        submitted_by=submitter,
        contact_email=LONG_EMAIL,
        contact_name=LONG_WORD[:80],
        comment=f"Se {LONG_WORD} och https://www.example.se/{'/'.join(['del'] * 60)}",
    )
    pdf = receipt_pdf(version)
    assert runs_off_page(pdf) == []
    assert LONG_WORD[:50] in "".join(pages_text(pdf)).replace(" ", "")


def test_receipt_is_pdf_a():
    pdf = receipt_pdf(ReportVersionFactory())
    root = pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert 'pdfaid:part="3"' in root["/Metadata"].get_object().get_data().decode()


def test_one_font_family_page_numbers_included():
    """The page number in the margin does not inherit the body's font; it is set for the
    page too (atgrant/pdf.py), so the receipt embeds one family."""
    pdf = receipt_pdf(ReportVersionFactory())
    assert embedded_font_families(pdf) == {"DejaVu Sans"}


def test_a_pdf_logs_no_progress_lines(caplog):
    """WeasyPrint's INFO lines (seven a PDF) would bury the console's e-mails and the
    service's own log lines; its warnings still show (atgrant/settings.py, LOGGING)."""
    import logging

    caplog.set_level(logging.INFO)
    receipt_pdf(ReportVersionFactory())
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")]
    assert logging.getLogger("weasyprint").isEnabledFor(logging.WARNING)
