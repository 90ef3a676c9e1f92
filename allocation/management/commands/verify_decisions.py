"""`python manage.py verify_decisions`: recompute every run, check every decision and the chain."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from allocation.verify import verify_all


class Command(BaseCommand):
    help = (
        "Räknar om varje klar fördelningskörning från dess underlag, kontrollerar varje beslut "
        "och kontrollkedjan, och rapporterar varje avvikelse."
    )

    def handle(self, *args: object, **options: object) -> None:
        report = verify_all()
        for problem in report.problems:
            self.stderr.write(problem)
        summary = (
            f"{report.checked_runs} runs, {report.checked_decisions} decisions, "
            f"{report.checked_links} chain links checked: "
        )
        if not report.ok:
            raise CommandError(summary + f"{len(report.problems)} problem(s)")
        self.stdout.write(summary + "OK")
