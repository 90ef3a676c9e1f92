"""Reads of reports shared by the views: the region's cards and the officer's table.

Every function loads in a fixed number of queries whatever the number of regions or rounds
(bulk queries, then grouping in Python); the tests pin the counts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from allocation.engine import RegionInput, reported_posts_of
from regions.models import Region
from regions.roles import is_agency_reader, regions_of
from submissions.deadlines import effective_deadline, write_refusal
from submissions.forecast import ModelForecast, compute_model_forecast
from submissions.models import (
    DeadlineExtension,
    GrantRound,
    Report,
    ReportVersion,
    RoundBaseline,
    RoundStatus,
    has_unsent_changes,
)
from submissions.plausibility import Previous, unusual_figures

NOT_STARTED = "not_started"
DRAFT = "draft"
SUBMITTED = "submitted"
CHANGED = "changed"  # submitted, then changed as a draft that is not sent in
LOCKED = "locked"


def time_left_text(deadline: dt.datetime, now: dt.datetime) -> str:
    """The server's rendering of the live time-left (static/js/atgrant.js updates it)."""
    seconds = int((deadline - now).total_seconds())
    if seconds < 0:
        return _("Sista dag har passerat")
    minutes = seconds // 60
    return _("%(d)s d %(h)s tim %(m)s min kvar") % {
        "d": minutes // 1440,
        "h": (minutes % 1440) // 60,
        "m": minutes % 60,
    }


@dataclass
class ReportCard:
    """One region's report for one round, with everything the pages show about it."""

    grant_round: GrantRound
    region: Region
    baseline: RoundBaseline | None
    report: Report | None
    versions: list[ReportVersion]  # newest first
    extension: DeadlineExtension | None
    now: dt.datetime

    @property
    def latest_version(self) -> ReportVersion | None:
        """The latest submitted version: the one that counts, never the working copy."""
        return self.versions[0] if self.versions else None

    @property
    def extension_in_force(self) -> DeadlineExtension | None:
        """The region's extension while the round is open; closing the round ended it."""
        return self.extension if self.grant_round.status == RoundStatus.OPEN else None

    @property
    def deadline(self) -> dt.datetime:
        return effective_deadline(self.grant_round, self.extension_in_force)

    @property
    def time_left(self) -> str:
        return time_left_text(self.deadline, self.now)

    @cached_property
    def refusal(self) -> str | None:
        """Why the region cannot write now, or None."""
        return write_refusal(
            grant_round=self.grant_round, extension=self.extension, report=self.report, now=self.now
        )

    @property
    def writable(self) -> bool:
        return self.refusal is None

    @property
    def revision(self) -> int:
        return self.report.revision if self.report is not None else 0

    @property
    def unsent_changes(self) -> bool:
        """The working copy holds changes not sent in (Report.differs_from): a draft."""
        return self.report is not None and self.report.differs_from(self.latest_version)

    @property
    def state(self) -> str:
        if not self.writable:
            return LOCKED
        if self.report is None or self.report.revision == 0:
            return NOT_STARTED
        if self.latest_version is None:
            return DRAFT
        return CHANGED if self.unsent_changes else SUBMITTED

    @cached_property
    def _round_inputs(self) -> tuple[list[RegionInput], int]:
        """The other participants' current numbers (RegionInput) as the next run would read
        them (regions without population or plan left out), and the posts an officer deducted
        from this region's (0 if none).

        The others only when the round's model has totals: without them a region's values,
        the blocks it is eligible for and the steps it reaches are its own numbers' alone
        (RULES.md: only totals read other regions), and reading every region's inputs was
        most of a dashboard's time at 2 000 regions (bench/pages.py)."""
        from allocation.models import Deduction
        from allocation.selectors import round_inputs

        if not self.grant_round.model.get("totals"):
            # query: the officer's deduction from this region's posts, if any
            deduction = Deduction.objects.filter(
                round=self.grant_round, region=self.region
            ).values_list("posts", flat=True)
            return [], next(iter(deduction), 0)
        others, deducted = [], 0
        for row in round_inputs(grant_round=self.grant_round):
            if row.region_id == self.region.pk:
                deducted = row.deducted
            elif not row.baseline_missing:
                others.append(
                    RegionInput(
                        name=row.name,
                        population=row.population,
                        planned_low=_exact(row.plan_low),
                        planned_high=_exact(row.plan_high),
                        filled=row.filled,
                        started=row.started,
                        deducted=row.deducted,
                    )
                )
        return others, deducted

    def _model_forecast_of(self, source: Report | ReportVersion | None) -> ModelForecast | None:
        if not self.grant_round.model or source is None or self.baseline is None:
            return None
        if not self.baseline.has_plan or not self.baseline.population:
            return None
        if source.filled_posts is None and source.started_posts is None:
            return None
        others, deducted = self._round_inputs
        own = RegionInput(
            name=self.region.name,
            population=self.baseline.population,
            planned_low=_exact(self.baseline.plan_low),
            planned_high=_exact(self.baseline.plan_high),
            filled=source.filled_posts,
            started=source.started_posts,
            deducted=deducted,
        )
        return compute_model_forecast(self.grant_round.model, [*others, own], self.region.name)

    @cached_property
    def model_forecast(self) -> ModelForecast | None:
        """The round's model (RULES.md) run on every region's current reports with this
        region's latest submitted version (the one that counts): its values and the blocks it
        is eligible for. None on a locked report (the decision then says what the region
        gets), for a round without a model, or without the region's plan, population or
        posts."""
        return self._model_forecast_of(self.latest_version) if self.writable else None

    @cached_property
    def draft_model_forecast(self) -> ModelForecast | None:
        """As model_forecast, with the region's unsent changes (shown labelled as a draft);
        None if there are none or the report is locked (an unsent draft then never counts)."""
        if not (self.writable and self.unsent_changes):
            return None
        return self._model_forecast_of(self.report)


