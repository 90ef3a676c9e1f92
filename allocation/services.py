"""Writes of the allocation: deductions, officer-entered values, runs, decisions, reconsiderations.

Every function checks the actor and the round's state, writes in one transaction and records an
audit event with the values before and after.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from allocation import chain, engine
from allocation.models import (
    AllocationRun,
    ChainLink,
    Decision,
    Deduction,
    PostsOverride,
    RunStatus,
)
from allocation.public_cache import forget_list_key_on_commit
from allocation.selectors import latest_versions
from allocation.snapshot import SnapshotError, build_snapshot, compute, snapshot_differences
from audit.models import AuditEvent
from audit.services import audit_event, audit_record, audit_record_many
from regions.models import Region
from regions.roles import is_officer
from submissions.models import GrantRound, RoundStatus
from submissions.services import round_transition

log = logging.getLogger(__name__)

PREPARABLE = (RoundStatus.CLOSED, RoundStatus.ALLOCATED)


def run_stale_after() -> dt.timedelta:
    """A RUNNING run older than this (longer than any task may run) may be claimed again."""
    return dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def _require_officer(user: AbstractBaseUser) -> None:
    if not is_officer(user):
        raise PermissionDenied(_("Endast handläggare får göra detta."))


def _lock_round(grant_round: GrantRound) -> GrantRound:
    return GrantRound.objects.select_for_update().get(pk=grant_round.pk)


def _active_run_exists(grant_round: GrantRound) -> bool:
    return AllocationRun.objects.filter(
        round=grant_round, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).exists()


# --- deductions and officer-entered values ---------------------------------------------------


def _check_preparable(locked: GrantRound, region: Region) -> None:
    if locked.status not in PREPARABLE:
        raise ValidationError(
            _("Avräkningar och handläggarens värden kan bara ändras när omgången är stängd.")
        )
    if _active_run_exists(locked):
        raise ValidationError(_("En fördelning körs just nu. Vänta tills den är klar."))
    if region.pk not in latest_versions(grant_round=locked):
        raise ValidationError(
            _("%(region)s har inte rapporterat och deltar inte i fördelningen.")
            % {"region": region.short_name}
        )


def _deduction_values(deduction: Deduction | None) -> dict[str, Any] | None:
    if deduction is None:
        return None
    return {"posts": deduction.posts, "reason": deduction.reason}


def _reported_posts(grant_round: GrantRound, region: Region) -> int:
    version = latest_versions(grant_round=grant_round)[region.pk]
    override = PostsOverride.objects.filter(round=grant_round, region=region).first()
    source = override or version
    values = (source.filled_posts, source.started_posts)
    return max(v for v in values if v is not None)


def deduction_set(
    *, grant_round: GrantRound, region: Region, posts: int, reason: str, by: AbstractBaseUser
) -> Deduction:
    """Add or change the deduction of posts for a region (posts already paid earlier)."""
    _require_officer(by)
    reason = reason.strip()
    if posts <= 0 or not reason:
        raise ValidationError(_("Ange ett positivt antal tjänster och ett skäl."))
    with transaction.atomic():
        locked = _lock_round(grant_round)
        _check_preparable(locked, region)
        if posts > _reported_posts(locked, region):
            raise ValidationError(
                _("Avräkningen kan inte vara större än regionens rapporterade tjänster.")
            )
        existing = Deduction.objects.filter(round=locked, region=region).first()
        before = _deduction_values(existing)
        deduction = existing or Deduction(round=locked, region=region)
        deduction.posts, deduction.reason, deduction.created_by = posts, reason, by
        deduction.save()
        audit_record(
            action="allocation.deduction_set",
            actor=by,
            obj=deduction,
            before=before,
            after=_deduction_values(deduction),
            round_id=locked.pk,
            region_id=region.pk,
        )
    return deduction


def deduction_remove(*, grant_round: GrantRound, region: Region, by: AbstractBaseUser) -> None:
    _require_officer(by)
    with transaction.atomic():
        locked = _lock_round(grant_round)
        _check_preparable(locked, region)
        existing = Deduction.objects.filter(round=locked, region=region).first()
        if existing is None:
            return
        audit_record(
            action="allocation.deduction_removed",
            actor=by,
            obj=existing,
            before=_deduction_values(existing),
            after=None,
            round_id=locked.pk,
            region_id=region.pk,
        )
        existing.delete()


def _override_values(override: PostsOverride | None) -> dict[str, Any] | None:
    if override is None:
        return None
    return {
        "filled_posts": override.filled_posts,
        "started_posts": override.started_posts,
        "reason": override.reason,
    }


def override_set(
    *,
    grant_round: GrantRound,
    region: Region,
    filled_posts: int | None,
    started_posts: int | None,
    reason: str,
    by: AbstractBaseUser,
) -> PostsOverride:
    """Record an officer-entered value that replaces the region's submitted posts in the run."""
    _require_officer(by)
    reason = reason.strip()
    if (filled_posts is None and started_posts is None) or not reason:
        raise ValidationError(_("Ange tillsatta eller påbörjade tjänster och ett skäl."))
    with transaction.atomic():
        locked = _lock_round(grant_round)
        _check_preparable(locked, region)
        deduction = Deduction.objects.filter(round=locked, region=region).first()
        new_posts = max(v for v in (filled_posts, started_posts) if v is not None)
        if deduction is not None and deduction.posts > new_posts:
            raise ValidationError(
                _("Regionens avräkning (%(posts)s) är större än de nya värdena.")
                % {"posts": deduction.posts}
            )
        existing = PostsOverride.objects.filter(round=locked, region=region).first()
        before = _override_values(existing)
        override = existing or PostsOverride(round=locked, region=region)
        override.filled_posts, override.started_posts = filled_posts, started_posts
        override.reason, override.created_by = reason, by
        override.save()
        audit_record(
            action="allocation.override_set",
            actor=by,
            obj=override,
            before=before,
            after=_override_values(override),
            round_id=locked.pk,
            region_id=region.pk,
        )
    return override


