"""Report writes: drafts, submission, optimistic locking, the deadline and extensions, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import TestCase

from audit.models import AuditEvent
from submissions.models import STOCKHOLM, DeadlineExtension, Report, ReportVersion
from submissions.services import (
    ReportConflict,
    ReportData,
    deadline_extension_grant,
    report_save_draft,
    report_submit,
)
from tests.allocation.factories import eager_celery  # noqa: F401 - a fixture
from tests.factories import GrantRoundFactory
from tests.submissions.factories import BEFORE_DEADLINE, LAST_SECOND, NEXT_DAY, frozen, round_2024

# The receipt is a Celery task: in-process here, whatever ran before (on Redis, CI's
# second run, these failed when run alone: no worker, no e-mail).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

DATA = ReportData(
    filled_posts=90,
    started_posts=92,
    contact_name="Kim Kontakt",
    contact_email="kim@blekinge.example.se",
    contact_phone="0455-123 45",
    comment="Två tjänster påbörjas i december.",
)


def draft(grant_round, region, by, data=DATA, revision=0):
    return report_save_draft(
        grant_round=grant_round, region=region, data=data, revision=revision, by=by
    )


def submit(grant_round, region, by, data=DATA, revision=0):
    """Submit and commit: the receipt task runs (eagerly) once the transaction commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return report_submit(
            grant_round=grant_round, region=region, data=data, revision=revision, by=by
        )


# --- drafts and submission ------------------------------------------------------------------


def test_colleague_saves_a_draft_which_creates_the_report_and_is_audited(region, colleague):
    grant_round = round_2024()
    with frozen(BEFORE_DEADLINE):
        report = draft(grant_round, region, colleague)
    assert report.revision == 1
    assert report.updated_by == colleague
    assert (report.filled_posts, report.started_posts) == (90, 92)
    assert not report.versions.exists()
    event = AuditEvent.objects.get(action="report.draft_saved")
    assert event.actor == colleague
    assert (event.round_id, event.region_id) == (grant_round.pk, region.pk)
    assert event.before["filled_posts"] is None
    assert event.after["filled_posts"] == 90
    assert event.after["revision"] == 1


def test_colleague_cannot_submit(region, colleague):
    grant_round = round_2024()
    with frozen(BEFORE_DEADLINE), pytest.raises(PermissionDenied):
        submit(grant_round, region, colleague)
    assert not ReportVersion.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("who", ["other_proxy", "officer", "auditor"])
def test_only_the_regions_people_write_its_report(request, region, who):
    user = request.getfixturevalue(who)
    grant_round = round_2024()
    with frozen(BEFORE_DEADLINE):
        with pytest.raises(PermissionDenied):
            draft(grant_round, region, user)
        with pytest.raises(PermissionDenied):
            submit(grant_round, region, user)
    assert not Report.objects.exists()


