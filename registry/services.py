"""Registering documents in the diarium: called by the services that receive or draw them up,
inside their own transaction, so a document and its entry are written together or not at all.

These functions do not check permissions: the calling service already has (a proxy submits
their report, an officer issues a decision). The texts are the agency's record and are
written in Swedish whatever language the acting user reads the e-service in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from registry.models import Direction, DocumentKind, RegistryEntry
from registry.numbers import case_number, reserve_serials


@dataclass(frozen=True)
class Registration:
    """What to register: one document (a saved model instance) and how the registry names it."""

    document: models.Model
    direction: str
    kind: str
    party: str
    description: str
    region_id: int | None = None
    round_id: int | None = None
    document_date: dt.date | None = None


def registry_register_many(
    *, registrations: Sequence[Registration], by: AbstractBaseUser | None
) -> list[RegistryEntry]:
    """Give each document the next case number of this year (Europe/Stockholm) and append its
    entry. `by` None means the system. Raises IntegrityError if a document is registered twice
    as the same kind."""
    if not registrations:
        return []
    now = timezone.now()
    today = timezone.localdate(now)
    actor = by if by is not None and by.is_authenticated else None
    with transaction.atomic():
        serials = reserve_serials(today.year, len(registrations))
        entries = [
            RegistryEntry(
                case_number=case_number(today.year, serial),
                year=today.year,
                serial=serial,
                registered_at=now,
                document_date=item.document_date or today,
                direction=item.direction,
                kind=item.kind,
                region_id=item.region_id,
                party=item.party[:300],
                description=item.description[:500],
                round_id=item.round_id,
                content_type=ContentType.objects.get_for_model(item.document),
                object_id=item.document.pk,
                registered_by=actor,
            )
            for item, serial in zip(registrations, serials, strict=True)
        ]
        return RegistryEntry.objects.bulk_create(entries)


def registry_register(*, registration: Registration, by: AbstractBaseUser | None) -> RegistryEntry:
    (entry,) = registry_register_many(registrations=[registration], by=by)
    return entry


# --- the documents of the e-service, one builder per kind -----------------------------------


def _applicant(application: models.Model) -> str:
    return f"{application.full_name}, {application.region.name}"


def register_proxy_application(
    *, application: models.Model, document: models.Model, by: AbstractBaseUser
) -> list[RegistryEntry]:
    """An application to become proxy and its power of attorney: two incoming documents."""
    party, region_id = _applicant(application), application.region_id
    return registry_register_many(
        registrations=[
            Registration(
                document=application,
                direction=Direction.INCOMING,
                kind=DocumentKind.PROXY_APPLICATION,
                party=party,
                description=f"Ansökan om att bli ombud för {application.region.name}",
                region_id=region_id,
            ),
            Registration(
                document=document,
                direction=Direction.INCOMING,
                kind=DocumentKind.POWER_OF_ATTORNEY,
                party=party,
                description=f"Fullmakt till ombudsansökan ({document.original_name})",
                region_id=region_id,
            ),
        ],
        by=by,
    )


def register_completion(
    *, application: models.Model, document: models.Model, by: AbstractBaseUser
) -> RegistryEntry:
    """The applicant's completion (komplettering) with its new document: incoming."""
    return registry_register(
        registration=Registration(
            document=document,
            direction=Direction.INCOMING,
            kind=DocumentKind.COMPLETION,
            party=_applicant(application),
            description=f"Komplettering av ombudsansökan ({document.original_name})",
            region_id=application.region_id,
        ),
        by=by,
    )


def register_report_version(*, version: models.Model, by: AbstractBaseUser) -> RegistryEntry:
    """A submitted report version (the application for the grant): incoming."""
    report = version.report
    sender = by.get_full_name() or by.email
    return registry_register(
        registration=Registration(
            document=version,
            direction=Direction.INCOMING,
            kind=DocumentKind.REPORT_VERSION,
            party=f"{report.region.name} ({sender})",
            description=(
                f"Inrapportering och ansökan, {report.round.name}, version {version.number} "
                f"({version.reference})"
            ),
            region_id=report.region_id,
            round_id=report.round_id,
        ),
        by=by,
    )


def _decision_registration(decision: models.Model) -> Registration:
    if decision.replaces_id:
        kind = DocumentKind.RECONSIDERATION
        text = (
            f"Omprövningsbeslut, {decision.round.name} ({decision.reference}), "
            f"ersätter {decision.replaces.reference}"
        )
    else:
        kind = DocumentKind.DECISION
        text = f"Beslut om statsbidrag, {decision.round.name} ({decision.reference})"
    return Registration(
        document=decision,
        direction=Direction.OUTGOING,
        kind=kind,
        party=decision.region.name,
        description=text,
        region_id=decision.region_id,
        round_id=decision.round_id,
        document_date=decision.decision_date,
    )


def register_decisions(
    *, decisions: Sequence[models.Model], by: AbstractBaseUser
) -> list[RegistryEntry]:
    """Decisions and reconsiderations drawn up by the agency: outgoing, dated as decided."""
    return registry_register_many(
        registrations=[_decision_registration(d) for d in decisions], by=by
    )
