"""Factories and builders for allocation tests: a round with reported regions, runs, decisions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
import pytest

from allocation.models import AllocationRun, Decision, Deduction, PostsOverride
from regions.models import Region
from submissions.models import STOCKHOLM, GrantRound, RoundStatus
from tests.factories import (
    GrantRoundFactory,
    RegionFactory,
    ReportFactory,
    ReportVersionFactory,
    RoundBaselineFactory,
    UserFactory,
)

AFTER_DEADLINE = dt.datetime(2024, 11, 2, 9, 0, tzinfo=STOCKHOLM)
BEFORE_DEADLINE = dt.datetime(2024, 10, 31, 12, 0, tzinfo=STOCKHOLM)

# (short name, code, population, plan text, low, high, filled, started)
DEFAULT_REGIONS = [
    ("Alfa", "21", 300_000, "50", "50", "50", 56, 55),
    ("Beta", "22", 450_000, "84-89", "84", "89", 90, None),
    ("Gamma", "23", 150_000, "20", "20", "20", 21, 21),
]


class DeductionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deduction

    round = factory.SubFactory(GrantRoundFactory, closed=True)
    region = factory.SubFactory(RegionFactory)
    posts = 2
    reason = "Två tjänster finansierades av 2023 års bidrag."
    created_by = factory.SubFactory(UserFactory)


class PostsOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostsOverride

    round = factory.SubFactory(GrantRoundFactory, closed=True)
    region = factory.SubFactory(RegionFactory)
    filled_posts = 60
    started_posts = None
    reason = "Regionen bekräftade per telefon att 60 var rätt."
    created_by = factory.SubFactory(UserFactory)


def report_for(
    grant_round: GrantRound,
    region: Region,
    *,
    filled: int | None = 52,
    started: int | None = 50,
    population: int = 300_000,
    plan: tuple[str, str, str] = ("50", "50", "50"),
    versions: int = 1,
) -> None:
    """A baseline and a submitted report (with `versions` versions; the last holds the values)."""
    text, low, high = plan
    RoundBaselineFactory(
        round=grant_round,
        region=region,
        population=population,
        plan_text=text,
        plan_low=Decimal(low),
        plan_high=Decimal(high),
    )
    report = ReportFactory(
        round=grant_round, region=region, filled_posts=filled, started_posts=started
    )
    for number in range(1, versions + 1):
        last = number == versions
        ReportVersionFactory(
            report=report,
            number=number,
            filled_posts=filled if last else (filled or 0) + 5,
            started_posts=started if last else started,
        )


def reported_round(
    *,
    status: str = RoundStatus.CLOSED,
    regions: list[Region] | None = None,
    absent: list[Region] | None = None,
    **round_kwargs: object,
) -> GrantRound:
    """A 2024 round whose DEFAULT_REGIONS (and `regions`, with 52/50 posts) reported.

    `absent` regions have a baseline but no submitted report.
    """
    grant_round = GrantRoundFactory(status=status, slug="at-2024", **round_kwargs)
    for name, code, population, text, low, high, filled, started in DEFAULT_REGIONS:
        region = RegionFactory(code=code, short_name=name, name=f"Region {name}")
        report_for(
            grant_round,
            region,
            filled=filled,
            started=started,
            population=population,
            plan=(text, low, high),
        )
    for region in regions or []:
        report_for(grant_round, region)
    for region in absent or []:
        RoundBaselineFactory(round=grant_round, region=region)
    return grant_round


@pytest.fixture
def eager_celery(settings):
    """Run Celery tasks in-process (CI sets REDIS_URL; these tests do not need a worker)."""
    from atgrant.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


def at(when: dt.datetime):  # noqa: ANN201
    """Patch django.utils.timezone.now to a fixed aware datetime (a context manager)."""
    from unittest import mock

    return mock.patch("django.utils.timezone.now", return_value=when)


def run_done(grant_round: GrantRound, officer, capture) -> AllocationRun:  # noqa: ANN001
    """Request a run and execute it (eagerly, on commit); the run refreshed."""
    from allocation.services.runs import allocation_run_request

    with capture(execute=True):
        run = allocation_run_request(grant_round=grant_round, by=officer)
    run.refresh_from_db()
    grant_round.refresh_from_db()
    return run


def issued(grant_round: GrantRound, officer, capture) -> list[Decision]:  # noqa: ANN001
    """A round run and decided; the decisions."""
    from allocation.services.decisions import decisions_issue

    run = run_done(grant_round, officer, capture)
    with capture(execute=True):
        decisions = decisions_issue(run=run, by=officer, decision_date=dt.date(2024, 12, 2))
    grant_round.refresh_from_db()
    return decisions