def override_remove(*, grant_round: GrantRound, region: Region, by: AbstractBaseUser) -> None:
    _require_officer(by)
    with transaction.atomic():
        locked = _lock_round(grant_round)
        _check_preparable(locked, region)
        existing = PostsOverride.objects.filter(round=locked, region=region).first()
        if existing is None:
            return
        version = latest_versions(grant_round=locked)[region.pk]
        deduction = Deduction.objects.filter(round=locked, region=region).first()
        if deduction is not None and deduction.posts > version.posts:
            raise ValidationError(
                _("Regionens avräkning är större än de rapporterade värdena; ändra den först.")
            )
        audit_record(
            action="allocation.override_removed",
            actor=by,
            obj=existing,
            before=_override_values(existing),
            after=None,
            round_id=locked.pk,
            region_id=region.pk,
        )
        existing.delete()


# --- runs ------------------------------------------------------------------------------------


def _enqueue(run_id: int) -> None:
    from allocation.tasks import execute_run

    transaction.on_commit(lambda: execute_run.delay(run_id))


def _check_can_run(locked: GrantRound) -> None:
    if locked.status not in PREPARABLE:
        raise ValidationError(_("Fördelningen kan bara köras när omgången är stängd."))
    if _active_run_exists(locked):
        raise ValidationError(
            _("En fördelning av omgången är redan begärd och inte klar. Vänta på den.")
        )
    try:
        build_snapshot(locked)
    except SnapshotError as exc:
        raise ValidationError(str(exc)) from exc


def allocation_run_request(*, grant_round: GrantRound, by: AbstractBaseUser) -> AllocationRun:
    """Queue a new run of the round; the task runs after the transaction commits."""
    _require_officer(by)
    with transaction.atomic():
        locked = _lock_round(grant_round)
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
    _require_officer(by)
    with transaction.atomic():
        locked = _lock_round(run.round)
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
        grant_round = _lock_round(run.round)
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


# --- decisions -------------------------------------------------------------------------------


def _reference(grant_round: GrantRound, region: Region, number: int) -> str:
    return f"AT{grant_round.year}-{region.code}-B{number}"