def _exact(value: object) -> Fraction:
    """A plan bound (Decimal) as an exact Fraction."""
    return Fraction(str(value))


def report_cards(
    *,
    rounds: Iterable[GrantRound],
    regions: Iterable[Region],
    now: dt.datetime,
    people: bool = True,
) -> list[ReportCard]:
    """Cards for every (round, region) pair, in 4 queries (none if either list is empty).

    ``people``: with who last edited each report, submitted each version and granted each
    extension (the report page shows them; the dashboard does not and leaves out the joins).
    """
    rounds, regions = list(rounds), list(regions)
    if not rounds or not regions:
        return []
    round_ids, region_ids = [r.pk for r in rounds], [r.pk for r in regions]
    pair = {"round_id__in": round_ids, "region_id__in": region_ids}
    # query: baselines (plan and population) of these regions in these rounds
    # (no ordering: the rows go into dicts; the models' default ordering joins two tables)
    baselines = {
        (b.round_id, b.region_id): b for b in RoundBaseline.objects.filter(**pair).order_by()
    }
    # query: the reports (working copies), with their last editor
    reports_qs = Report.objects.filter(**pair).order_by()
    reports = {
        (r.round_id, r.region_id): r
        for r in (reports_qs.select_related("updated_by") if people else reports_qs)
    }
    # query: every submitted version of those reports, newest first, with the submitter
    versions: dict[int, list[ReportVersion]] = defaultdict(list)
    versions_qs = ReportVersion.objects.filter(report__in=[r.pk for r in reports.values()])
    if people:
        versions_qs = versions_qs.select_related("submitted_by")
    for v in versions_qs.order_by("report_id", "-number"):
        versions[v.report_id].append(v)
    extensions = _latest_extensions(people=people, **pair)
    cards = []
    for grant_round in rounds:
        for region in regions:
            key = (grant_round.pk, region.pk)
            report = reports.get(key)
            if report is not None:
                report.round, report.region = grant_round, region
            cards.append(
                ReportCard(
                    grant_round=grant_round,
                    region=region,
                    baseline=baselines.get(key),
                    report=report,
                    versions=versions.get(report.pk, []) if report else [],
                    extension=extensions.get(key),
                    now=now,
                )
            )
    return cards


