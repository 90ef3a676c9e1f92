"""E-mails of reporting: the receipt (kvittens) of a submitted version."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from submissions.models import ReportVersion
from submissions.receipts import receipt_filename, receipt_pdf


def receipt_recipients(version: ReportVersion) -> list[str]:
    """The submitter and, if another address, the report's contact person."""
    recipients = [version.submitted_by.email]
    contact = version.contact_email.strip()
    if contact and contact.lower() not in {r.lower() for r in recipients}:
        recipients.append(contact)
    return [r for r in recipients if r]


def send_receipt(*, version: ReportVersion) -> None:
    """Mail the receipt, with the PDF attached, to the submitter and the contact person."""
    context = {"version": version, "report": version.report}
    message = EmailMessage(
        subject=_("Kvittens %(reference)s: inrapportering av AT-tjänster")
        % {"reference": version.reference},
        body=render_to_string("submissions/email/receipt.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=receipt_recipients(version),
    )
    message.attach(receipt_filename(version), receipt_pdf(version), "application/pdf")
    message.send()
