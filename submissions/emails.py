"""E-mails of reporting: the receipt (kvittens) of a submitted version, and the officer's
reminders. Which of them are registered in the diarium, and why: registry.messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from atgrant.language import written_in_swedish
from registry.models import DocumentKind, SentMessage
from submissions.models import ReportVersion
from submissions.receipts import receipt_context, receipt_filename, receipt_pdf

if TYPE_CHECKING:
    from submissions.selectors import ReportCard


def receipt_recipients(version: ReportVersion) -> list[str]:
    """The submitter and, if another address, the report's contact person."""
    recipients = [version.submitted_by.email]
    contact = version.contact_email.strip()
    if contact and contact.lower() not in {r.lower() for r in recipients}:
        recipients.append(contact)
    return [r for r in recipients if r]


@written_in_swedish
def send_receipt(*, version: ReportVersion) -> None:
    """Mail the receipt, with the PDF attached, to the submitter and the contact person."""
    context = receipt_context(version)
    message = EmailMessage(
        subject=_("Kvittens %(reference)s: inrapportering av AT-tjänster")
        % {"reference": version.reference},
        body=render_to_string("submissions/email/receipt.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=receipt_recipients(version),
    )
    message.attach(receipt_filename(version), receipt_pdf(version), "application/pdf")
    message.send()


def reminder_recipients(proxy_email: str | None, last_editor_email: str | None) -> list[str]:
    """The region's active proxy (who submits) and whoever last saved its draft."""
    recipients: list[str] = []
    for address in (proxy_email, last_editor_email):
        if address and address.lower() not in {r.lower() for r in recipients}:
            recipients.append(address)
    return recipients


@written_in_swedish
def report_reminder(card: ReportCard, proxy_email: str | None) -> SentMessage | None:
    """The officer's reminder to the card's region of what is missing from its report, unsent
    (registry.messages keeps, registers and sends it): None if the region needs no reminder
    (submitted, no unsent changes) or has nobody to mail."""
    if card.latest_version is not None and not card.unsent_changes:
        return None
    editor = card.report.updated_by if card.report is not None else None
    recipients = reminder_recipients(proxy_email, editor.email if editor else None)
    if not recipients:
        return None
    grant_round, region = card.grant_round, card.region
    path = reverse("submissions:report_edit", args=[grant_round.slug, region.code])
    context = {
        "card": card,
        "AGENCY_NAME": settings.ATGRANT_AGENCY_NAME,
        "url": settings.SITE_URL.rstrip("/") + path,
    }
    return SentMessage(
        kind=DocumentKind.REPORT_REMINDER,
        round=grant_round,
        region=region,
        recipients=recipients,
        subject=_("Påminnelse: inrapportering av AT-tjänster, %(round)s")
        % {"round": grant_round.name},
        body=render_to_string("submissions/email/reminder.txt", context),
    )
