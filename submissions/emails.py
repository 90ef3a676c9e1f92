"""E-mails of reporting: the receipt (kvittens) of a submitted version, and reminders."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from regions.models import ProxyAppointment, Region
from submissions.models import GrantRound, ReportVersion
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


def reminder_recipients(region: Region, last_editor_email: str | None) -> list[str]:
    """The region's active proxy (who submits) and whoever last saved its draft."""
    proxy = (
        ProxyAppointment.objects.filter(region=region, ended_at__isnull=True)
        .select_related("user")
        .first()
    )
    recipients: list[str] = []
    for address in (proxy.user.email if proxy else None, last_editor_email):
        if address and address.lower() not in {r.lower() for r in recipients}:
            recipients.append(address)
    return recipients


def send_report_reminder(*, grant_round: GrantRound, region: Region) -> bool:
    """Mail the region what is missing from its report, read now: False if it needs no
    reminder any more (submitted, no unsent changes) or has nobody to mail."""
    from submissions.selectors import report_card

    card = report_card(grant_round=grant_round, region=region, now=timezone.now())
    if card.latest_version is not None and not card.unsent_changes:
        return False
    editor = card.report.updated_by if card.report is not None else None
    recipients = reminder_recipients(region, editor.email if editor else None)
    if not recipients:
        return False
    path = reverse("submissions:report_edit", args=[grant_round.slug, region.code])
    context = {
        "card": card,
        "AGENCY_NAME": settings.ATGRANT_AGENCY_NAME,
        "url": settings.SITE_URL.rstrip("/") + path,
    }
    EmailMessage(
        subject=_("Påminnelse: inrapportering av AT-tjänster, %(round)s")
        % {"round": grant_round.name},
        body=render_to_string("submissions/email/reminder.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    ).send()
    return True
