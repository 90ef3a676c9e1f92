"""verify_decisions: recompute every run, check decisions and the hash chain."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from allocation.models import AllocationRun, ChainLink, Decision
from allocation.services.decisions import decision_reconsider
from allocation.verify import verify_all
from tests.allocation.factories import (  # noqa: F401 - eager_celery is a fixture
    eager_celery,
    issued,
    reported_round,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def decisions(officer, django_capture_on_commit_callbacks):
    return issued(reported_round(), officer, django_capture_on_commit_callbacks)


def _raw(sql: str, params: list, table: str) -> None:
    """Run a raw write the application never would, past the PostgreSQL trigger if any."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Fire the deferred foreign-key checks first: ALTER TABLE refuses pending events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_clean_data_verifies(decisions, officer, capsys):
    decision_reconsider(
        decision=decisions[0], by=officer, amounts={"block1": 1, "block2": 1}, reason="x"
    )
    report = verify_all()
    assert report.ok, report.problems
    assert (report.checked_runs, report.checked_decisions) == (1, 4)
    call_command("verify_decisions")
    assert "OK" in capsys.readouterr().out


def test_a_changed_decision_amount_is_caught(decisions, capsys):
    target = decisions[0]
    amounts = {**target.amounts, "block1": target.amounts["block1"] + 1}
    _raw(
        "UPDATE allocation_decision SET amounts = %s, total = total + 1 WHERE id = %s",
        [json.dumps(amounts), target.pk],
        "allocation_decision",
    )
    report = verify_all()
    assert not report.ok
    assert any(target.reference in p and "block1" in p for p in report.problems)
    assert any(target.reference in p and "content hash" in p for p in report.problems)
    with pytest.raises(CommandError):
        call_command("verify_decisions")
    assert target.reference in capsys.readouterr().err


def test_a_changed_stored_result_is_caught(decisions):
    run = AllocationRun.objects.get()
    result = run.result
    result["regions"][0]["total"] += 1000
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    _raw(
        f"UPDATE allocation_allocationrun SET result = %s{cast} WHERE id = %s",
        [json.dumps(result), run.pk],
        "allocation_allocationrun",
    )
    problems = verify_all().problems
    name = result["regions"][0]["name"]
    assert any(f"{name}: total stored" in p for p in problems)
    assert any("content hash" in p for p in problems)


def test_a_broken_chain_is_caught(decisions):
    link = ChainLink.objects.order_by("position")[1]
    _raw(
        "UPDATE allocation_chainlink SET previous_hash = %s WHERE id = %s",
        ["0" * 64, link.pk],
        "allocation_chainlink",
    )
    problems = verify_all().problems
    assert any("chain link 2" in p for p in problems)


def test_a_decision_outside_the_chain_is_caught(decisions):
    _raw(
        "DELETE FROM allocation_chainlink WHERE decision_id = %s",
        [decisions[-1].pk],
        "allocation_chainlink",
    )
    problems = verify_all().problems
    assert any(f"decision {decisions[-1].reference}: not in the hash chain" in p for p in problems)
    assert Decision.objects.count() == 3
