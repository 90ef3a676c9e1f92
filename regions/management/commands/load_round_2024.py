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
            regions, region_changes = self._regions(rows)
            grant_round, created, done = self._round(deadline_day)
            if created or grant_round.status == RoundStatus.DRAFT:
                done += self._rules_and_baselines(grant_round, rows, regions)
        deadline = grant_round.deadline.astimezone(STOCKHOLM)
        state = f"{grant_round.get_status_display()}, deadline {deadline:%Y-%m-%d %H:%M %Z}"
        if created and region_changes == {"new": len(regions)}:
            self.stdout.write(
                f"Loaded {len(regions)} regions and round {grant_round.slug} ({state})."
            )
        else:
            # Run again: what it found, and only what it changed.
            changes = ", ".join(f"{count} {what}" for what, count in region_changes.items())
            self.stdout.write(
                f"Found {len(regions)} regions ({changes or 'none new or changed'}) and round "
                f"{grant_round.slug} ({'created' if created else 'already loaded'}; {state})."
            )
            for line in done:
                self.stdout.write(f"Round {grant_round.slug}: {line}.")
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

    def _regions(self, rows: list[dict[str, str]]) -> tuple[dict[str, Region], dict[str, int]]:
        """The regions by code, and how many this run created ("new") and changed
        ("updated"): a region already as the data file has it is not written."""
        existing = {region.code: region for region in Region.objects.all()}
        regions, changes = {}, {"new": 0, "updated": 0}
        for row in rows:
            region = existing.get(row["code"]) or Region(code=row["code"])
            fields = [
                field for field in ("name", "short_name") if getattr(region, field) != row[field]
            ]
            for field in fields:
                setattr(region, field, row[field])
            # The official mailbox only fills a blank: an address an officer corrected in the
            # admin (audited there) is not overwritten by running the loader again.
            mailbox = (row.get("registry_email") or "").strip()
            if mailbox and not region.registry_email:
                region.registry_email = mailbox
                fields.append("registry_email")
            if region.pk is None:
                region.save()
                changes["new"] += 1
            elif fields:
                region.save(update_fields=fields)
                changes["updated"] += 1
            regions[row["code"]] = region
        return regions, {what: count for what, count in changes.items() if count}

    def _round(self, deadline_day: dt.date | None) -> tuple[GrantRound, bool, list[str]]:
        """The round, whether this run created it, and what it changed in one it found."""
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
        done: list[str] = []
        if created:
            return grant_round, created, done
        if grant_round.status != RoundStatus.DECIDED:
            # The decision record's fields came after some rounds were loaded; fill those
            # left empty, never overwriting what an officer wrote.
            fill = {k: v for k, v in DECISION_RECORD.items() if v and not getattr(grant_round, k)}
            if grant_round.legal_basis == EARLIER_LEGAL_BASIS:
                fill["legal_basis"] = LEGAL_BASIS
            if fill:
                GrantRound.objects.filter(pk=grant_round.pk).update(**fill)
                grant_round.refresh_from_db()
                done.append(f"decision record completed ({', '.join(sorted(fill))})")
        if deadline_day is not None:
            done.append(self._move_deadline(grant_round, deadline))
        return grant_round, created, done

    def _move_deadline(self, grant_round: GrantRound, deadline: dt.datetime) -> str:
        """--deadline on a round found: moved while a draft or open, else kept; say which."""
        if grant_round.status not in (RoundStatus.DRAFT, RoundStatus.OPEN):
            return (
                f"deadline kept ({grant_round.get_status_display()}: --deadline only moves a "
                "draft or open round's deadline)"
            )
        if grant_round.deadline == deadline:
            return "deadline already the one given"
        before = grant_round.deadline.astimezone(STOCKHOLM)
        grant_round.deadline = deadline
        grant_round.save(update_fields=["deadline"])
        return f"deadline moved from {before:%Y-%m-%d %H:%M %Z} to {deadline:%Y-%m-%d %H:%M %Z}"

    def _rules_and_baselines(
        self, grant_round: GrantRound, rows: list[dict[str, str]], regions: dict[str, Region]
    ) -> list[str]:
        """Write the model (if none), each region's baseline and open the round (a draft);
        say what changed."""
        done = []
        if not grant_round.model:
            # The round's model is what runs and holds its budgets: RULES.md's 2024 model. A
            # model an officer wrote in the model editor is kept.
            grant_round.model = model_2024(BLOCK1, BLOCK2, STAIRCASE).to_json()
            grant_round.save(update_fields=["model"])
            done.append("the 2024 model written")
        existing = {
            baseline.region_id: baseline
            for baseline in RoundBaseline.objects.filter(round=grant_round)
        }
        changes = {"new": 0, "updated": 0}
        for row in rows:
            bounds = parse_plan(row["planned_2024"])
            region = regions[row["code"]]
            values = {
                "population": int(row["population_2023_11_01"]),
                "plan_text": row["planned_2024"],
                "plan_low": Decimal(bounds.low.numerator) / Decimal(bounds.low.denominator),
                "plan_high": Decimal(bounds.high.numerator) / Decimal(bounds.high.denominator),
            }
            baseline = existing.get(region.pk)
            if baseline is None:
                RoundBaseline.objects.create(round=grant_round, region=region, **values)
                changes["new"] += 1
            elif any(getattr(baseline, field) != value for field, value in values.items()):
                for field, value in values.items():
                    setattr(baseline, field, value)
                baseline.save(update_fields=list(values))
                changes["updated"] += 1
        counted = ", ".join(f"{count} {what}" for what, count in changes.items() if count)
        done.append(f"baselines for {len(rows)} regions ({counted or 'none new or changed'})")
        # The 2024 round is published: reports are accepted from its opening date.
        grant_round.status = RoundStatus.OPEN
        grant_round.save(update_fields=["status"])
        done.append("opened for reports (it was a draft)")
        return done
