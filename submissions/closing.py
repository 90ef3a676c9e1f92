"""Closing a round at its deadline: by the beat task (or cron) and by an officer's hand.

A round is due when its deadline and every region's extension have passed (compared to the
whole second, as GrantRound.deadline_passed does). Closing moves it open → closed through
the workflow (a locked, conditional move: running twice or late closes it once) and locks
every report; what was not submitted by then did not apply.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from regions.roles import is_officer
from submissions.models import DeadlineExtension, GrantRound, Report, RoundStatus
from submissions.workflow import round_transition


def closes_at(grant_round: GrantRound) -> dt.datetime:
    """The round's deadline, or the latest region's (latest granted) extension if later."""
    latest_by_region: dict[int, dt.datetime] = {}
    extensions = DeadlineExtension.objects.filter(round=grant_round).order_by("granted_at", "pk")
    for extension in extensions:
        latest_by_region[extension.region_id] = extension.until
    return max([grant_round.deadline, *latest_by_region.values()])


def is_due(grant_round: GrantRound, now: dt.datetime) -> bool:
    return grant_round.deadline_passed(now, extended_until=closes_at(grant_round))


def _close(
    grant_round: GrantRound,
    by: AbstractBaseUser | None,
    now: dt.datetime,
    ended_extensions: list[str] | None = None,
) -> GrantRound:
    with transaction.atomic():
        locked = round_transition(grant_round=grant_round, to=RoundStatus.CLOSED, by=by)
        # The earliest allowed decision date is the day the round closed.
        locked.closed_at = now
        locked.save(update_fields=["closed_at"])
        count = Report.objects.filter(round=locked, locked_at__isnull=True).update(locked_at=now)
        audit_record(
            action="round.closed",
            actor=by,
            obj=locked,
            before={"status": RoundStatus.OPEN},
            after={
                "status": RoundStatus.CLOSED,
                "reports_locked": count,
                "extensions_ended": ended_extensions or [],
            },
            message="" if by is not None else "closed at the deadline by the scheduled task",
            round_id=locked.pk,
        )
    return locked


def active_extensions(grant_round: GrantRound, now: dt.datetime) -> list[DeadlineExtension]:
    """Each region's latest extension that still runs at `now`, earliest end first."""
    latest: dict[int, DeadlineExtension] = {}
    extensions = (
        DeadlineExtension.objects.filter(round=grant_round)
        .select_related("region")
        .order_by("granted_at", "pk")
    )
    for extension in extensions:
        latest[extension.region_id] = extension
    running = [e for e in latest.values() if not grant_round.deadline_passed(now, e.until)]
    return sorted(running, key=lambda e: (e.until, e.region.short_name))


def round_close(
    *, grant_round: GrantRound, by: AbstractBaseUser, end_extensions: bool = False
) -> GrantRound:
    """An officer closes a round by hand, after its deadline.

    Regions with an extension that still runs would lose it: the officer must say so
    explicitly (`end_extensions`), and the audit event names them.
    """
    if not is_officer(by):
        raise PermissionDenied(_("Endast handläggare kan stänga en omgång."))
    now = timezone.now()
    if grant_round.status != RoundStatus.OPEN:
        raise ValidationError(_("Omgången är inte öppen."))
    from atgrant.templatetags.atgrant_format import sv_datetime

    if not grant_round.deadline_passed(now):
        raise ValidationError(
            _("Omgången kan inte stängas före sista dag för inrapportering: %(when)s.")
            % {"when": sv_datetime(grant_round.deadline)}
        )
    running = active_extensions(grant_round, now)
    if running and not end_extensions:
        names = ", ".join(f"{e.region.short_name} ({sv_datetime(e.until)})" for e in running)
        raise ValidationError(
            _(
                "Förlängd svarstid pågår för %(regions)s. Bekräfta att förlängningarna "
                "avslutas om du vill stänga omgången nu."
            )
            % {"regions": names}
        )
    ended = [e.region.short_name for e in running]
    return _close(grant_round, by, now, ended_extensions=ended)


def close_due_rounds(*, now: dt.datetime) -> list[GrantRound]:
    """Close every open round that is due at `now`; a round already closed is left alone."""
    closed = []
    for grant_round in GrantRound.objects.filter(status=RoundStatus.OPEN, deadline__lt=now):
        if not is_due(grant_round, now):
            continue
        try:
            closed.append(_close(grant_round, None, now))
        except ValidationError:
            continue  # closed meanwhile by someone else: nothing to do
    return closed
