"""``manage.py allocate_csv INPUT.csv [--rules RULES.json] [--output OUT.csv]``.

A thin wrapper round :mod:`allocation.csvtool`: it runs the engine on a CSV of regions
without touching the database, so an officer can check a round's numbers offline.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from allocation import csvtool


class Command(BaseCommand):
    help = (
        "Allocate a grant round from a CSV of regions "
        "(region,population,planned,filled,started[,deducted]) and print the amounts as CSV. "
        "Rules default to the 2024 rules. A totals summary goes to stderr. "
        "rate_per_100k is shown rounded half up to 4 decimals; the engine uses the exact rate."
    )
    # Pure computation: no models, so system checks (and the database) are not needed.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("input", help="UTF-8 CSV file with one row per region")
        parser.add_argument(
            "--rules", help="rules JSON (block1, block2, staircase); default: 2024 rules"
        )
        parser.add_argument("--output", help="write the CSV here (atomically) instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = csvtool.run(options["input"], options["rules"])
            if options["output"]:
                csvtool.write_atomic(options["output"], outcome.csv_text)
        except csvtool.CsvToolError as exc:
            raise CommandError(str(exc)) from exc
        if not options["output"]:
            self.stdout.write(outcome.csv_text, ending="")
        self.stderr.write(outcome.summary, ending="")
