"""The preview: the engine on the latest submitted versions, deductions and officer values."""

from __future__ import annotations

from fractions import Fraction

import pytest

from allocation import engine
from allocation.selectors import round_inputs
from allocation.snapshot import build_snapshot, compute, preview
from tests.allocation.factories import DeductionFactory, PostsOverrideFactory, report_for
from tests.allocation.factories import reported_round as make_round
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


def _engine_result():
    rules = engine.Rules(
        block1=63_000_000,
        block2=160_000_000,
        staircase=tuple(
            engine.Step(Fraction(t), p)
            for t, p in [
                (2, 3_000_000),
                (3, 4_500_000),
                (5, 7_500_000),
                (7, 10_500_000),
                (10, 20_000_000),
                (15, 30_000_000),
            ]
        ),
    )
    regions = [
        engine.RegionInput("Region Alfa", 300_000, Fraction(50), Fraction(50), 56, 55),
        engine.RegionInput("Region Beta", 450_000, Fraction(84), Fraction(89), 90, None),
        engine.RegionInput("Region Gamma", 150_000, Fraction(20), Fraction(20), 21, 21),
    ]
    return engine.allocate(rules, regions)


def test_preview_numbers_match_the_engine_on_the_same_inputs():
    grant_round = make_round()
    result = preview(grant_round)
    assert result.ok
    expected = _engine_result()
    rows = {r["name"]: r for r in result.result["regions"]}
    for region in expected.regions:
        row = rows[region.name]
        assert (row["amounts"]["block1"], row["amounts"]["block2"], row["total"]) == (
            region.block1,
            region.block2,
            region.total,
        )
        assert Fraction(row["values"]["rate"]) == region.rate
        assert Fraction(row["values"]["increase"]) == region.increase
        assert Fraction(row["planned"]) == region.planned
    assert rows["Region Beta"]["planned"] == "173/2"
    assert rows["Region Beta"]["planned_is_range"] is True
    assert result.result["blocks"][0]["paid"] == 63_000_000
    assert result.result["total_paid"] == expected.total_paid


def test_latest_version_counts_and_non_reporting_regions_are_left_out():
    grant_round = make_round()
    late = RegionFactory(code="24", short_name="Delta")
    report_for(grant_round, late, filled=70, started=None, versions=3)
    absent = RegionFactory(code="25", short_name="Epsilon")
    snapshot = build_snapshot(grant_round)
    names = [r["name"] for r in snapshot["regions"]]
    assert names == ["Region Alfa", "Region Beta", "Region Delta", "Region Gamma"]
    delta = next(r for r in snapshot["regions"] if r["name"] == "Region Delta")
    assert (delta["filled"], delta["version_number"]) == (70, 3)
    assert {"region_id": absent.pk, "name": "Region Epsilon", "code": "25"} in snapshot[
        "not_reporting"
    ]


def test_deduction_and_override_change_the_inputs_and_show_their_reasons():
    grant_round = make_round()
    rows = {r.name: r for r in round_inputs(grant_round=grant_round)}
    DeductionFactory(round=grant_round, region_id=rows["Region Alfa"].region_id, posts=3)
    PostsOverrideFactory(
        round=grant_round,
        region_id=rows["Region Gamma"].region_id,
        filled_posts=30,
        started_posts=None,
    )
    snapshot = build_snapshot(grant_round)
    by_name = {r["name"]: r for r in snapshot["regions"]}
    assert by_name["Region Alfa"]["deducted"] == 3
    assert by_name["Region Alfa"]["deduction_reason"].startswith("Två tjänster")
    assert (by_name["Region Gamma"]["filled"], by_name["Region Gamma"]["started"]) == (30, None)
    assert (
        by_name["Region Gamma"]["reported_filled"],
        by_name["Region Gamma"]["reported_started"],
    ) == (21, 21)
    assert by_name["Region Gamma"]["override_reason"]
    result = {r["name"]: r for r in compute(snapshot)["regions"]}
    assert (result["Region Alfa"]["reported_posts"], result["Region Alfa"]["posts"]) == (56, 53)
    assert result["Region Gamma"]["posts"] == 30


def test_preview_reports_a_missing_baseline():
    grant_round = make_round()
    no_baseline = RegionFactory(code="26", short_name="Zeta")
    report_for(grant_round, no_baseline)
    no_baseline.baselines.all().delete()
    result = preview(grant_round)
    assert not result.ok
    assert "Zeta" in result.error
