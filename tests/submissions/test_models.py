from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from submissions.models import STOCKHOLM, GrantRound, RoundBaseline, default_deadline
from tests.allocation.test_model_pipeline import MODEL_2022
from tests.factories import (
    GrantRoundFactory,
    RegionFactory,
    ReportFactory,
    ReportVersionFactory,
    RoundBaselineFactory,
)

pytestmark = pytest.mark.django_db


def test_default_deadline_is_the_whole_of_1_november_in_stockholm():
    grant_round = GrantRound.objects.create(
        name="2025",
        year=2025,
        slug="r2025",
        opens_at=dt.datetime(2025, 4, 1, tzinfo=STOCKHOLM),
        population_date=dt.date(2024, 11, 1),
    )
    assert grant_round.deadline == dt.datetime(2025, 11, 1, 23, 59, 59, tzinfo=STOCKHOLM)
    assert grant_round.deadline == default_deadline(2025)


def test_deadline_counts_the_last_second_and_not_the_next():
    grant_round = GrantRoundFactory()
    last_second = dt.datetime(2024, 11, 1, 23, 59, 59, 900_000, tzinfo=STOCKHOLM)
    next_day = dt.datetime(2024, 11, 2, 0, 0, 0, tzinfo=STOCKHOLM)
    assert not grant_round.deadline_passed(last_second)
    assert grant_round.deadline_passed(next_day)
    extended = dt.datetime(2024, 11, 5, 23, 59, 59, tzinfo=STOCKHOLM)
    assert not grant_round.deadline_passed(next_day, extended_until=extended)


def test_the_rounds_budget_is_the_sum_of_its_models_blocks():
    assert GrantRoundFactory(block1_budget=1_000, block2_budget=2_500).total_budget == 3_500
    three = GrantRoundFactory(model=MODEL_2022)
    assert three.total_budget == 124_000_000 + 164_000_000 + 84_000_000
    assert [b["id"] for b in three.model_blocks] == ["good", "growth", "improve"]
    empty = GrantRoundFactory(model={})
    assert (empty.total_budget, empty.model_blocks) == (0, [])


def test_baseline_population_must_be_positive():
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundBaselineFactory(population=0)


def test_baseline_plan_bounds_must_be_ordered():
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundBaselineFactory(plan_low=Decimal(50), plan_high=Decimal(48))


def test_one_baseline_per_region_and_round():
    baseline = RoundBaselineFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundBaseline.objects.create(
            round=baseline.round,
            region=baseline.region,
            population=1,
            plan_text="1",
            plan_low=1,
            plan_high=1,
        )


def test_one_report_per_region_and_round():
    report = ReportFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportFactory(round=report.round, region=report.region)


def test_a_submitted_version_needs_filled_or_started_posts():
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportVersionFactory(filled_posts=None, started_posts=None)


def test_version_posts_is_the_higher_of_filled_and_started():
    assert ReportVersionFactory.build(filled_posts=40, started_posts=43).posts == 43
    assert ReportVersionFactory.build(filled_posts=None, started_posts=7).posts == 7


def test_region_code_must_be_two_digits():
    with pytest.raises(IntegrityError), transaction.atomic():
        RegionFactory(code="1")
