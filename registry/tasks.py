"""Sending decisions by e-mail: one task per delivery, retried with backoff."""

from __future__ import annotations

from celery import shared_task

from registry.delivery import delivery_attempt
from registry.models import DeliveryStatus

MAX_RETRIES = 6  # with the backoff below: tries over about half an hour, then the officer


def backoff(retries: int) -> int:
    """Seconds before retry number `retries` + 1: 30, 60, 120 ... at most an hour."""
    return min(30 * 2**retries, 3600)


@shared_task(bind=True, name="registry.tasks.deliver_decision", acks_late=True)
def deliver_decision(self, delivery_id: int) -> str:  # noqa: ANN001
    """Send delivery `delivery_id` if it is still to be sent; returns its status."""
    retryable = self.request.retries < MAX_RETRIES
    status = delivery_attempt(delivery_id=delivery_id, retryable=retryable)
    if status == DeliveryStatus.RETRYING:
        raise self.retry(countdown=backoff(self.request.retries), max_retries=MAX_RETRIES)
    return status
