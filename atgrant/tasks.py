"""atgrant's own periodic task: the beat's heartbeat, read by /healthz."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

BEAT_TICK_CACHE_KEY = "atgrant:beat:last_tick"


@shared_task(name="atgrant.tasks.beat_tick")
def beat_tick() -> str:
    """Record that beat and a worker are alive: the time now, ISO 8601, in the cache (Redis)."""
    now = timezone.now().isoformat()
    cache.set(BEAT_TICK_CACHE_KEY, now, timeout=None)
    return now
