"""Migration 0010 writes existing rounds' budgets and staircase as RULES.md's 2024 model: the
same document as allocation.allocmodel.model_2024, which the runs read."""

from __future__ import annotations

import importlib
from decimal import Decimal
from fractions import Fraction

import pytest

from allocation.allocmodel import AllocationModel, model_2024

migration = importlib.import_module("submissions.migrations.0010_round_model")


@pytest.mark.parametrize(
    "steps",
    [
        [(Decimal("2.0"), 3_000_000), (Decimal("3.0"), 4_500_000), (Decimal("15.0"), 30_000_000)],
        [(Decimal("2.5"), 1_000)],
        [],
    ],
)
def test_the_migrations_model_is_the_engines_2024_model(steps):
    written = migration.model_2024(63_000_000, 160_000_000, steps, "AT-tjänster 2023")

    expected = model_2024(
        63_000_000, 160_000_000, [(Fraction(t), p) for t, p in steps], name="AT-tjänster 2023"
    )
    assert AllocationModel.from_json(written) == expected
