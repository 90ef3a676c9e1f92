"""Reads of the region portal, shared by views, scoped to what the user may see."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from regions.models import (
    ApplicationEvent,
    ApplicationStatus,
    Colleague,
    ColleagueInvitation,
    ProxyApplication,
    ProxyAppointment,
    ProxyDocument,
    Region,
)
from regions.roles import _memberships, is_agency_reader


def _with_history(queryset: QuerySet[ProxyApplication]) -> QuerySet[ProxyApplication]:
    return queryset.select_related("region", "applicant").prefetch_related(
        Prefetch("documents", queryset=ProxyDocument.objects.select_related("uploaded_by")),
        Prefetch("events", queryset=ApplicationEvent.objects.select_related("by")),
    )


def applications_of_applicant(user: AbstractBaseUser) -> QuerySet[ProxyApplication]:
    """The user's own applications, newest first, with documents and history."""
    return _with_history(ProxyApplication.objects.filter(applicant=user))


def application_of_applicant(user: AbstractBaseUser, pk: int) -> ProxyApplication:
    return get_object_or_404(applications_of_applicant(user), pk=pk)


def application_queue(*, status: str | None = None) -> QuerySet[ProxyApplication]:
    """The officer's queue: every application (or those with `status`), oldest waiting first."""
    queryset = ProxyApplication.objects.select_related("region", "applicant").order_by(
        "updated_at", "pk"
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def application_for_review(pk: int) -> ProxyApplication:
    return get_object_or_404(_with_history(ProxyApplication.objects.all()), pk=pk)


def active_appointment(region: Region) -> ProxyAppointment | None:
    return (
        ProxyAppointment.objects.select_related("user")
        .filter(region=region, ended_at__isnull=True)
        .first()
    )


def active_appointment_elsewhere(user: AbstractBaseUser, region: Region) -> ProxyAppointment | None:
    return (
        ProxyAppointment.objects.select_related("region")
        .filter(user=user, ended_at__isnull=True)
        .exclude(region=region)
        .first()
    )


def appointments_of_region(region: Region) -> QuerySet[ProxyAppointment]:
    return ProxyAppointment.objects.select_related("user", "appointed_by").filter(region=region)


def document_for_user(user: AbstractBaseUser, pk: int) -> ProxyDocument:
    """A power of attorney, for its applicant or the agency; anyone else gets 404."""
    document = get_object_or_404(ProxyDocument.objects.select_related("application"), pk=pk)
    if document.application.applicant_id != user.pk and not is_agency_reader(user):
        raise Http404
    return document


def proxy_region_of(user: AbstractBaseUser) -> Region | None:
    """The region the user is active proxy of (at most one: a database constraint)."""
    if not getattr(user, "is_authenticated", False):
        return None
    region_ids = _memberships(user)[0]
    if not region_ids:
        return None
    return Region.objects.filter(pk__in=region_ids).first()


def colleagues_of(region: Region) -> QuerySet[Colleague]:
    return (
        Colleague.objects.select_related("user", "invitation__invited_by")
        .filter(region=region, removed_at__isnull=True)
        .order_by("user__email")
    )


def open_invitations_of(region: Region) -> QuerySet[ColleagueInvitation]:
    """Invitations neither accepted nor revoked (the expired ones included, marked in the page)."""
    return (
        ColleagueInvitation.objects.select_related("invited_by")
        .filter(region=region, accepted_at__isnull=True, revoked_at__isnull=True)
        .order_by("-created_at")
    )


def invitation_by_token(token: str) -> ColleagueInvitation | None:
    return (
        ColleagueInvitation.objects.select_related("region", "invited_by")
        .filter(token=token)
        .first()
    )


def same_pending_application(
    applicant: AbstractBaseUser, region: Region, fields: dict[str, str], sha256: str
) -> ProxyApplication | None:
    """The applicant's undecided application for `region` with exactly these `fields`
    (full_name, title, phone, basis) and a document with this SHA-256: the application a
    form sent again already made. None if there is none."""
    return (
        ProxyApplication.objects.filter(
            applicant=applicant,
            region=region,
            status=ApplicationStatus.SUBMITTED,
            documents__sha256=sha256,
            **{name: value.strip() for name, value in fields.items()},
        )
        .order_by("-created_at")
        .first()
    )
