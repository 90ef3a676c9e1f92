"""Report.latest_version: the version that counts, kept by ReportVersion.save and filled in
by migration 0012 for the versions before it; the lists read it with a join."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from submissions.models import STOCKHOLM, GrantRound, Report, ReportVersion
from submissions.selectors import round_report_rows, with_report_counts
from submissions.services import ReportData, report_save_draft, report_submit
from tests.allocation.factories import eager_celery  # noqa: F401 - a fixture
from tests.factories import RegionFactory
from tests.submissions.factories import BEFORE_DEADLINE, baseline, frozen, round_2024, submitted


def _data(filled: int) -> ReportData:
    return ReportData(
        filled_posts=filled,
        started_posts=filled,
        contact_name="Kim Kontakt",
        contact_email="kim@region.example.se",
    )


@pytest.fixture
def grant_round(region, other_region):
    grant_round = round_2024()
    baseline(grant_round, region, plan="30", low="30", high="30")
    baseline(grant_round, other_region, plan="20", low="20", high="20")
    return grant_round


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_celery")
def test_each_submission_becomes_the_latest_version(grant_round, region, proxy):
    with frozen(BEFORE_DEADLINE):
        first = report_submit(
            grant_round=grant_round, region=region, data=_data(30), revision=0, by=proxy
        )
        report = Report.objects.get()
        assert report.latest_version == first
        report_save_draft(
            grant_round=grant_round, region=region, data=_data(31), revision=1, by=proxy
        )
        assert Report.objects.get().latest_version == first  # a draft does not count
        second = report_submit(
            grant_round=grant_round, region=region, data=_data(32), revision=2, by=proxy
        )
    report = Report.objects.get()
    assert report.latest_version == second and second.number == 2
    [row] = [r for r in round_report_rows(grant_round) if r.report is not None]
    assert row.latest_version == second and row.version_count == 2


@pytest.mark.django_db
def test_an_earlier_number_written_later_does_not_replace_the_latest(grant_round, region, proxy):
    submitted(grant_round, region, proxy, number=1)
    report = Report.objects.get()
    third = ReportVersion.objects.create(
        report=report,
        number=3,
        reference="AT2024-X-3",
        filled_posts=5,
        submitted_at=BEFORE_DEADLINE,
        submitted_by=proxy,
    )
    ReportVersion.objects.create(
        report=report,
        number=2,
        reference="AT2024-X-2",
        filled_posts=4,
        submitted_at=BEFORE_DEADLINE,
        submitted_by=proxy,
    )
    assert Report.objects.get().latest_version == third


@pytest.mark.django_db
def test_the_rounds_counts_agree_with_its_rows(grant_round, region, other_region, proxy):
    """The officer's summary (one query for the whole round) says what the rows say one by
    one: applied = a version sent in; unsent = a draft beside it, or never sent in."""
    submitted(grant_round, region, proxy)
    Report.objects.filter(round=grant_round, region=region).update(filled_posts=91, revision=2)
    Report.objects.create(round=grant_round, region=other_region, filled_posts=3, revision=1)
    submitted(grant_round, RegionFactory(code="23", name="Region Jämtland Härjedalen"), proxy)
    RegionFactory(code="25", name="Region Norrbotten")  # no report
    rows = round_report_rows(grant_round)
    assert len(rows) == 4
    counted = with_report_counts(GrantRound.objects).get(pk=grant_round.pk)
    assert (counted.applied_count, counted.unsent_count) == (
        sum(row.applied for row in rows),
        sum(row.unsent_changes for row in rows),
    )
    assert (counted.applied_count, counted.unsent_count) == (2, 2)


BEFORE = [("submissions", "0011_model_only_budgets")]
AFTER = [("submissions", "0012_report_latest_version")]


def _migrate(targets):  # noqa: ANN001, ANN202
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_points_each_report_to_its_highest_version():
    apps = _migrate(BEFORE)
    try:
        GrantRound = apps.get_model("submissions", "GrantRound")  # noqa: N806
        User = apps.get_model("auth", "User")  # noqa: N806
        Report = apps.get_model("submissions", "Report")  # noqa: N806
        Version = apps.get_model("submissions", "ReportVersion")  # noqa: N806
        grant_round = GrantRound.objects.create(
            name="AT-bidraget 2024",
            year=2024,
            slug="at-2024",
            opens_at=dt.datetime(2024, 4, 15, tzinfo=STOCKHOLM),
            deadline=dt.datetime(2024, 11, 1, 23, 59, 59, tzinfo=STOCKHOLM),
            population_date=dt.date(2023, 11, 1),
        )
        user = User.objects.create(username="ombud@region.se", email="ombud@region.se")
        reports = [
            Report.objects.create(
                round=grant_round,
                # The regions' table is as today's (only this app's migrations went back).
                region_id=RegionFactory(code=code).pk,
            )
            for code in ("10", "12")
        ]
        for number in (1, 3, 2):  # written in any order: the highest number counts
            Version.objects.create(
                report=reports[0],
                number=number,
                reference=f"AT2024-10-{number}",
                filled_posts=number,
                submitted_at=dt.datetime(2024, 10, number, tzinfo=STOCKHOLM),
                submitted_by=user,
            )

        apps = _migrate(AFTER)
        Report = apps.get_model("submissions", "Report")  # noqa: N806
        pointers = dict(
            Report.objects.order_by("pk").values_list("region__code", "latest_version__number")
        )
        assert pointers == {"10": 3, "12": None}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
