"""Before an irreversible step (closing a round, issuing decisions) the officer sees who is
affected, and can remind them (issue 15, item 11); a decided round links the decision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from allocation.views_read.audit import action_label
from audit.models import AuditEvent
from regions.models import ProxyAppointment
from registry.models import Direction, DocumentKind, RegistryEntry
from submissions.models import DeadlineExtension, Report, RoundStatus
from submissions.selectors import round_gaps
from submissions.services import report_reminders_send
from tests.allocation.factories import (
    AFTER_DEADLINE,
    BEFORE_DEADLINE,
    at,
    eager_celery,  # noqa: F401 - a fixture
    reported_round,
)
from tests.allocation.read_factories import FOUR, closed_round, decide
from tests.factories import ReportVersionFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def open_round(region, other_region, proxy, other_proxy, colleague):
    """Alfa, Beta, Gamma submitted; Alfa then changed its report without sending it in;
    Blekinge has nothing; Gotland has a colleague's draft that was never submitted."""
    grant_round = reported_round(status=RoundStatus.OPEN)
    Report.objects.filter(round=grant_round, region__short_name="Alfa").update(
        filled_posts=99, revision=2
    )
    Report.objects.create(
        round=grant_round, region=other_region, filled_posts=12, revision=1, updated_by=colleague
    )
    return grant_round


def _names(regions) -> list[str]:
    return [r.name for r in regions]


def test_round_gaps_name_who_has_not_submitted_and_who_has_unsent_changes(open_round, other_region):
    gaps = round_gaps(open_round)
    assert _names(gaps.not_submitted) == ["Region Blekinge", "Region Gotland"]
    assert gaps.drafted == {other_region.pk}
    assert _names(gaps.unsent) == ["Region Alfa"]


def test_the_close_page_lists_the_regions_left_out_and_offers_a_reminder(
    client, login, officer, open_round
):
    login(client, officer)
    with at(AFTER_DEADLINE):
        page = client.get(reverse("allocation:round_close", args=[open_round.slug]))
    html = page.content.decode()
    assert "2 regioner har inte skickat in någon rapport" in html
    assert "Gotland – har ett utkast som inte är inskickat" in html
    assert "1 region har ändringar som inte är inskickade" in html
    assert "<li>Region Alfa</li>" in html
    # after the deadline no region can act on a reminder: none is offered
    assert reverse("allocation:round_remind", args=[open_round.slug]) not in html
    assert "Skicka påminnelse" not in html
    with at(BEFORE_DEADLINE):
        html = client.get(reverse("allocation:round", args=[open_round.slug])).content
    html = html.decode()
    assert reverse("allocation:round_remind", args=[open_round.slug]) in html
    for code in ("10", "09", "21"):
        assert f'name="region" value="{code}"' in html


def test_after_the_deadline_a_reminder_goes_only_to_regions_with_an_extension(
    client, login, officer, open_round, django_capture_on_commit_callbacks
):
    with at(AFTER_DEADLINE), pytest.raises(ValidationError, match="Sista dagen har passerat"):
        report_reminders_send(grant_round=open_round, by=officer)
    alfa = open_round.reports.get(region__short_name="Alfa").region
    DeadlineExtension.objects.create(
        round=open_round,
        region=alfa,
        until=AFTER_DEADLINE + dt.timedelta(days=3),
        reason="Sjukdom.",
        granted_by=officer,
    )
    login(client, officer)
    with at(AFTER_DEADLINE):
        html = client.get(reverse("allocation:round", args=[open_round.slug])).content.decode()
    assert f'name="region" value="{alfa.code}"' in html
    assert html.count('name="region" value=') == 1
    # Alfa has nobody to mail yet: nothing is registered or sent, and the officer is told.
    with (
        at(AFTER_DEADLINE),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError, match="har ombud eller någon som sparat"),
    ):
        report_reminders_send(grant_round=open_round, by=officer)
    assert not RegistryEntry.objects.exists() and mail.outbox == []
    ProxyAppointment.objects.create(region=alfa, user=UserFactory(email="ombud@alfa.example.se"))
    with at(AFTER_DEADLINE), django_capture_on_commit_callbacks(execute=True):
        reminded = report_reminders_send(grant_round=open_round, by=officer)
    assert _names(reminded) == ["Region Alfa"]
    assert [m.to for m in mail.outbox] == [["ombud@alfa.example.se"]]


