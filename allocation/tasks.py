"""The allocation run's Celery task: thin, idempotent by the service's conditional claim."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from allocation.services.runs import allocation_run_execute

MAX_RETRIES = 3


@shared_task(
    bind=True,
    name="allocation.tasks.execute_run",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=MAX_RETRIES,
)
def execute_run(self, run_id: int) -> str:  # noqa: ANN001
    """Compute run `run_id` if it is still queued (or stale); returns the run's status."""
    retryable = self.request.retries < MAX_RETRIES
    return allocation_run_execute(run_id=run_id, retryable=retryable).status
