"""Reminders to regions that have not reported, N days before the deadline (a round setting).

A reminder is due N days before the deadline's day (Europe/Stockholm); one that falls on a
Saturday, a Sunday or a Swedish public holiday (the `holidays` package's Sweden calendar,
which counts midsummer, Christmas and New Year's Eve too) goes out the working day before.
Each (round, region, N) is sent at most once: a Reminder row claims it, in the transaction
that keeps, registers (registry.messages: a reminder is an outgoing document) and queues the
e-mail. When several are due at once (the round opened late, or beat was
down), only the nearest to the deadline goes out, so that no region gets a stale "14 days
left"; the others are never sent.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from atgrant.language import written_in_swedish
from regions.models import Colleague, ProxyAppointment, Region
from registry.messages import register_sent_messages
from registry.models import DocumentKind, SentMessage
from submissions.models import (
    STOCKHOLM,
    GrantRound,
    Reminder,
    ReportVersion,
    RoundBaseline,
    RoundStatus,
    parse_reminder_days,
)


@lru_cache(maxsize=8)
def _swedish_holidays(year: int) -> holidays.HolidayBase:
    # "de_facto": midsummer, Christmas and New Year's Eve, when agencies and regions are
    # closed although the days are not public holidays in law.
    return holidays.country_holidays("SE", years=year, categories=("public", "de_facto"))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _swedish_holidays(day.year)


def send_date(deadline_day: dt.date, days_before: int) -> dt.date:
    """The day the reminder ``days_before`` days ahead of ``deadline_day`` goes out."""
    day = deadline_day - dt.timedelta(days=days_before)
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def due_reminder(grant_round: GrantRound, today: dt.date) -> tuple[int, dt.date] | None:
    """(N, its send date) of the reminder due ``today`` (the one nearest the deadline whose
    send date has come), or None: none yet, or the deadline's day is here."""
    deadline_day = grant_round.deadline.astimezone(STOCKHOLM).date()
    if today >= deadline_day:
        return None
    due = [
        (days, send_date(deadline_day, days))
        for days in parse_reminder_days(grant_round.reminder_days)
    ]
    reached = [(days, day) for days, day in due if day <= today]
    return min(reached) if reached else None


def _recipients(region: Region) -> list[str]:
    """The region's active proxy, then its active colleagues (they prepare the report)."""
    proxies = ProxyAppointment.objects.filter(region=region, ended_at__isnull=True)
    colleagues = Colleague.objects.filter(region=region, removed_at__isnull=True)
    emails = [a.user.email for a in proxies.select_related("user")]
    emails += [c.user.email for c in colleagues.select_related("user").order_by("added_at")]
    return list(dict.fromkeys(e for e in emails if e))


@written_in_swedish
def _send(grant_round: GrantRound, region: Region, days: int, due_on: dt.date) -> Reminder | None:
    recipients = _recipients(region)
    if not recipients:
        return None  # nobody to tell yet; a proxy appointed later still gets it
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                round=grant_round,
                region=region,
                days_before=days,
                due_on=due_on,
                recipients=recipients,
            )
            link = settings.SITE_URL.rstrip("/") + reverse(
                "submissions:report_edit", args=[grant_round.slug, region.code]
            )
            context = {"round": grant_round, "region": region, "link": link}
            message = SentMessage(
                kind=DocumentKind.REPORT_REMINDER,
                round=grant_round,
                region=region,
                recipients=recipients,
                subject=_("Påminnelse: %(round)s – sista dag för inrapportering")
                % {"round": grant_round.name},
                body=render_to_string("submissions/email/reminder_due.txt", context),
            )
            register_sent_messages(messages=[message], by=None)
    except IntegrityError:
        return None  # another worker claimed it first
    return reminder


def send_due_reminders(*, now: dt.datetime) -> list[Reminder]:
    """Send every reminder due at ``now`` (aware) to the participating regions (those with a
    baseline in an open round) that have submitted no version. Returns the reminders sent."""
    today = now.astimezone(STOCKHOLM).date()
    sent = []
    for grant_round in GrantRound.objects.filter(status=RoundStatus.OPEN, deadline__gt=now):
        due = due_reminder(grant_round, today)
        if due is None:
            continue
        days, due_on = due
        reported = ReportVersion.objects.filter(report__round=grant_round).values(
            "report__region_id"
        )
        reminded = Reminder.objects.filter(round=grant_round, days_before=days).values("region_id")
        participating = RoundBaseline.objects.filter(round=grant_round).values("region_id")
        regions = (
            Region.objects.filter(pk__in=participating)
            .exclude(pk__in=reported)
            .exclude(pk__in=reminded)
            .order_by("code")
        )
        for region in regions:
            reminder = _send(grant_round, region, days, due_on)
            if reminder is not None:
                sent.append(reminder)
    return sent
