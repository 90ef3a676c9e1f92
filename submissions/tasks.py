"""Periodic tasks of the submissions app."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from submissions.closing import close_due_rounds as close_due_rounds_service


@shared_task(name="submissions.tasks.close_due_rounds")
def close_due_rounds() -> list[str]:
    """Close every round whose deadline has passed (beat, every minute); returns their slugs."""
    return [r.slug for r in close_due_rounds_service(now=timezone.now())]
