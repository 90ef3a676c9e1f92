"""Reads of the registry and of the deliveries, for the officers' and auditors' pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from allocation.models import Decision
from regions.models import ApplicationEvent, Region
from registry.models import (
    CaseSerial,
    DecisionDelivery,
    DeliveryStatus,
    RegistryEntry,
    SentMessage,
)
from submissions.models import GrantRound, ReportVersion


def case_number_of(document: models.Model) -> str | None:
    """The case number (diarienummer, e.g. "2026/00025") the registry gave a document of the
    e-service, or None if it was not registered (one query)."""
    return (
        RegistryEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(document), object_id=document.pk
        )
        .order_by("year", "serial")
        .values_list("case_number", flat=True)
        .first()
    )


def registry_years() -> list[int]:
    """The years that have case numbers, newest first (the small CaseSerial table)."""
    return list(
        CaseSerial.objects.filter(last__gt=0).order_by("-year").values_list("year", flat=True)
    )


def registry_entries(
    *,
    year: int | None = None,
    direction: str = "",
    region: Region | None = None,
    text: str = "",
) -> QuerySet[RegistryEntry]:
    """Entries newest first, filtered; `text` matches the case number, party or description
    (case-insensitive). Each row comes with its region, round and registering user."""
    entries = RegistryEntry.objects.select_related("region", "round", "registered_by")
    if year:
        entries = entries.filter(year=year)
    if direction:
        entries = entries.filter(direction=direction)
    if region is not None:
        entries = entries.filter(region=region)
    text = text.strip()
    if text:
        entries = entries.filter(
            Q(case_number__icontains=text)
            | Q(party__icontains=text)
            | Q(description__icontains=text)
        )
    return entries.order_by("-year", "-serial")


def with_documents(entries: QuerySet[RegistryEntry]) -> QuerySet[RegistryEntry]:
    """The entries with the documents their links need: one query per kind of document on the
    page (application events, report versions, decisions); others link by id alone (sent
    e-mails by their content type and id, so their text is not read)."""
    return entries.prefetch_related(
        GenericPrefetch(
            "document",
            [
                ApplicationEvent.objects.only("pk", "application_id"),
                ReportVersion.objects.only("pk", "number"),
                Decision.objects.only("pk", "reference"),
                SentMessage.objects.only("pk").order_by(),
            ],
        )
    )


def sent_message(*, pk: int) -> tuple[SentMessage, RegistryEntry | None]:
    """A sent e-mail with what it concerns, and its registry entry (404 if no such e-mail):
    two queries."""
    message = get_object_or_404(
        SentMessage.objects.select_related("round", "region", "application__region"), pk=pk
    )
    entry = RegistryEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(SentMessage), object_id=pk
    ).first()
    return message, entry


@dataclass
class RoundDeliveries:
    """How a round's decisions in force went out: counts by status, what is not delivered,
    and the regions whose decision has no recipient at all."""

    counts: dict[str, int] = field(default_factory=dict)
    undelivered: list[DecisionDelivery] = field(default_factory=list)
    unreachable: list[Decision] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def sent(self) -> int:
        return self.counts.get(DeliveryStatus.SENT, 0)

    @property
    def complete(self) -> bool:
        return not self.undelivered and not self.unreachable


def round_deliveries(*, grant_round: GrantRound) -> RoundDeliveries:
    """Three queries: counts by status, the undelivered rows, the decisions without any."""
    in_force = Decision.objects.filter(round=grant_round, replaced_by__isnull=True)
    deliveries = DecisionDelivery.objects.filter(decision__in=in_force)
    # query 1: deliveries of the decisions in force, counted by status
    counts = dict(deliveries.values_list("status").annotate(n=Count("pk")).order_by())
    # query 2: the undelivered ones, with their decision and region
    undelivered = list(
        deliveries.exclude(status=DeliveryStatus.SENT)
        .select_related("decision__region")
        .order_by("decision__region__short_name", "recipient_kind")
    )
    # query 3: decisions in force that no delivery covers (no proxy and no official mailbox)
    unreachable = list(
        in_force.filter(deliveries__isnull=True)
        .select_related("region")
        .order_by("region__short_name")
    )
    return RoundDeliveries(counts=counts, undelivered=undelivered, unreachable=unreachable)


def delivery_summary(*, decision_ids: list[int]) -> tuple[int, int, int]:
    """(e-mails, regions with at least one, regions with none) for freshly issued decisions."""
    rows = list(
        Decision.objects.filter(pk__in=decision_ids)
        .annotate(n=Count("deliveries"))
        .values_list("n", flat=True)
    )
    return sum(rows), sum(1 for n in rows if n), sum(1 for n in rows if not n)
