"""Migration 0011: every round with budgets or steps but no model gets RULES.md's 2024 model of
them before the columns and the staircase table go; an empty draft keeps its empty model; a
round's own model is kept. Going back fills the columns and steps from 2024-shaped models."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from allocation.allocmodel import model_2024
from submissions.models import STOCKHOLM
from tests.allocation.test_model_pipeline import MODEL_2022

BEFORE = [("submissions", "0010_round_model")]
AFTER = [("submissions", "0011_model_only_budgets")]


def _migrate(targets):  # noqa: ANN001, ANN202
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _round(apps, slug: str, *, block1: int, block2: int, model: dict):  # noqa: ANN001, ANN202
    GrantRound = apps.get_model("submissions", "GrantRound")  # noqa: N806
    return GrantRound.objects.create(
        name=slug,
        year=2023,
        slug=slug,
        opens_at=dt.datetime(2023, 4, 15, tzinfo=STOCKHOLM),
        deadline=dt.datetime(2023, 11, 1, 23, 59, 59, tzinfo=STOCKHOLM),
        population_date=dt.date(2022, 11, 1),
        block1_budget=block1,
        block2_budget=block2,
        model=model,
    )


@pytest.mark.django_db(transaction=True)
def test_rounds_keep_or_get_their_model_and_the_columns_come_back_from_it():
    apps = _migrate(BEFORE)
    try:
        StaircaseStep = apps.get_model("submissions", "StaircaseStep")  # noqa: N806
        old = _round(apps, "at-2023", block1=63_000_000, block2=160_000_000, model={})
        for threshold, payout in [("2.0", 3_000_000), ("4.5", 9_000_000)]:
            StaircaseStep.objects.create(round=old, min_increase=Decimal(threshold), payout=payout)
        _round(apps, "tom", block1=0, block2=0, model={})
        _round(apps, "tre-nivaer", block1=5, block2=5, model=MODEL_2022)

        apps = _migrate(AFTER)
        GrantRound = apps.get_model("submissions", "GrantRound")  # noqa: N806
        models = dict(GrantRound.objects.values_list("slug", "model"))
        # Compared as documents: PostgreSQL's jsonb keeps no key order.
        assert (
            models["at-2023"]
            == model_2024(
                63_000_000,
                160_000_000,
                [(Fraction(2), 3_000_000), (Fraction(9, 2), 9_000_000)],
                name="AT-tjänster 2023",
            ).to_json()
        )
        assert models["tom"] == {}
        assert models["tre-nivaer"] == MODEL_2022  # its columns are not read
        field_names = {f.name for f in GrantRound._meta.get_fields()}
        assert not field_names & {"block1_budget", "block2_budget", "steps"}
        with pytest.raises(LookupError):
            apps.get_model("submissions", "StaircaseStep")

        apps = _migrate(BEFORE)
        GrantRound = apps.get_model("submissions", "GrantRound")  # noqa: N806
        StaircaseStep = apps.get_model("submissions", "StaircaseStep")  # noqa: N806
        budgets = {r.slug: (r.block1_budget, r.block2_budget) for r in GrantRound.objects.all()}
        # The 2024-shaped model gives its budgets and steps back; any other model gives 0.
        assert budgets == {
            "at-2023": (63_000_000, 160_000_000),
            "tom": (0, 0),
            "tre-nivaer": (0, 0),
        }
        steps = StaircaseStep.objects.order_by("min_increase").values_list(
            "round__slug", "min_increase", "payout"
        )
        assert list(steps) == [
            ("at-2023", Decimal(2), 3_000_000),
            ("at-2023", Decimal("4.5"), 9_000_000),
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