def explanation_for(run: AllocationRun, region_id: int) -> dict[str, Any]:
    """A region's decision explanation, from its run's result and snapshot (JSON-safe)."""
    result = next(r for r in run.result_regions() if r["region_id"] == region_id)
    source = next(r for r in run.snapshot["regions"] if r["region_id"] == region_id)
    return _explanation(run, result, source)


def _explanation(run: AllocationRun, result: dict[str, Any], source: dict[str, Any]) -> dict:
    block2_paid = run.result["block2"]["paid"] > 0
    return {
        "region_name": result["name"],
        "run_number": run.number,
        "population": source["population"],
        "filled": result["filled"],
        "started": result["started"],
        "reported_filled": source["reported_filled"],
        "reported_started": source["reported_started"],
        "version_reference": source["version_reference"],
        "reported_posts": result["reported_posts"],
        "deducted": result["deducted"],
        "deduction_reason": source["deduction_reason"],
        "override_reason": source["override_reason"],
        "posts": result["posts"],
        "plan_text": source["plan_text"],
        "planned": result["planned"],
        "plan_is_range": result["planned_is_range"],
        "increase": result["increase"],
        "rate": result["rate"],
        "block1_budget": run.result["block1"]["budget"],
        "block1_exact": result["block1_exact"],
        "block1_rounding": result["block1_rounding"],
        "qualifies": result["qualifies"],
        "step_min_increase": result["step_min_increase"],
        "step_payout": result["step_payout"],
        "step_payment": result["step_payment"],
        "remainder": result["remainder"],
        "steps_scale": run.result["steps_scale"],
        "block2_budget": run.result["block2"]["budget"],
        "block2_exact": result["block2_exact"],
        "block2_rounding": result["block2_rounding"],
        "block2_paid": block2_paid,
        "warnings": [w["message"] for w in run.result["warnings"]],
    }


def _check_issuable(locked: GrantRound, run: AllocationRun) -> None:
    if locked.status == RoundStatus.DECIDED or Decision.objects.filter(round=locked).exists():
        raise ValidationError(_("Omgångens beslut är redan fattade."))
    if locked.status != RoundStatus.ALLOCATED or run.round_id != locked.pk:
        raise ValidationError(_("Omgången har ingen klar fördelning att besluta om."))
    if run.status != RunStatus.DONE:
        raise ValidationError(_("Körningen är inte klar."))
    latest = AllocationRun.objects.filter(round=locked, status=RunStatus.DONE).aggregate(
        n=Max("number")
    )["n"]
    if run.number != latest:
        raise ValidationError(_("Besluten fattas på den senaste klara körningen."))
    if _active_run_exists(locked):
        raise ValidationError(_("En ny körning pågår. Vänta tills den är klar."))
    changes = snapshot_differences(run.snapshot, locked)
    if changes:
        raise ValidationError(
            _("Underlaget har ändrats sedan körningen; kör fördelningen igen: %(changes)s")
            % {"changes": " ".join(changes)}
        )


def _chain_decisions(decisions: list[Decision]) -> list[ChainLink]:
    position, previous = chain.chain_head()
    links = []
    for decision in decisions:
        decision.content_hash = chain.content_hash(chain.decision_content(decision))
        decision.chain_hash = chain.link_hash(previous, decision.content_hash)
        position += 1
        links.append(
            ChainLink(
                position=position,
                kind=ChainLink.Kind.DECISION,
                previous_hash=previous,
                content_hash=decision.content_hash,
                chain_hash=decision.chain_hash,
            )
        )
        previous = decision.chain_hash
    return links


