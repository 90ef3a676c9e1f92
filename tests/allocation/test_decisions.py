"""Issuing decisions from a finished run: once, with explanations, hash chain and e-mails."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from allocation.models import AllocationRun, ChainLink, Decision
from allocation.selectors import decisions_for_region, decisions_in_force, latest_done_run
from allocation.services import decisions, preparation
from audit.models import AuditEvent
from regions.models import ProxyAppointment
from regions.roles import OFFICERS_GROUP
from submissions.models import RoundStatus
from tests.allocation.factories import (  # noqa: F401 - eager_celery is a fixture
    DeductionFactory,
    PostsOverrideFactory,
    eager_celery,
    issued,
    reported_round,
    run_done,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def test_issue_writes_one_decision_per_participating_region(
    officer, region, other_region, django_capture_on_commit_callbacks
):
    grant_round = reported_round(regions=[region], absent=[other_region])
    decisions = issued(grant_round, officer, django_capture_on_commit_callbacks)
    run = latest_done_run(grant_round=grant_round)
    assert grant_round.status == RoundStatus.DECIDED
    assert [d.region.short_name for d in decisions] == ["Alfa", "Beta", "Blekinge", "Gamma"]
    by_region = {r["region_id"]: r for r in run.result_regions()}
    for decision in decisions:
        row = by_region[decision.region_id]
        assert (
            decision.amounts
            == row["amounts"]
            == {
                "block1": row["blocks"]["block1"]["paid"],
                "block2": row["blocks"]["block2"]["paid"],
            }
        )
        assert (decision.block1, decision.block2, decision.total) == (None, None, row["total"])
        assert decision.decision_date == dt.date(2024, 12, 2)
        assert decision.decided_by == officer
        assert decision.in_force
    assert sum(d.total for d in decisions) == 223_000_000
    blekinge = next(d for d in decisions if d.region == region)
    assert blekinge.reference == "AT2024-10-B1"
    assert not Decision.objects.filter(region=other_region).exists()
    run.refresh_from_db()
    assert run.issued_at is not None


def test_explanation_carries_every_figure_and_the_reasons(
    officer, region, django_capture_on_commit_callbacks
):
    grant_round = reported_round(regions=[region])
    DeductionFactory(round=grant_round, region=region, posts=2, reason="Betalt 2023")
    alfa = grant_round.baselines.get(region__short_name="Alfa").region
    PostsOverrideFactory(
        round=grant_round, region=alfa, filled_posts=60, started_posts=None, reason="Rättat"
    )
    decisions = {
        d.region.short_name: d
        for d in issued(grant_round, officer, django_capture_on_commit_callbacks)
    }
    blekinge = decisions["Blekinge"].explanation
    for key in (
        "format", "posts", "filled", "started", "reported_posts", "deducted", "deduction_reason",
        "override_reason", "planned", "plan_text", "planned_is_range", "values", "cells",
        "amounts", "total", "blocks", "totals", "value_names", "population", "warnings",
    ):  # fmt: skip
        assert key in blekinge, key
    assert blekinge["format"] == 2
    assert (blekinge["reported_posts"], blekinge["deducted"], blekinge["posts"]) == (52, 2, 50)
    assert blekinge["deduction_reason"] == "Betalt 2023"
    assert [b["id"] for b in blekinge["blocks"]] == ["block1", "block2"]
    assert blekinge["blocks"][1]["paid"] == 160_000_000
    assert blekinge["cells"]["block2"]["eligible"] is False  # 50 posts, plan 50: no step
    assert blekinge["values"]["increase"] == "0"
    assert blekinge["cells"]["block1"]["paid"] == blekinge["amounts"]["block1"]
    alfa_explanation = decisions["Alfa"].explanation
    assert alfa_explanation["override_reason"] == "Rättat"
    assert (alfa_explanation["filled"], alfa_explanation["reported_filled"]) == (60, 56)
    assert decisions["Beta"].explanation["planned_is_range"] is True
    assert decisions["Beta"].explanation["planned"] == "173/2"


def test_a_round_is_decided_once(officer, django_capture_on_commit_callbacks):
    grant_round = reported_round()
    issued(grant_round, officer, django_capture_on_commit_callbacks)
    run = latest_done_run(grant_round=grant_round)
    # The same officer again (a second click): the decisions already issued.
    again = decisions.decisions_issue(run=run, by=officer)
    assert sorted(d.pk for d in again) == sorted(Decision.objects.values_list("pk", flat=True))
    other = UserFactory(email="annan@myndigheten.se")
    other.groups.add(Group.objects.get(name=OFFICERS_GROUP))
    with pytest.raises(ValidationError, match="redan fattade"):
        decisions.decisions_issue(run=run, by=other)
    assert Decision.objects.count() == 3


def test_issuing_needs_the_latest_done_run_and_unchanged_inputs(
    officer, django_capture_on_commit_callbacks
):
    grant_round = reported_round()
    first = run_done(grant_round, officer, django_capture_on_commit_callbacks)
    second = run_done(grant_round, officer, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="senaste"):
        decisions.decisions_issue(run=first, by=officer)
    alfa = grant_round.baselines.get(region__short_name="Alfa").region
    preparation.deduction_set(grant_round=grant_round, region=alfa, posts=1, reason="x", by=officer)
    with pytest.raises(ValidationError, match="ändrats"):
        decisions.decisions_issue(run=second, by=officer)
    assert not Decision.objects.exists()


def test_only_officers_issue(auditor, django_capture_on_commit_callbacks, officer):
    grant_round = reported_round()
    run = run_done(grant_round, officer, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        decisions.decisions_issue(run=run, by=auditor)


def test_decisions_join_the_hash_chain_after_the_run(officer, django_capture_on_commit_callbacks):
    grant_round = reported_round()
    decisions = issued(grant_round, officer, django_capture_on_commit_callbacks)
    links = list(ChainLink.objects.order_by("position"))
    assert [link.kind for link in links] == ["run", "decision", "decision", "decision"]
    for previous, link in zip(links, links[1:], strict=False):
        assert link.previous_hash == previous.chain_hash
    assert {d.chain_hash for d in decisions} == {link.chain_hash for link in links[1:]}


def test_issue_emails_each_regions_active_proxy(
    officer, region, proxy, other_region, other_proxy, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    grant_round = reported_round(regions=[region], absent=[other_region])
    ProxyAppointment.objects.create(
        region=region,
        user=officer,
        ended_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    )  # an earlier, ended appointment: not mailed
    issued(grant_round, officer, django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [[proxy.email]]
    message = mailoutbox[0]
    assert "AT2024-10-B1" in message.body
    assert "/beslut/AT2024-10-B1/" in message.body
    decision = Decision.objects.get(region=region)
    assert f"{decision.total:,}".replace(",", "\u00a0") in message.body


def test_issue_is_audited(officer, django_capture_on_commit_callbacks):
    grant_round = reported_round()
    issued(grant_round, officer, django_capture_on_commit_callbacks)
    assert AuditEvent.objects.filter(action="allocation.decision_issued").count() == 3
    summary = AuditEvent.objects.get(action="allocation.decisions_issued")
    assert summary.actor == officer
    assert summary.after["decisions"] == 3
    assert summary.after["total"] == 223_000_000


def test_selectors(officer, region, django_capture_on_commit_callbacks, django_assert_num_queries):
    grant_round = reported_round(regions=[region])
    issued(grant_round, officer, django_capture_on_commit_callbacks)
    # 1: decisions joined with region, run and round
    with django_assert_num_queries(1):
        in_force = list(decisions_in_force(grant_round=grant_round))
        [(d.region.short_name, d.run.number) for d in in_force]
    assert len(in_force) == 4
    assert [d.reference for d in decisions_for_region(region=region)] == ["AT2024-10-B1"]
    assert AllocationRun.objects.get().is_done
