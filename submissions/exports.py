"""The officer's table of a round's reports as a file for people (CSV for Excel in Sweden)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from atgrant.spreadsheets import Column, Kind, Table
from submissions.selectors import RoundReportRow


def round_reports_table(rows: Iterable[RoundReportRow]) -> Table:
    """One line per region (latest submitted version, latest extension) and a total row.

    Free text (an extension's reason, a name) is neutralised by the writer: a reason typed as
    ``=1+1`` is shown as text, never run (CWE-1236).
    """
    columns = [
        Column(_("Länskod")),
        Column(_("Region"), width=18),
        Column(_("Rapport inskickad"), Kind.BOOLEAN),
        Column(_("Tillsatta AT-tjänster"), Kind.COUNT, total=True),
        Column(_("Påbörjade AT-tjänster"), Kind.COUNT, total=True),
        Column(_("Tjänster"), Kind.COUNT, total=True),
        Column(_("Senast inskickad"), Kind.DATETIME, width=17),
        Column(_("Referens"), width=16),
        Column(_("Versioner"), Kind.COUNT),
        Column(_("Förlängd svarstid till"), Kind.DATETIME, width=17),
        Column(_("Förlängd av"), width=24),
        Column(_("Skäl för förlängd svarstid"), width=40),
        Column(_("Ej inskickade ändringar"), Kind.BOOLEAN),
        Column(_("Ovanliga uppgifter"), width=40),
    ]
    return Table(columns, [_cells(row) for row in rows], total_label=_("Summa"))


def _cells(row: RoundReportRow) -> list[object]:
    version, extension = row.latest_version, row.extension
    return [
        row.region.code,
        row.region.name,
        row.applied,
        version.filled_posts if version else None,
        version.started_posts if version else None,
        version.posts if version else None,
        version.submitted_at if version else None,
        version.reference if version else None,
        row.version_count,
        extension.until if extension else None,
        extension.granted_by.email if extension else None,
        extension.reason if extension else None,
        row.unsent_changes,
        " ".join(row.unusual) or None,
    ]
