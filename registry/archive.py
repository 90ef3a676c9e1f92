"""A decided round as one ZIP for the archive: every decision letter (replaced ones too), the
allocation list with its input and rules, the round's registry entries, and a manifest of
SHA-256 checksums. PDF letters and UTF-8 CSV are the formats Riksarkivet accepts for
long-term keeping (the letters become PDF/A where the letter module makes them so)."""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from typing import IO

from allocation import exports
from allocation.letters import decision_letter_pdf
from allocation.selectors import decisions_of_round
from allocation.views_read.public import public_table
from atgrant.language import written_in_swedish
from registry.csv import registry_csv_bytes
from registry.selectors import registry_entries
from submissions.models import GrantRound

# Kept in memory up to this size, then on disk: 2 000 letters do not fit in a worker's memory.
SPOOL_BYTES = 32 * 1024 * 1024


@written_in_swedish
def round_archive(grant_round: GrantRound) -> IO[bytes]:
    """The ZIP as an open binary file positioned at its start (the caller closes it)."""
    handle = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - returned
    manifest: list[str] = []
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(name: str, content: bytes) -> None:
            archive.writestr(name, content)
            manifest.append(f"{hashlib.sha256(content).hexdigest()}  {name}")

        for decision in decisions_of_round(grant_round=grant_round).select_related("round"):
            add(f"beslut/{decision.reference}.pdf", decision_letter_pdf(decision))
        table = public_table(grant_round)
        blocks = None if table.legacy else table.blocks
        add("fordelningslista.csv", exports.full_csv(table.rows, blocks=blocks))
        add("indata.csv", exports.input_csv(table.rows).encode())
        if table.model:
            # The model allocate_csv re-computes the list with (RULES.md).
            add("modell.json", exports.model_json(table.model).encode())
        entries = registry_entries().filter(round=grant_round).order_by("year", "serial")
        add("diarium.csv", registry_csv_bytes(entries))
        archive.writestr("innehall-sha256.txt", "\n".join(manifest) + "\n")
    handle.seek(0)
    return handle