def _latest_extensions(
    *, people: bool = True, **filters: object
) -> dict[tuple[int, int], DeadlineExtension]:
    # query: extensions (with who granted them), the latest per round and region
    extensions = DeadlineExtension.objects.filter(**filters)
    if people:
        extensions = extensions.select_related("granted_by")
    return extensions.latest_by_pair()


def report_card(*, grant_round: GrantRound, region: Region, now: dt.datetime) -> ReportCard:
    return report_cards(rounds=[grant_round], regions=[region], now=now)[0]


@dataclass
class RegionDashboard:
    """A region's rounds grouped by their real state, for the region's own people.

    - ``open_cards``: rounds the region can still report in (open, its deadline not passed);
    - ``ended_cards``: rounds still open for others (an extension runs) or not closed yet,
      where the region's own deadline has passed: reported, waiting for the decision;
    - ``awaiting_cards``: closed or allocated rounds, waiting for the decision;
    - ``decided_lines``: decided rounds, each with the reference of the region's decision in
      force (``decisions``: round id -> its reference), or None if the region took no part.
    """

    region: Region
    open_cards: list[ReportCard] = field(default_factory=list)
    ended_cards: list[ReportCard] = field(default_factory=list)
    past_cards: list[ReportCard] = field(default_factory=list)
    decisions: dict[int, str] = field(default_factory=dict)

    @property
    def awaiting_cards(self) -> list[ReportCard]:
        return [c for c in self.past_cards if c.grant_round.status != RoundStatus.DECIDED]

    @property
    def decided_lines(self) -> list[tuple[ReportCard, str | None]]:
        return [
            (c, self.decisions.get(c.grant_round.pk))
            for c in self.past_cards
            if c.grant_round.status == RoundStatus.DECIDED
        ]


def dashboard_for(user: object, *, now: dt.datetime) -> list[RegionDashboard]:
    """The regions the user acts for, each with its rounds by real state (RegionDashboard):
    5 queries when a round is published (see report_cards), one more when one is decided."""
    from allocation.models import Decision

    regions = regions_of(user)  # query: the user's regions and roles (cached on the user)
    if not regions:
        return []
    # query: the published rounds (a draft round is not shown to regions)
    rounds = list(GrantRound.objects.exclude(status=RoundStatus.DRAFT).order_by("-year", "name"))
    boards = {r.pk: RegionDashboard(region=r) for r in regions}
    decided = [r.pk for r in rounds if r.status == RoundStatus.DECIDED]
    if decided:
        # query: the regions' decisions in force in the decided rounds
        in_force = Decision.objects.filter(
            round_id__in=decided, region__in=regions, replaced_by__isnull=True
        ).values_list("round_id", "region_id", "reference")
        for round_id, region_id, reference in in_force:
            boards[region_id].decisions[round_id] = reference
    for card in report_cards(rounds=rounds, regions=regions, now=now, people=False):
        board = boards[card.region.pk]
        if card.grant_round.status != RoundStatus.OPEN:
            board.past_cards.append(card)
        elif card.writable:
            board.open_cards.append(card)
        else:
            board.ended_cards.append(card)
    return list(boards.values())


def with_report_counts(rounds: QuerySet[GrantRound]) -> QuerySet[GrantRound]:
    """``rounds`` with, for each, how many regions have sent in a report (``applied_count``)
    and how many reports hold changes not sent in (``unsent_count``), in the rounds' own
    query."""
    return rounds.annotate(
        applied_count=Count("reports", filter=Q(reports__latest_version__isnull=False)),
        unsent_count=Count("reports", filter=has_unsent_changes("reports__")),
    )


