"""`manage.py close_due_rounds`: the beat task's work, for a setup without a broker (cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from submissions.closing import close_due_rounds


class Command(BaseCommand):
    help = "Stänger varje öppen omgång vars sista dag har passerat."

    def handle(self, *args: object, **options: object) -> None:
        closed = close_due_rounds(now=timezone.now())
        for grant_round in closed:
            self.stdout.write(f"closed {grant_round.slug}")
        if not closed:
            self.stdout.write("no round due")
