"""The officer's answers to a proxy application are e-mails the agency draws up and sends: each
is kept as sent (registry.SentMessage) and registered with the answer, and the applicant gets
exactly the registered text; a refused or repeated answer registers and sends nothing more.
The acknowledgements (the application and its completion received) are not registered: the
incoming documents they confirm are (registry.messages)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit.models import AppendOnlyError
from regions import services as region_services
from registry.models import Direction, DocumentKind, RegistryEntry, SentMessage
from tests.allocation.factories import eager_celery  # noqa: F401 - a fixture
from tests.factories import UserFactory
from tests.regions.factories import ProxyApplicationFactory, pdf_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def _outgoing() -> list[RegistryEntry]:
    return list(RegistryEntry.objects.filter(direction=Direction.OUTGOING).order_by("serial"))


def _assert_sent_as_registered(entry: RegistryEntry, application) -> None:
    """The entry's document is the e-mail the applicant got, word for word."""
    kept = entry.document
    assert isinstance(kept, SentMessage)
    assert (kept.application, kept.region, kept.round) == (application, application.region, None)
    [sent] = [m for m in mail.outbox if m.subject == kept.subject]
    assert (sent.to, sent.body) == (kept.recipients, kept.body)
    assert kept.recipients == [application.applicant.email]
    assert entry.region == application.region and entry.round is None
    assert entry.party == (
        f"{application.full_name}, {application.region.name} ({application.applicant.email})"
    )


def test_each_answer_to_an_applicant_is_registered_as_the_email_sent(
    region, officer, django_capture_on_commit_callbacks
):
    application = ProxyApplicationFactory(region=region)
    with django_capture_on_commit_callbacks(execute=True):
        region_services.proxy_application_request_completion(
            application=application, by=officer, message="Fullmakten saknar datum."
        )
    [asked] = _outgoing()
    assert asked.kind == DocumentKind.COMPLETION_REQUEST and asked.registered_by == officer
    assert asked.description == "Begäran om komplettering (Region Blekinge)"
    _assert_sent_as_registered(asked, application)
    assert "Fullmakten saknar datum." in asked.document.body

    with django_capture_on_commit_callbacks(execute=True):
        region_services.proxy_application_resubmit(
            application=application, by=application.applicant, document=pdf_upload("Ny.pdf")
        )
        region_services.proxy_application_approve(application=application, by=officer)
    [_asked, approved] = _outgoing()
    assert approved.kind == DocumentKind.PROXY_DECISION
    assert approved.description == "Beslut: ansökan om att bli ombud beviljas (Region Blekinge)"
    _assert_sent_as_registered(approved, application)
    assert "Du är nu ombud för Region Blekinge" in approved.document.subject

    rejected = ProxyApplicationFactory(region=region)
    with django_capture_on_commit_callbacks(execute=True):
        region_services.proxy_application_reject(
            application=rejected, by=officer, reason="Fullmakten är inte undertecknad."
        )
    entry = _outgoing()[-1]
    assert entry.kind == DocumentKind.PROXY_DECISION
    assert entry.description == "Beslut: ansökan om att bli ombud avslås (Region Blekinge)"
    _assert_sent_as_registered(entry, rejected)
    assert "Fullmakten är inte undertecknad." in entry.document.body


def test_a_repeated_answer_registers_and_sends_nothing_more(
    region, officer, django_capture_on_commit_callbacks
):
    application = ProxyApplicationFactory(region=region)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            region_services.proxy_application_request_completion(
                application=application, by=officer, message="Fullmakten saknar datum."
            )
    rejected = ProxyApplicationFactory(region=region)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            region_services.proxy_application_reject(application=rejected, by=officer, reason="Fel")
    assert len(_outgoing()) == SentMessage.objects.count() == len(mail.outbox) == 2


def test_a_refused_answer_registers_and_sends_nothing(
    region, officer, django_capture_on_commit_callbacks
):
    application = ProxyApplicationFactory(region=region)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError):
            region_services.proxy_application_reject(
                application=application, by=officer, reason=" "
            )
        with pytest.raises(ValidationError):
            region_services.proxy_application_request_completion(
                application=application, by=officer, message=""
            )
    approved = ProxyApplicationFactory(region=region)
    with django_capture_on_commit_callbacks(execute=True):
        region_services.proxy_application_approve(application=approved, by=officer)
    mail.outbox.clear()
    # Approved applications cannot be rejected: the workflow refuses, nothing is written.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        region_services.proxy_application_reject(application=approved, by=officer, reason="Fel")
    assert len(_outgoing()) == SentMessage.objects.count() == 1
    assert mail.outbox == []


def test_acknowledgements_to_the_applicant_are_not_registered_as_outgoing(
    region, django_capture_on_commit_callbacks
):
    applicant = UserFactory(email="sam@blekinge.example.se")
    with django_capture_on_commit_callbacks(execute=True):
        region_services.proxy_application_submit(
            applicant=applicant,
            region=region,
            full_name="Sam Sökande",
            title="Regiondirektör",
            phone="",
            basis="power_of_attorney",
            document=pdf_upload("Fullmakt.pdf"),
        )
    assert [m.to for m in mail.outbox][:1] == [["sam@blekinge.example.se"]]
    assert _outgoing() == [] and not SentMessage.objects.exists()
    assert RegistryEntry.objects.filter(direction=Direction.INCOMING).count() == 2


def test_a_sent_message_is_never_changed(region, officer, django_capture_on_commit_callbacks):
    application = ProxyApplicationFactory(region=region)
    with django_capture_on_commit_callbacks(execute=True):
        region_services.proxy_application_approve(application=application, by=officer)
    kept = SentMessage.objects.get()
    kept.body = "Något annat"
    with pytest.raises(AppendOnlyError):
        kept.save()
    with pytest.raises(AppendOnlyError):
        SentMessage.objects.update(subject="Annat")
    with pytest.raises(AppendOnlyError):
        kept.delete()
    # Past the ORM, the database refuses too.
    for sql in ("UPDATE registry_sentmessage SET body = 'x'", "DELETE FROM registry_sentmessage"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert SentMessage.objects.get().body != "x"


def test_an_answers_entry_links_to_the_email_and_the_email_to_the_application(
    client, login, region, officer, auditor, django_capture_on_commit_callbacks
):
    application = ProxyApplicationFactory(region=region)
    with django_capture_on_commit_callbacks(execute=True):
        region_services.proxy_application_request_completion(
            application=application, by=officer, message="Fullmakten saknar datum."
        )
    [entry] = _outgoing()
    url = reverse("registry:sent_message", args=[entry.object_id])
    login(client, auditor)
    [row] = client.get(reverse("registry:list")).context["rows"][:1]
    assert row.link == url
    html = client.get(url).content.decode()
    assert "<h1>Begäran om komplettering</h1>" in html
    assert entry.case_number in html and "Fullmakten saknar datum." in html
    assert reverse("regions:review_detail", args=[application.pk]) in html
