"""The hash chain that every finished run and every decision joins, in the order made.

A record's ``content_hash`` is the SHA-256 of its canonical JSON content (sorted keys, no
spaces, UTF-8); its ``chain_hash`` is ``sha256(previous chain_hash + content_hash)`` (hex text
concatenated; the first link's previous hash is ""). ``ChainLink`` rows fix the order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from allocation.models import AllocationRun, ChainLink, Decision


def canonical_json(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(payload: dict[str, Any]) -> str:
    return sha256(canonical_json(payload))


def link_hash(previous: str, content: str) -> str:
    return sha256(previous + content)


def _when(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return value.isoformat()


def run_content(run: AllocationRun) -> dict[str, Any]:
    """What a finished run's content hash covers (every column fixed once it is done)."""
    return {
        "kind": "run",
        "id": run.pk,
        "round_id": run.round_id,
        "number": run.number,
        "requested_by_id": run.requested_by_id,
        "requested_at": _when(run.requested_at),
        "finished_at": _when(run.finished_at),
        "snapshot": run.snapshot,
        "result": run.result,
    }


def decision_content(decision: Decision) -> dict[str, Any]:
    content = _decision_content(decision)
    # Added with the decision record; absent (not null) for decisions made before, so that
    # their stored hashes still verify.
    if decision.presented_by_id is not None:
        content["presented_by_id"] = decision.presented_by_id
    # Amounts per block came with models as data: absent on decisions made before (their
    # amounts are block1/block2), so that their stored hashes still verify.
    if decision.amounts is not None:
        content["amounts"] = decision.amounts
    return content


def _decision_content(decision: Decision) -> dict[str, Any]:
    return {
        "kind": "decision",
        "round_id": decision.round_id,
        "region_id": decision.region_id,
        "run_id": decision.run_id,
        "reference": decision.reference,
        "block1": decision.block1,
        "block2": decision.block2,
        "total": decision.total,
        "explanation": decision.explanation,
        "decided_at": _when(decision.decided_at),
        "decision_date": _when(decision.decision_date),
        "decided_by_id": decision.decided_by_id,
        "replaces_id": decision.replaces_id,
        "reconsideration_reason": decision.reconsideration_reason,
    }


def chain_head() -> tuple[int, str]:
    """(last position, last chain hash), locking the last link so appends are serial.

    Call inside a transaction. With an empty chain nothing can be locked; the unique
    position then makes a concurrent second append fail instead of forking the chain.
    """
    last = ChainLink.objects.select_for_update().order_by("-position").first()
    if last is None:
        return 0, ""
    return last.position, last.chain_hash
