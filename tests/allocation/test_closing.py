"""Closing a round: the beat task, the cron command, and the officer's hand."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from audit.models import AuditEvent
from submissions.closing import close_due_rounds, round_close
from submissions.models import STOCKHOLM, DeadlineExtension, Report, RoundStatus
from submissions.tasks import close_due_rounds as close_due_rounds_task
from tests.allocation.factories import AFTER_DEADLINE, BEFORE_DEADLINE, at, reported_round
from tests.factories import GrantRoundFactory, ReportFactory

pytestmark = pytest.mark.django_db


def test_beat_task_closes_a_due_round_exactly_once():
    due = reported_round(status=RoundStatus.OPEN)
    not_due = GrantRoundFactory(year=2025, slug="at-2025", status=RoundStatus.OPEN)
    with at(AFTER_DEADLINE):
        assert close_due_rounds_task() == ["at-2024"]
        assert close_due_rounds_task() == []
    due.refresh_from_db()
    not_due.refresh_from_db()
    assert due.status == RoundStatus.CLOSED
    assert not_due.status == RoundStatus.OPEN
    closed_events = AuditEvent.objects.filter(action="round.closed", round_id=due.pk)
    assert closed_events.count() == 1
    assert closed_events.get().actor is None
    assert closed_events.get().after == {
        "status": "closed",
        "reports_locked": 3,
        "extensions_ended": [],
    }
    assert not Report.objects.filter(round=due, locked_at__isnull=True).exists()
    assert set(Report.objects.filter(round=due).values_list("locked_at", flat=True)) == {
        AFTER_DEADLINE
    }


def test_a_late_run_still_closes_the_round():
    grant_round = reported_round(status=RoundStatus.OPEN)
    with at(AFTER_DEADLINE + dt.timedelta(days=30)):
        assert [r.pk for r in close_due_rounds(now=AFTER_DEADLINE + dt.timedelta(days=30))] == [
            grant_round.pk
        ]


def test_round_is_not_due_before_or_at_the_last_second():
    grant_round = reported_round(status=RoundStatus.OPEN)
    last_second = dt.datetime(2024, 11, 1, 23, 59, 59, 900_000, tzinfo=STOCKHOLM)
    assert close_due_rounds(now=BEFORE_DEADLINE) == []
    assert close_due_rounds(now=last_second) == []
    grant_round.refresh_from_db()
    assert grant_round.status == RoundStatus.OPEN


def test_an_extension_keeps_the_round_open_until_it_ends(officer, region):
    grant_round = reported_round(status=RoundStatus.OPEN)
    DeadlineExtension.objects.create(
        round=grant_round,
        region=region,
        until=dt.datetime(2024, 11, 8, 23, 59, 59, tzinfo=STOCKHOLM),
        reason="Sjukdom",
        granted_by=officer,
    )
    assert close_due_rounds(now=AFTER_DEADLINE) == []
    assert len(close_due_rounds(now=dt.datetime(2024, 11, 9, tzinfo=STOCKHOLM))) == 1


def test_management_command_closes_due_rounds(capsys):
    grant_round = reported_round(status=RoundStatus.OPEN)
    with at(AFTER_DEADLINE):
        call_command("close_due_rounds")
        call_command("close_due_rounds")
    out = capsys.readouterr().out
    assert "closed at-2024" in out
    assert "no round due" in out
    grant_round.refresh_from_db()
    assert grant_round.status == RoundStatus.CLOSED


def test_officer_cannot_close_before_the_deadline(officer):
    grant_round = reported_round(status=RoundStatus.OPEN)
    with at(BEFORE_DEADLINE), pytest.raises(ValidationError, match="före sista dag"):
        round_close(grant_round=grant_round, by=officer)
    grant_round.refresh_from_db()
    assert grant_round.status == RoundStatus.OPEN


def test_officer_closes_after_the_deadline_and_reports_lock(officer):
    grant_round = reported_round(status=RoundStatus.OPEN)
    late_draft = ReportFactory(round=grant_round)  # never submitted: did not apply
    with at(AFTER_DEADLINE):
        round_close(grant_round=grant_round, by=officer)
    grant_round.refresh_from_db()
    late_draft.refresh_from_db()
    assert grant_round.status == RoundStatus.CLOSED
    assert late_draft.locked_at == AFTER_DEADLINE
    event = AuditEvent.objects.get(action="round.closed")
    assert event.actor == officer


def test_closing_twice_is_refused(officer):
    from django.contrib.auth.models import Group

    from regions.roles import OFFICERS_GROUP
    from tests.factories import UserFactory

    grant_round = reported_round(status=RoundStatus.OPEN)
    other = UserFactory(email="annan@myndigheten.se")
    other.groups.add(Group.objects.get(name=OFFICERS_GROUP))
    with at(AFTER_DEADLINE):
        round_close(grant_round=grant_round, by=officer)
        with pytest.raises(ValidationError):
            round_close(grant_round=grant_round, by=other)


def test_the_same_officer_closing_again_leads_to_the_closed_round(officer):
    grant_round = reported_round(status=RoundStatus.OPEN)
    with at(AFTER_DEADLINE):
        round_close(grant_round=grant_round, by=officer)
        again = round_close(grant_round=grant_round, by=officer)
    assert again.status == RoundStatus.CLOSED
    assert AuditEvent.objects.filter(action="round.closed").count() == 1


def test_only_officers_close(auditor, proxy):
    grant_round = reported_round(status=RoundStatus.OPEN)
    for user in (auditor, proxy):
        with at(AFTER_DEADLINE), pytest.raises(PermissionDenied):
            round_close(grant_round=grant_round, by=user)


def _extend(grant_round, region, officer, until):
    return DeadlineExtension.objects.create(
        round=grant_round, region=region, until=until, reason="Sjukdom", granted_by=officer
    )


def test_officer_must_confirm_ending_running_extensions(officer, region):
    grant_round = reported_round(status=RoundStatus.OPEN)
    _extend(grant_round, region, officer, AFTER_DEADLINE + dt.timedelta(days=3))
    with at(AFTER_DEADLINE), pytest.raises(ValidationError, match="Förlängd svarstid pågår"):
        round_close(grant_round=grant_round, by=officer)
    grant_round.refresh_from_db()
    assert grant_round.status == RoundStatus.OPEN
    with at(AFTER_DEADLINE):
        round_close(grant_round=grant_round, by=officer, end_extensions=True)
    grant_round.refresh_from_db()
    assert grant_round.status == RoundStatus.CLOSED
    event = AuditEvent.objects.get(action="round.closed")
    assert event.after["extensions_ended"] == [region.name]


def test_an_ended_extension_needs_no_confirmation(officer, region):
    grant_round = reported_round(status=RoundStatus.OPEN)
    _extend(grant_round, region, officer, AFTER_DEADLINE - dt.timedelta(seconds=1))
    with at(AFTER_DEADLINE):
        round_close(grant_round=grant_round, by=officer)
    grant_round.refresh_from_db()
    assert grant_round.status == RoundStatus.CLOSED


def test_close_page_asks_to_confirm_running_extensions(client, login, officer, region):
    grant_round = reported_round(status=RoundStatus.OPEN)
    _extend(grant_round, region, officer, AFTER_DEADLINE + dt.timedelta(days=3))
    login(client, officer)
    url = f"/handlaggare/fordelning/{grant_round.slug}/stang/"
    with at(AFTER_DEADLINE):
        page = client.get(url)
        assert page.status_code == 200
        assert 'name="end_extensions"' in page.content.decode()
        client.post(url)
        grant_round.refresh_from_db()
        assert grant_round.status == RoundStatus.OPEN
        client.post(url, {"end_extensions": "1"})
    grant_round.refresh_from_db()
    assert grant_round.status == RoundStatus.CLOSED
