"""The registry as a file for people (atgrant.spreadsheets: CSV for Excel in Sweden)."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponse
from django.utils.translation import gettext as _

from atgrant.spreadsheets import Column, Kind, Table, csv_bytes, csv_response
from registry.models import RegistryEntry


def registry_table(entries: Iterable[RegistryEntry]) -> Table:
    """One row per entry: dates as ISO 8601, the registration time in Europe/Stockholm."""
    columns = [
        Column(_("Diarienummer")),
        Column(_("Datum"), Kind.DATETIME),
        Column(_("Registrerad"), Kind.DATETIME),
        Column(_("Riktning")),
        Column(_("Handlingstyp")),
        Column(_("Avsändare eller mottagare")),
        Column(_("Länskod")),
        Column(_("Region")),
        Column(_("Beskrivning")),
        Column(_("Omgång")),
        Column(_("Registrerad av")),
    ]
    rows = [
        [
            entry.case_number,
            entry.document_date,
            entry.registered_at,
            entry.get_direction_display(),
            entry.get_kind_display(),
            entry.party,
            entry.region.code if entry.region_id else None,
            entry.region.name if entry.region_id else None,
            entry.description,
            entry.round.name if entry.round_id else None,
            entry.registered_by.email if entry.registered_by_id else _("systemet"),
        ]
        for entry in entries
    ]
    return Table(columns=columns, rows=rows)


def registry_csv_response(entries: Iterable[RegistryEntry], filename: str) -> HttpResponse:
    return csv_response(registry_table(entries), filename)


def registry_csv_bytes(entries: Iterable[RegistryEntry]) -> bytes:
    """The same file as bytes (for the archive ZIP)."""
    return csv_bytes(registry_table(entries))
