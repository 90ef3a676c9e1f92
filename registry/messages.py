"""The e-mails the agency draws up and sends, registered as outgoing documents (offentlighets-
och sekretesslagen 5 kap. 1 §: every public document received or drawn up is registered without
delay). Each is kept as sent (SentMessage), registered and queued here, by one function, in the
transaction of the action that sends it.

Which of the service's e-mails are such documents, and why:

Registered here, as the e-mail itself:
- a round's opening notice to each region's proxy and official mailbox (submissions.setup);
- a reminder to report, to a region's proxy and those who prepare its report, whether the
  schedule sends it (submissions.reminders) or an officer does (submissions.services);
- the officer's answers to a proxy application, sent to the applicant: the request for
  completion and the decision to approve or reject (regions.services). The e-mail is what the
  applicant receives, so it is the registered document (the application's event stays the
  record of the step); answers registered before this point at their event.

Registered elsewhere:
- a grant decision's e-mails deliver a registered decision and its letter (registry.delivery,
  register_decisions): the decision is the document, each delivery is tracked there.

Not registered, not being documents the agency draws up for a party:
- the receipt of a submitted report (submissions.emails) and the acknowledgements of a proxy
  application and of its completion (regions.emails): automatic confirmations that repeat an
  incoming document already registered (the report version, the application, the
  completion); of obviously little significance in themselves (5 kap. 1 § andra stycket);
- the notice to officers of a new or completed application: internal, within the agency;
- a colleague's invitation: sent on the region's proxy's behalf, not the agency's;
- the account e-mails (allauth: address confirmation, password reset and change, unknown
  account): a login mechanism carrying one-time links, no matter in any case.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from atgrant.mail import send_after_commit
from registry.models import Direction, DocumentKind, RegistryEntry, SentMessage
from registry.services import Registration, registry_register_many

# The description of a proxy application's answer, by the application's status after it.
ANSWERS = {
    "completion_requested": "Begäran om komplettering",
    "approved": "Beslut: ansökan om att bli ombud beviljas",
    "rejected": "Beslut: ansökan om att bli ombud avslås",
}


def _description(message: SentMessage) -> str:
    if message.application_id is not None:
        application = message.application
        return f"{ANSWERS[application.status]} ({application.region.name})"
    name = message.round.name
    if message.kind == DocumentKind.ROUND_OPENING:
        return f"Meddelande om att {name} är öppen för inrapportering"
    return f"Påminnelse om inrapportering, {name}"


def _party(message: SentMessage) -> str:
    addresses = ", ".join(message.recipients)
    if message.application_id is not None:
        application = message.application
        return f"{application.full_name}, {application.region.name} ({addresses})"
    return f"{message.region.name} ({addresses})"


def _registration(message: SentMessage) -> Registration:
    return Registration(
        document=message,
        direction=Direction.OUTGOING,
        kind=message.kind,
        party=_party(message),
        description=_description(message),
        region_id=message.region_id,
        round_id=message.round_id,
    )


def register_sent_messages(
    *, messages: Sequence[SentMessage], by: AbstractBaseUser | None
) -> list[RegistryEntry]:
    """Keep the e-mails (unsaved SentMessages: kind, what they concern, recipients, subject,
    body), register each as an outgoing document (`by` None: the system), and queue each to
    go after the commit with exactly the kept subject and body. Call it inside the
    transaction of the action: a rollback keeps, registers and sends nothing. Returns the
    entries, in the messages' order."""
    for message in messages:
        message.recipients = [address for address in message.recipients if address]
        message.subject = " ".join(message.subject.split())
    with transaction.atomic():
        saved = SentMessage.objects.bulk_create(messages)
        entries = registry_register_many(registrations=[_registration(m) for m in saved], by=by)
        for message in saved:
            send_after_commit(subject=message.subject, body=message.body, to=message.recipients)
    return entries