def test_a_reminder_mails_the_proxy_and_the_drafts_author_after_commit(
    officer, open_round, region, other_region, django_capture_on_commit_callbacks
):
    with at(BEFORE_DEADLINE), django_capture_on_commit_callbacks(execute=False) as callbacks:
        reminded = report_reminders_send(
            grant_round=open_round, by=officer, regions=[region, other_region]
        )
        assert mail.outbox == []  # nothing is sent before the commit
    assert _names(reminded) == ["Region Blekinge", "Region Gotland"]
    with at(BEFORE_DEADLINE):
        for callback in callbacks:
            callback()
    sent = {tuple(m.to): m for m in mail.outbox}
    assert set(sent) == {
        ("ombud@blekinge.example.se",),
        ("ombud@gotland.example.se", "kollega@blekinge.example.se"),
    }
    gotland = sent[("ombud@gotland.example.se", "kollega@blekinge.example.se")].body
    assert "Ett utkast till rapport är sparat men inte inskickat" in gotland
    assert "Sista dag för inrapportering: 1 november 2024" in gotland
    event = AuditEvent.objects.get(action="round.reminders_sent")
    entries = {e.region.code: e for e in RegistryEntry.objects.all()}
    assert event.after == {
        "regions": ["Region Blekinge", "Region Gotland"],
        "case_numbers": {code: e.case_number for code, e in entries.items()},
    }
    # Each reminder is registered as the outgoing document it is, word for word as sent.
    assert set(entries) == {"10", "09"}
    gotland = entries["09"]
    assert (gotland.kind, gotland.direction) == (DocumentKind.REPORT_REMINDER, Direction.OUTGOING)
    assert (gotland.round, gotland.registered_by) == (open_round, officer)
    assert gotland.party == (
        "Region Gotland (ombud@gotland.example.se, kollega@blekinge.example.se)"
    )
    assert gotland.description == f"Påminnelse om inrapportering, {open_round.name}"
    kept = gotland.document
    as_sent = sent[("ombud@gotland.example.se", "kollega@blekinge.example.se")]
    assert (kept.subject, kept.body, kept.recipients) == (
        as_sent.subject,
        as_sent.body,
        as_sent.to,
    )
    assert action_label(event.action) == "Påminnelse om inrapportering skickad"


def test_the_reminder_form_sends_to_the_ticked_regions_only(
    client, login, officer, open_round, other_region, django_capture_on_commit_callbacks
):
    login(client, officer)
    url = reverse("allocation:round_remind", args=[open_round.slug])
    with at(BEFORE_DEADLINE), django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"region": ["09"], "back": "close"})
    assert response.status_code == 302
    assert response["Location"] == reverse("allocation:round_close", args=[open_round.slug])
    assert [m.to[0] for m in mail.outbox] == ["ombud@gotland.example.se"]
    with at(BEFORE_DEADLINE):
        nothing = client.post(url, {"back": "round"}, follow=True)
    assert "Ingen av de valda regionerna behöver påminnas" in nothing.content.decode()
    assert len(mail.outbox) == 1


def test_a_reminder_goes_as_registered_even_if_the_region_submits_before_it_leaves(
    officer, open_round, region, proxy, django_capture_on_commit_callbacks
):
    # The reminder is the document registered with the officer's action: once registered it
    # is sent as it was written, not re-read (the register and the inbox must agree).
    with at(BEFORE_DEADLINE), django_capture_on_commit_callbacks() as callbacks:
        report_reminders_send(grant_round=open_round, by=officer, regions=[region])
    report = Report.objects.create(
        round=open_round, region=region, filled_posts=40, revision=1, updated_by=proxy
    )
    ReportVersionFactory(
        report=report,
        number=1,
        filled_posts=40,
        started_posts=None,
        contact_name=report.contact_name,
        contact_email=report.contact_email,
    )
    with at(BEFORE_DEADLINE):
        for callback in callbacks:
            callback()
    [sent] = mail.outbox
    kept = RegistryEntry.objects.get(kind=DocumentKind.REPORT_REMINDER).document
    assert (sent.subject, sent.body) == (kept.subject, kept.body)
    assert "Regionen har inte skickat in någon rapport" in sent.body


