"""``manage.py allocate_csv INPUT.csv [--rules MODEL.json] [--output OUT.csv]``.

A thin wrapper round :mod:`allocation.csvtool`: it runs an allocation model (RULES.md) on a
CSV of regions without touching the database, so anyone can re-compute a round's numbers
offline. A bad input or model: a message on stderr, a non-zero exit, nothing written.
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
        "The model (RULES.md, format 1, or the 2024 rules file) defaults to the 2024 model. "
        "Columns: region, each value (at most 6 decimals, half up), each block's kronor, "
        "total. A totals summary goes to stderr."
    )
    # Pure computation: no models, so system checks (and the database) are not needed.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("input", help="UTF-8 CSV file with one row per region")
        parser.add_argument(
            "--rules",
            help="model JSON (format 1, or the 2024 rules file); default: the 2024 model",
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
