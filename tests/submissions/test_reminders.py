"""Reminders before the deadline: which day, to whom, and each exactly once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError

from registry.models import Direction, DocumentKind, RegistryEntry, SentMessage
from submissions.models import STOCKHOLM, Reminder, validate_reminder_days
from submissions.reminders import send_date, send_due_reminders
from submissions.tasks import send_due_reminders as send_due_reminders_task
from tests.factories import UserFactory
from tests.submissions.factories import baseline, frozen, round_2024, submitted


@pytest.mark.parametrize(
    ("deadline_day", "days", "expected"),
    [
        # A working day stays.
        (dt.date(2024, 11, 1), 14, dt.date(2024, 10, 18)),
        (dt.date(2024, 11, 1), 3, dt.date(2024, 10, 29)),
        # Sunday -> Saturday is All Saints' Day (alla helgons dag) -> Friday.
        (dt.date(2024, 11, 4), 1, dt.date(2024, 11, 1)),
        # Christmas Day -> Christmas Eve (julafton, a holiday in the calendar) -> Monday 23rd.
        (dt.date(2024, 12, 27), 2, dt.date(2024, 12, 23)),
        # Ascension Day 2025 is Thursday 29 May -> Wednesday.
        (dt.date(2025, 5, 30), 1, dt.date(2025, 5, 28)),
        # Saturday -> Friday.
        (dt.date(2025, 11, 1), 7, dt.date(2025, 10, 24)),
    ],
)
def test_a_reminder_due_on_a_weekend_or_holiday_goes_out_the_working_day_before(
    deadline_day, days, expected
):
    assert send_date(deadline_day, days) == expected


@pytest.mark.parametrize("value", ["14,3", "3", "7, 1", ""])
def test_reminder_days_setting_accepts_whole_days(value):
    validate_reminder_days(value)


@pytest.mark.parametrize("value", ["14;3", "0", "-1", "two", "400"])
def test_reminder_days_setting_refuses_other_text(value):
    with pytest.raises(ValidationError):
        validate_reminder_days(value)


def at(day: int, month: int = 10) -> dt.datetime:
    return dt.datetime(2024, month, day, 9, 0, tzinfo=STOCKHOLM)


@pytest.fixture
def grant_round(region, other_region, proxy, colleague, other_proxy):
    """Open, deadline Friday 1 November 2024; Gotland has reported, Blekinge has not."""
    grant_round = round_2024()
    baseline(grant_round, region)
    baseline(grant_round, other_region)
    submitted(grant_round, other_region, other_proxy)
    return grant_round


def run(now, capture):
    with frozen(now), capture(execute=True):
        return send_due_reminders(now=now)


@pytest.mark.django_db
def test_the_region_that_has_not_reported_is_reminded_once(
    grant_round, region, proxy, colleague, django_capture_on_commit_callbacks
):
    assert run(at(17), django_capture_on_commit_callbacks) == []  # the day before

    sent = run(at(18), django_capture_on_commit_callbacks)
    again = run(at(18, 10).replace(hour=15), django_capture_on_commit_callbacks)

    assert [(r.region, r.days_before, r.due_on) for r in sent] == [
        (region, 14, dt.date(2024, 10, 18))
    ]
    assert again == []
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [proxy.email, colleague.email]
    assert "Påminnelse: AT-bidraget 2024" in message.subject
    assert "1 november 2024 kl. 23:59" in message.body
    assert f"{settings.SITE_URL}/inrapportering/at-2024/10/" in message.body

    # The reminder is an outgoing document, registered by the system as it was sent, once.
    [entry] = RegistryEntry.objects.all()
    assert (entry.kind, entry.direction) == (DocumentKind.REPORT_REMINDER, Direction.OUTGOING)
    assert (entry.region, entry.round, entry.registered_by) == (region, grant_round, None)
    assert entry.party == f"Region Blekinge ({proxy.email}, {colleague.email})"
    assert entry.description == "Påminnelse om inrapportering, AT-bidraget 2024"
    assert entry.document_date == dt.date(2024, 10, 18)
    kept = entry.document
    assert (kept.subject, kept.body, kept.recipients) == (
        message.subject,
        message.body,
        message.to,
    )


@pytest.mark.django_db
def test_a_reminder_already_claimed_registers_and_sends_nothing(
    grant_round, region, django_capture_on_commit_callbacks
):
    # Another worker claimed Blekinge's 14-day reminder between the query and the write.
    from submissions import reminders

    Reminder.objects.create(
        round=grant_round, region=region, days_before=14, due_on=dt.date(2024, 10, 18)
    )
    with frozen(at(18)), django_capture_on_commit_callbacks(execute=True):
        assert reminders._send(grant_round, region, 14, dt.date(2024, 10, 18)) is None
    assert not SentMessage.objects.exists() and not RegistryEntry.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_each_reminder_goes_out_on_its_own_day(grant_round, django_capture_on_commit_callbacks):
    run(at(18), django_capture_on_commit_callbacks)
    assert run(at(28), django_capture_on_commit_callbacks) == []

    sent = run(at(29), django_capture_on_commit_callbacks)

    assert [r.days_before for r in sent] == [3]
    assert Reminder.objects.count() == 2
    assert RegistryEntry.objects.filter(kind=DocumentKind.REPORT_REMINDER).count() == 2


@pytest.mark.django_db
def test_a_late_start_sends_only_the_nearest_reminder(
    grant_round, django_capture_on_commit_callbacks
):
    sent = run(at(30), django_capture_on_commit_callbacks)

    assert [r.days_before for r in sent] == [3]
    assert run(at(31), django_capture_on_commit_callbacks) == []
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_nothing_on_the_deadline_day_nor_for_a_round_not_open(
    grant_round, django_capture_on_commit_callbacks
):
    assert run(at(1, 11), django_capture_on_commit_callbacks) == []
    grant_round.status = "draft"
    grant_round.save()
    assert run(at(18), django_capture_on_commit_callbacks) == []


@pytest.mark.django_db
def test_a_region_without_proxy_is_reminded_once_one_is_appointed(
    grant_round, django_capture_on_commit_callbacks
):
    from regions.models import ProxyAppointment
    from tests.factories import RegionFactory

    lonely = RegionFactory(code="23", short_name="Jämtland")
    baseline(grant_round, lonely)

    sent = run(at(18), django_capture_on_commit_callbacks)
    assert [r.region.code for r in sent] == ["10"]

    ProxyAppointment.objects.create(region=lonely, user=UserFactory(email="ombud@jamtland.se"))
    sent = run(at(21), django_capture_on_commit_callbacks)
    assert [r.region.code for r in sent] == ["23"]


@pytest.mark.django_db
def test_the_round_setting_decides_the_days(grant_round, django_capture_on_commit_callbacks):
    grant_round.reminder_days = "7"
    grant_round.save()

    assert run(at(18), django_capture_on_commit_callbacks) == []
    assert [r.days_before for r in run(at(25), django_capture_on_commit_callbacks)] == [7]


@pytest.mark.django_db
def test_the_beat_task_is_scheduled_and_sends(grant_round, django_capture_on_commit_callbacks):
    entry = settings.CELERY_BEAT_SCHEDULE["send-due-reminders"]
    assert entry["task"] == send_due_reminders_task.name

    with frozen(at(18)), django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders_task.apply().get() == 1
