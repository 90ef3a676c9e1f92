"""Runs survive a dead worker or a lost message, and concurrent requests give one run."""

from __future__ import annotations

import datetime as dt
import threading
import time
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from allocation.models import AllocationRun, RunStatus
from allocation.services import lease, runs
from allocation.tasks import execute_run, recover_runs
from audit.models import AuditEvent
from tests.allocation.factories import (  # noqa: F401 - eager_celery is a fixture
    eager_celery,
    reported_round,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def _queued_run(officer, capture):  # noqa: ANN001, ANN202
    """A requested run whose message never reached a worker."""
    with capture(execute=False):
        return runs.allocation_run_request(grant_round=reported_round(), by=officer)


def _killed_while_computing(run: AllocationRun) -> dt.datetime:
    """A worker claimed the run, then died (no result, no more heartbeats)."""
    claimed_at = run.requested_at + dt.timedelta(seconds=1)
    assert runs._claim(run.pk, claimed_at)
    return claimed_at


def test_a_run_whose_worker_died_is_queued_again_and_completed_without_an_officer(
    officer, settings, django_capture_on_commit_callbacks
):
    run = _queued_run(officer, django_capture_on_commit_callbacks)
    claimed_at = _killed_while_computing(run)
    lease_time = dt.timedelta(seconds=settings.ATGRANT_RUN_LEASE_SECONDS)

    # Within its lease the run is the (possibly slow) worker's.
    assert runs.allocation_runs_recover(now=claimed_at + lease_time / 2) == []

    with django_capture_on_commit_callbacks(execute=True) as sent:
        recovered = runs.allocation_runs_recover(now=claimed_at + lease_time * 2)
    assert recovered == [run.pk]
    assert len(sent) == 1  # the message to a worker, after commit
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.attempts == 2
    event = AuditEvent.objects.get(action="allocation.run_recovered")
    assert event.before["status"] == RunStatus.RUNNING
    assert event.actor is None


def test_a_live_worker_renewing_its_lease_keeps_its_run(
    officer, settings, django_capture_on_commit_callbacks
):
    run = _queued_run(officer, django_capture_on_commit_callbacks)
    claimed_at = _killed_while_computing(run)
    lease_time = dt.timedelta(seconds=settings.ATGRANT_RUN_LEASE_SECONDS)
    renewed_at = claimed_at + lease_time * 3
    with mock.patch("django.utils.timezone.now", return_value=renewed_at):
        assert lease.renew(run.pk, claimed_at)

    assert runs.allocation_runs_recover(now=renewed_at + lease_time / 2) == []
    # Nor can a second worker claim it.
    assert not runs._claim(run.pk, renewed_at + lease_time / 2)
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.started_at == claimed_at


def test_a_lost_claim_is_not_renewed(officer, django_capture_on_commit_callbacks):
    run = _queued_run(officer, django_capture_on_commit_callbacks)
    claimed_at = _killed_while_computing(run)
    assert not lease.renew(run.pk, claimed_at - dt.timedelta(seconds=1))


def test_a_queued_run_whose_message_was_lost_is_sent_again(
    officer, settings, django_capture_on_commit_callbacks
):
    run = _queued_run(officer, django_capture_on_commit_callbacks)
    lease_time = dt.timedelta(seconds=settings.ATGRANT_RUN_LEASE_SECONDS)
    assert run.enqueued_at == run.requested_at

    assert runs.allocation_runs_recover(now=run.enqueued_at + lease_time / 2) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert runs.allocation_runs_recover(now=run.enqueued_at + lease_time * 2) == [run.pk]
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.attempts == 1


def test_a_run_whose_worker_dies_every_time_is_failed_with_the_reason(
    officer, settings, django_capture_on_commit_callbacks
):
    run = _queued_run(officer, django_capture_on_commit_callbacks)
    claimed_at = _killed_while_computing(run)
    AllocationRun.objects.filter(pk=run.pk).update(attempts=runs.MAX_ATTEMPTS)
    later = claimed_at + dt.timedelta(seconds=settings.ATGRANT_RUN_LEASE_SECONDS * 2)

    with django_capture_on_commit_callbacks(execute=True) as sent:
        assert runs.allocation_runs_recover(now=later) == []
    assert sent == []
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert str(runs.MAX_ATTEMPTS) in run.error
    # The officer can still run it again.
    with django_capture_on_commit_callbacks(execute=True):
        runs.allocation_run_retry(run=run, by=officer)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE


def test_done_and_failed_runs_are_left_alone(officer, django_capture_on_commit_callbacks):
    run = _queued_run(officer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        recover_runs.delay()  # nothing is late yet
    AllocationRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED)
    far = run.requested_at + dt.timedelta(days=1)
    assert runs.allocation_runs_recover(now=far) == []


def test_the_officer_may_retry_a_run_once_its_lease_ran_out(
    officer, settings, django_capture_on_commit_callbacks
):
    run = _queued_run(officer, django_capture_on_commit_callbacks)
    claimed_at = _killed_while_computing(run)
    with pytest.raises(ValidationError):
        runs.allocation_run_retry(run=run, by=officer)
    later = claimed_at + dt.timedelta(seconds=settings.ATGRANT_RUN_LEASE_SECONDS + 1)
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        django_capture_on_commit_callbacks(execute=True),
    ):
        runs.allocation_run_retry(run=run, by=officer)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE


