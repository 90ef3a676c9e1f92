# ruff: noqa: F811 - the fixtures imported are used as arguments
"""What the agency draws up and sends or files is in Swedish (atgrant.language), whatever
language the screen of whoever causes it is in: the decision letter (downloaded, mailed,
archived), the receipt, every e-mail to a region or an applicant. The screens stay in the
reader's language. Each case below runs with English active, as a request from an officer or
proxy who chose English does; the English catalogue is complete (tests/test_i18n.py), so any
text rendered in the caller's language would come out in English."""

from __future__ import annotations

import io
import zipfile
from unittest import mock

import pypdf
import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from allocation.letters import decision_letter_html
from atgrant.language import written_in_swedish
from audit.models import AuditEvent
from regions import services as region_services
from regions.models import ProxyAppointment
from registry.archive import round_archive
from registry.models import SentMessage
from submissions import emails, setup
from submissions.baselines import population_import_stage
from submissions.models import RoundStatus
from submissions.receipts import receipt_pdf
from submissions.services import report_reminders_send
from tests.allocation.factories import (  # noqa: F401 - eager_celery is a fixture
    BEFORE_DEADLINE,
    at,
    eager_celery,
    issued,
    reported_round,
    run_done,
)
from tests.factories import ReportVersionFactory
from tests.regions.factories import ProxyApplicationFactory
from tests.submissions.factories import frozen
from tests.submissions.test_baseline_imports import JSON_FILE
from tests.submissions.test_baseline_imports import grant_round as draft_2024  # noqa: F401
from tests.submissions.test_round_opening_registry import ready_2025  # noqa: F401 - a fixture
from tests.submissions.test_round_setup import (  # noqa: F401 - fixtures
    PREPARING,
    draft_2025,
    regions,
    round_2024,
)

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(
        "\n".join(page.extract_text() for page in reader.pages).replace(NBSP, " ").split()
    )


@pytest.fixture
def english():
    """English active, as LocaleMiddleware leaves it for a reader who chose English."""
    with translation.override("en"):
        yield
        # The screen the reader goes back to is still in their language.
        assert translation.get_language() == "en"


def test_the_decorator_gives_back_the_callers_language_also_after_an_error():
    @written_in_swedish
    def failing() -> None:
        assert translation.get_language() == "sv"
        raise ValueError("refused")

    with translation.override("en"):
        with pytest.raises(ValueError, match="refused"):
            failing()
        assert translation.get_language() == "en"


def proxy_region(user):
    return ProxyAppointment.objects.get(user=user).region


@pytest.fixture
def decisions(officer, region, django_capture_on_commit_callbacks, eager_celery):  # noqa: F811
    grant_round = reported_round(regions=[region])
    return issued(grant_round, officer, django_capture_on_commit_callbacks)


def test_a_decision_letter_downloaded_from_an_english_screen_is_in_swedish(
    client, login, proxy, decisions
):
    [decision] = [d for d in decisions if d.region == proxy_region(proxy)]
    login(client, proxy)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("allocation_read:region_decision", args=[decision.reference]))
    assert page.content.decode().count("Decision") > 0  # the screen is English
    response = client.get(
        reverse("allocation_read:region_decision_letter", kwargs={"reference": decision.reference})
    )
    assert response.status_code == 200
    text = _pdf_text(response.content)
    assert "Utbetalning förväntas ske i december" in text
    assert "Payment is expected" not in text


def test_the_letter_the_round_archive_and_the_decision_email_are_in_swedish(
    officer,
    region,
    mailoutbox,
    django_capture_on_commit_callbacks,
    eager_celery,
    english,  # noqa: F811
):
    region.registry_email = "registrator@regionblekinge.se"
    region.save()
    grant_round = reported_round(regions=[region])
    decisions = issued(grant_round, officer, django_capture_on_commit_callbacks)
    [decision] = [d for d in decisions if d.region == region]
    assert "Utbetalning förväntas ske i december" in decision_letter_html(decision)
    # The decision's e-mail, sent by the worker, read as it went out.
    [message] = mailoutbox
    assert "Beslut" in message.subject and "Decision" not in message.subject
    assert "Utbetalning förväntas ske i december" in _pdf_text(message.attachments[0][1])
    with round_archive(grant_round) as handle, zipfile.ZipFile(handle) as archive:
        letter = archive.read(f"beslut/{decision.reference}.pdf")
        table = archive.read("fordelningslista.csv").decode("utf-8-sig")
    assert "Utbetalning förväntas ske i december" in _pdf_text(letter)
    assert table.splitlines()[-1].startswith("Summa")  # the total row, named in Swedish


def test_a_receipt_and_its_email_are_in_swedish(english, mailoutbox):
    version = ReportVersionFactory()
    text = _pdf_text(receipt_pdf(version))
    assert "Kvittens" in text and "Receipt" not in text
    emails.send_receipt(version=version)
    [message] = mailoutbox
    assert message.subject.startswith(f"Kvittens {version.reference}")
    assert "Receipt" not in message.body


def test_the_officers_answer_to_an_applicant_is_written_and_registered_in_swedish(
    region, officer, django_capture_on_commit_callbacks, english
):
    application = ProxyApplicationFactory(region=region)
    with django_capture_on_commit_callbacks(execute=True):
        region_services.proxy_application_approve(application=application, by=officer)
    kept = SentMessage.objects.get(application=application)
    assert kept.subject == "Du är nu ombud för Region Blekinge"
    assert "Din ansökan är beviljad." in kept.body
    [sent] = [m for m in mail.outbox if m.to == [application.applicant.email]]
    assert (sent.subject, sent.body) == (kept.subject, kept.body)


def test_an_officers_reminder_is_in_swedish(officer, region, proxy, english):
    grant_round = reported_round(status=RoundStatus.OPEN, absent=[region])
    with at(BEFORE_DEADLINE):
        report_reminders_send(grant_round=grant_round, by=officer)
    kept = SentMessage.objects.get(region=region)
    assert kept.subject.startswith("Påminnelse: inrapportering av AT-tjänster")
    assert "Reminder" not in kept.body


def test_a_round_opening_notice_is_in_swedish(
    officer, ready_2025, django_capture_on_commit_callbacks, english
):
    with frozen(PREPARING), django_capture_on_commit_callbacks(execute=True):
        setup.round_open(grant_round=ready_2025, by=officer)
    kept = SentMessage.objects.get(region__code="10", round=ready_2025)
    assert kept.subject == "AT-bidraget 2025 är öppen för inrapportering"
    assert "is open" not in kept.body


def test_the_audit_log_names_what_was_changed_in_swedish(draft_2024, officer, english):
    """The log is the agency's record: an object's name holding a choice's label (an import's
    kind) is kept in Swedish, also when an officer on the English screens acted."""
    staged = population_import_stage(
        grant_round=draft_2024, content=JSON_FILE.read_bytes(), name=JSON_FILE.name, by=officer
    )
    event = AuditEvent.objects.get(action="baseline.import_received")
    assert event.object_repr == f"{draft_2024.name}: Befolkning ({staged.original_name})"


def test_a_failed_runs_reason_is_kept_in_swedish(
    officer, django_capture_on_commit_callbacks, eager_celery, english
):
    """A run requested from an English screen (its task run in the request, as on `make run`)
    keeps its reason as a worker would write it."""
    grant_round = reported_round()
    with mock.patch("allocation.services.runs.compute", side_effect=RuntimeError("boom")):
        run = run_done(grant_round, officer, django_capture_on_commit_callbacks)
    assert run.error == "Oväntat fel (RuntimeError). Se serverns logg."