def rounds_for_user(user: object) -> list[GrantRound]:
    """Rounds the agency sees (all) or a region sees (published), with_report_counts, in one
    query."""
    rounds = with_report_counts(GrantRound.objects.order_by("-year", "name"))
    if not is_agency_reader(user):
        rounds = rounds.exclude(status=RoundStatus.DRAFT)
    return list(rounds)


@dataclass(frozen=True)
class RoundGaps:
    """Who a round's irreversible step (closing it, issuing decisions) leaves out or cuts off.

    ``not_submitted``: regions with no submitted version (they did not apply and get no
    decision); ``drafted``: those of them with a draft that was never sent in;
    ``unsent``: regions whose latest submitted version counts while later changes are not sent
    in (they would be lost).
    """

    not_submitted: list[Region]
    drafted: frozenset[int]
    unsent: list[Region]

    @property
    def regions(self) -> list[Region]:
        return sorted([*self.not_submitted, *self.unsent], key=lambda r: r.sort_key)

    def __bool__(self) -> bool:
        return bool(self.not_submitted or self.unsent)


def round_gaps(grant_round: GrantRound) -> RoundGaps:
    """The round's RoundGaps in 2 queries, regions by short name."""
    # query: the round's reports that are submitted, or hold unsent changes
    reports = list(
        Report.objects.with_unsent_changes()
        .filter(round=grant_round)
        .order_by()
        .values("region_id", "latest_version", "unsent_changes")
    )
    submitted = {r["region_id"] for r in reports if r["latest_version"] is not None}
    changed = {r["region_id"] for r in reports if r["unsent_changes"]}
    regions = list(Region.objects.order_by("sort_key", "name"))  # query: every region
    return RoundGaps(
        not_submitted=[r for r in regions if r.pk not in submitted],
        drafted=frozenset(changed - submitted),
        unsent=[r for r in regions if r.pk in submitted and r.pk in changed],
    )


def still_writable(
    grant_round: GrantRound, regions: Iterable[Region], now: dt.datetime
) -> list[Region]:
    """Those of ``regions`` that can still send in a report: the round is open and its
    deadline, or the region's extension, has not passed. A reminder is offered and sent only
    to them (after the deadline a reminder could not be acted on). No query before the
    deadline; after it, one for the extensions."""
    regions = list(regions)
    if grant_round.status != RoundStatus.OPEN or not regions:
        return []
    if not grant_round.deadline_passed(now):
        return regions
    # query: the round's extensions, the latest per region
    extensions = DeadlineExtension.objects.filter(round=grant_round).latest_by_pair()
    return [
        region
        for region in regions
        if (extension := extensions.get((grant_round.pk, region.pk))) is not None
        and not grant_round.deadline_passed(now, extension.until)
    ]


# --- the officer's table --------------------------------------------------------------------


@dataclass
class RoundReportRow:
    region: Region
    report: Report | None
    latest_version: ReportVersion | None
    version_count: int
    extension: DeadlineExtension | None
    baseline: RoundBaseline | None = None
    previous: Previous | None = None

    @cached_property
    def unusual(self) -> list[str]:
        """plausibility.unusual_figures of the submitted version (the proxy confirmed them)."""
        v = self.latest_version
        if v is None:
            return []
        return unusual_figures(
            filled=v.filled_posts,
            started=v.started_posts,
            planned=self.baseline.planned if self.baseline is not None else None,
            previous=self.previous,
        )

    @property
    def applied(self) -> bool:
        return self.latest_version is not None

    @property
    def unsent_changes(self) -> bool:
        """A draft (changes not sent in) beside the latest version, which is what counts."""
        return self.report is not None and self.report.differs_from(self.latest_version)


