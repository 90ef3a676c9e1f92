"""The region portal's e-mails. Rendered from templates/regions/email/, sent after commit.

Which of them are registered in the diarium, and why, is said in registry.messages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse

from atgrant import mail
from atgrant.language import written_in_swedish
from regions.models import ColleagueInvitation, ProxyApplication
from regions.roles import OFFICERS_GROUP
from registry.models import DocumentKind, SentMessage


def absolute_url(name: str, *args: Any) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


@written_in_swedish
def _render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    full = {"AGENCY_NAME": settings.ATGRANT_AGENCY_NAME, **context}
    subject = render_to_string(f"regions/email/{template}_subject.txt", full)
    body = render_to_string(f"regions/email/{template}_message.txt", full)
    return " ".join(subject.split()), body


def send_after_commit(*, template: str, to: Iterable[str], context: dict[str, Any]) -> None:
    """Render now (with the data as this transaction writes it); sent once it commits."""
    subject, body = _render(template, context)
    mail.send_after_commit(subject=subject, body=body, to=to)


def _application_context(application: ProxyApplication) -> dict[str, Any]:
    return {
        "application": application,
        "region": application.region,
        "url": absolute_url("regions:application_detail", application.pk),
    }


def application_received(application: ProxyApplication) -> None:
    send_after_commit(
        template="application_received",
        to=[application.applicant.email],
        context=_application_context(application),
    )
    _notify_officers(application, resubmitted=False)


def _notify_officers(application: ProxyApplication, *, resubmitted: bool) -> None:
    officers = (
        get_user_model()
        .objects.filter(groups__name=OFFICERS_GROUP, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    for email in sorted(set(officers)):
        send_after_commit(
            template="application_officer_notice",
            to=[email],
            context={
                **_application_context(application),
                "url": absolute_url("regions:review_detail", application.pk),
                "resubmitted": resubmitted,
            },
        )


def application_resubmitted(application: ProxyApplication) -> None:
    send_after_commit(
        template="application_resubmitted",
        to=[application.applicant.email],
        context=_application_context(application),
    )
    _notify_officers(application, resubmitted=True)


# The officer's answers to the applicant are the agency's documents: they are returned unsent,
# for registry.messages to keep, register and send with the answer (regions.services).


def _answer(
    application: ProxyApplication, kind: str, template: str, context: dict[str, Any]
) -> SentMessage:
    subject, body = _render(template, {**_application_context(application), **context})
    return SentMessage(
        kind=kind,
        region=application.region,
        application=application,
        recipients=[application.applicant.email],
        subject=subject,
        body=body,
    )


def completion_requested(application: ProxyApplication, message: str) -> SentMessage:
    return _answer(
        application, DocumentKind.COMPLETION_REQUEST, "completion_requested", {"message": message}
    )


def application_approved(application: ProxyApplication) -> SentMessage:
    return _answer(
        application,
        DocumentKind.PROXY_DECISION,
        "application_approved",
        {"home_url": absolute_url("home")},
    )


def application_rejected(application: ProxyApplication, reason: str) -> SentMessage:
    return _answer(
        application, DocumentKind.PROXY_DECISION, "application_rejected", {"reason": reason}
    )


def colleague_invited(invitation: ColleagueInvitation) -> None:
    send_after_commit(
        template="invitation",
        to=[invitation.email],
        context={
            "invitation": invitation,
            "region": invitation.region,
            "url": absolute_url("regions:invitation_accept", invitation.token),
            "inviter": invitation.invited_by,
        },
    )