def test_proxy_submits_a_version_with_a_reference_and_gets_a_receipt_by_email(region, proxy):
    grant_round = round_2024()
    with frozen(BEFORE_DEADLINE):
        version = submit(grant_round, region, proxy)
    assert version.number == 1
    assert version.reference == "AT2024-10-0001"
    assert version.submitted_at == BEFORE_DEADLINE
    assert version.submitted_by == proxy
    assert (version.filled_posts, version.started_posts, version.posts) == (90, 92, 92)
    report = version.report
    assert (report.revision, report.filled_posts) == (1, 90)
    [message] = mail.outbox
    assert message.to == [proxy.email, "kim@blekinge.example.se"]
    assert "AT2024-10-0001" in message.subject
    assert "Tillsatta AT-tjänster: 90" in message.body
    assert "Påbörjade AT-tjänster: 92" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("kvittens-AT2024-10-0001.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    event = AuditEvent.objects.get(action="report.submitted")
    assert event.after["reference"] == "AT2024-10-0001"
    assert (event.round_id, event.region_id) == (grant_round.pk, region.pk)


def test_the_receipt_is_queued_only_when_the_submission_commits(region, proxy):
    grant_round = round_2024()
    with frozen(BEFORE_DEADLINE), TestCase.captureOnCommitCallbacks() as queued:
        report_submit(grant_round=grant_round, region=region, data=DATA, revision=0, by=proxy)
        assert mail.outbox == []  # nothing is rendered or sent inside the transaction
    assert len(queued) == 1
    with TestCase.captureOnCommitCallbacks(execute=True) as queued:
        with pytest.raises(RuntimeError), transaction.atomic(), frozen(BEFORE_DEADLINE):
            report_submit(grant_round=grant_round, region=region, data=DATA, revision=1, by=proxy)
            raise RuntimeError("rolled back")
    assert queued == [] and mail.outbox == []
    assert ReportVersion.objects.count() == 1


def test_resubmission_keeps_every_version_and_the_latest_counts(region, proxy):
    grant_round = round_2024()
    with frozen(BEFORE_DEADLINE):
        submit(grant_round, region, proxy)
        second = submit(
            grant_round,
            region,
            proxy,
            data=ReportData(**{**DATA.__dict__, "filled_posts": 95}),
            revision=1,
        )
    assert second.number == 2
    assert second.reference == "AT2024-10-0002"
    versions = list(ReportVersion.objects.filter(report=second.report).order_by("number"))
    assert [(v.number, v.filled_posts) for v in versions] == [(1, 90), (2, 95)]
    assert ReportVersion.objects.filter(report=second.report).latest().filled_posts == 95
    assert Report.objects.get().filled_posts == 95
    assert len(mail.outbox) == 2


def test_submission_needs_posts_and_a_contact(region, proxy):
    grant_round = round_2024()
    with frozen(BEFORE_DEADLINE):
        with pytest.raises(ValidationError):
            submit(
                grant_round,
                region,
                proxy,
                data=ReportData(contact_name="A", contact_email="a@b.se"),
            )
        with pytest.raises(ValidationError):
            submit(grant_round, region, proxy, data=ReportData(filled_posts=3))
        with pytest.raises(ValidationError):
            draft(grant_round, region, proxy, data=ReportData(filled_posts=5001))
    assert not Report.objects.exists()


# --- concurrent edits -----------------------------------------------------------------------


def test_second_save_from_the_same_revision_is_refused_and_overwrites_nothing(
    region, proxy, colleague
):
    grant_round = round_2024()
    with frozen(BEFORE_DEADLINE):
        draft(grant_round, region, colleague)  # revision 1
        # Both open the form at revision 1; the colleague saves first.
        draft(grant_round, region, colleague, data=ReportData(filled_posts=100), revision=1)
        with pytest.raises(ReportConflict) as caught:
            submit(grant_round, region, proxy, data=DATA, revision=1)
        with pytest.raises(ReportConflict):
            draft(grant_round, region, proxy, data=ReportData(filled_posts=1), revision=1)
    report = Report.objects.get()
    assert (report.filled_posts, report.revision, report.updated_by) == (100, 2, colleague)
    assert not ReportVersion.objects.exists()
    message = caught.value.messages[0]
    assert message.startswith(
        "Rapporten har ändrats av kollega@blekinge.example.se kl. 10:00 sedan du öppnade den."
    )
    assert AuditEvent.objects.filter(action="report.draft_saved").count() == 2


def test_two_first_saves_of_a_new_report_cannot_both_win(region, proxy, colleague):
    grant_round = round_2024()
    with frozen(BEFORE_DEADLINE):
        draft(grant_round, region, colleague, revision=0)
        with pytest.raises(ReportConflict):
            draft(grant_round, region, proxy, data=ReportData(filled_posts=1), revision=0)
    assert Report.objects.get().filled_posts == 90


# --- the deadline ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "when",
    [
        LAST_SECOND,
        LAST_SECOND.replace(microsecond=999_999),
        # 23:30 Swedish winter time is 22:30 UTC: still 1 November in Stockholm.
        dt.datetime(2024, 11, 1, 22, 30, tzinfo=dt.UTC),
    ],
)
def test_a_write_on_the_last_day_is_accepted(region, proxy, when):
    grant_round = round_2024()
    with frozen(when):
        version = submit(grant_round, region, proxy)
    assert version.submitted_at == when


@pytest.mark.parametrize("when", [NEXT_DAY, dt.datetime(2024, 11, 1, 23, 0, tzinfo=dt.UTC)])
def test_a_write_after_the_last_day_is_refused_with_a_clear_message(region, proxy, colleague, when):
    grant_round = round_2024()
    with frozen(when):
        with pytest.raises(ValidationError) as caught:
            submit(grant_round, region, proxy)
        with pytest.raises(ValidationError):
            draft(grant_round, region, colleague)
    assert (
        "Sista dag för inrapportering har passerat (1 november 2024 kl. 23:59"
        in caught.value.messages[0]
    )
    assert not Report.objects.exists()
    assert mail.outbox == []


def test_a_closed_round_refuses_writes(region, proxy):
    grant_round = round_2024(closed=True)
    with frozen(BEFORE_DEADLINE), pytest.raises(ValidationError) as caught:
        draft(grant_round, region, proxy)
    assert "Omgången är stängd" in caught.value.messages[0]
    assert "Uppgifterna har inte sparats" in caught.value.messages[0]


def test_a_locked_report_refuses_writes(region, proxy):
    grant_round = round_2024()
    Report.objects.create(round=grant_round, region=region, locked_at=BEFORE_DEADLINE)
    with frozen(BEFORE_DEADLINE), pytest.raises(ValidationError):
        draft(grant_round, region, proxy)


