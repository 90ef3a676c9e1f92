"""The registry as a CSV file for people (``;``, UTF-8 with BOM, Swedish headings)."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from atgrant.csv_for_people import csv_response, csv_text
from registry.models import RegistryEntry


def header() -> list[str]:
    return [
        _("Diarienummer"),
        _("Datum"),
        _("Registrerad"),
        _("Riktning"),
        _("Handlingstyp"),
        _("Avsändare eller mottagare"),
        _("Länskod"),
        _("Region"),
        _("Beskrivning"),
        _("Omgång"),
        _("Registrerad av"),
    ]


def row(entry: RegistryEntry) -> list[object]:
    """Dates ISO 8601, the registration time in Europe/Stockholm."""
    return [
        entry.case_number,
        entry.document_date.isoformat(),
        timezone.localtime(entry.registered_at).isoformat(timespec="seconds"),
        entry.get_direction_display(),
        entry.get_kind_display(),
        entry.party,
        entry.region.code if entry.region_id else "",
        entry.region.name if entry.region_id else "",
        entry.description,
        entry.round.name if entry.round_id else "",
        entry.registered_by.email if entry.registered_by_id else _("systemet"),
    ]


def registry_csv_response(entries: Iterable[RegistryEntry], filename: str) -> HttpResponse:
    return csv_response(filename, header(), (row(e) for e in entries))


def registry_csv_text(entries: Iterable[RegistryEntry]) -> str:
    """The same file as text (for the archive ZIP)."""
    return csv_text(header(), (row(e) for e in entries))
