"""The lease a worker holds on the run it computes: how a dead worker is told from a slow one.

A worker that claims a run stamps ``heartbeat_at`` and, while it computes, renews it from a
background thread every quarter of the lease (``settings.ATGRANT_RUN_LEASE_SECONDS``). A
killed worker renews nothing: once ``heartbeat_at`` is older than the lease the run is
*abandoned*, and the beat's recover task (``allocation_runs_recover``) queues it again. A
slow worker keeps renewing and keeps its run.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Q
from django.utils import timezone

from allocation.models import AllocationRun, RunStatus

log = logging.getLogger(__name__)


def lease() -> dt.timedelta:
    """How long a claimed run is the worker's without a sign of life."""
    return dt.timedelta(seconds=settings.ATGRANT_RUN_LEASE_SECONDS)


def abandoned(now: dt.datetime) -> Q:
    """Runs RUNNING whose worker has given no sign of life for a whole lease (it is dead).

    ``heartbeat_at`` is empty for runs claimed before the lease existed: their start counts.
    """
    cutoff = now - lease()
    return Q(status=RunStatus.RUNNING) & (
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )


def is_abandoned(run: AllocationRun, now: dt.datetime) -> bool:
    """``abandoned`` for one loaded run."""
    last_sign = run.heartbeat_at or run.started_at
    return run.status == RunStatus.RUNNING and last_sign is not None and last_sign < now - lease()


def renew(run_id: int, claimed_at: dt.datetime) -> bool:
    """Renew the lease of the claim made at ``claimed_at``; False if the claim is lost."""
    renewed = AllocationRun.objects.filter(
        pk=run_id, status=RunStatus.RUNNING, started_at=claimed_at
    ).update(heartbeat_at=timezone.now())
    return renewed == 1


@contextmanager
def heartbeat(
    run_id: int, claimed_at: dt.datetime, *, every: float | None = None
) -> Iterator[None]:
    """Renew the run's lease every ``every`` seconds (a quarter of the lease) while the body
    runs. The thread has its own database connection, so the renewal commits at once, outside
    the transaction that computes the run."""
    interval = every if every is not None else lease().total_seconds() / 4
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(interval):
                if not renew(run_id, claimed_at):
                    return
        except DatabaseError:
            # A missed renewal only risks a second worker computing the run again; the
            # conditional store keeps one result.
            log.warning("allocation run %s: the lease could not be renewed", run_id, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"run-{run_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        # Bounded: a renewal waiting on a row lock must not hold the worker; it is conditional.
        thread.join(timeout=interval)
