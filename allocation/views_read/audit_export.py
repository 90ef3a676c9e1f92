"""The auditor's history as a file for people (CSV for Excel in Sweden, or XLSX).

The same filters as the history page (``audit.HistoryFilter``), every matching event rather
than a page of them, each written as the page shows it: the event type and fields in words
(audit.labels). Text typed by users (names, reasons, login names) is never a formula in the
file (atgrant.spreadsheets, CWE-1236).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from allocation.views_read.audit import (
    Change,
    HistoryFilter,
    block_names,
    event_changes,
    filter_events,
)
from atgrant.spreadsheets import Column, Kind, Table, csv_response, xlsx_response
from audit.labels import action_label, actor_label
from audit.models import AuditEvent
from regions.guards import agency_page
from regions.models import Region
from submissions.models import GrantRound


def history_table(
    events: Iterable[AuditEvent],
    round_names: dict[int, str],
    names: dict[int, dict[str, str]] | None = None,
) -> Table:
    """One row per event, newest first: when, who, what, on which object, the changes (as the
    page shows them; ``names``: each round's blocks by id, see audit.block_names)."""
    names = names or {}
    columns = [
        Column(_("Tidpunkt"), Kind.DATETIME, width=17),
        Column(_("Utförd av"), width=28),
        Column(_("Händelse"), width=28),
        Column(_("Objekt"), width=28),
        Column(_("Omgång"), width=16),
        Column(_("Region"), width=16),
        Column(_("Före → efter"), width=60),
        Column(_("Beskrivning"), width=40),
        Column(_("IP-adress"), width=16),
    ]
    rows = [
        [
            event.created_at,
            actor_label(event.actor_label),
            action_label(event.action),
            event.object_repr,
            round_names.get(event.round_id, ""),
            getattr(event, "region_name", "") or "",
            "; ".join(
                _change_text(change) for change in event_changes(event, names.get(event.round_id))
            ),
            event.message,
            event.ip_address,
        ]
        for event in events
    ]
    return Table(columns, rows)


def _change_text(change: Change) -> str:
    if change.before is None:
        return f"{change.label}: {change.after}"
    return f"{change.label}: {change.before} → {change.after}"


def _history(request: HttpRequest) -> tuple[Table, HttpResponse | None]:
    rounds = list(GrantRound.objects.order_by("-year", "name"))
    actions = list(
        AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
    )
    form = HistoryFilter(request.GET, rounds=rounds, actions=actions)
    if not form.is_valid():  # the page shows the filters' errors; nothing to export
        query = urlencode(list(request.GET.lists()), doseq=True)
        return Table([], []), redirect(f"{reverse('allocation_read:audit_index')}?{query}")
    events = filter_events(form).annotate(
        region_name=Subquery(Region.objects.filter(pk=OuterRef("region_id")).values("name"))
    )
    round_names = {r.pk: r.name for r in rounds}
    names = {r.pk: block_names(r) for r in rounds}
    return history_table(events.iterator(chunk_size=2000), round_names, names), None


def _filename(extension: str) -> str:
    return f"granskning-historik-{timezone.localdate():%Y-%m-%d}.{extension}"


@agency_page
def audit_history_csv(request: HttpRequest) -> HttpResponse:
    table, refused = _history(request)
    return refused or csv_response(table, _filename("csv"))


@agency_page
def audit_history_xlsx(request: HttpRequest) -> HttpResponse:
    table, refused = _history(request)
    if refused is not None:
        return refused
    return xlsx_response([(_("Historik"), table)], title=_("Historik"), filename=_filename("xlsx"))
