"""Reads of allocation data shared by the officer's, the region's and the auditor's pages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from allocation.engine import reported_posts_of
from allocation.models import AllocationRun, Decision, Deduction, PostsOverride, RunStatus
from regions.models import Region
from submissions.models import GrantRound, Report, ReportVersion, RoundBaseline


@dataclass(frozen=True)
class RegionInputRow:
    """The values the next run would use for one participating region.

    ``filled``/``started`` are the values that count (an officer-entered value, if any,
    else the latest submitted version); ``reported_filled``/``reported_started`` are what the
    region itself submitted. ``baseline_missing`` means the round has no population/plan for
    the region (the run refuses to start until it has one).
    """

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


def latest_version_of(*, grant_round: GrantRound, region: Region) -> ReportVersion | None:
    """The region's latest submitted version for the round, the one that counts
    (``Report.latest_version``), or None if it has not reported (one query)."""
    report = (
        Report.objects.filter(round=grant_round, region=region)
        .select_related("latest_version")
        .first()
    )
    return report.latest_version if report is not None else None


def round_inputs(*, grant_round: GrantRound) -> list[RegionInputRow]:
    """The current inputs of every region that submitted a report, by region short name
    (5 queries, plain values: the forecast reads every region's on a region's dashboard)."""
    # query: the latest version of each report of the round (Report.latest_version)
    versions: dict[int, tuple] = {
        row[0]: row
        for row in Report.objects.filter(round=grant_round, latest_version__isnull=False)
        .order_by()
        .values_list(
            "region_id",
            "latest_version",
            "latest_version__number",
            "latest_version__reference",
            "latest_version__filled_posts",
            "latest_version__started_posts",
        )
    }
    # query: those regions, in the regions' order
    regions = (
        Region.objects.filter(pk__in=versions)
        .order_by("sort_key", "name")
        .values_list("pk", "name", "code")
    )
    # queries: the round's baselines, deductions and officer-entered values, by region
    # (no ordering: into dicts; the models' default ordering would join the regions)
    baselines = {
        row[0]: row
        for row in RoundBaseline.objects.filter(round=grant_round)
        .order_by()
        .values_list("region_id", "population", "plan_text", "plan_low", "plan_high")
    }
    deductions = {
        row[0]: row
        for row in Deduction.objects.filter(round=grant_round)
        .order_by()
        .values_list("region_id", "posts", "reason")
    }
    overrides = {
        row[0]: row
        for row in PostsOverride.objects.filter(round=grant_round)
        .order_by()
        .values_list("region_id", "filled_posts", "started_posts", "reason")
    }
    rows = []
    for region_id, name, code in regions:
        _, version_id, number, reference, filled, started = versions[region_id]
        _, population, plan_text, plan_low, plan_high = baselines.get(
            region_id, (None, None, "", None, None)
        )
        _, deducted, deduction_reason = deductions.get(region_id, (None, 0, ""))
        override = overrides.get(region_id)
        rows.append(
            RegionInputRow(
                region_id=region_id,
                name=name,
                code=code,
                population=population,
                plan_text=plan_text,
                plan_low=plan_low,
                plan_high=plan_high,
                filled=override[1] if override else filled,
                started=override[2] if override else started,
                reported_filled=filled,
                reported_started=started,
                version_id=version_id,
                version_number=number,
                version_reference=reference,
                deducted=deducted,
                deduction_reason=deduction_reason,
                override_reason=override[3] if override else "",
            )
        )
    return rows


def _reported(grant_round: GrantRound) -> QuerySet[Report]:
    """The ids of the regions with a submitted version for the round (a subquery)."""
    return Report.objects.filter(round=grant_round, latest_version__isnull=False).values(
        "region_id"
    )


def regions_reporting(*, grant_round: GrantRound) -> QuerySet[Region]:
    """Regions with a submitted version for the round: they take part in the allocation."""
    return Region.objects.filter(pk__in=_reported(grant_round)).order_by("sort_key", "name")


def regions_not_reporting(*, grant_round: GrantRound) -> QuerySet[Region]:
    """Regions with no submitted version for the round: they did not apply and get nothing."""
    return Region.objects.exclude(pk__in=_reported(grant_round)).order_by("sort_key", "name")


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
        .order_by("region__sort_key", "region__name", "decided_at", "pk")
    )


def deductions_of_round(*, grant_round: GrantRound) -> QuerySet[Deduction]:
    return Deduction.objects.filter(round=grant_round).select_related("region", "created_by")


def overrides_of_round(*, grant_round: GrantRound) -> QuerySet[PostsOverride]:
    return PostsOverride.objects.filter(round=grant_round).select_related("region", "created_by")
