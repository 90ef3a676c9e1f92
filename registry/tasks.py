"""Sending decisions by e-mail: one task per delivery, tried again later with backoff."""

from __future__ import annotations

from celery import shared_task

from registry.models import DeliveryStatus
from registry.sending import delivery_attempt

# With the backoff below: seven tries over about half an hour, then the officer resends.
MAX_ATTEMPTS = 7


def backoff(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed try: 30, 60, 120 ... at most an hour."""
    return min(30 * 2 ** (attempts - 1), 3600)


@shared_task(name="registry.tasks.deliver_decision", acks_late=True, reject_on_worker_lost=True)
def deliver_decision(delivery_id: int) -> str:
    """Send delivery `delivery_id` if it is still to be sent; returns its status.

    A failed try queues the next one with a countdown rather than raising Celery's Retry: the
    attempts are counted in the delivery record (which survives a resend), and an eager run
    (the embedded setup) must never raise into the officer's request."""
    status, attempts = delivery_attempt(delivery_id=delivery_id, max_attempts=MAX_ATTEMPTS)
    if status == DeliveryStatus.RETRYING:
        deliver_decision.apply_async((delivery_id,), countdown=backoff(attempts))
    return status
