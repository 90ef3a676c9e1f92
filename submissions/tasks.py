"""Periodic tasks of the submissions app."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from submissions.closing import close_due_rounds as close_due_rounds_service


@shared_task(name="submissions.tasks.close_due_rounds")
def close_due_rounds() -> list[str]:
    """Close every round whose deadline has passed (beat, every minute); returns their slugs."""
    return [r.slug for r in close_due_rounds_service(now=timezone.now())]


@shared_task(name="submissions.tasks.send_receipt")
def send_receipt(version_id: int) -> None:
    """Mail a submitted version's receipt: its PDF takes WeasyPrint a tenth of a second of CPU,
    which the proxy's request (21 of them at once at the deadline) need not wait for."""
    from submissions.emails import send_receipt as send
    from submissions.models import ReportVersion

    version = ReportVersion.objects.select_related(
        "report__round", "report__region", "submitted_by"
    ).get(pk=version_id)
    send(version=version)


@shared_task(name="submissions.tasks.send_due_reminders")
def send_due_reminders() -> int:
    """Remind the regions that have not reported (beat, hourly); returns how many were sent."""
    from submissions.reminders import send_due_reminders as send

    return len(send(now=timezone.now()))
