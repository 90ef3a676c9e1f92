"""E-mail to a region's proxy when its decision (or a reconsideration) is issued."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from allocation.models import Decision
from regions.models import ProxyAppointment

log = logging.getLogger(__name__)


def region_decision_url(reference: str) -> str:
    """The region's page of a decision (the read side's URL; a plain path until it exists)."""
    try:
        path = reverse("allocation_read:region_decision", kwargs={"reference": reference})
    except NoReverseMatch:
        path = f"/region/beslut/{reference}/"
    return settings.SITE_URL.rstrip("/") + path


def send_decision_emails(*, decision_ids: list[int]) -> int:
    """Mail each decision's region's active proxy; returns the number of messages sent."""
    decisions = Decision.objects.filter(pk__in=decision_ids).select_related("round", "region")
    proxies = {
        a.region_id: a.user
        for a in ProxyAppointment.objects.filter(
            region__in={d.region_id for d in decisions}, ended_at__isnull=True
        ).select_related("user")
    }
    with get_connection() as connection:  # one SMTP session for all the messages, not one each
        return _send_each(decisions, proxies, connection)


def _send_each(decisions, proxies, connection) -> int:  # noqa: ANN001
    sent = 0
    for decision in decisions:
        proxy = proxies.get(decision.region_id)
        if proxy is None or not proxy.email:
            log.warning("decision %s: region has no active proxy to notify", decision.reference)
            continue
        context = {
            "AGENCY_NAME": getattr(settings, "ATGRANT_AGENCY_NAME", ""),
            "decision": decision,
            "url": region_decision_url(decision.reference),
        }
        subject = render_to_string("allocation/officer/email/decision_subject.txt", context)
        body = render_to_string("allocation/officer/email/decision_message.txt", context)
        EmailMultiAlternatives(
            subject=" ".join(subject.split()), body=body, to=[proxy.email], connection=connection
        ).send(fail_silently=False)
        sent += 1
    return sent
