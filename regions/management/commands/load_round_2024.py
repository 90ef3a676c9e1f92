"""Load the 2024 round: the 21 regions, the rules of 2024 and each region's plan and population.

Idempotent: running it again changes nothing that is already right and never
touches reports, decisions or a round that has left the draft state's rules.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from allocation.allocmodel import model_2024
from allocation.plans import PlanError, parse_plan
from regions.demo import create_demo_users
from regions.models import Region
from submissions.models import (
    STOCKHOLM,
    GrantRound,
    RoundBaseline,
    RoundStatus,
    default_deadline,
)

DATA_FILE = Path(__file__).resolve().parents[3] / "submissions" / "data" / "regions_2024.csv"

ROUND_SLUG = "at-2024"
ROUND_NAME = "Statsbidrag för att öka antalet AT-tjänster 2024"
# RULES.md's 2024 model, written into the round's model: budgets in kronor, the staircase as
# (increase in posts, payout in kronor).
BLOCK1 = 63_000_000
BLOCK2 = 160_000_000
STAIRCASE = [
    (2, 3_000_000),
    (3, 4_500_000),
    (5, 7_500_000),
    (7, 10_500_000),
    (10, 20_000_000),
    (15, 30_000_000),
]
# The government decision of 22 March 2024 (the seeds give its date and title, not its
# diarienummer): an officer completes the reference in the admin before the decisions.
GOVERNMENT_DECISION = (
    "Regeringsbeslut den 22 mars 2024, Uppdrag att fördela och betala ut medel för att öka "
    "antalet tjänster för allmäntjänstgöring (Socialdepartementet)"
)
LEGAL_BASIS = (
    "Regeringens uppdrag att under 2024 fördela och betala ut prestationsbaserade medel till "
    "regionerna i syfte att öka antalet AT-tjänster, och Socialstyrelsens anvisningar för "
    "statsbidraget 2024. Planeringsunderlaget är bilaga 2 till regeringens uppdrag. De "
    "AT-tjänster som låg till grund för utbetalning av 2023 års statsbidrag (S2023/00678) får "
    "inte ligga till grund för utbetalning av 2024 års medel."
)
# What earlier versions of this command wrote, with the reference cut to "(S2024)".
EARLIER_LEGAL_BASIS = (
    "Regeringens beslut den 22 mars 2024 om uppdrag att fördela och betala ut medel för att öka "
    "antalet tjänster för allmäntjänstgöring (S2024), och Socialstyrelsens anvisningar för "
    "statsbidraget 2024."
)
# Decided on a government assignment, not under a grant ordinance that forbids an appeal:
# förvaltningslagen 41-42 §§ apply and the decisions may be appealed.
DECISION_RECORD = {
    "government_decision": GOVERNMENT_DECISION,
    "legal_basis": LEGAL_BASIS,
    "appealable": True,
    "no_appeal_reason": "",
    "single_officer_allowed": False,
}


def read_rows(path: Path) -> list[dict[str, str]]:
    expected = {"code", "name", "short_name", "planned_2024", "population_2023_11_01"}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = expected - set(reader.fieldnames or [])
        if missing:
            raise CommandError(f"{path}: missing columns {', '.join(sorted(missing))}")
        rows = list(reader)
    for line, row in enumerate(rows, start=2):
        try:
            parse_plan(row["planned_2024"])
            if int(row["population_2023_11_01"]) <= 0:
                raise ValueError("population must be positive")
            if (row.get("registry_email") or "").strip():
                validate_email(row["registry_email"].strip())
        except ValidationError as exc:
            raise CommandError(f"{path}, line {line}: {' '.join(exc.messages)}") from exc
        except (PlanError, ValueError) as exc:
            raise CommandError(f"{path}, line {line}: {exc}") from exc
    return rows


def demo_allowed() -> bool:
    """The demo data (users with a published password and TOTP secret) may be loaded only in
    the embedded mode: no DATABASE_URL (SQLite in var/) and DEBUG on, as `make run` has it."""
    return bool(getattr(settings, "ATGRANT_EMBEDDED", False) and settings.DEBUG)


class Command(BaseCommand):
    help = "Create or update the 21 regions and the 2024 grant round (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo",
            action="store_true",
            help=(
                "Also create demo users (printed), reports for most regions, and 14-day "
                "extensions for the demo proxies' regions."
            ),
        )
        parser.add_argument(
            "--force-demo",
            action="store_true",
            help=(
                "Load the demo data even outside the embedded mode (DATABASE_URL set or DEBUG "
                "off). The demo officer's password and TOTP secret are public: never in "
                "production."
            ),
        )
        parser.add_argument(
            "--deadline",
            type=dt.date.fromisoformat,
            help="The last day for reports (YYYY-MM-DD, the whole day, Europe/Stockholm).",
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["force_demo"] and not options["demo"]:
            raise CommandError("--force-demo only goes with --demo.")
        if options["demo"] and not options["force_demo"] and not demo_allowed():
            raise CommandError(
                "Refusing --demo: this is not the embedded mode (DATABASE_URL is set or DEBUG "
                "is off). The demo creates a staff officer whose password and TOTP secret are "
                "published; add --force-demo only on a throwaway installation."
            )
        rows = read_rows(DATA_FILE)
        deadline_day: dt.date | None = options["deadline"]  # type: ignore[assignment]
        with transaction.atomic():
            regions = self._regions(rows)
            grant_round, created = self._round(deadline_day)
            if created or grant_round.status == RoundStatus.DRAFT:
                self._rules_and_baselines(grant_round, rows, regions)
            elif deadline_day is not None:
                self.stdout.write(
                    f"Round {grant_round.slug} is {grant_round.status}; deadline kept."
                )
        self.stdout.write(
            f"Loaded {len(regions)} regions and round {grant_round.slug} "
            f"({grant_round.get_status_display()}, "
            f"deadline {grant_round.deadline:%Y-%m-%d %H:%M %Z})."
        )
        if options["demo"]:
            for line in create_demo_users(grant_round=grant_round):
                self.stdout.write(line)
            self._demo_reports(grant_round)

    def _demo_reports(self, grant_round: GrantRound) -> None:
        from django.contrib.auth import get_user_model

        from submissions.demo import create_demo_extensions, create_demo_reports

        officer = get_user_model().objects.get(username="handlaggare@demo.atgrant.se")
        for line in create_demo_reports(grant_round=grant_round):
            self.stdout.write(line)
        for line in create_demo_extensions(grant_round=grant_round, officer=officer):
            self.stdout.write(line)

    def _regions(self, rows: list[dict[str, str]]) -> dict[str, Region]:
        regions = {}
        for row in rows:
            region, _ = Region.objects.update_or_create(
                code=row["code"], defaults={"name": row["name"], "short_name": row["short_name"]}
            )
            # The official mailbox only fills a blank: an address an officer corrected in the
            # admin (audited there) is not overwritten by running the loader again.
            mailbox = (row.get("registry_email") or "").strip()
            if mailbox and not region.registry_email:
                region.registry_email = mailbox
                region.save(update_fields=["registry_email"])
            regions[row["code"]] = region
        return regions

    def _round(self, deadline_day: dt.date | None) -> tuple[GrantRound, bool]:
        deadline = default_deadline(2024)
        if deadline_day is not None:
            deadline = dt.datetime.combine(deadline_day, dt.time(23, 59, 59), tzinfo=STOCKHOLM)
        grant_round, created = GrantRound.objects.get_or_create(
            slug=ROUND_SLUG,
            defaults={
                "name": ROUND_NAME,
                "year": 2024,
                "opens_at": dt.datetime(2024, 4, 15, tzinfo=STOCKHOLM),
                "deadline": deadline,
                "status": RoundStatus.DRAFT,
                "population_date": dt.date(2023, 11, 1),
                **DECISION_RECORD,
            },
        )
        if not created and grant_round.status != RoundStatus.DECIDED:
            # The decision record's fields came after some rounds were loaded; fill those
            # left empty, never overwriting what an officer wrote.
            fill = {k: v for k, v in DECISION_RECORD.items() if v and not getattr(grant_round, k)}
            if grant_round.legal_basis == EARLIER_LEGAL_BASIS:
                fill["legal_basis"] = LEGAL_BASIS
            if fill:
                GrantRound.objects.filter(pk=grant_round.pk).update(**fill)
                grant_round.refresh_from_db()
        if (
            not created
            and deadline_day is not None
            and grant_round.status
            in (
                RoundStatus.DRAFT,
                RoundStatus.OPEN,
            )
        ):
            grant_round.deadline = deadline
            grant_round.save(update_fields=["deadline"])
        return grant_round, created

    def _rules_and_baselines(
        self, grant_round: GrantRound, rows: list[dict[str, str]], regions: dict[str, Region]
    ) -> None:
        if not grant_round.model:
            # The round's model is what runs and holds its budgets: RULES.md's 2024 model. A
            # model an officer wrote in the model editor is kept.
            grant_round.model = model_2024(BLOCK1, BLOCK2, STAIRCASE).to_json()
            grant_round.save(update_fields=["model"])
        for row in rows:
            bounds = parse_plan(row["planned_2024"])
            RoundBaseline.objects.update_or_create(
                round=grant_round,
                region=regions[row["code"]],
                defaults={
                    "population": int(row["population_2023_11_01"]),
                    "plan_text": row["planned_2024"],
                    "plan_low": Decimal(bounds.low.numerator) / Decimal(bounds.low.denominator),
                    "plan_high": Decimal(bounds.high.numerator) / Decimal(bounds.high.denominator),
                },
            )
        # The 2024 round is published: reports are accepted from its opening date.
        grant_round.status = RoundStatus.OPEN
        grant_round.save(update_fields=["status"])