def test_only_officers_remind_and_only_while_the_round_is_open(
    client, login, auditor, officer, proxy, open_round
):
    for user in (auditor, proxy):
        with pytest.raises(PermissionDenied):
            report_reminders_send(grant_round=open_round, by=user)
    login(client, auditor)
    url = reverse("allocation:round_remind", args=[open_round.slug])
    assert client.post(url, {"region": ["10"]}).status_code == 403
    open_round.status = RoundStatus.CLOSED
    open_round.save()
    with pytest.raises(ValidationError, match="medan omgången är öppen"):
        report_reminders_send(grant_round=open_round, by=officer)
    assert mail.outbox == []
    assert not RegistryEntry.objects.exists()


def test_the_issue_page_names_the_regions_that_get_no_decision(
    client, login, officer, django_capture_on_commit_callbacks
):
    from allocation.services.runs import allocation_run_execute, allocation_run_request
    from tests.factories import RegionFactory

    grant_round = closed_round(FOUR[:2])
    RegionFactory(code="13", short_name="Halland", name="Region Halland")
    run = allocation_run_request(grant_round=grant_round, by=officer)
    run = allocation_run_execute(run_id=run.pk)
    login(client, officer)
    page = client.get(reverse("allocation:decisions_issue", args=[grant_round.slug, run.number]))
    html = page.content.decode()
    assert "Regioner utan inskickad rapport får inget beslut" in html
    assert "1 region har inte skickat in någon rapport" in html and "<li>Region Halland" in html
    assert reverse("allocation:round_remind", args=[grant_round.slug]) not in html


def test_the_dashboard_links_the_regions_decision_in_a_decided_round(client, login, officer):
    grant_round = closed_round(FOUR[:2])
    decisions = decide(grant_round, officer)
    blekinge = decisions["Blekinge"].region
    proxy = UserFactory(email="ombud@blekinge.example.se")
    ProxyAppointment.objects.create(region=blekinge, user=proxy)
    login(client, proxy)
    html = client.get(reverse("submissions:dashboard")).content.decode()
    decided = html[html.index("Beslutade omgångar") :]
    link = reverse("allocation_read:region_decision", args=[decisions["Blekinge"].reference])
    assert f'href="{link}"' in decided
    assert "Stängda omgångar" not in html and "Öppna rapporten" not in html


def test_the_report_page_of_a_decided_round_links_the_decision(client, login, officer):
    grant_round = closed_round(FOUR[:2])
    decisions = decide(grant_round, officer)
    blekinge = decisions["Blekinge"].region
    proxy = UserFactory(email="ombud@blekinge.example.se")
    ProxyAppointment.objects.create(region=blekinge, user=proxy)
    login(client, proxy)
    url = reverse("submissions:report_edit", args=[grant_round.slug, blekinge.code])
    html = client.get(url).content.decode()
    link = reverse("allocation_read:region_decision", args=[decisions["Blekinge"].reference])
    assert f'href="{link}"' in html
    assert "Omgången är beslutad" in html and 'id="forecast-' not in html


def test_the_round_page_names_who_is_affected_before_offering_to_close(
    client, login, officer, open_round
):
    login(client, officer)
    with at(AFTER_DEADLINE):
        html = client.get(reverse("allocation:round", args=[open_round.slug])).content.decode()
    close = html.index(f'href="{reverse("allocation:round_close", args=[open_round.slug])}"')
    assert html.index("2 regioner har inte skickat in någon rapport") < close
    assert html.index("1 region har ändringar som inte är inskickade") < close
