"""Who may read what on the read-only pages (regions.roles predicates, 404 for the rest)."""

from __future__ import annotations

from allocation.models import Decision
from regions.roles import is_agency_reader, is_member_of


def may_read_decision(user: object, decision: Decision) -> bool:
    """The region's own people (proxy, colleagues), officers and auditors."""
    return bool(is_agency_reader(user) or is_member_of(user, decision.region_id))
