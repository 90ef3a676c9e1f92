"""Documents come back from the database as written, object key order too, on SQLite and on
PostgreSQL's jsonb, which sorts keys (atgrant/jsonfields.py): a model's values are evaluated in
the order written (RULES.md)."""

from __future__ import annotations

import pytest
from django.db import connection

from allocation.allocmodel import AllocationModel
from submissions.models import GrantRound
from tests.factories import GrantRoundFactory

pytestmark = pytest.mark.django_db

# Longer names first and out of alphabetical order: jsonb would give "rate", "posts", "increase".
MODEL = {
    "format": 1,
    "name": "Ordning",
    "values": {
        "posts": "max(filled, started) - deducted",
        "rate": "posts * 100000 / population",
        "increase": "posts - planned",
    },
    "totals": {"zeta_total": "sum(posts)", "alpha": "zeta_total * 2"},
    "blocks": [{"id": "only", "name": "Ett block", "budget": 1000, "share": "rate"}],
}


def test_a_model_comes_back_in_the_order_written():
    grant_round = GrantRoundFactory(model=MODEL)

    stored = GrantRound.objects.get(pk=grant_round.pk).model

    assert list(stored["values"]) == ["posts", "rate", "increase"]
    assert list(stored["totals"]) == ["zeta_total", "alpha"]
    assert AllocationModel.from_json(stored).to_json() == MODEL


def test_a_value_stored_before_as_plain_json_is_read_as_it_is():
    grant_round = GrantRoundFactory(model=MODEL)
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE submissions_grantround SET model = %s{cast} WHERE id = %s",
            ['{"format": 1, "name": "Äldre"}', grant_round.pk],
        )

    assert GrantRound.objects.get(pk=grant_round.pk).model == {"format": 1, "name": "Äldre"}
