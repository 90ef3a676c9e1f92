"""Applying to become proxy and the officer's review, end to end through the pages."""

from __future__ import annotations

import hashlib

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from regions.documents import minimal_pdf
from regions.models import (
    ApplicationEvent,
    ApplicationStatus,
    ProxyApplication,
    ProxyAppointment,
    ProxyDocument,
)
from tests.factories import UserFactory
from tests.regions.factories import PDF, ProxyApplicationFactory, pdf_upload

pytestmark = pytest.mark.django_db


def _apply(client, region, **overrides):
    data = {
        "region": region.pk,
        "full_name": "Sam Sökande",
        "title": "Hälso- och sjukvårdsdirektör",
        "phone": "0455-73 00 00",
        "basis": "power_of_attorney",
        "document": pdf_upload("Fullmakt Blekinge.pdf"),
    }
    data.update(overrides)
    return client.post(reverse("regions:apply"), data)


def test_full_flow_apply_complete_resubmit_approve_replaces_earlier_proxy(
    client, login, region, proxy, officer, django_capture_on_commit_callbacks
):
    applicant = UserFactory(email="sam@blekinge.example.se")

    # 1. The applicant applies with a PDF.
    login(client, applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = _apply(client, region)
    application = ProxyApplication.objects.get(applicant=applicant)
    assert response.status_code == 302
    assert response["Location"] == reverse("regions:application_detail", args=[application.pk])
    assert application.status == ApplicationStatus.SUBMITTED
    document = application.documents.get()
    assert document.original_name == "Fullmakt Blekinge.pdf"
    assert document.size == len(PDF)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.file.name.startswith(f"proxy-documents/{application.pk}/")
    assert "Blekinge" not in document.file.name  # never the uploaded name on disk
    to_applicant = [m for m in mail.outbox if m.to == [applicant.email]]
    assert len(to_applicant) == 1
    assert to_applicant[0].subject == (
        "Vi har tagit emot din ansökan om att bli ombud för Region Blekinge"
    )
    assert f"/ombud/mina-ansokningar/{application.pk}/" in to_applicant[0].body
    notice = [m for m in mail.outbox if m.to == [officer.email]]
    assert notice and notice[0].subject == "Ny ombudsansökan: Region Blekinge"
    mail.outbox.clear()

    # 2. The officer asks for completion.
    login(client, officer)
    assert "Sam Sökande" in client.get(reverse("regions:review_list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("regions:review_request_completion", args=[application.pk]),
            {"message": "Fullmakten saknar underskrift."},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETION_REQUESTED
    assert application.officer_message == "Fullmakten saknar underskrift."
    (message,) = mail.outbox
    assert message.to == [applicant.email]
    assert message.subject == "Komplettera din ansökan om att bli ombud för Region Blekinge"
    assert "Fullmakten saknar underskrift." in message.body
    mail.outbox.clear()

    # 3. The applicant sees the message and resubmits with a new document.
    login(client, applicant)
    page = client.get(reverse("regions:application_detail", args=[application.pk]))
    html = page.content.decode()
    assert "Fullmakten saknar underskrift." in html
    assert "Komplettera ansökan" in html
    new_pdf = minimal_pdf("Fullmakt, underskriven")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("regions:application_resubmit", args=[application.pk]),
            {
                "document": pdf_upload("underskriven.pdf", new_pdf),
                "message": "Nu med namnteckning.",
            },
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.documents.count() == 2
    assert application.documents.last().sha256 == hashlib.sha256(new_pdf).hexdigest()
    assert mail.outbox[0].to == [applicant.email]
    assert mail.outbox[0].subject == "Vi har tagit emot din komplettering (Region Blekinge)"
    notice = [m for m in mail.outbox if m.to == [officer.email]]
    assert notice[0].subject == "Komplettering av ombudsansökan: Region Blekinge"
    assert f"/handlaggning/ombudsansokningar/{application.pk}/" in notice[0].body
    mail.outbox.clear()

    # 4. The officer approves: the applicant becomes the proxy, the earlier one is replaced.
    earlier = ProxyAppointment.objects.get(user=proxy)
    login(client, officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("regions:review_approve", args=[application.pk]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    active = ProxyAppointment.objects.get(region=region, ended_at__isnull=True)
    assert (active.user, active.application, active.appointed_by) == (
        applicant,
        application,
        officer,
    )
    earlier.refresh_from_db()
    assert earlier.ended_at is not None
    assert earlier.ended_reason == "Ersatt av nytt ombud"
    (message,) = mail.outbox
    assert message.to == [applicant.email]
    assert message.subject == "Du är nu ombud för Region Blekinge"

    # History: dated and attributed, in order.
    events = list(application.events.values_list("kind", "by__email", "message"))
    assert events == [
        ("submitted", applicant.email, ""),
        ("completion_requested", officer.email, "Fullmakten saknar underskrift."),
        ("resubmitted", applicant.email, "Nu med namnteckning."),
        ("approved", officer.email, ""),
    ]
    assert all(e.at is not None for e in application.events.all())
    # Audit: every step, with the region and no round.
    actions = list(
        AuditEvent.objects.filter(region_id=region.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "proxy_application.submitted",
        "proxy_application.completion_requested",
        "proxy_application.resubmitted",
        "proxy_appointment.ended",
        "proxy_application.approved",
    ]
    assert not AuditEvent.objects.filter(round_id__isnull=False).exists()
    approved = AuditEvent.objects.get(action="proxy_application.approved")
    assert approved.actor == officer
    assert approved.before["status"] == "submitted"
    assert approved.after["status"] == "approved"
    assert approved.after["replaced_user"] == proxy.email

    # The new proxy's history page shows it all; the old proxy no longer manages colleagues.
    login(client, applicant)
    html = client.get(reverse("regions:application_detail", args=[application.pk])).content.decode()
    assert "Ansökan är beviljad" in html
    assert "Komplettering inskickad" in html
    assert client.get(reverse("regions:colleague_list")).status_code == 200
    login(client, proxy)
    assert client.get(reverse("regions:colleague_list")).status_code == 404


def test_reject_needs_a_reason_and_is_final(
    client, login, region, officer, django_capture_on_commit_callbacks
):
    application = ProxyApplicationFactory(region=region)
    login(client, officer)
    response = client.post(reverse("regions:review_reject", args=[application.pk]), {"reason": ""})
    assert response.status_code == 400
    assert "Detta fält måste fyllas i" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("regions:review_reject", args=[application.pk]),
            {"reason": "Sökanden är inte behörig företrädare."},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.officer_message == "Sökanden är inte behörig företrädare."
    event = application.events.get(kind=ApplicationEvent.Kind.REJECTED)
    assert (event.by, event.message) == (officer, "Sökanden är inte behörig företrädare.")
    (message,) = mail.outbox
    assert message.to == [application.applicant.email]
    assert "avslagen" in message.subject
    assert "Sökanden är inte behörig företrädare." in message.body
    assert AuditEvent.objects.filter(
        action="proxy_application.rejected", region_id=region.pk, actor=officer
    ).exists()

    # Final: neither approve nor a new request changes it.
    response = client.post(reverse("regions:review_approve", args=[application.pk]), follow=True)
    assert "kan inte ändras" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert not ProxyAppointment.objects.filter(region=region).exists()

    # The applicant sees the reason.
    login(client, application.applicant)
    html = client.get(reverse("regions:application_detail", args=[application.pk])).content.decode()
    assert "Sökanden är inte behörig företrädare." in html


def test_request_completion_needs_a_message(client, login, region, officer):
    application = ProxyApplicationFactory(region=region)
    login(client, officer)
    response = client.post(
        reverse("regions:review_request_completion", args=[application.pk]), {"message": " "}
    )
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_approving_someone_who_is_proxy_of_another_region_is_refused(
    client, login, region, other_proxy, officer
):
    application = ProxyApplicationFactory(region=region, applicant=other_proxy)
    login(client, officer)
    detail = client.get(reverse("regions:review_detail", args=[application.pk]))
    assert "redan ombud för Region Gotland" in detail.content.decode()
    response = client.post(reverse("regions:review_approve", args=[application.pk]), follow=True)
    assert "redan ombud för Region Gotland" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not ProxyAppointment.objects.filter(region=region).exists()
    assert not AuditEvent.objects.filter(action="proxy_application.approved").exists()


def test_approve_without_an_earlier_proxy(client, login, region, officer):
    application = ProxyApplicationFactory(region=region)
    login(client, officer)
    client.post(reverse("regions:review_approve", args=[application.pk]))
    appointment = ProxyAppointment.objects.get(region=region)
    assert appointment.user == application.applicant and appointment.ended_at is None


def test_approve_asks_for_the_password_again_after_15_minutes(client, login, region, officer):
    import time

    application = ProxyApplicationFactory(region=region)
    login(client, officer)
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] = time.time() - 16 * 60
    session.save()
    response = client.post(reverse("regions:review_approve", args=[application.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_two_pending_applications_for_the_same_region_are_refused(client, login, region):
    applicant = UserFactory()
    ProxyApplicationFactory(region=region, applicant=applicant, completion_requested=True)
    login(client, applicant)
    response = _apply(client, region)
    assert response.status_code == 200
    assert "redan en ansökan om att bli ombud för Region Blekinge" in response.content.decode()
    assert ProxyApplication.objects.filter(applicant=applicant).count() == 1


def test_a_new_application_after_a_rejection_is_allowed(client, login, region):
    applicant = UserFactory()
    ProxyApplicationFactory(region=region, applicant=applicant, rejected=True)
    login(client, applicant)
    assert _apply(client, region).status_code == 302
    assert ProxyApplication.objects.filter(applicant=applicant).count() == 2


def test_applicant_sees_own_applications_with_status(client, login, region, other_region):
    applicant = UserFactory()
    ProxyApplicationFactory(region=region, applicant=applicant, completion_requested=True)
    ProxyApplicationFactory(region=other_region)  # someone else's
    login(client, applicant)
    html = client.get(reverse("regions:application_list")).content.decode()
    assert "Region Blekinge" in html and "Komplettering begärd" in html
    assert "Region Gotland" not in html


# --- Upload checks --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("fullmakt.pdf", b"GIF89a not a pdf at all", "application/pdf"),
            "Filen är inte en PDF-fil",
        ),
        (
            SimpleUploadedFile(
                "fullmakt.pdf", b"%PDF-1.7\n garbage that is no pdf", "application/pdf"
            ),
            "PDF-filen går inte att läsa",
        ),
        (
            SimpleUploadedFile("fullmakt.docx", b"PK\x03\x04 word", "application/msword"),
            "Filen är inte en PDF-fil",
        ),
        (
            SimpleUploadedFile(
                "fullmakt.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "application/pdf"
            ),
            "Filen är för stor",
        ),
        (SimpleUploadedFile("fullmakt.pdf", b"", "application/pdf"), "är tom"),
    ],
    ids=["not-pdf-content", "broken-pdf", "word-document", "over-10-mb", "empty"],
)
def test_upload_is_checked_by_content_and_size(client, login, region, upload, message):
    applicant = UserFactory()
    login(client, applicant)
    response = _apply(client, region, document=upload)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert not ProxyApplication.objects.exists()
    assert not ProxyDocument.objects.exists()


def test_a_real_pdf_with_another_name_and_type_is_accepted(client, login, region):
    login(client, UserFactory())
    upload = SimpleUploadedFile("scan.bin", PDF, "application/octet-stream")
    assert _apply(client, region, document=upload).status_code == 302
    assert ProxyDocument.objects.get().original_name == "scan.bin"


def test_exactly_10_mb_is_accepted(client, login, region, settings):
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    out = BytesIO()
    writer.write(out)
    body = out.getvalue()
    # Pad with a PDF comment up to exactly 10 MB; readers ignore trailing comments.
    padded = body + b"%" + b"x" * (10 * 1024 * 1024 - len(body) - 2) + b"\n"
    assert len(padded) == 10 * 1024 * 1024
    login(client, UserFactory())
    response = _apply(client, region, document=SimpleUploadedFile("stor.pdf", padded))
    assert response.status_code == 302, response.content.decode()[:500]


def test_resubmission_checks_the_upload_too(client, login, region):
    application = ProxyApplicationFactory(region=region, completion_requested=True)
    login(client, application.applicant)
    response = client.post(
        reverse("regions:application_resubmit", args=[application.pk]),
        {"document": SimpleUploadedFile("x.pdf", b"<html>not pdf</html>")},
    )
    assert response.status_code == 400
    assert "Filen är inte en PDF-fil" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETION_REQUESTED
    assert application.documents.count() == 1


def test_resubmit_is_refused_unless_completion_was_requested(client, login, region):
    application = ProxyApplicationFactory(region=region)
    login(client, application.applicant)
    response = client.post(
        reverse("regions:application_resubmit", args=[application.pk]),
        {"document": pdf_upload()},
        follow=True,
    )
    assert "kan inte ändras" in response.content.decode()
    assert application.documents.count() == 1
    assert application.events.count() == 1


# --- Downloads ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["applicant", "officer", "auditor"])
def test_document_download_is_a_pdf_attachment(client, login, region, officer, auditor, who):
    application = ProxyApplicationFactory(region=region)
    document = application.documents.get()
    user = {"applicant": application.applicant, "officer": officer, "auditor": auditor}[who]
    login(client, user)
    response = client.get(reverse("regions:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "sandbox"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("who", ["proxy", "other_proxy", "colleague", "plain"])
def test_document_download_is_404_for_others(
    client, login, region, proxy, other_proxy, colleague, who
):
    application = ProxyApplicationFactory(region=region)
    user = {
        "proxy": proxy,
        "other_proxy": other_proxy,
        "colleague": colleague,
        "plain": UserFactory(),
    }[who]
    login(client, user)
    url = reverse("regions:document_download", args=[application.documents.get().pk])
    response = client.get(url)
    assert response.status_code == 404
    assert PDF not in response.content


def test_documents_are_stored_under_media_root_not_static(settings, region):
    application = ProxyApplicationFactory(region=region)
    path = application.documents.get().file.path
    assert path.startswith(str(settings.MEDIA_ROOT))
    assert not path.startswith(str(settings.STATIC_ROOT))


def test_uploaded_documents_are_not_served_from_media_url(client, login, region, settings):
    application = ProxyApplicationFactory(region=region)
    login(client, application.applicant)
    name = application.documents.get().file.name
    assert client.get(settings.MEDIA_URL + name).status_code == 404


# --- asked again, or asked when it cannot succeed ----------------------------------------------


def test_the_same_application_sent_twice_leads_to_the_application(client, login, region):
    login(client, UserFactory())
    first = _apply(client, region)
    again = _apply(client, region)
    application = ProxyApplication.objects.get()
    assert first["Location"] == again["Location"]
    assert again["Location"] == reverse("regions:application_detail", args=[application.pk])
    assert application.documents.count() == 1


def test_another_application_while_one_is_pending_is_still_refused(client, login, region):
    login(client, UserFactory())
    _apply(client, region)
    response = _apply(client, region, title="Regiondirektör")
    assert response.status_code == 200
    assert "redan en ansökan om att bli ombud för Region Blekinge" in response.content.decode()
    assert ProxyApplication.objects.count() == 1


def test_a_proxy_of_another_region_is_refused_when_applying(client, login, region, other_proxy):
    login(client, other_proxy)
    response = _apply(client, region)
    assert response.status_code == 200
    assert "Du är ombud för Region Gotland" in response.content.decode()
    assert not ProxyApplication.objects.exists()


def test_a_colleague_of_another_region_is_refused_when_applying(
    client, login, region, other_region
):
    from tests.regions.factories import ColleagueFactory

    colleague = ColleagueFactory(region=other_region).user
    login(client, colleague)
    response = _apply(client, region)
    assert response.status_code == 200
    assert "Du är kollega för Region Gotland" in response.content.decode()
    assert not ProxyApplication.objects.exists()


def test_an_officers_answer_sent_twice_is_given_once(
    client, login, region, officer, django_capture_on_commit_callbacks
):
    application = ProxyApplicationFactory(region=region)
    login(client, officer)
    url = reverse("regions:review_request_completion", args=[application.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"message": "Fullmakten saknar underskrift."})
        again = client.post(url, {"message": "Fullmakten saknar underskrift."}, follow=True)
    html = again.content.decode()
    assert "Begäran om komplettering är skickad" in html
    assert "kan inte ändras på det sättet" not in html
    assert application.events.filter(kind=ApplicationEvent.Kind.COMPLETION_REQUESTED).count() == 1
    assert len([m for m in mail.outbox if m.to == [application.applicant.email]]) == 1

    reject = reverse("regions:review_reject", args=[application.pk])
    client.post(reject, {"reason": "Inte behörig."})
    again = client.post(reject, {"reason": "Inte behörig."}, follow=True)
    assert "Ansökan är avslagen" in again.content.decode()
    assert application.events.filter(kind=ApplicationEvent.Kind.REJECTED).count() == 1


def test_another_officers_answer_after_a_decision_is_still_refused(client, login, region, officer):
    from django.contrib.auth.models import Group

    from regions.roles import OFFICERS_GROUP

    application = ProxyApplicationFactory(region=region)
    login(client, officer)
    client.post(reverse("regions:review_reject", args=[application.pk]), {"reason": "Nej."})
    second = UserFactory(email="annan@myndigheten.se")
    second.groups.add(Group.objects.get(name=OFFICERS_GROUP))
    login(client, second)
    page = client.post(
        reverse("regions:review_reject", args=[application.pk]), {"reason": "Nej."}, follow=True
    )
    assert "kan inte ändras på det sättet" in page.content.decode()


def test_approving_twice_leads_to_the_approval(client, login, region, officer):
    application = ProxyApplicationFactory(region=region)
    login(client, officer)
    url = reverse("regions:review_approve", args=[application.pk])
    client.post(url)
    again = client.post(url, follow=True)
    assert "är nu ombud för Region Blekinge" in again.content.decode()
    assert ProxyAppointment.objects.filter(region=region).count() == 1


def test_a_completion_sent_twice_is_received_once(client, login, region):
    application = ProxyApplicationFactory(region=region, completion_requested=True)
    login(client, application.applicant)
    url = reverse("regions:application_resubmit", args=[application.pk])
    pdf = minimal_pdf("Underskriven")
    client.post(url, {"document": pdf_upload("a.pdf", pdf), "message": "Nu."})
    again = client.post(url, {"document": pdf_upload("a.pdf", pdf), "message": "Nu."}, follow=True)
    assert "Kompletteringen är inskickad" in again.content.decode()
    assert application.events.filter(kind=ApplicationEvent.Kind.RESUBMITTED).count() == 1
