"""Helpers for reporting tests: a 2024 round with baselines, submitted reports, a clock."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

from submissions.models import STOCKHOLM, Report, ReportVersion
from tests.factories import GrantRoundFactory, RoundBaselineFactory

BEFORE_DEADLINE = dt.datetime(2024, 10, 15, 10, 0, tzinfo=STOCKHOLM)
LAST_SECOND = dt.datetime(2024, 11, 1, 23, 59, 59, tzinfo=STOCKHOLM)
NEXT_DAY = dt.datetime(2024, 11, 2, 0, 0, 0, tzinfo=STOCKHOLM)


@contextmanager
def frozen(when: dt.datetime):
    """Patch django.utils.timezone.now (services, auto_now fields) to `when`."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


def round_2024(**kwargs):
    return GrantRoundFactory(slug=kwargs.pop("slug", "at-2024"), name="AT-bidraget 2024", **kwargs)


def baseline(grant_round, region, plan: str = "84-89", low="84", high="89", population=160_000):
    return RoundBaselineFactory(
        round=grant_round,
        region=region,
        plan_text=plan,
        plan_low=Decimal(low),
        plan_high=Decimal(high),
        population=population,
    )


def submitted(grant_round, region, by, *, filled=90, started=92, number=1, when=BEFORE_DEADLINE):
    """A report with `number` versions already submitted (the last with these values)."""
    report, _ = Report.objects.get_or_create(round=grant_round, region=region)
    Report.objects.filter(pk=report.pk).update(
        filled_posts=filled,
        started_posts=started,
        revision=number,
        updated_by=by,
        contact_name="Kim Kontakt",
        contact_email="kim@region.example.se",
    )
    for n in range(1, number + 1):
        ReportVersion.objects.create(
            report=report,
            number=n,
            reference=f"AT{grant_round.year}-{region.code}-{grant_round.pk:02d}{n:02d}",
            filled_posts=filled,
            started_posts=started,
            contact_name="Kim Kontakt",
            contact_email="kim@region.example.se",
            submitted_at=when,
            submitted_by=by,
        )
    report.refresh_from_db()
    return report
