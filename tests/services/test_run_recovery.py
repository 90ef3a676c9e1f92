"""A run left RUNNING by a killed worker is taken back by the beat's task and completed by a
real worker through the broker, without an officer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from allocation.models import AllocationRun, RunStatus
from allocation.services import runs
from allocation.tasks import execute_run, recover_runs
from tests.allocation.factories import reported_round
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_run_abandoned_by_a_killed_worker_completes_after_recovery(
    celery_worker_process, wait_for, monkeypatch
):
    from django.contrib.auth.models import Group

    from regions.roles import OFFICERS_GROUP

    officer = UserFactory(email="handlaggare@example.se")
    officer.groups.add(Group.objects.get_or_create(name=OFFICERS_GROUP)[0])
    grant_round = reported_round()
    # The message is "lost" with the worker that took it: nothing is sent on commit.
    monkeypatch.setattr(execute_run, "delay", lambda *args, **kwargs: None)
    run = runs.allocation_run_request(grant_round=grant_round, by=officer)
    monkeypatch.undo()
    # What a worker killed while computing leaves: RUNNING, its last sign of life a lease ago.
    gone = timezone.now() - dt.timedelta(seconds=settings.ATGRANT_RUN_LEASE_SECONDS + 5)
    assert runs._claim(run.pk, gone)

    assert recover_runs.delay().get(timeout=60) == [run.pk]

    def done() -> bool:
        run.refresh_from_db()
        return run.status == RunStatus.DONE

    wait_for(done, timeout=60, what="the recovered run to be computed by the worker")
    assert run.attempts == 2
    assert AllocationRun.objects.filter(round=grant_round).count() == 1
