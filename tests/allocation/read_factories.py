"""Decided rounds for the read-side tests, built through the allocation services.

A round is made closed with reports, then run (the task's service is called directly, as a
worker would), and its decisions issued, so the rows the pages read are the real ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from unittest.mock import patch

from allocation.models import AllocationRun, Decision
from allocation.plans import parse_plan
from allocation.services.decisions import decision_reconsider, decisions_issue
from allocation.services.preparation import deduction_set, override_set
from allocation.services.runs import allocation_run_execute, allocation_run_request
from regions.models import Region
from submissions.models import GrantRound, RoundStatus
from tests.factories import (
    GrantRoundFactory,
    RegionFactory,
    ReportFactory,
    ReportVersionFactory,
    RoundBaselineFactory,
)

DECISION_DATE = dt.date(2024, 12, 10)
# Hashing test users' passwords with the production hasher costs seconds per test.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass(frozen=True)
class RegionData:
    """One participating region: names, population, plan as written, reported posts."""

    short_name: str
    code: str
    population: int
    plan: str
    filled: int | None
    started: int | None


# Four regions, 2024 rules: Blekinge reaches the ≥ 5 step (55 - 50), Gotland the ≥ 2 step
# (63 - 61 with a range plan "60-62"), Halland and Jämtland no step.
FOUR = (
    RegionData("Blekinge", "10", 159_000, "50", 55, 54),
    RegionData("Gotland", "09", 61_000, "60-62", 63, None),
    RegionData("Halland", "13", 340_000, "70", 70, 71),
    RegionData("Jämtland", "23", 132_000, "30 (ev. 32)", None, 31),
)

# Nobody reaches the first step: block 2 is not paid at all.
NO_QUALIFIER = (
    RegionData("Blekinge", "10", 159_000, "50", 50, 51),
    RegionData("Gotland", "09", 61_000, "60-62", 61, None),
)


def closed_round(
    regions: Sequence[RegionData], *, slug: str = "at-2024", submitted_by: object = None
) -> GrantRound:
    """A closed 2024 round where each region submitted one version of its report."""
    grant_round = GrantRoundFactory(
        slug=slug, name="Statsbidrag för AT-tjänster 2024", closed=True, legal_basis=LEGAL_BASIS
    )
    for data in regions:
        region = RegionFactory(
            code=data.code, short_name=data.short_name, name=f"Region {data.short_name}"
        )
        plan = parse_plan(data.plan)
        RoundBaselineFactory(
            round=grant_round,
            region=region,
            population=data.population,
            plan_text=data.plan,
            plan_low=Decimal(plan.low.numerator) / plan.low.denominator,
            plan_high=Decimal(plan.high.numerator) / plan.high.denominator,
        )
        report = ReportFactory(
            round=grant_round, region=region, filled_posts=data.filled, started_posts=data.started
        )
        extra = {"submitted_by": submitted_by} if submitted_by is not None else {}
        ReportVersionFactory(report=report, number=1, **extra)
    return grant_round


LEGAL_BASIS = (
    "Regeringens uppdrag att under 2024 fördela och betala ut prestationsbaserade medel till "
    "regionerna, och Socialstyrelsens anvisningar för statsbidraget 2024."
)


def run_round(grant_round: GrantRound, officer: object) -> AllocationRun:
    run = allocation_run_request(grant_round=grant_round, by=officer)
    run = allocation_run_execute(run_id=run.pk)
    assert run.status == "done", run.error
    return run


def decide(
    grant_round: GrantRound,
    officer: object,
    *,
    deductions: dict[str, tuple[int, str]] | None = None,
    overrides: dict[str, tuple[int | None, int | None, str]] | None = None,
) -> dict[str, Decision]:
    """Deduct, override, run and issue; the decisions by region short name."""
    regions = {r.short_name: r for r in Region.objects.all()}
    for name, (filled, started, reason) in (overrides or {}).items():
        override_set(
            grant_round=grant_round,
            region=regions[name],
            filled_posts=filled,
            started_posts=started,
            reason=reason,
            by=officer,
        )
    for name, (posts, reason) in (deductions or {}).items():
        deduction_set(
            grant_round=grant_round, region=regions[name], posts=posts, reason=reason, by=officer
        )
    run = run_round(grant_round, officer)
    decisions = decisions_issue(run=run, by=officer, decision_date=DECISION_DATE)
    grant_round.refresh_from_db()
    assert grant_round.status == RoundStatus.DECIDED
    return {d.region.short_name: d for d in decisions}


RECONSIDERED_AT = dt.datetime(2025, 1, 15, 10, 0, tzinfo=dt.UTC)
HALLAND_DEDUCTION = {"Halland": (2, "Två tjänster låg till grund för 2023 års utbetalning")}


def reconsider(decision: Decision, officer: object, *, block1: int, block2: int) -> Decision:
    """A reconsideration made on 15 January 2025."""
    with patch("django.utils.timezone.now", return_value=RECONSIDERED_AT):
        return decision_reconsider(
            decision=decision,
            by=officer,
            amounts={"block1": block1, "block2": block2},
            reason="Regionen visade att en tjänst hade räknats två gånger.",
        )
