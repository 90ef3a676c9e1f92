"""Allocation runs: the officer's request and retry, the worker's half (claim, compute, store
in the hash chain, or fail) and the beat's recovery of runs whose worker or message was lost.

A run survives a worker crash: the task is acknowledged late and rejected (re-queued) when its
worker is lost, and the worker holds a lease it renews while computing (allocation.services.
lease); ``allocation_runs_recover``, run by beat every minute, queues again a run whose lease
ran out and re-sends a queued run whose message was lost.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from allocation import chain, engine
from allocation.allocmodel import ModelError
from allocation.models import AllocationRun, ChainLink, RunStatus
from allocation.services.common import PREPARABLE, active_run_exists, lock_round, require_officer
from allocation.services.lease import abandoned, heartbeat, lease
from allocation.snapshot import SnapshotError, build_snapshot, compute
from atgrant.language import written_in_swedish
from audit.services import audit_record
from submissions.models import GrantRound, RoundStatus
from submissions.workflow import round_transition

log = logging.getLogger(__name__)


# A run whose worker died this many times is failed, not queued again (it may be what kills it).
MAX_ATTEMPTS = 5


def _enqueue(run_id: int) -> None:
    """Send the run's message after commit; the caller notes when in ``enqueued_at`` (a
    message not taken within a lease is taken for lost and sent again)."""
    from allocation.tasks import execute_run

    execute_run.delay_on_commit(run_id)


def _already_requested() -> str:
    return _("En fördelning av omgången är redan begärd och inte klar. Vänta på den.")


def _check_can_run(locked: GrantRound) -> None:
    if locked.status not in PREPARABLE:
        raise ValidationError(_("Fördelningen kan bara köras när omgången är stängd."))
    if active_run_exists(locked):
        raise ValidationError(_already_requested())
    try:
        build_snapshot(locked)
    except SnapshotError as exc:
        raise ValidationError(str(exc)) from exc


def _unfinished_run_of(locked: GrantRound, by: AbstractBaseUser) -> AllocationRun | None:
    return (
        AllocationRun.objects.filter(
            round=locked, requested_by=by, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
        )
        .order_by("-number")
        .first()
    )


def allocation_run_request(*, grant_round: GrantRound, by: AbstractBaseUser) -> AllocationRun:
    """Queue a new run of the round; the task runs after the transaction commits.

    Concurrent requests give one run: the round's row lock orders them, and the constraint
    run_one_active_per_round refuses a second waiting run even without it. While a run the
    same officer asked for is not finished, asking again (a second click) returns that run.
    Raises ValidationError when another officer's run is waiting or computing, or the round
    cannot be run.
    """
    require_officer(by)
    now = timezone.now()
    with transaction.atomic():
        locked = lock_round(grant_round)
        pending = _unfinished_run_of(locked, by)
        if pending is not None:
            return pending
        _check_can_run(locked)
        last = AllocationRun.objects.filter(round=locked).aggregate(n=Max("number"))["n"] or 0
        try:
            run = AllocationRun.objects.create(
                round=locked,
                number=last + 1,
                requested_by=by,
                requested_at=now,
                enqueued_at=now,
            )
        except IntegrityError as exc:
            # Raised out of the transaction at once, which rolls it back: no savepoint needed.
            raise ValidationError(_already_requested()) from exc
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
    """Queue a failed run (or one whose worker died: its lease ran out) again."""
    require_officer(by)
    now = timezone.now()
    with transaction.atomic():
        locked = lock_round(run.round)
        retryable = AllocationRun.objects.filter(pk=run.pk).filter(
            Q(status=RunStatus.FAILED) | abandoned(now)
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
        retryable.update(status=RunStatus.QUEUED, error="", enqueued_at=now)
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
    """Take the run (queued, or abandoned by a dead worker) with a conditional update: of two
    workers, one wins; a live worker's run is never taken while it renews its lease."""
    claimed = (
        AllocationRun.objects.filter(pk=run_id)
        .filter(Q(status=RunStatus.QUEUED) | abandoned(now))
        .update(
            status=RunStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
        )
    )
    return claimed == 1


