"""manage.py import_population FILE --round SLUG: SCB's FolkmängdNov, as JSON or CSV."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from submissions.baselines import population_import_stage
from submissions.management.commands._baseline_command import round_by_slug, stage_and_apply


class Command(BaseCommand):
    help = (
        "Import the population on 1 November (SCB table FolkmängdNov, the PxWeb API's JSON "
        "answer or SCB's CSV download) into a draft or open round's baselines."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--round", required=True, dest="slug")

    def handle(self, *, file: Path, slug: str, **options) -> None:
        grant_round = round_by_slug(slug)
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Kan inte läsa {file}: {exc.strerror}") from None
        staged = stage_and_apply(
            lambda: population_import_stage(
                grant_round=grant_round, content=content, name=file.name, by=None
            )
        )
        self.stdout.write(
            f"{len(staged.figures)} regioners befolkning 1 november {staged.population_year} "
            f"införd i {grant_round.slug} (SHA-256 {staged.sha256})."
        )
