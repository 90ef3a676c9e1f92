"""atgrant's own periodic task: the beat's heartbeat, read by /healthz."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.utils import timezone

BEAT_TICK_CACHE_KEY = "atgrant:beat:last_tick"


@shared_task(name="atgrant.tasks.beat_tick")
def beat_tick() -> str:
    """Record that beat and a worker are alive: the time now, ISO 8601, in the cache (Redis)."""
    now = timezone.now().isoformat()
    cache.set(BEAT_TICK_CACHE_KEY, now, timeout=None)
    return now


@shared_task(
    name="atgrant.tasks.send_email",
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=30,
    retry_backoff_max=15 * 60,
    max_retries=8,
)
def send_email(*, subject: str, body: str, to: list[str]) -> None:
    """Send one plain-text message from DEFAULT_FROM_EMAIL (queued by atgrant.mail); a refused
    or unreachable mail server is retried with backoff for about two hours."""
    EmailMessage(subject=subject, body=body, to=to).send(fail_silently=False)
