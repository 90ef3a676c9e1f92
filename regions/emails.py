"""The region portal's e-mails. Rendered from templates/regions/email/, sent after commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse

from atgrant import mail
from regions.models import ColleagueInvitation, ProxyApplication
from regions.roles import OFFICERS_GROUP


def absolute_url(name: str, *args: Any) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


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


def completion_requested(application: ProxyApplication, message: str) -> None:
    send_after_commit(
        template="completion_requested",
        to=[application.applicant.email],
        context={**_application_context(application), "message": message},
    )


def application_approved(application: ProxyApplication) -> None:
    send_after_commit(
        template="application_approved",
        to=[application.applicant.email],
        context={**_application_context(application), "home_url": absolute_url("home")},
    )


def application_rejected(application: ProxyApplication, reason: str) -> None:
    send_after_commit(
        template="application_rejected",
        to=[application.applicant.email],
        context={**_application_context(application), "reason": reason},
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
