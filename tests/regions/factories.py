"""Factories for the region portal: applications in each state, documents, invitations."""

from __future__ import annotations

import datetime as dt
import hashlib

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from regions.documents import minimal_pdf
from regions.models import (
    ApplicationEvent,
    ApplicationStatus,
    Colleague,
    ColleagueInvitation,
    ProxyApplication,
    ProxyBasis,
    ProxyDocument,
)
from tests.factories import RegionFactory, UserFactory

PDF = minimal_pdf("Fullmakt")


def pdf_upload(name: str = "fullmakt.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF if content is None else content, "application/pdf")


class ProxyApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProxyApplication
        skip_postgeneration_save = True

    applicant = factory.SubFactory(UserFactory)
    region = factory.SubFactory(RegionFactory)
    full_name = "Sam Sökande"
    title = "Regiondirektör"
    phone = "0455-12 34 56"
    basis = ProxyBasis.SIGNATORY
    status = ApplicationStatus.SUBMITTED

    class Params:
        completion_requested = factory.Trait(
            status=ApplicationStatus.COMPLETION_REQUESTED,
            officer_message="Fullmakten saknar datum.",
        )
        approved = factory.Trait(status=ApplicationStatus.APPROVED)
        rejected = factory.Trait(status=ApplicationStatus.REJECTED, officer_message="Ej behörig.")

    @factory.post_generation
    def document(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted is not False:
            ProxyDocumentFactory(application=obj, uploaded_by=obj.applicant)

    @factory.post_generation
    def submitted_event(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            ApplicationEvent.objects.create(
                application=obj, kind=ApplicationEvent.Kind.SUBMITTED, by=obj.applicant
            )


class ProxyDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProxyDocument

    application = factory.SubFactory(ProxyApplicationFactory, document=False)
    file = factory.LazyFunction(lambda: ContentFile(PDF, name="fullmakt.pdf"))
    original_name = "fullmakt.pdf"
    size = len(PDF)
    sha256 = hashlib.sha256(PDF).hexdigest()
    uploaded_by = factory.LazyAttribute(lambda o: o.application.applicant)


class ColleagueInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ColleagueInvitation

    region = factory.SubFactory(RegionFactory)
    email = factory.Sequence(lambda n: f"kollega{n}@region.example.se")
    token = factory.Sequence(lambda n: f"token-{n:08d}-abcdefghijklmnop")
    invited_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))


class ColleagueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Colleague

    region = factory.SubFactory(RegionFactory)
    user = factory.SubFactory(UserFactory)