def test_a_killed_worker_delays_a_run_by_at_most_two_minutes(settings):
    """The recovery's schedule and the lease, against the broker's redelivery."""
    entry = next(
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == recover_runs.name
    )
    worst = settings.ATGRANT_RUN_LEASE_SECONDS + entry["schedule"]
    assert worst <= 120
    assert worst < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    # The broker gives the message of a killed worker back too (and the claim is idempotent).
    assert execute_run.acks_late and execute_run.reject_on_worker_lost


def test_one_active_run_per_round_even_without_the_round_lock(
    officer, django_capture_on_commit_callbacks
):
    """Two requests that both passed the checks (no lock, as on a database without row
    locks): the constraint refuses the second with a message, not a 500."""
    grant_round = reported_round()
    with (
        mock.patch.object(runs, "lock_round", side_effect=lambda r: r),
        mock.patch.object(runs, "active_run_exists", return_value=False),
        mock.patch.object(runs, "_unfinished_run_of", return_value=None),
        django_capture_on_commit_callbacks(execute=False),
    ):
        runs.allocation_run_request(grant_round=grant_round, by=officer)
        with pytest.raises(ValidationError, match="redan begärd"):
            runs.allocation_run_request(grant_round=grant_round, by=officer)
    assert AllocationRun.objects.filter(round=grant_round).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_renews_the_lease_while_the_worker_computes(officer):
    grant_round = reported_round()
    with mock.patch.object(execute_run, "delay"):
        run = runs.allocation_run_request(grant_round=grant_round, by=officer)
    claimed_at = timezone.now()
    assert runs._claim(run.pk, claimed_at)
    with lease.heartbeat(run.pk, claimed_at, every=0.02):
        time.sleep(0.3)  # "computing"
    run.refresh_from_db()
    assert run.heartbeat_at > claimed_at


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_run_requests_give_one_run(officer):
    """Ten officers ask at once: one run, nine refusals. (The same officer asking again
    gets that run back: tests/allocation/test_runs.py.)"""
    from django.contrib.auth.models import Group
    from django.db import connections

    from regions.roles import OFFICERS_GROUP
    from tests.factories import UserFactory

    grant_round = reported_round()
    group = Group.objects.get(name=OFFICERS_GROUP)
    officers = [officer]
    for n in range(9):
        other = UserFactory(email=f"handlaggare{n}@example.se")
        other.groups.add(group)
        officers.append(other)
    start = threading.Barrier(10)
    outcomes: list[str] = []

    def request(by) -> None:  # noqa: ANN001
        try:
            start.wait()
            runs.allocation_run_request(grant_round=grant_round, by=by)
            outcomes.append("run")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    with mock.patch.object(execute_run, "delay"):  # the runs stay queued
        threads = [threading.Thread(target=request, args=(by,)) for by in officers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sorted(outcomes) == ["refused"] * 9 + ["run"]
    assert AllocationRun.objects.filter(round=grant_round).count() == 1


def test_the_run_page_says_a_dead_workers_run_will_be_taken_back(
    client, login, officer, settings, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    run = _queued_run(officer, django_capture_on_commit_callbacks)
    claimed_at = timezone.now() - dt.timedelta(seconds=settings.ATGRANT_RUN_LEASE_SECONDS + 5)
    assert runs._claim(run.pk, claimed_at)
    login(client, officer)
    url = reverse("allocation:run", kwargs={"slug": run.round.slug, "number": run.number})
    page = client.get(url).content.decode()
    assert "tas upp igen automatiskt" in page
    assert reverse("allocation:run_retry", args=[run.round.slug, run.number]) in page

    AllocationRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
    page = client.get(url).content.decode()
    assert "tas upp igen automatiskt" not in page
