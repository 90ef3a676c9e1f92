"""Preparing a round's baselines: population figures (SCB) and plans, imported from files.

An import is two steps, so that an officer sees the figures before they count: ``*_stage``
parses the file, refuses it with every problem and its line (nothing written), or keeps the
raw file with its SHA-256 hash as a BaselineImport; ``baseline_import_apply`` writes its
figures into the round's RoundBaseline rows, atomically and audited. The commands do both.
Only a round that is a draft or open can be changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from regions.models import Region
from regions.roles import is_officer
from submissions.models import (
    BaselineImport,
    GrantRound,
    ImportKind,
    ImportSource,
    RoundBaseline,
    RoundStatus,
)
from submissions.plan_csv import parse_plan_csv
from submissions.scb import FileProblem, ImportFileError, parse_population

PREPARABLE = (RoundStatus.DRAFT, RoundStatus.OPEN)
# A population that moved more than this since the previous round is flagged for a second look.
FLAG_CHANGE_PERCENT = Decimal(5)


def _check(*, grant_round: GrantRound, by: AbstractBaseUser | None) -> None:
    if by is not None and not is_officer(by):
        raise PermissionDenied(_("Endast handläggare kan importera underlag till en omgång."))
    if grant_round.status not in PREPARABLE:
        raise ValidationError(
            _(
                "Omgången är %(status)s: underlag kan bara ändras i ett utkast eller en "
                "öppen omgång."
            )
            % {"status": grant_round.status_label.lower()}
        )


def _refuse(problems: list[FileProblem]) -> ValidationError:
    return ValidationError([str(problem) for problem in problems], code="bad_file")


def _codes_problems(codes: set[str], *, require_all: bool) -> list[FileProblem]:
    known = set(Region.objects.values_list("code", flat=True))
    problems = [
        FileProblem(None, _("länskod %(code)s är ingen region i registret") % {"code": code})
        for code in sorted(codes - known)
    ]
    if require_all:
        problems += [
            FileProblem(None, _("region med länskod %(code)s saknas i filen") % {"code": code})
            for code in sorted(known - codes)
        ]
    return problems


def _keep(
    *,
    grant_round: GrantRound,
    kind: str,
    source: str,
    content: bytes,
    name: str,
    figures: dict,
    year: int | None,
    by: AbstractBaseUser | None,
) -> BaselineImport:
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        staged = BaselineImport(
            round=grant_round,
            kind=kind,
            source=source,
            original_name=name[:255],
            size=len(content),
            sha256=digest,
            population_year=year,
            figures=figures,
            imported_by=by,
        )
        staged.file.save(digest, ContentFile(content), save=False)
        staged.save()
        audit_record(
            action="baseline.import_received",
            actor=by,
            obj=staged,
            after={
                "import_kind": kind,
                "import_source": source,
                "file_name": staged.original_name,
                "file_sha256": digest,
            },
            round_id=grant_round.pk,
        )
    return staged


def population_import_stage(
    *,
    grant_round: GrantRound,
    content: bytes,
    name: str,
    by: AbstractBaseUser | None,
    from_api: bool = False,
) -> BaselineImport:
    """Parse an SCB file (JSON or CSV, told apart by its content) and keep it, unapplied.

    The figures must be for 1 November of the year of the round's population date, and name
    every region of the registry and no other county. Raises ValidationError with one message
    per problem ("rad 12: ..."), PermissionDenied for a non-officer.
    """
    _check(grant_round=grant_round, by=by)
    try:
        table = parse_population(content)
        problems: list[FileProblem] = []
        codes, year = set(table.counties), table.year
    except ImportFileError as exc:
        # Every problem in one pass: the counties and the year the file names are checked
        # too, whenever it could be read that far.
        if exc.codes is None:
            raise _refuse(exc.problems) from None
        table, problems, codes, year = None, list(exc.problems), exc.codes, exc.year
    problems += _codes_problems(codes, require_all=True)
    expected = grant_round.population_date.year
    if year is not None and year != expected:
        problems.insert(
            0,
            FileProblem(
                None,
                _(
                    "filen gäller %(year)s men omgången räknar med befolkningen "
                    "1 november %(expected)s"
                )
                % {"year": year, "expected": expected},
            ),
        )
    if problems or table is None:
        raise _refuse(problems)
    is_json = content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")
    source = (
        ImportSource.SCB_API
        if from_api
        else (ImportSource.SCB_JSON if is_json else ImportSource.SCB_CSV)
    )
    return _keep(
        grant_round=grant_round,
        kind=ImportKind.POPULATION,
        source=source,
        content=content,
        name=name,
        figures=table.totals(),
        year=table.year,
        by=by,
    )


def plan_import_stage(
    *, grant_round: GrantRound, content: bytes, name: str, by: AbstractBaseUser | None
) -> BaselineImport:
    """Parse a plan CSV (see submissions.plan_csv) and keep it, unapplied.

    Regions not in the file keep their plan. Raises ValidationError with one message per
    bad line, PermissionDenied for a non-officer.
    """
    _check(grant_round=grant_round, by=by)
    try:
        plans = parse_plan_csv(content)
        problems: list[FileProblem] = []
        codes = set(plans)
    except ImportFileError as exc:
        if exc.codes is None:
            raise _refuse(exc.problems) from None
        plans, problems, codes = {}, list(exc.problems), exc.codes
    problems += _codes_problems(codes, require_all=False)
    if problems:
        raise _refuse(problems)
    return _keep(
        grant_round=grant_round,
        kind=ImportKind.PLAN,
        source=ImportSource.PLAN_CSV,
        content=content,
        name=name,
        figures={code: row.text for code, row in sorted(plans.items())},
        year=None,
        by=by,
    )


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def set_plan_bounds(baseline: RoundBaseline, text: str) -> None:
    """Set the plan as written and the bounds allocation.plans.parse_plan reads from it
    (none for an empty text). Raises allocation.plans.PlanError (a ValueError)."""
    from allocation.plans import parse_plan

    text = text.strip()
    if not text:
        baseline.plan_text, baseline.plan_low, baseline.plan_high = "", None, None
        return
    bounds = parse_plan(text)
    baseline.plan_text = text
    baseline.plan_low, baseline.plan_high = _decimal(bounds.low), _decimal(bounds.high)


def baseline_import_apply(
    *, baseline_import: BaselineImport, by: AbstractBaseUser | None
) -> BaselineImport:
    """Write a staged import's figures into the round's baselines (creating a region's row
    where it has none), in one transaction with one audit event holding every change."""
    with transaction.atomic():
        staged = BaselineImport.objects.select_for_update().get(pk=baseline_import.pk)
        grant_round = GrantRound.objects.select_for_update().get(pk=staged.round_id)
        _check(grant_round=grant_round, by=by)
        if staged.applied_at is not None:
            raise ValidationError(_("Den här filen är redan införd i omgången."))
        regions = {r.code: r for r in Region.objects.filter(code__in=staged.figures)}
        existing = {
            b.region_id: b for b in RoundBaseline.objects.filter(round=grant_round).order_by()
        }
        population = staged.kind == ImportKind.POPULATION
        before, after = {}, {}
        for code, value in sorted(staged.figures.items()):
            region = regions[code]
            baseline = existing.get(region.pk) or RoundBaseline(round=grant_round, region=region)
            if population:
                before[code], after[code] = baseline.population, value
                baseline.population = value
            else:
                before[code], after[code] = baseline.plan_text or None, value
                set_plan_bounds(baseline, value)
            baseline.save()
        staged.applied_at, staged.applied_by = timezone.now(), by
        staged.save(update_fields=["applied_at", "applied_by"])
        audit_record(
            action="baseline.population_imported" if population else "baseline.plan_imported",
            actor=by,
            obj=grant_round,
            # Per county code, what the round had and what the file brought.
            before={"population": before} if population else {"plan": before},
            after={"population": after} if population else {"plan": after},
            message=f"{staged.original_name} (SHA-256 {staged.sha256})",
            round_id=grant_round.pk,
        )
    baseline_import.applied_at, baseline_import.applied_by = staged.applied_at, by
    return staged


# --- reads -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonRow:
    """One region of a staged import beside today's figure and the previous round's."""

    region: Region
    new: int | str
    current: int | str | None
    previous: int | str | None
    change_percent: Decimal | None

    @property
    def flagged(self) -> bool:
        return self.change_percent is not None and abs(self.change_percent) > FLAG_CHANGE_PERCENT

    @property
    def changed(self) -> bool:
        return self.new != self.current


def previous_round(grant_round: GrantRound) -> GrantRound | None:
    """The latest round of an earlier year: its figures are the ones to compare with."""
    return GrantRound.objects.filter(year__lt=grant_round.year).order_by("-year", "-pk").first()


def import_comparison(
    *, baseline_import: BaselineImport, earlier: GrantRound | None
) -> list[ComparisonRow]:
    """Every region in the import, by county code, beside this round's figures and those of
    ``earlier`` (see previous_round), in three queries (regions, this round's baselines, the
    earlier round's). Change in percent against the earlier round, to one decimal, for
    population only."""
    field = "population" if baseline_import.kind == ImportKind.POPULATION else "plan_text"
    grant_round = baseline_import.round
    regions = Region.objects.filter(code__in=baseline_import.figures).order_by("code")
    current = dict(
        RoundBaseline.objects.filter(round=grant_round).order_by().values_list("region_id", field)
    )
    previous = (
        dict(RoundBaseline.objects.filter(round=earlier).order_by().values_list("region_id", field))
        if earlier
        else {}
    )
    rows = []
    for region in regions:
        new = baseline_import.figures[region.code]
        before = previous.get(region.pk)
        change = None
        if field == "population" and before:
            exact = Decimal(new - before) * 100 / Decimal(before)
            change = exact.quantize(Decimal("0.1"), ROUND_HALF_UP)
        rows.append(
            ComparisonRow(
                region=region,
                new=new,
                current=current.get(region.pk) or None,
                previous=before or None,
                change_percent=change,
            )
        )
    return rows
