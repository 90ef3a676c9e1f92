from __future__ import annotations

from fractions import Fraction

import pytest

from allocation.engine import RegionInput
from submissions.demo import DEMO_SUBMITTER, create_demo_reports
from submissions.forecast import compute_model_forecast
from submissions.models import ReportVersion
from tests.factories import RegionFactory
from tests.submissions.factories import baseline, round_2024

pytestmark = pytest.mark.django_db

NAMES = ["Blekinge", "Gotland", "Stockholm", "Uppsala", "Skåne", "Kalmar", "Halland", "Örebro"]


@pytest.fixture
def demo_round():
    grant_round = round_2024()
    for index, name in enumerate(NAMES):
        region = RegionFactory(code=f"{index + 10:02d}", short_name=name)
        baseline(grant_round, region, plan="40", low="40", high="40")
    return grant_round


def test_demo_reports_leave_three_regions_for_the_proxies_and_are_idempotent(demo_round):
    lines = create_demo_reports(grant_round=demo_round)
    versions = ReportVersion.objects.select_related("report__region", "submitted_by")
    reported = {v.report.region.short_name for v in versions}
    assert reported == set(NAMES) - {"Blekinge", "Gotland", "Stockholm"}
    assert {v.submitted_by.email for v in versions} == {DEMO_SUBMITTER}
    assert "Uppsala" in lines[0]
    assert lines[1].startswith("  submitted now (")
    assert "after the round's deadline (2024-11-01 23:59)" in lines[1]
    assert lines[2] == (
        "Demo reports: 5 of 8 regions have a submitted version; "
        "3 without one: Blekinge, Gotland, Stockholm."
    )
    # Again: nothing submitted, and the three regions left for the proxies still have none.
    assert create_demo_reports(grant_round=demo_round) == [
        "Demo reports: none submitted now; 5 of 8 regions already had a submitted version; "
        "3 without one: Blekinge, Gotland, Stockholm."
    ]
    assert ReportVersion.objects.count() == 5


def test_demo_reports_say_which_regions_have_a_draft_only(demo_round):
    from submissions.models import Report

    create_demo_reports(grant_round=demo_round)
    gotland = demo_round.baselines.get(region__short_name="Gotland").region
    Report.objects.create(round=demo_round, region=gotland, filled_posts=12, revision=1)

    assert create_demo_reports(grant_round=demo_round)[-1].endswith(
        "3 without one: Blekinge, Gotland (draft only), Stockholm."
    )
    assert not ReportVersion.objects.filter(report__region=gotland).exists()


def test_demo_numbers_are_plausible_and_several_reach_a_step(demo_round):
    create_demo_reports(grant_round=demo_round)
    versions = list(ReportVersion.objects.select_related("report__region"))
    inputs = [
        RegionInput(
            v.report.region.name,
            160_000,
            Fraction(40),
            Fraction(40),
            v.filled_posts,
            v.started_posts,
            0,
        )
        for v in versions
    ]
    forecasts = [compute_model_forecast(demo_round.model, inputs, row.name) for row in inputs]
    steps = [next(b for b in f.blocks if b.id == "block2").step for f in forecasts]
    assert sum(step is not None for step in steps) >= 2
    assert all(30 <= v.posts <= 60 for v in versions)


def test_no_demo_reports_for_a_round_that_is_not_open():
    grant_round = round_2024(closed=True)
    assert "not open" in create_demo_reports(grant_round=grant_round)[0]
    assert not ReportVersion.objects.exists()
