"""Decisions, finished runs, the hash chain and audit events cannot be changed or deleted.

The ORM refuses everywhere; raw SQL is refused by triggers on PostgreSQL only.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from allocation.models import AllocationRun, ChainLink, Decision, ImmutableError, RunStatus
from audit.models import AuditEvent
from tests.allocation.factories import (  # noqa: F401 - eager_celery is a fixture
    eager_celery,
    issued,
    reported_round,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only"
)


@pytest.fixture
def decision(officer, django_capture_on_commit_callbacks):
    return issued(reported_round(), officer, django_capture_on_commit_callbacks)[0]


def test_orm_refuses_to_change_or_delete_a_decision(decision):
    decision.total = 0
    with pytest.raises(ImmutableError):
        decision.save()
    with pytest.raises(ImmutableError):
        decision.delete()
    with pytest.raises(ImmutableError):
        Decision.objects.filter(pk=decision.pk).update(block1=0, total=0)
    with pytest.raises(ImmutableError):
        Decision.objects.all().delete()
    decision.refresh_from_db()
    assert decision.total > 0


def test_orm_refuses_to_change_or_delete_a_finished_run(decision):
    run = decision.run
    run.error = "tampered"
    with pytest.raises(ImmutableError):
        run.save()
    with pytest.raises(ImmutableError):
        run.delete()
    with pytest.raises(ImmutableError):
        AllocationRun.objects.all().delete()
    # Bulk updates never touch a done run.
    assert AllocationRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED) == 0
    # issued_at was set once when the decisions were issued; it is not set again.
    assert AllocationRun.objects.filter(pk=run.pk).update(issued_at=timezone.now()) == 0
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.error == ""


def test_orm_refuses_to_change_the_chain(decision):
    link = ChainLink.objects.first()
    with pytest.raises(ImmutableError):
        link.save()
    with pytest.raises(ImmutableError):
        link.delete()
    with pytest.raises(ImmutableError):
        ChainLink.objects.update(chain_hash="0" * 64)


def _refused(sql: str, params: list | None = None) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params or [])
    except DatabaseError as exc:
        return "atgrant" in str(exc)
    return False


@postgresql_only
def test_database_refuses_raw_update_and_delete_of_decisions(decision):
    assert _refused("UPDATE allocation_decision SET total = 0, block1 = 0, block2 = 0")
    assert _refused("DELETE FROM allocation_decision")
    assert _refused("UPDATE allocation_chainlink SET chain_hash = ''")
    assert _refused("DELETE FROM allocation_chainlink")


@postgresql_only
def test_database_refuses_raw_changes_of_a_finished_run(decision):
    run_id = decision.run_id
    assert _refused("UPDATE allocation_allocationrun SET error = 'x' WHERE id = %s", [run_id])
    assert _refused("UPDATE allocation_allocationrun SET issued_at = NULL WHERE id = %s", [run_id])
    assert _refused("DELETE FROM allocation_allocationrun WHERE id = %s", [run_id])


@postgresql_only
def test_database_allows_stamping_issued_at_once_and_queued_runs_to_change(
    officer, django_capture_on_commit_callbacks
):
    from allocation.services.runs import allocation_run_request
    from tests.allocation.factories import run_done

    grant_round = reported_round()
    done = run_done(grant_round, officer, django_capture_on_commit_callbacks)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE allocation_allocationrun SET issued_at = now() WHERE id = %s", [done.pk]
        )
    assert _refused(
        "UPDATE allocation_allocationrun SET issued_at = now() WHERE id = %s", [done.pk]
    )
    queued = allocation_run_request(grant_round=grant_round, by=officer)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE allocation_allocationrun SET attempts = 5 WHERE id = %s", [queued.pk]
        )


@postgresql_only
def test_database_refuses_raw_update_and_delete_of_audit_events(decision):
    assert AuditEvent.objects.exists()
    assert _refused("UPDATE audit_auditevent SET action = 'x'")
    assert _refused("DELETE FROM audit_auditevent")


@postgresql_only
@pytest.mark.parametrize(
    "table",
    ["allocation_decision", "allocation_chainlink", "audit_auditevent", "allocation_allocationrun"],
)
def test_database_refuses_truncate_of_append_only_tables(decision, table):
    with connection.cursor() as cursor:
        # The test's own inserts leave deferred foreign-key checks, which PostgreSQL reports
        # before any trigger ("pending trigger events"); check them first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert _refused(f"TRUNCATE {table} CASCADE")
    assert Decision.objects.filter(pk=decision.pk).exists()
