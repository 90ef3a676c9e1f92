"""manage.py fetch_population --year YYYY --round SLUG: ask SCB's PxWeb API and import."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from regions.models import Region
from submissions.baselines import population_import_stage
from submissions.management.commands._baseline_command import (
    changes,
    round_by_slug,
    stage_and_apply,
)
from submissions.scb_api import ScbApiError, fetch_population


class Command(BaseCommand):
    help = (
        "Ask SCB's PxWeb API (ATGRANT_SCB_PXWEB_URL) for the population on 1 November YEAR "
        "per region and import the answer into a draft or open round's baselines."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--round", required=True, dest="slug")

    def handle(self, *, year: int, slug: str, **options) -> None:
        grant_round = round_by_slug(slug)
        url = settings.ATGRANT_SCB_PXWEB_URL
        codes = list(Region.objects.values_list("code", flat=True))
        if not codes:
            raise CommandError("Registret har inga regioner att fråga SCB om.")
        try:
            answer = fetch_population(url=url, year=year, county_codes=codes)
        except ScbApiError as exc:
            raise CommandError(str(exc)) from None
        staged, changed = stage_and_apply(
            lambda: population_import_stage(
                grant_round=grant_round,
                content=answer,
                name=f"scb-folkmangdnov-{year}.json",
                by=None,
                from_api=True,
            ),
            grant_round,
        )
        self.stdout.write(
            f"{len(staged.figures)} regioners befolkning 1 november {year} från SCB "
            f"införd i {grant_round.slug} ({changes(staged, changed)}; SHA-256 {staged.sha256})."
        )
