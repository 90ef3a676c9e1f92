"""The allocation run's Celery task: thin, idempotent by the service's conditional claim."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from allocation.services.runs import allocation_run_execute, allocation_runs_recover

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
    """Compute run `run_id` if it is still queued (or abandoned); returns the run's status.

    acks_late + reject_on_worker_lost: a worker killed while computing does not acknowledge
    the message, and the broker gives it back; the run's lease and the recover_runs task
    bring it back sooner than the broker's visibility timeout would.
    """
    retryable = self.request.retries < MAX_RETRIES
    return allocation_run_execute(run_id=run_id, retryable=retryable).status


@shared_task(name="allocation.tasks.recover_runs")
def recover_runs() -> list[int]:
    """Beat, every minute: queue again the runs whose worker died or whose message was lost."""
    return allocation_runs_recover()