def round_report_rows(
    grant_round: GrantRound, regions: Iterable[Region] | None = None
) -> list[RoundReportRow]:
    """Each region's line for the round, in the regions' order: every region (the CSV) in 5
    queries, or the given ones (a page of the table) in 4, whatever their number."""
    if regions is None:
        scope: dict[str, object] = {}
        regions = list(Region.objects.order_by("sort_key", "name"))  # query: all regions
    else:
        regions = list(regions)  # the page's regions (its query, if not run yet)
        scope = {"region_id__in": [r.pk for r in regions]}
    # query: the round's reports, each with its latest version
    reports = {
        r.region_id: r
        for r in Report.objects.filter(round=grant_round, **scope)
        .select_related("latest_version")
        .order_by()
    }
    # query: extensions with granter
    extensions = _latest_extensions(round_id=grant_round.pk, **scope)
    # query: the baselines (the plan the figures are checked against)
    baselines = {
        b.region_id: b for b in RoundBaseline.objects.filter(round=grant_round, **scope).order_by()
    }
    previous = _previous_posts_by_region(grant_round, scope)
    rows = []
    for region in regions:
        report = reports.get(region.pk)
        rows.append(
            RoundReportRow(
                region=region,
                report=report,
                latest_version=report.latest_version if report else None,
                version_count=_version_count(report),
                extension=extensions.get((grant_round.pk, region.pk)),
                baseline=baselines.get(region.pk),
                previous=previous.get(region.pk),
            )
        )
    return rows


def _version_count(report: Report | None) -> int:
    """How many versions the report has: its latest version's number (the numbers run 1, 2,
    … with no gap: report_submit gives the next, and a version is never deleted)."""
    if report is None or report.latest_version is None:
        return 0
    return report.latest_version.number


def _earlier_versions(grant_round: GrantRound) -> QuerySet[ReportVersion]:
    """Versions sent in for rounds of earlier years (not drafts), the latest round and version
    first: the first for a region is what previous_posts compares with."""
    return (
        ReportVersion.objects.filter(report__round__year__lt=grant_round.year)
        .exclude(report__round__status=RoundStatus.DRAFT)
        .order_by("-report__round__year", "-report__round_id", "-number")
    )


def _previous_posts_by_region(grant_round: GrantRound, scope: dict) -> dict[int, Previous]:
    """region id -> its posts in the latest earlier round it submitted for (previous_posts).

    One query of the earlier versions' figures, the first per region kept: its rows are the
    regions' (a page of 50, or every region for the CSV) times the earlier rounds, and it
    costs less than a subquery per region, which the ORM took longer to build than the
    database to run (bench/pages.py, the officer's table)."""
    versions = _earlier_versions(grant_round)
    if scope:
        versions = versions.filter(report__region_id__in=scope["region_id__in"])
    previous: dict[int, Previous] = {}
    # query: the regions' earlier versions, the latest round and version first
    for region_id, filled, started, name in versions.values_list(
        "report__region_id", "filled_posts", "started_posts", "report__round__name"
    ):
        if region_id not in previous:
            previous[region_id] = Previous(
                round_name=name, posts=reported_posts_of(filled, started)
            )
    return previous


# --- unusual figures ------------------------------------------------------------------------


def previous_posts(*, grant_round: GrantRound, region: Region) -> Previous | None:
    """The region's posts in its latest submitted version of the latest earlier round (by
    year) it reported in, or None (one query)."""
    version = (
        _earlier_versions(grant_round)
        .filter(report__region=region)
        .select_related("report__round")
        .first()
    )
    if version is None:
        return None
    return Previous(round_name=version.report.round.name, posts=version.posts)


def unusual_figures_for(
    *, grant_round: GrantRound, region: Region, filled: int | None, started: int | None
) -> list[str]:
    """plausibility.unusual_figures for these figures of the region's report (2 queries):
    against the round's plan and the region's previous round."""
    baseline = RoundBaseline.objects.filter(round=grant_round, region=region).order_by("pk").first()
    return unusual_figures(
        filled=filled,
        started=started,
        planned=baseline.planned if baseline is not None else None,
        previous=previous_posts(grant_round=grant_round, region=region),
    )
