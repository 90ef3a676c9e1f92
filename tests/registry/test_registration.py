"""Every incoming document and every outgoing decision gets a case number in the same
transaction as the document itself."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from allocation.services import decisions
from audit.models import AppendOnlyError
from regions import services as region_services
from regions.models import ProxyApplication, ProxyDocument
from registry.models import Direction, DocumentKind, RegistryEntry
from submissions.models import STOCKHOLM, ReportVersion
from submissions.services import ReportData, report_submit
from tests.allocation.factories import at, eager_celery, issued, reported_round  # noqa: F401
from tests.factories import UserFactory
from tests.regions.factories import ProxyApplicationFactory, pdf_upload
from tests.submissions.factories import BEFORE_DEADLINE, frozen, round_2024

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def _kinds() -> list[tuple[str, str, str]]:
    return list(
        RegistryEntry.objects.order_by("serial").values_list("case_number", "direction", "kind")
    )


def _apply(region, applicant=None) -> ProxyApplication:
    return region_services.proxy_application_submit(
        applicant=applicant or UserFactory(email="sam@blekinge.example.se"),
        region=region,
        full_name="Sam Sökande",
        title="Regiondirektör",
        phone="",
        basis="power_of_attorney",
        document=pdf_upload("Fullmakt Blekinge.pdf"),
    )


def test_proxy_application_registers_the_application_and_its_power_of_attorney(region):
    with at(dt.datetime(2024, 3, 5, 10, 0, tzinfo=STOCKHOLM)):
        application = _apply(region)
    first, second = RegistryEntry.objects.order_by("serial")
    assert (first.case_number, second.case_number) == ("2024/00001", "2024/00002")
    assert first.direction == second.direction == Direction.INCOMING
    assert first.document == application
    assert second.document == ProxyDocument.objects.get(application=application)
    assert first.region == region
    assert first.party == "Sam Sökande, Region Blekinge"
    assert first.document_date == dt.date(2024, 3, 5)
    assert "Fullmakt Blekinge.pdf" in second.description


def test_completion_and_each_officer_answer_are_registered(region, officer):
    application = ProxyApplicationFactory(region=region)
    region_services.proxy_application_request_completion(
        application=application, by=officer, message="Fullmakten saknar datum."
    )
    region_services.proxy_application_resubmit(
        application=application, by=application.applicant, document=pdf_upload("Ny.pdf")
    )
    region_services.proxy_application_approve(application=application, by=officer)
    assert [(d, k) for _n, d, k in _kinds()] == [
        (Direction.OUTGOING, DocumentKind.COMPLETION_REQUEST),
        (Direction.INCOMING, DocumentKind.COMPLETION),
        (Direction.OUTGOING, DocumentKind.PROXY_DECISION),
    ]
    rejected = ProxyApplicationFactory(region=region)
    region_services.proxy_application_reject(application=rejected, by=officer, reason="Fel")
    last = RegistryEntry.objects.order_by("serial").last()
    assert "avslås" in last.description
    assert last.registered_by == officer


def test_each_submitted_report_version_is_registered(region, proxy):
    grant_round = round_2024()
    data = ReportData(filled_posts=30, contact_name="Kim", contact_email="kim@example.se")
    with frozen(BEFORE_DEADLINE):
        first = report_submit(
            grant_round=grant_round, region=region, data=data, revision=0, by=proxy
        )
        second = report_submit(
            grant_round=grant_round, region=region, data=data, revision=1, by=proxy
        )
    entries = list(
        RegistryEntry.objects.filter(kind=DocumentKind.REPORT_VERSION).order_by("serial")
    )
    assert [e.document for e in entries] == [first, second]
    assert all(e.direction == Direction.INCOMING and e.round == grant_round for e in entries)
    assert second.reference in entries[1].description


def test_a_refused_write_registers_nothing(region, proxy):
    grant_round = round_2024()
    with frozen(BEFORE_DEADLINE), pytest.raises(ValidationError):
        report_submit(
            grant_round=grant_round, region=region, data=ReportData(), revision=0, by=proxy
        )
    assert not ReportVersion.objects.exists()
    assert not RegistryEntry.objects.exists()


def test_decisions_and_reconsiderations_are_registered_as_outgoing(
    officer, region, django_capture_on_commit_callbacks
):
    grant_round = reported_round(regions=[region])
    issued_decisions = issued(grant_round, officer, django_capture_on_commit_callbacks)
    entries = RegistryEntry.objects.filter(kind=DocumentKind.DECISION)
    assert entries.count() == len(issued_decisions) == 4
    assert {e.document for e in entries} == set(issued_decisions)
    assert {e.document_date for e in entries} == {dt.date(2024, 12, 2)}
    assert {e.direction for e in entries} == {Direction.OUTGOING}
    blekinge = next(d for d in issued_decisions if d.region == region)
    with django_capture_on_commit_callbacks(execute=True):
        new = decisions.decision_reconsider(
            decision=blekinge, by=officer, amounts={"block1": 1, "block2": 2}, reason="Felräkning"
        )
    entry = RegistryEntry.objects.get(kind=DocumentKind.RECONSIDERATION)
    assert entry.document == new
    assert entry.party == "Region Blekinge"
    assert blekinge.reference in entry.description
    serials = sorted(RegistryEntry.objects.values_list("serial", flat=True))
    assert serials == list(range(1, len(serials) + 1))


def test_registry_entries_cannot_be_changed_or_deleted(region):
    _apply(region)
    entry = RegistryEntry.objects.first()
    entry.description = "något annat"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        RegistryEntry.objects.update(description="x")
    with pytest.raises(AppendOnlyError):
        RegistryEntry.objects.all().delete()


def test_database_refuses_raw_update_and_delete_of_registry_entries(region):
    _apply(region)
    if connection.vendor == "postgresql":
        # The test's transaction has deferred foreign-key checks, which TRUNCATE would wait on.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    statements = ["UPDATE registry_registryentry SET description = 'x'"]
    statements.append(
        "TRUNCATE registry_registryentry"
        if connection.vendor == "postgresql"
        else "DELETE FROM registry_registryentry"
    )
    statements.append("DELETE FROM registry_registryentry WHERE id > 0")
    for sql in statements:
        with pytest.raises(DatabaseError, match="atgrant"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
    assert RegistryEntry.objects.count() == 2
