"""The services on their own: workflow table, permissions, and invariants the pages rely on."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from regions import services
from regions.models import ApplicationStatus, ProxyApplication, ProxyAppointment, ProxyDocument
from tests.factories import UserFactory
from tests.regions.factories import PDF, ProxyApplicationFactory, pdf_upload

pytestmark = pytest.mark.django_db


def _submit(applicant, region, **kw):
    return services.proxy_application_submit(
        applicant=applicant,
        region=region,
        full_name="Sam",
        title="Direktör",
        phone="",
        basis="signatory",
        document=kw.pop("document", pdf_upload()),
        **kw,
    )


def test_workflow_table_allows_only_the_listed_transitions():
    assert services.TRANSITIONS == {
        "submitted": {
            "request_completion": "completion_requested",
            "approve": "approved",
            "reject": "rejected",
        },
        "completion_requested": {"resubmit": "submitted", "reject": "rejected"},
        "approved": {},
        "rejected": {},
    }


@pytest.mark.parametrize("status", ["approved", "rejected", "completion_requested"])
def test_approve_is_refused_outside_submitted(region, officer, status):
    application = ProxyApplicationFactory(region=region, status=status)
    with pytest.raises(ValidationError):
        services.proxy_application_approve(application=application, by=officer)
    assert not ProxyAppointment.objects.exists()


@pytest.mark.parametrize("who", ["auditor", "proxy", "applicant"])
def test_only_officers_decide(region, auditor, proxy, who):
    application = ProxyApplicationFactory(region=region)
    user = {"auditor": auditor, "proxy": proxy, "applicant": application.applicant}[who]
    with pytest.raises(PermissionDenied):
        services.proxy_application_approve(application=application, by=user)
    with pytest.raises(PermissionDenied):
        services.proxy_application_reject(application=application, by=user, reason="x")
    with pytest.raises(PermissionDenied):
        services.proxy_application_request_completion(application=application, by=user, message="x")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_only_the_applicant_resubmits(region, officer):
    application = ProxyApplicationFactory(region=region, completion_requested=True)
    with pytest.raises(PermissionDenied):
        services.proxy_application_resubmit(
            application=application, by=officer, document=pdf_upload()
        )
    assert application.documents.count() == 1


def test_submit_checks_the_pdf_itself(region):
    with pytest.raises(ValidationError):
        _submit(UserFactory(), region, document=SimpleUploadedFile("a.pdf", b"nope"))
    assert not ProxyApplication.objects.exists()


def test_second_pending_application_is_refused_by_the_service(region):
    applicant = UserFactory()
    _submit(applicant, region)
    with pytest.raises(ValidationError, match="redan en ansökan"):
        _submit(applicant, region)
    assert ProxyApplication.objects.count() == 1
    assert ProxyDocument.objects.count() == 1


def test_database_holds_one_pending_application_per_applicant_and_region(region):
    from django.db import IntegrityError, transaction

    application = ProxyApplicationFactory(region=region)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProxyApplicationFactory(region=region, applicant=application.applicant, document=False)


def test_a_failed_submission_leaves_no_file_behind(region, settings, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "audit_record", boom)
    with pytest.raises(RuntimeError):
        _submit(UserFactory(), region)
    assert not ProxyApplication.objects.exists()
    stored = list((settings.MEDIA_ROOT / "proxy-documents").rglob("*.pdf"))
    assert stored == []


def test_submit_stores_size_and_checksum_and_audits(region):
    import hashlib

    application = _submit(UserFactory(), region)
    document = application.documents.get()
    assert (document.size, document.sha256) == (len(PDF), hashlib.sha256(PDF).hexdigest())
    event = AuditEvent.objects.get(action="proxy_application.submitted")
    assert event.region_id == region.pk and event.round_id is None
    assert event.after["document_sha256"] == document.sha256


def test_approval_when_the_applicant_already_is_this_regions_proxy_renews_it(
    region, proxy, officer
):
    application = ProxyApplicationFactory(region=region, applicant=proxy)
    appointment = services.proxy_application_approve(application=application, by=officer)
    assert appointment.user == proxy and appointment.ended_at is None
    assert ProxyAppointment.objects.filter(region=region).count() == 2
    assert ProxyAppointment.objects.filter(region=region, ended_at__isnull=True).count() == 1


def test_reject_without_reason_is_refused(region, officer):
    application = ProxyApplicationFactory(region=region)
    with pytest.raises(ValidationError):
        services.proxy_application_reject(application=application, by=officer, reason="  ")


def test_invitation_tokens_are_random_and_unique(region, proxy):
    first = services.colleague_invite(region=region, email="a@example.se", by=proxy)
    second = services.colleague_invite(region=region, email="b@example.se", by=proxy)
    assert first.token != second.token and len(first.token) >= 40


def test_a_proxy_cannot_invite_to_another_region(region, other_region, proxy):
    with pytest.raises(PermissionDenied):
        services.colleague_invite(region=other_region, email="a@example.se", by=proxy)


def test_a_colleague_approved_as_proxy_stops_being_a_colleague(region, colleague, officer):
    from regions.models import Colleague

    application = ProxyApplicationFactory(region=region, applicant=colleague)
    services.proxy_application_approve(application=application, by=officer)
    record = Colleague.objects.get(user=colleague)
    assert record.removed_at is not None and record.removed_by == officer
    assert ProxyAppointment.objects.get(region=region, ended_at__isnull=True).user == colleague


def test_a_colleague_of_another_region_is_not_approved(region, other_region, officer):
    from tests.regions.factories import ColleagueFactory

    applicant = UserFactory()
    ColleagueFactory(region=other_region, user=applicant)
    application = ProxyApplicationFactory(region=region, applicant=applicant)
    with pytest.raises(ValidationError, match="kollega för Region Gotland"):
        services.proxy_application_approve(application=application, by=officer)
    assert not ProxyAppointment.objects.filter(region=region).exists()