def test_deadline_on_the_day_summer_time_ends(region, proxy):
    """27 October 2024: clocks go back from 03:00 CEST to 02:00 CET; deadline 23:59:59 CET."""
    grant_round = GrantRoundFactory(
        slug="dst", deadline=dt.datetime(2024, 10, 27, 23, 59, 59, tzinfo=STOCKHOLM)
    )
    assert grant_round.deadline.utcoffset() == dt.timedelta(hours=1)
    ambiguous_first = dt.datetime(2024, 10, 27, 2, 30, tzinfo=STOCKHOLM)  # 00:30 UTC (CEST)
    ambiguous_second = ambiguous_first.replace(fold=1)  # 01:30 UTC (CET)
    assert ambiguous_second - ambiguous_first.astimezone(dt.UTC) != dt.timedelta(0)
    revision = 0
    for when in (
        ambiguous_first,
        ambiguous_second,
        dt.datetime(2024, 10, 27, 22, 59, 59, tzinfo=dt.UTC),
    ):
        with frozen(when):
            draft(grant_round, region, proxy, revision=revision)
        revision += 1
    # 23:00 UTC is midnight CET: 28 October has begun in Stockholm (in summer time: 01:00).
    with frozen(dt.datetime(2024, 10, 27, 23, 0, tzinfo=dt.UTC)), pytest.raises(ValidationError):
        draft(grant_round, region, proxy, revision=revision)
    assert Report.objects.get().revision == 3


# --- extensions -----------------------------------------------------------------------------


def extend(grant_round, region, officer, day, reason="Sjukdom hos ombudet."):
    return deadline_extension_grant(
        grant_round=grant_round,
        region=region,
        until=dt.datetime(2024, 11, day, 23, 59, 59, tzinfo=STOCKHOLM),
        reason=reason,
        by=officer,
    )


def test_an_extension_lets_the_region_write_after_the_deadline(
    region, other_region, proxy, other_proxy, officer
):
    grant_round = round_2024()
    with frozen(BEFORE_DEADLINE):
        extension = extend(grant_round, region, officer, 8)
    with frozen(dt.datetime(2024, 11, 8, 23, 59, 59, tzinfo=STOCKHOLM)):
        assert submit(grant_round, region, proxy).number == 1
        with pytest.raises(ValidationError):  # the other region has no extension
            submit(grant_round, other_region, other_proxy)
    with (
        frozen(dt.datetime(2024, 11, 9, tzinfo=STOCKHOLM)),
        pytest.raises(ValidationError) as caught,
    ):
        submit(grant_round, region, proxy, revision=1)
    assert "8 november 2024 kl. 23:59" in caught.value.messages[0]
    event = AuditEvent.objects.get(action="report.deadline_extended")
    assert event.actor == officer
    assert (event.round_id, event.region_id) == (grant_round.pk, region.pk)
    assert event.before == {"until": None, "reason": None}
    assert event.after["reason"] == "Sjukdom hos ombudet."
    assert extension.granted_by == officer


def test_the_latest_extension_counts_and_all_are_kept(region, proxy, officer):
    grant_round = round_2024()
    with frozen(BEFORE_DEADLINE):
        extend(grant_round, region, officer, 10)
    with frozen(BEFORE_DEADLINE + dt.timedelta(days=1)):
        extend(grant_round, region, officer, 5, reason="Rättad: fem dagar räcker.")
    assert DeadlineExtension.objects.count() == 2
    with frozen(dt.datetime(2024, 11, 7, tzinfo=STOCKHOLM)), pytest.raises(ValidationError):
        draft(grant_round, region, proxy)
    latest_event = (
        AuditEvent.objects.filter(action="report.deadline_extended").order_by("-pk").first()
    )
    assert latest_event.before["until"] is not None  # the earlier extension, on record


@pytest.mark.parametrize("who", ["auditor", "proxy", "colleague"])
def test_only_officers_grant_extensions(request, region, who):
    grant_round = round_2024()
    with pytest.raises(PermissionDenied):
        extend(grant_round, region, request.getfixturevalue(who), 8)
    assert not DeadlineExtension.objects.exists()


def test_an_extension_needs_a_reason_and_a_later_day(region, officer):
    grant_round = round_2024()
    with pytest.raises(ValidationError):
        extend(grant_round, region, officer, 8, reason="  ")
    with pytest.raises(ValidationError):
        extend(grant_round, region, officer, 1)
    with pytest.raises(ValidationError):
        extend(round_2024(slug="closed", closed=True), region, officer, 8)
    assert not DeadlineExtension.objects.exists()
