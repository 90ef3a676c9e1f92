"""Reads of reports shared by the views: the region's cards and the officer's table.

Every function loads in a fixed number of queries whatever the number of regions or rounds
(bulk queries, then grouping in Python); the tests pin the counts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from allocation.engine import Rules
from regions.models import Region
from regions.roles import is_agency_reader, regions_of
from submissions.deadlines import effective_deadline, write_refusal
from submissions.forecast import Forecast, compute_forecast, rules_for_round
from submissions.models import (
    DeadlineExtension,
    GrantRound,
    Report,
    ReportVersion,
    RoundBaseline,
    RoundStatus,
    StaircaseStep,
)
from submissions.services import REPORT_FIELDS

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
    steps: list[StaircaseStep]  # the round's staircase
    now: dt.datetime

    @cached_property
    def rules(self) -> Rules:
        """The round's rules, built only for a card that shows a forecast."""
        return rules_for_round(self.grant_round, self.steps)

    @property
    def latest_version(self) -> ReportVersion | None:
        return self.versions[0] if self.versions else None

    @property
    def deadline(self) -> dt.datetime:
        return effective_deadline(self.grant_round, self.extension)

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
    def state(self) -> str:
        if not self.writable:
            return LOCKED
        if self.report is None or self.report.revision == 0:
            return NOT_STARTED
        latest = self.latest_version
        if latest is None:
            return DRAFT
        same = all(getattr(latest, f) == getattr(self.report, f) for f in REPORT_FIELDS)
        return SUBMITTED if same else CHANGED

    @cached_property
    def forecast(self) -> Forecast | None:
        """From the region's own latest numbers: the working copy (draft or submitted)."""
        source = self.report if self.report is not None else self.latest_version
        if source is None or self.baseline is None or not self.baseline.has_plan:
            return None
        return compute_forecast(
            filled=source.filled_posts,
            started=source.started_posts,
            planned_low=self.baseline.plan_low,
            planned_high=self.baseline.plan_high,
            rules=self.rules,
        )


def report_cards(
    *,
    rounds: Iterable[GrantRound],
    regions: Iterable[Region],
    now: dt.datetime,
    people: bool = True,
) -> list[ReportCard]:
    """Cards for every (round, region) pair, in 5 queries (none if either list is empty).

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
    # query: the staircases of these rounds
    steps: dict[int, list[StaircaseStep]] = defaultdict(list)
    for s in StaircaseStep.objects.filter(round_id__in=round_ids).order_by("min_increase"):
        steps[s.round_id].append(s)
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
                    steps=steps[grant_round.pk],
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
    """A region's open rounds' cards, and its past rounds' cards (closed, allocated, decided)."""

    region: Region
    open_cards: list[ReportCard] = field(default_factory=list)
    past_cards: list[ReportCard] = field(default_factory=list)


def dashboard_for(user: object, *, now: dt.datetime) -> list[RegionDashboard]:
    """The regions the user acts for, each with its rounds' cards, open rounds first (6 queries
    when any round is published, see report_cards)."""
    regions = regions_of(user)  # query: the user's regions and roles (cached on the user)
    if not regions:
        return []
    # query: the published rounds (a draft round is not shown to regions)
    rounds = list(GrantRound.objects.exclude(status=RoundStatus.DRAFT).order_by("-year", "name"))
    boards = {r.pk: RegionDashboard(region=r) for r in regions}
    for card in report_cards(rounds=rounds, regions=regions, now=now, people=False):
        board = boards[card.region.pk]
        is_open = card.grant_round.status == RoundStatus.OPEN
        (board.open_cards if is_open else board.past_cards).append(card)
    return list(boards.values())


def rounds_for_user(user: object) -> list[GrantRound]:
    """Rounds the agency sees (all) or a region sees (published), with how many regions applied."""
    rounds = GrantRound.objects.annotate(
        applied_count=Count("reports", filter=Q(reports__versions__isnull=False), distinct=True)
    ).order_by("-year", "name")
    if not is_agency_reader(user):
        rounds = rounds.exclude(status=RoundStatus.DRAFT)
    return list(rounds)


# --- the officer's table --------------------------------------------------------------------


@dataclass
class RoundReportRow:
    region: Region
    report: Report | None
    latest_version: ReportVersion | None
    version_count: int
    extension: DeadlineExtension | None

    @property
    def applied(self) -> bool:
        return self.latest_version is not None


def round_report_rows(
    grant_round: GrantRound, regions: Iterable[Region] | None = None
) -> list[RoundReportRow]:
    """Each region's line for the round, in the regions' order: every region (the CSV) in 4
    queries, or the given ones (a page of the table) in 3, whatever their number."""
    if regions is None:
        scope: dict[str, object] = {}
        regions = list(Region.objects.order_by("short_name"))  # query: all regions
    else:
        regions = list(regions)  # the page's regions (its query, if not run yet)
        scope = {"region_id__in": [r.pk for r in regions]}
    # query: the round's reports
    reports = {r.region_id: r for r in Report.objects.filter(round=grant_round, **scope).order_by()}
    # query: the round's versions, oldest first so the latest per report is kept
    latest: dict[int, ReportVersion] = {}
    counts: dict[int, int] = defaultdict(int)
    versions = ReportVersion.objects.filter(
        report__round=grant_round, **{f"report__{k}": v for k, v in scope.items()}
    )
    for v in versions.order_by("report_id", "number"):
        latest[v.report_id] = v
        counts[v.report_id] += 1
    # query: extensions with granter
    extensions = _latest_extensions(round_id=grant_round.pk, **scope)
    rows = []
    for region in regions:
        report = reports.get(region.pk)
        rows.append(
            RoundReportRow(
                region=region,
                report=report,
                latest_version=latest.get(report.pk) if report else None,
                version_count=counts.get(report.pk, 0) if report else 0,
                extension=extensions.get((grant_round.pk, region.pk)),
            )
        )
    return rows


def regions_applied(grant_round: GrantRound) -> int:
    """How many regions have sent in a report for the round (one query)."""
    return (
        Report.objects.filter(round=grant_round, versions__isnull=False)
        .values("region_id")
        .distinct()
        .count()
    )
