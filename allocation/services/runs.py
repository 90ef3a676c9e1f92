"""Allocation runs: the officer's request and retry, and the worker's half (claim, compute, store
in the hash chain, or fail)."""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from allocation import chain, engine
from allocation.models import AllocationRun, ChainLink, RunStatus
from allocation.services.common import (
    PREPARABLE,
    active_run_exists,
    lock_round,
    require_officer,
    run_stale_after,
)
from allocation.snapshot import SnapshotError, build_snapshot, compute
from audit.services import audit_record
from submissions.models import GrantRound, RoundStatus
from submissions.workflow import round_transition

log = logging.getLogger(__name__)


def _enqueue(run_id: int) -> None:
    from allocation.tasks import execute_run

    execute_run.delay_on_commit(run_id)


def _check_can_run(locked: GrantRound) -> None:
    if locked.status not in PREPARABLE:
        raise ValidationError(_("Fördelningen kan bara köras när omgången är stängd."))
    if active_run_exists(locked):
        raise ValidationError(
            _("En fördelning av omgången är redan begärd och inte klar. Vänta på den.")
        )
    try:
        build_snapshot(locked)
    except SnapshotError as exc:
        raise ValidationError(str(exc)) from exc


def allocation_run_request(*, grant_round: GrantRound, by: AbstractBaseUser) -> AllocationRun:
    """Queue a new run of the round; the task runs after the transaction commits."""
    require_officer(by)
    with transaction.atomic():
        locked = lock_round(grant_round)
        _check_can_run(locked)
        last = AllocationRun.objects.filter(round=locked).aggregate(n=Max("number"))["n"] or 0
        run = AllocationRun.objects.create(
            round=locked, number=last + 1, requested_by=by, requested_at=timezone.now()
        )
        audit_record(
            action="allocation.run_requested",
            actor=by,
            obj=run,
            after={"number": run.number, "status": run.status},
            round_id=locked.pk,
        )
        _enqueue(run.pk)
    return run


def allocation_run_retry(*, run: AllocationRun, by: AbstractBaseUser) -> AllocationRun:
    """Queue a failed run (or one whose worker died long ago) again."""
    require_officer(by)
    with transaction.atomic():
        locked = lock_round(run.round)
        stale = Q(status=RunStatus.RUNNING, started_at__lt=timezone.now() - run_stale_after())
        retryable = AllocationRun.objects.filter(pk=run.pk).filter(
            Q(status=RunStatus.FAILED) | stale
        )
        if not retryable.exists():
            raise ValidationError(_("Bara en misslyckad körning kan köras om."))
        others = AllocationRun.objects.filter(
            round=locked, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
        ).exclude(pk=run.pk)
        if others.exists():
            raise ValidationError(_("En annan körning av omgången är inte klar."))
        if locked.status not in PREPARABLE:
            raise ValidationError(_("Fördelningen kan bara köras när omgången är stängd."))
        before = AllocationRun.objects.filter(pk=run.pk).values("status", "error").get()
        retryable.update(status=RunStatus.QUEUED, error="")
        run.refresh_from_db()
        audit_record(
            action="allocation.run_retried",
            actor=by,
            obj=run,
            before=before,
            after={"status": run.status},
            round_id=locked.pk,
        )
        _enqueue(run.pk)
    return run


def _claim(run_id: int, now: dt.datetime) -> bool:
    claimable = Q(status=RunStatus.QUEUED) | Q(
        status=RunStatus.RUNNING, started_at__lt=now - run_stale_after()
    )
    claimed = (
        AllocationRun.objects.filter(pk=run_id)
        .filter(claimable)
        .update(status=RunStatus.RUNNING, started_at=now, attempts=F("attempts") + 1)
    )
    return claimed == 1


def allocation_run_execute(*, run_id: int, retryable: bool = False) -> AllocationRun:
    """Claim a queued run, compute it and store the result; a no-op if someone else claimed it.

    The result, hashes, the run's DONE status and the round's move to allocated are written in
    one transaction. On an error the run is marked FAILED (in its own transaction) with the
    reason; with ``retryable`` a database OperationalError puts it back in the queue instead and
    is raised again, for the task's retry.
    """
    now = timezone.now()
    if not _claim(run_id, now):
        return AllocationRun.objects.get(pk=run_id)
    run = AllocationRun.objects.select_related("round").get(pk=run_id)
    audit_record(
        action="allocation.run_started",
        actor=None,
        obj=run,
        before={"status": RunStatus.QUEUED},
        after={"status": RunStatus.RUNNING, "attempts": run.attempts},
        round_id=run.round_id,
    )
    try:
        return _compute_and_store(run_id, now)
    except OperationalError:
        if retryable:
            _release(run_id, now)
            raise
        _fail(run_id, now, _("Databasfel under körningen. Försök igen."))
        raise
    except Exception as exc:
        log.exception("allocation run %s failed", run_id)
        _fail(run_id, now, _failure_reason(exc))
        return AllocationRun.objects.get(pk=run_id)


def _failure_reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, SnapshotError | engine.InputError | engine.RulesError):
        return str(exc)
    return _("Oväntat fel (%(kind)s). Se serverns logg.") % {"kind": type(exc).__name__}


def _compute_and_store(run_id: int, claimed_at: dt.datetime) -> AllocationRun:
    with transaction.atomic():
        run = AllocationRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.RUNNING or run.started_at != claimed_at:
            return run  # another worker reclaimed it after we stalled
        grant_round = lock_round(run.round)
        if grant_round.status not in PREPARABLE:
            raise ValidationError(_("Omgången är inte stängd eller redan beslutad."))
        run.snapshot = build_snapshot(grant_round, now=claimed_at)
        run.result = compute(run.snapshot)
        run.finished_at = timezone.now()
        run.status, run.error = RunStatus.DONE, ""
        run.content_hash = chain.content_hash(chain.run_content(run))
        position, previous = chain.chain_head()
        run.chain_hash = chain.link_hash(previous, run.content_hash)
        run.save()
        ChainLink.objects.create(
            position=position + 1,
            kind=ChainLink.Kind.RUN,
            run=run,
            previous_hash=previous,
            content_hash=run.content_hash,
            chain_hash=run.chain_hash,
        )
        round_transition(grant_round=grant_round, to=RoundStatus.ALLOCATED, by=None)
        audit_record(
            action="allocation.run_done",
            actor=None,
            obj=run,
            before={"status": RunStatus.RUNNING},
            after={
                "status": RunStatus.DONE,
                "content_hash": run.content_hash,
                "total_paid": run.result["total_paid"],
                "regions": len(run.result["regions"]),
                "warnings": [w["code"] for w in run.result["warnings"]],
            },
            round_id=grant_round.pk,
        )
    return run


def _fail(run_id: int, claimed_at: dt.datetime, reason: str) -> None:
    with transaction.atomic():
        failed = AllocationRun.objects.filter(
            pk=run_id, status=RunStatus.RUNNING, started_at=claimed_at
        ).update(status=RunStatus.FAILED, error=reason, finished_at=timezone.now())
        if failed:
            run = AllocationRun.objects.get(pk=run_id)
            audit_record(
                action="allocation.run_failed",
                actor=None,
                obj=run,
                before={"status": RunStatus.RUNNING},
                after={"status": RunStatus.FAILED, "error": reason},
                round_id=run.round_id,
            )


def _release(run_id: int, claimed_at: dt.datetime) -> None:
    """Put a claimed run back in the queue (a transient error; the task will retry)."""
    AllocationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING, started_at=claimed_at).update(
        status=RunStatus.QUEUED
    )
