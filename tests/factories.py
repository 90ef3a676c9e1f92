"""factory-boy factories for the whole project, with Traits for the states tests need."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import factory
from django.contrib.auth import get_user_model

from allocation.allocmodel import model_2024
from regions.models import Region
from submissions.models import (
    STOCKHOLM,
    GrantRound,
    Report,
    ReportVersion,
    RoundBaseline,
    RoundStatus,
)

PASSWORD = "correct-horse-battery-42"  # noqa: S105

# RULES.md's 2024 staircase: (increase in posts, payout in kronor).
STAIRCASE_2024 = (
    (2, 3_000_000),
    (3, 4_500_000),
    (5, 7_500_000),
    (7, 10_500_000),
    (10, 20_000_000),
    (15, 30_000_000),
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.se")
    username = factory.LazyAttribute(lambda o: o.email)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{(n % 89) + 10:02d}")
    name = factory.LazyAttribute(lambda o: f"Region {o.short_name}")
    short_name = factory.Sequence(lambda n: f"Testlän {n}")


class GrantRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GrantRound
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"AT-bidraget {2024 + n}")
    year = 2024
    slug = factory.Sequence(lambda n: f"omgang-{n}")
    opens_at = dt.datetime(2024, 4, 15, tzinfo=STOCKHOLM)
    status = RoundStatus.OPEN
    population_date = dt.date(2023, 11, 1)
    # Most tests have one officer who both presents and decides; the two-officer rule of the
    # decision record is pinned in tests/allocation/test_decision_record.py.
    single_officer_allowed = True
    # The round's model: ``model=`` a document, else RULES.md's 2024 model built from the
    # params below (a round fetched again by its slug keeps its model).
    model = factory.LazyAttribute(
        lambda o: model_2024(
            o.block1_budget, o.block2_budget, o.staircase, name=f"AT-tjänster {o.year}"
        ).to_json()
    )

    class Params:
        draft = factory.Trait(status=RoundStatus.DRAFT)
        closed = factory.Trait(status=RoundStatus.CLOSED)
        allocated = factory.Trait(status=RoundStatus.ALLOCATED)
        decided = factory.Trait(status=RoundStatus.DECIDED)
        # Only for the model above: budgets in kronor, the staircase as (increase, payout).
        block1_budget = 63_000_000
        block2_budget = 160_000_000
        staircase = STAIRCASE_2024


class RoundBaselineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoundBaseline

    round = factory.SubFactory(GrantRoundFactory)
    region = factory.SubFactory(RegionFactory)
    population = 300_000
    plan_text = "50"
    plan_low = Decimal(50)
    plan_high = Decimal(50)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    round = factory.SubFactory(GrantRoundFactory)
    region = factory.SubFactory(RegionFactory)
    filled_posts = 50
    started_posts = 52
    contact_name = "Kim Kontakt"
    contact_email = "kim@region.example.se"


class ReportVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportVersion

    report = factory.SubFactory(ReportFactory)
    number = factory.Sequence(lambda n: n + 1)
    reference = factory.Sequence(lambda n: f"AT-TEST-{n:06d}")
    filled_posts = factory.LazyAttribute(lambda o: o.report.filled_posts)
    started_posts = factory.LazyAttribute(lambda o: o.report.started_posts)
    submitted_at = dt.datetime(2024, 10, 1, 12, 0, tzinfo=STOCKHOLM)
    submitted_by = factory.SubFactory(UserFactory)


REGIONS_2024 = Path(__file__).parents[1] / "submissions" / "data" / "regions_2024.csv"


def rows_2024() -> list[dict[str, str]]:
    """The 21 regions of 2024 as the project's own data file has them (code, names, plan,
    population, official mailbox), one dict per row."""
    with REGIONS_2024.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
