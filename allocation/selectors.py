"""Reads of allocation data shared by the officer's, the region's and the auditor's pages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from allocation.engine import reported_posts_of
from allocation.models import AllocationRun, Decision, Deduction, PostsOverride, RunStatus
from regions.models import Region
from submissions.models import GrantRound, ReportVersion, RoundBaseline


@dataclass(frozen=True)
class RegionInputRow:
    """The values the next run would use for one participating region.

    ``filled``/``started`` are the values that count (an officer-entered value, if any,
    else the latest submitted version); ``reported_filled``/``reported_started`` are what the
    region itself submitted. ``baseline_missing`` means the round has no population/plan for
    the region (the run refuses to start until it has one).
    """

    region: Region
    region_id: int
    name: str
    code: str
    population: int | None
    plan_text: str
    plan_low: Decimal | None
    plan_high: Decimal | None
    filled: int | None
    started: int | None
    reported_filled: int | None
    reported_started: int | None
    version_id: int
    version_number: int
    version_reference: str
    deducted: int
    deduction_reason: str
    override_reason: str

    @property
    def baseline_missing(self) -> bool:
        # A round in preparation may have one of the two imported and not yet the other.
        return self.population is None or self.plan_low is None

    @property
    def reported_posts(self) -> int:
        return reported_posts_of(self.filled, self.started)

    @property
    def posts(self) -> int:
        return self.reported_posts - self.deducted

    @property
    def overridden(self) -> bool:
        return bool(self.override_reason)


def latest_versions(*, grant_round: GrantRound) -> dict[int, ReportVersion]:
    """region id -> the latest submitted version of its report for the round (it counts)."""
    latest: dict[int, ReportVersion] = {}
    versions = (
        ReportVersion.objects.filter(report__round=grant_round)
        .select_related("report")
        .order_by("report__region_id", "-number")
    )
    for version in versions:
        latest.setdefault(version.report.region_id, version)
    return latest


def round_inputs(*, grant_round: GrantRound) -> list[RegionInputRow]:
    """The current inputs of every region that submitted a report, by region short name."""
    versions = latest_versions(grant_round=grant_round)
    regions = Region.objects.filter(pk__in=versions).order_by("sort_key", "name")
    # (no ordering: into dicts; the models' default ordering would join the regions)
    baselines = {b.region_id: b for b in RoundBaseline.objects.filter(round=grant_round).order_by()}
    deductions = {d.region_id: d for d in Deduction.objects.filter(round=grant_round).order_by()}
    overrides = {o.region_id: o for o in PostsOverride.objects.filter(round=grant_round).order_by()}
    rows = []
    for region in regions:
        version = versions[region.pk]
        baseline = baselines.get(region.pk)
        deduction = deductions.get(region.pk)
        override = overrides.get(region.pk)
        filled, started = version.filled_posts, version.started_posts
        if override is not None:
            filled, started = override.filled_posts, override.started_posts
        rows.append(
            RegionInputRow(
                region=region,
                region_id=region.pk,
                name=region.name,
                code=region.code,
                population=baseline.population if baseline else None,
                plan_text=baseline.plan_text if baseline else "",
                plan_low=baseline.plan_low if baseline else None,
                plan_high=baseline.plan_high if baseline else None,
                filled=filled,
                started=started,
                reported_filled=version.filled_posts,
                reported_started=version.started_posts,
                version_id=version.pk,
                version_number=version.number,
                version_reference=version.reference,
                deducted=deduction.posts if deduction else 0,
                deduction_reason=deduction.reason if deduction else "",
                override_reason=override.reason if override else "",
            )
        )
    return rows


def regions_not_reporting(*, grant_round: GrantRound) -> QuerySet[Region]:
    """Regions with no submitted version for the round: they did not apply and get nothing."""
    reported = ReportVersion.objects.filter(report__round=grant_round).values("report__region_id")
    return Region.objects.exclude(pk__in=reported).order_by("sort_key", "name")


def runs_of_round(*, grant_round: GrantRound) -> QuerySet[AllocationRun]:
    return AllocationRun.objects.filter(round=grant_round).select_related("requested_by")


def latest_done_run(*, grant_round: GrantRound) -> AllocationRun | None:
    return (
        AllocationRun.objects.filter(round=grant_round, status=RunStatus.DONE)
        .order_by("-number")
        .first()
    )


def issued_run(*, grant_round: GrantRound) -> AllocationRun | None:
    """The run whose decisions were issued, if the round is decided."""
    return (
        AllocationRun.objects.filter(round=grant_round, issued_at__isnull=False)
        .order_by("-number")
        .first()
    )


def decisions_in_force(*, grant_round: GrantRound) -> QuerySet[Decision]:
    """One decision per participating region: the latest of its chain (not replaced)."""
    return (
        Decision.objects.filter(round=grant_round, replaced_by__isnull=True)
        .select_related("region", "run", "round")
        .order_by("region__sort_key")
    )


def decisions_for_region(*, region: Region) -> QuerySet[Decision]:
    """Every decision of the region, replaced ones included, newest first."""
    return (
        Decision.objects.filter(region=region)
        .select_related("round", "run", "replaces", "replaced_by", "region")
        .order_by("-decided_at", "-pk")
    )


def decisions_of_round(*, grant_round: GrantRound) -> QuerySet[Decision]:
    """Every decision of the round, replaced ones included."""
    return (
        Decision.objects.filter(round=grant_round)
        .select_related("region", "run", "replaces", "replaced_by", "decided_by")
        .order_by("region__sort_key", "decided_at", "pk")
    )


def deductions_of_round(*, grant_round: GrantRound) -> QuerySet[Deduction]:
    return Deduction.objects.filter(round=grant_round).select_related("region", "created_by")


def overrides_of_round(*, grant_round: GrantRound) -> QuerySet[PostsOverride]:
    return PostsOverride.objects.filter(round=grant_round).select_related("region", "created_by")