def decisions_issue(
    *, run: AllocationRun, by: AbstractBaseUser, decision_date: dt.date | None = None
) -> list[Decision]:
    """Issue one decision per participating region from a reviewed, finished run."""
    _require_officer(by)
    now = timezone.now()
    decision_date = decision_date or timezone.localdate(now)
    with transaction.atomic():
        locked = _lock_round(run.round)
        run = AllocationRun.objects.select_for_update().get(pk=run.pk)
        _check_issuable(locked, run)
        results = run.result_regions()
        regions = Region.objects.in_bulk([r["region_id"] for r in results])
        sources = {r["region_id"]: r for r in run.snapshot["regions"]}
        decisions = [
            Decision(
                round=locked,
                region=regions[r["region_id"]],
                run=run,
                reference=_reference(locked, regions[r["region_id"]], 1),
                block1=r["block1"],
                block2=r["block2"],
                total=r["total"],
                explanation=_explanation(run, r, sources[r["region_id"]]),
                decided_at=now,
                decision_date=decision_date,
                decided_by=by,
            )
            for r in results
        ]
        links = _chain_decisions(decisions)
        Decision.objects.bulk_create(decisions)
        for link, decision in zip(links, decisions, strict=True):
            link.decision = decision
        ChainLink.objects.bulk_create(links)
        AllocationRun.objects.filter(pk=run.pk).update(issued_at=now)
        round_transition(grant_round=locked, to=RoundStatus.DECIDED, by=by)
        audit_record_many(
            [_decision_event(d, by, action="allocation.decision_issued") for d in decisions]
        )
        audit_record(
            action="allocation.decisions_issued",
            actor=by,
            obj=run,
            after={
                "run": run.number,
                "decisions": len(decisions),
                "total": sum(d.total for d in decisions),
                "decision_date": decision_date.isoformat(),
            },
            round_id=locked.pk,
        )
        _notify([d.pk for d in decisions])
    return decisions


def _decision_event(
    decision: Decision, by: AbstractBaseUser, *, action: str, before: dict | None = None
) -> AuditEvent:
    return audit_event(
        action=action,
        actor=by,
        obj=decision,
        before=before,
        after={
            "reference": decision.reference,
            "block1": decision.block1,
            "block2": decision.block2,
            "total": decision.total,
            "deducted": decision.explanation.get("deducted"),
            "deduction_reason": decision.explanation.get("deduction_reason"),
            "override_reason": decision.explanation.get("override_reason"),
            "reconsideration_reason": decision.reconsideration_reason,
            "content_hash": decision.content_hash,
        },
        round_id=decision.round_id,
        region_id=decision.region_id,
    )


def _notify(decision_ids: list[int]) -> None:
    from allocation.tasks import send_decision_emails

    transaction.on_commit(lambda: send_decision_emails.delay(decision_ids))


def decision_reconsider(
    *, decision: Decision, by: AbstractBaseUser, block1: int, block2: int, reason: str
) -> Decision:
    """Replace a decision in force by a new one (omprövning); both stay on record."""
    _require_officer(by)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Ange skälet till omprövningen."))
    if block1 < 0 or block2 < 0:
        raise ValidationError(_("Beloppen kan inte vara negativa."))
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_round(decision.round)
        old = Decision.objects.select_for_update().select_related("region").get(pk=decision.pk)
        if locked.status != RoundStatus.DECIDED:
            raise ValidationError(_("Omgången är inte beslutad."))
        if not old.in_force:
            raise ValidationError(_("Beslutet har redan ersatts av ett nytt beslut."))
        count = Decision.objects.filter(round=locked, region=old.region).count()
        explanation = {
            **old.explanation,
            "reconsideration_reason": reason,
            "replaces_reference": old.reference,
            "previous_block1": old.block1,
            "previous_block2": old.block2,
            "previous_total": old.total,
        }
        new = Decision(
            round=locked,
            region=old.region,
            run_id=old.run_id,
            reference=_reference(locked, old.region, count + 1),
            block1=block1,
            block2=block2,
            total=block1 + block2,
            explanation=explanation,
            decided_at=now,
            decision_date=timezone.localdate(now),
            decided_by=by,
            replaces=old,
            reconsideration_reason=reason,
        )
        (link,) = _chain_decisions([new])
        new.save()
        link.decision = new
        link.save()
        _decision_event(
            new,
            by,
            action="allocation.decision_reconsidered",
            before={"reference": old.reference, "block1": old.block1, "block2": old.block2},
        ).save()
        _notify([new.pk])
        forget_list_key_on_commit(locked.slug)
    return new
