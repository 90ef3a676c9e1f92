"""The whole path on the real services: a report submitted, the round closed by the beat task
through the broker, the allocation run by the worker, the decisions issued and read back."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from allocation.models import AllocationRun, Decision, RunStatus
from allocation.services.decisions import decisions_issue
from allocation.services.runs import allocation_run_request
from audit.models import AuditEvent
from regions.models import ProxyAppointment
from submissions.models import GrantRound, Report, RoundStatus
from submissions.services import ReportData, report_submit
from submissions.tasks import close_due_rounds
from tests.allocation.factories import BEFORE_DEADLINE, reported_round
from tests.factories import RegionFactory, RoundBaselineFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_report_close_run_issue_and_read_back(celery_worker_process, wait_for, client, login):
    from django.contrib.auth.models import Group

    from regions.roles import OFFICERS_GROUP

    officer = UserFactory(email="handlaggare@example.se")
    officer.groups.add(Group.objects.get_or_create(name=OFFICERS_GROUP)[0])

    # An open 2024 round (deadline 1 November 2024, long past on the wall clock the worker
    # uses) where three regions have reported; a fourth region's proxy submits now.
    grant_round = reported_round(status=RoundStatus.OPEN)
    blekinge = RegionFactory(code="10", name="Region Blekinge", short_name="Blekinge")
    RoundBaselineFactory(
        round=grant_round,
        region=blekinge,
        population=158_226,
        plan_text="28",
        plan_low=Decimal(28),
        plan_high=Decimal(28),
    )
    proxy = UserFactory(email="ombud@blekinge.example.se")
    ProxyAppointment.objects.create(region=blekinge, user=proxy)
    with mock.patch("django.utils.timezone.now", return_value=BEFORE_DEADLINE):
        version = report_submit(
            grant_round=grant_round,
            region=blekinge,
            data=ReportData(
                filled_posts=31,
                started_posts=30,
                contact_name="Kim Kontakt",
                contact_email="kim@blekinge.example.se",
            ),
            revision=0,
            by=proxy,
        )
    assert version.reference.startswith("AT2024-10-")

    # Beat's task, sent through Redis and run by the worker process.
    closed = close_due_rounds.delay().get(timeout=60)
    assert closed == [grant_round.slug]
    grant_round.refresh_from_db()
    assert grant_round.status == RoundStatus.CLOSED
    assert not Report.objects.filter(round=grant_round, locked_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="round.closed", actor=None).exists()

    # The officer asks for a run; the worker computes it (acks_late task, after commit).
    run = allocation_run_request(grant_round=grant_round, by=officer)
    assert run.status == RunStatus.QUEUED

    def finished():
        run.refresh_from_db()
        return run.status in (RunStatus.DONE, RunStatus.FAILED) and run

    wait_for(finished, timeout=90, what="the allocation run")
    assert run.status == RunStatus.DONE, run.error
    assert run.attempts == 1
    grant_round.refresh_from_db()
    assert grant_round.status == RoundStatus.ALLOCATED
    regions_in_result = {r["region_id"] for r in run.result_regions()}
    assert blekinge.pk in regions_in_result
    assert len(regions_in_result) == 4

    # Issued by the officer, read back by the region's proxy and by the public.
    decisions = decisions_issue(run=run, by=officer)
    assert len(decisions) == 4
    grant_round.refresh_from_db()
    assert grant_round.status == RoundStatus.DECIDED
    assert sum(d.total for d in decisions) == grant_round.total_budget
    mine = Decision.objects.get(round=grant_round, region=blekinge)
    result = next(r for r in run.result_regions() if r["region_id"] == blekinge.pk)
    assert (mine.amounts, mine.total) == (result["amounts"], result["total"])

    login(client, proxy)
    response = client.get(reverse("allocation_read:region_decisions"))
    assert response.status_code == 200
    assert mine.reference in response.content.decode()

    client.logout()
    response = client.get(
        reverse("allocation_read:public_list_csv", kwargs={"slug": grant_round.slug})
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "Blekinge" in text
    assert str(mine.total) in text.replace("\u00a0", "").replace(" ", "")

    assert AllocationRun.objects.filter(round=grant_round).count() == 1
    assert GrantRound.objects.get(pk=grant_round.pk).status == RoundStatus.DECIDED
