"""Sending one delivery's e-mail (the worker's half of registry.delivery): claim it, send it
with the decision letter attached, record the outcome."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from allocation import letters
from allocation.emails import region_decision_url
from allocation.results import read_explanation
from atgrant.language import written_in_swedish
from registry.models import DecisionDelivery, DeliveryStatus, RecipientKind

log = logging.getLogger(__name__)


def _claim(delivery_id: int) -> bool:
    """Take the delivery for this attempt; False if it is sent or another worker has it.

    A delivery left "sending" for longer than a task may run (CELERY_TASK_TIME_LIMIT) was
    being sent by a worker that died; the redelivered task takes it again."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    waiting = Q(status__in=(DeliveryStatus.QUEUED, DeliveryStatus.RETRYING))
    abandoned = Q(status=DeliveryStatus.SENDING, last_attempt_at__lt=stale)
    return (
        DecisionDelivery.objects.filter(waiting | abandoned, pk=delivery_id).update(
            status=DeliveryStatus.SENDING, last_attempt_at=now
        )
        == 1
    )


def delivery_attempt(*, delivery_id: int, max_attempts: int) -> tuple[str, int]:
    """Send one delivery's e-mail once and record how it went: (new status, attempts so far).

    A failure is RETRYING while fewer than `max_attempts` attempts were made (the task tries
    again later) and FAILED after that (the officer sees it on the round page and can resend,
    which allows one more attempt each time). Never raises for a failed send.
    """
    if not _claim(delivery_id):
        current = DecisionDelivery.objects.values_list("status", "attempts").get(pk=delivery_id)
        return current[0], current[1]
    delivery = DecisionDelivery.objects.select_related(
        "decision__round", "decision__region", "decision__replaces"
    ).get(pk=delivery_id)
    attempts = delivery.attempts + 1
    try:
        _message(delivery).send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - any failure (SMTP, network, PDF) is recorded
        log.warning("delivery %s to %s failed: %r", delivery.pk, delivery.email, exc)
        status = DeliveryStatus.RETRYING if attempts < max_attempts else DeliveryStatus.FAILED
        _record(delivery, status=status, last_error=f"{type(exc).__name__}: {exc}"[:2000])
        return status, attempts
    _record(delivery, status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return DeliveryStatus.SENT, attempts


def _record(delivery: DecisionDelivery, **fields: object) -> None:
    DecisionDelivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1, **fields)


@written_in_swedish
def _message(delivery: DecisionDelivery) -> EmailMultiAlternatives:
    decision = delivery.decision
    context = {
        "AGENCY_NAME": settings.ATGRANT_AGENCY_NAME,
        "decision": decision,
        # The kronor per block of the decision's model, named as the model names them.
        "cells": read_explanation(decision.explanation, decision.block_amounts())[1].cells,
        "to_registry": delivery.recipient_kind == RecipientKind.REGISTRY,
        "url": region_decision_url(decision.reference),
    }
    subject = render_to_string("registry/email/decision_subject.txt", context)
    body = render_to_string("registry/email/decision_message.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=body, to=[delivery.email]
    )
    message.attach(
        f"beslut-{decision.reference}.pdf", letters.decision_letter_pdf(decision), "application/pdf"
    )
    return message