@written_in_swedish  # the worker's half: the run's record (its error) is the agency's
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
        with heartbeat(run_id, now):
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
    # The model's errors name the value, block or region (RULES.md "Errors"), in Swedish.
    if isinstance(exc, SnapshotError | ModelError | engine.InputError | engine.RulesError):
        return str(exc)
    return _("Oväntat fel (%(kind)s). Se serverns logg.") % {"kind": type(exc).__name__}


def _compute_and_store(run_id: int, claimed_at: dt.datetime) -> AllocationRun:
    with transaction.atomic():
        # The run's row is locked only to store: until then the heartbeat renews the lease.
        run = AllocationRun.objects.select_related("round").get(pk=run_id)
        grant_round = lock_round(run.round)
        if grant_round.status not in PREPARABLE:
            raise ValidationError(_("Omgången är inte stängd eller redan beslutad."))
        snapshot = build_snapshot(grant_round, now=claimed_at)
        result = compute(snapshot)
        run = AllocationRun.objects.select_for_update().get(pk=run_id)
        run.round = grant_round  # the locked round, not a query for it again
        if run.status != RunStatus.RUNNING or run.started_at != claimed_at:
            return run  # another worker reclaimed it after we stalled
        run.snapshot, run.result = snapshot, result
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
    # The task's retry sends the message again now (the recovery need not, for a lease).
    AllocationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING, started_at=claimed_at).update(
        status=RunStatus.QUEUED, enqueued_at=timezone.now()
    )


def allocation_runs_recover(*, now: dt.datetime | None = None) -> list[int]:
    """Take back runs nobody is working on; beat calls it every minute. Returns their ids.

    * A RUNNING run whose lease ran out (its worker died) is queued again and sent to a
      worker; after MAX_ATTEMPTS claims it is failed instead, with the reason, for an officer.
    * A QUEUED run whose message was sent more than a lease ago (the message was lost, or
      the worker died before it claimed the run) is sent again. A duplicate message is
      harmless: the claim is conditional.

    Each run is handled in its own transaction under its round's lock, skipping a round an
    officer or a worker holds right now (it is looked at again a minute later).
    """
    now = now or timezone.now()
    sent_before = now - lease()
    lost = Q(status=RunStatus.QUEUED) & (
        Q(enqueued_at__lt=sent_before) | Q(enqueued_at__isnull=True, requested_at__lt=sent_before)
    )
    candidates = AllocationRun.objects.filter(abandoned(now) | lost)
    recovered = []
    for run_id, round_id in candidates.values_list("pk", "round_id"):
        with transaction.atomic():
            if not GrantRound.objects.select_for_update(skip_locked=True).filter(pk=round_id):
                continue
            run = AllocationRun.objects.filter(abandoned(now) | lost).filter(pk=run_id).first()
            if run is None:
                continue  # claimed or finished meanwhile
            if run.status == RunStatus.RUNNING and run.attempts >= MAX_ATTEMPTS:
                _give_up(run, now)
                continue
            _requeue(run, now)
            recovered.append(run_id)
    return recovered


def _requeue(run: AllocationRun, now: dt.datetime) -> None:
    before = {
        "status": run.status,
        "heartbeat_at": run.heartbeat_at,
        "enqueued_at": run.enqueued_at,
    }
    AllocationRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED, enqueued_at=now)
    audit_record(
        action="allocation.run_recovered",
        actor=None,
        obj=run,
        before=before,
        after={"status": RunStatus.QUEUED, "attempts": run.attempts},
        round_id=run.round_id,
    )
    _enqueue(run.pk)


def _give_up(run: AllocationRun, now: dt.datetime) -> None:
    reason = _(
        "Körningen avbröts %(attempts)s gånger utan att bli klar (arbetsprocessen stannade). "
        "Se serverns logg och kör om den."
    ) % {"attempts": run.attempts}
    AllocationRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED, error=reason, finished_at=now
    )
    audit_record(
        action="allocation.run_failed",
        actor=None,
        obj=run,
        before={"status": run.status},
        after={"status": RunStatus.FAILED, "error": reason},
        round_id=run.round_id,
    )
