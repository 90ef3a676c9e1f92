"""Demo reports for `load_round_2024 --demo`: most regions have already reported (submitted
when the demo is loaded, as their registry entries and audit events say).

Blekinge, Gotland and Stockholm are left for the demo proxies to try themselves. The
numbers are deterministic (the plan plus a fixed offset per region), several reach a step.
"""

from __future__ import annotations

import datetime as dt
import math

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from regions.demo import DEMO_MESSAGE
from registry.services import register_report_version
from submissions.models import (
    STOCKHOLM,
    DeadlineExtension,
    GrantRound,
    Report,
    ReportVersion,
    RoundBaseline,
    RoundStatus,
)
from submissions.services import next_reference

DEMO_SUBMITTER = "inrapportering@demo.atgrant.se"
LEFT_FOR_PROXIES = {"Blekinge", "Gotland", "Stockholm"}
# Increase over the plan, in the regions' code order; some reach 2, 3, 5, 7, 10 and 15.
OFFSETS = (0, 3, -2, 6, 1, 11, 2, 8, -1, 4, 16, 0, 5, 2, 7, 1, 3, 9, -3, 2, 0)


def _submitter():  # noqa: ANN202
    user, created = get_user_model().objects.get_or_create(
        username=DEMO_SUBMITTER,
        defaults={"email": DEMO_SUBMITTER, "first_name": "Demo", "last_name": "Inrapportering"},
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


def create_demo_reports(*, grant_round: GrantRound) -> list[str]:
    """Submit a version for every region but three; idempotent (skips regions that have one).

    The lines say what this run submitted and what it found: how many of the round's regions
    have a submitted version, and which have none (a draft only, or nothing yet).
    """
    if grant_round.status != RoundStatus.OPEN:
        return [f"Demo reports skipped: round {grant_round.slug} is not open."]
    baselines = (
        RoundBaseline.objects.filter(round=grant_round)
        .exclude(region__short_name__in=LEFT_FOR_PROXIES)
        .select_related("region")
        .order_by("region__code")
    )
    by = _submitter()
    created = []
    for index, baseline in enumerate(baselines):
        planned = (baseline.plan_low + baseline.plan_high) / 2
        posts = max(0, math.ceil(planned) + OFFSETS[index % len(OFFSETS)])
        if _submit_demo(grant_round, baseline, by, filled=max(0, posts - 1), started=posts):
            created.append(baseline.region.short_name)
    lines = []
    if created:
        lines.append(f"Demo reports submitted by {DEMO_SUBMITTER} for: {', '.join(created)}")
        lines.append(_submitted_when(grant_round))
    return lines + _report_state(grant_round, submitted_now=len(created))


def _submitted_when(grant_round: GrantRound) -> str:
    """When the demo versions count as submitted: now, and whether that is after the deadline."""
    now = timezone.now()
    line = (
        f"  submitted now ({now.astimezone(STOCKHOLM):%Y-%m-%d %H:%M}), when the demo was "
        "loaded: their receipts, registry entries and audit events all carry this time"
    )
    if grant_round.deadline_passed(now):
        deadline = grant_round.deadline.astimezone(STOCKHOLM)
        line += (
            f"; that is after the round's deadline ({deadline:%Y-%m-%d %H:%M}), which the "
            "e-service itself would refuse (demo data only)"
        )
    return f"{line}."


def _report_state(grant_round: GrantRound, *, submitted_now: int) -> list[str]:
    """What the round's regions have, from the database: a submitted version or not."""
    regions = list(
        RoundBaseline.objects.filter(round=grant_round)
        .order_by("region__code")
        .values_list("region_id", "region__short_name")
    )
    submitted = {region_id for region_id, _ in regions} & set(
        ReportVersion.objects.filter(report__round=grant_round).values_list(
            "report__region_id", flat=True
        )
    )
    drafts = set(
        Report.objects.filter(round=grant_round, revision__gt=0).values_list("region_id", flat=True)
    )
    already = len(submitted) - submitted_now
    if submitted_now:
        line = f"Demo reports: {len(submitted)} of {len(regions)} regions have a submitted version"
        if already:
            line += f" ({already} already had one)"
    elif already:
        line = (
            f"Demo reports: none submitted now; {already} of {len(regions)} regions already "
            "had a submitted version"
        )
    else:
        line = (
            f"Demo reports: none submitted now; none of the {len(regions)} regions has a "
            "submitted version"
        )
    without = [
        f"{name} (draft only)" if region_id in drafts else name
        for region_id, name in regions
        if region_id not in submitted
    ]
    if not without:
        return [f"{line}."]
    return [f"{line}; {len(without)} without one: {', '.join(without)}."]


def _submit_demo(
    grant_round: GrantRound, baseline: RoundBaseline, by, *, filled: int, started: int
) -> bool:  # noqa: ANN001
    region = baseline.region
    # Submitted now, when the demo is loaded, as the registry and the audit log record it: both
    # stamp the moment they are written (the registry numbers by that year; an audit event's
    # time is set on insert and both tables are append-only), so a version dated earlier would
    # contradict its own incoming document and its event. For the 2024 round that is after the
    # deadline: the load command's output says so.
    now = timezone.now()
    with transaction.atomic():
        report, _ = Report.objects.get_or_create(round=grant_round, region=region)
        if report.versions.exists():
            return False
        values = {
            "filled_posts": filled,
            "started_posts": started,
            "contact_name": f"Kontakt {region.short_name}",
            "contact_email": f"at-kontakt@{region.code}.demo.atgrant.se",
            "contact_phone": "",
            "comment": "",
        }
        Report.objects.filter(pk=report.pk).update(
            **values, revision=report.revision + 1, updated_by=by, updated_at=now
        )
        version = ReportVersion.objects.create(
            report=report,
            number=1,
            reference=next_reference(grant_round, region),
            submitted_at=now,
            submitted_by=by,
            **values,
        )
        register_report_version(version=version, by=by)
        audit_record(
            action="report.submitted",
            actor=by,
            obj=version,
            after={**values, "version": 1, "reference": version.reference},
            message=DEMO_MESSAGE,
            round_id=grant_round.pk,
            region_id=region.pk,
        )
    return True


# Shown after "förlängd svarstid:" on the report form: a reason, not a second heading.
DEMO_EXTENSION_REASON = (
    "Demo: så att regionens ombud kan prova inrapporteringen fast sista dag för 2024 har passerat."
)


def create_demo_extensions(*, grant_round: GrantRound, officer, days: int = 14) -> list[str]:  # noqa: ANN001
    """Extend the deadline for the three demo proxies' regions, so that they can report.

    The 2024 round keeps its real deadline (1 November 2024, long past): the officer can
    close it by hand at once, and the three regions can still try reporting until then.
    Idempotent: a region that already has an extension in this round gets no other.
    """
    if grant_round.status != RoundStatus.OPEN:
        return []
    now = timezone.now()
    today = now.astimezone(STOCKHOLM).date()
    until = dt.datetime.combine(
        today + dt.timedelta(days=days), dt.time(23, 59, 59), tzinfo=STOCKHOLM
    )
    lines = []
    baselines = RoundBaseline.objects.filter(
        round=grant_round, region__short_name__in=LEFT_FOR_PROXIES
    ).select_related("region")
    for baseline in baselines.order_by("region__code"):
        region = baseline.region
        extension = DeadlineExtension.objects.filter(round=grant_round, region=region).first()
        if extension is None:
            extension = DeadlineExtension.objects.create(
                round=grant_round,
                region=region,
                until=until,
                reason=DEMO_EXTENSION_REASON,
                granted_by=officer,
            )
            audit_record(
                action="report.deadline_extended",
                actor=officer,
                obj=extension,
                after={"until": extension.until.isoformat(), "reason": extension.reason},
                message=DEMO_MESSAGE,
                round_id=grant_round.pk,
                region_id=region.pk,
            )
            granted = "granted now"
        else:
            granted = "granted earlier"
        until_local = extension.until.astimezone(STOCKHOLM)
        line = f"  extension for {region.short_name} until {until_local:%Y-%m-%d %H:%M} ({granted}"
        # An extension granted by an earlier run may have run out: then the region cannot
        # report on it (an officer grants a new one in the admin).
        if grant_round.deadline_passed(now, extended_until=extension.until):
            line += "; it has ended, the region can no longer report"
        lines.append(line + ")")
    return ["Demo deadline extensions (so the demo proxies can report):", *lines]
