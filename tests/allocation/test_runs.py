"""The allocation run: request, the task's claim, crash and retry, and what a run stores."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError

from allocation.models import AllocationRun, ChainLink, Decision, RunStatus
from allocation.services import preparation, runs
from allocation.tasks import execute_run
from audit.models import AuditEvent
from submissions.models import RoundStatus
from tests.allocation.factories import (  # noqa: F401 - eager_celery is a fixture
    DeductionFactory,
    eager_celery,
    reported_round,
    run_done,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def test_request_queues_a_run_and_the_task_runs_after_commit(
    officer, django_capture_on_commit_callbacks
):
    grant_round = reported_round()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = runs.allocation_run_request(grant_round=grant_round, by=officer)
    assert run.status == RunStatus.QUEUED
    assert run.number == 1
    assert len(callbacks) == 1
    callbacks[0]()
    run.refresh_from_db()
    grant_round.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.attempts == 1
    assert grant_round.status == RoundStatus.ALLOCATED
    assert len(run.content_hash) == 64
    assert ChainLink.objects.get(run=run).chain_hash == run.chain_hash
    actions = list(
        AuditEvent.objects.filter(object_type="allocation.allocationrun")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "allocation.run_requested",
        "allocation.run_started",
        "allocation.run_done",
    ]


def test_a_second_request_while_one_is_queued_is_refused(officer):
    from django.contrib.auth.models import Group

    from regions.roles import OFFICERS_GROUP
    from tests.factories import UserFactory

    grant_round = reported_round()
    runs.allocation_run_request(grant_round=grant_round, by=officer)  # not committed: queued
    other = UserFactory(email="annan@myndigheten.se")
    other.groups.add(Group.objects.get(name=OFFICERS_GROUP))
    with pytest.raises(ValidationError, match="redan begärd"):
        runs.allocation_run_request(grant_round=grant_round, by=other)
    assert AllocationRun.objects.filter(round=grant_round).count() == 1


def test_the_same_officer_asking_again_gets_the_queued_run(officer):
    grant_round = reported_round()
    first = runs.allocation_run_request(grant_round=grant_round, by=officer)
    again = runs.allocation_run_request(grant_round=grant_round, by=officer)
    assert again.pk == first.pk
    assert AllocationRun.objects.filter(round=grant_round).count() == 1


def test_execute_twice_gives_one_result_and_the_second_is_a_no_op(
    officer, django_capture_on_commit_callbacks
):
    grant_round = reported_round()
    run = run_done(grant_round, officer, django_capture_on_commit_callbacks)
    stored = (run.result, run.content_hash, run.finished_at)
    assert execute_run.delay(run.pk).get() == RunStatus.DONE
    runs.allocation_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert (run.result, run.content_hash, run.finished_at) == stored
    assert run.attempts == 1
    assert ChainLink.objects.count() == 1
    assert AuditEvent.objects.filter(action="allocation.run_done").count() == 1


def test_a_crash_half_way_leaves_no_result_and_a_retry_produces_exactly_one(
    officer, django_capture_on_commit_callbacks
):
    grant_round = reported_round()
    # The chain link is written after the run's result: failing there is a crash half-way.
    with mock.patch.object(ChainLink.objects, "create", side_effect=RuntimeError("worker died")):
        run = run_done(grant_round, officer, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.FAILED
    assert "RuntimeError" in run.error
    assert run.result is None and run.snapshot is None and run.content_hash == ""
    assert not ChainLink.objects.exists()
    assert grant_round.status == RoundStatus.CLOSED
    assert AuditEvent.objects.filter(action="allocation.run_failed").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        runs.allocation_run_retry(run=run, by=officer)
    run.refresh_from_db()
    grant_round.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.attempts == 2
    assert AllocationRun.objects.filter(round=grant_round).count() == 1
    assert ChainLink.objects.filter(run=run).count() == 1
    assert grant_round.status == RoundStatus.ALLOCATED


def test_engine_error_marks_the_run_failed_with_the_reason(
    officer, django_capture_on_commit_callbacks
):
    grant_round = reported_round()
    with mock.patch("allocation.services.runs.compute", side_effect=ValueError("boom")):
        run = run_done(grant_round, officer, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.FAILED
    assert run.error


def test_a_transient_database_error_is_retried_by_the_task(
    officer, django_capture_on_commit_callbacks
):
    grant_round = reported_round()
    real = runs._compute_and_store
    calls = {"n": 0}

    def flaky(run_id, claimed_at):  # noqa: ANN001, ANN202
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("connection lost")
        return real(run_id, claimed_at)

    from atgrant.celery import app

    # Eager mode only retries in-process when errors are not propagated at once.
    app.conf.task_eager_propagates = False
    with mock.patch("allocation.services.runs._compute_and_store", side_effect=flaky):
        run = run_done(grant_round, officer, django_capture_on_commit_callbacks)
    assert calls["n"] == 2
    assert run.status == RunStatus.DONE
    assert run.attempts == 2


def test_a_stale_running_run_is_reclaimed_by_a_restarted_worker(
    officer, django_capture_on_commit_callbacks
):
    grant_round = reported_round()
    run = runs.allocation_run_request(grant_round=grant_round, by=officer)
    long_ago = run.requested_at - dt.timedelta(hours=2)
    AllocationRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=run.requested_at
    )
    # A worker still within its time limit owns it: not claimed.
    assert runs.allocation_run_execute(run_id=run.pk).status == RunStatus.RUNNING
    AllocationRun.objects.filter(pk=run.pk).update(started_at=long_ago)
    assert runs.allocation_run_execute(run_id=run.pk).status == RunStatus.DONE


@pytest.mark.parametrize("status", [RoundStatus.OPEN, RoundStatus.DECIDED])
def test_run_is_refused_unless_the_round_is_closed_or_allocated(officer, status):
    grant_round = reported_round(status=status)
    with pytest.raises(ValidationError):
        runs.allocation_run_request(grant_round=grant_round, by=officer)
    assert not AllocationRun.objects.exists()


def test_only_officers_request_runs(auditor, proxy):
    grant_round = reported_round()
    for user in (auditor, proxy):
        with pytest.raises(PermissionDenied):
            runs.allocation_run_request(grant_round=grant_round, by=user)


def test_the_snapshot_freezes_the_inputs(officer, django_capture_on_commit_callbacks):
    grant_round = reported_round()
    run = run_done(grant_round, officer, django_capture_on_commit_callbacks)
    alfa = next(r for r in run.snapshot["regions"] if r["name"] == "Region Alfa")
    assert alfa["filled"] == 56
    assert run.snapshot["format"] == 2
    assert run.snapshot["model"] == grant_round.model
    assert run.snapshot["model"]["blocks"][0]["budget"] == 63_000_000
    assert run.snapshot["model"]["blocks"][1]["amount"].startswith("step(increase, [[2, 3000000]")
    # A later deduction does not change the stored run.
    DeductionFactory(round=grant_round, region_id=alfa["region_id"], posts=5)
    run.refresh_from_db()
    assert next(r for r in run.snapshot["regions"] if r["name"] == "Region Alfa")["deducted"] == 0
    assert set(run.result_regions()[0]) == {
        "name", "region_id", "code", "filled", "started", "reported_posts", "deducted", "posts",
        "planned", "planned_is_range", "values", "blocks", "amounts", "total",
    }  # fmt: skip
    assert set(run.result_regions()[0]["blocks"]["block2"]) == {
        "eligible", "weight", "amount", "step", "exact", "scaled_exact", "remainder_exact",
        "paid", "rounding",
    }  # fmt: skip
    assert not Decision.objects.exists()


def test_a_new_run_after_a_deduction_keeps_the_round_allocated(
    officer, django_capture_on_commit_callbacks
):
    grant_round = reported_round()
    first = run_done(grant_round, officer, django_capture_on_commit_callbacks)
    alfa = next(r for r in first.snapshot["regions"] if r["name"] == "Region Alfa")
    region = grant_round.baselines.get(region_id=alfa["region_id"]).region
    preparation.deduction_set(
        grant_round=grant_round, region=region, posts=4, reason="Betalt 2023", by=officer
    )
    second = run_done(grant_round, officer, django_capture_on_commit_callbacks)
    assert (second.number, second.status) == (2, RunStatus.DONE)
    assert grant_round.status == RoundStatus.ALLOCATED
    assert next(r for r in second.result_regions() if r["name"] == "Region Alfa")["posts"] == 52
