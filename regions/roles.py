"""The agency's roles and the predicates every permission check is built from.

Officers and auditors are Django groups; a region's proxy and colleagues are
records of their own (see regions.models), checked by the portal's rules.
"""

from __future__ import annotations

import rules

OFFICERS_GROUP = "Handläggare"
AUDITORS_GROUP = "Revisorer"


def _in_group(user: object, name: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    # Cached on the user object: templates and views ask many times per request.
    cache = getattr(user, "_atgrant_groups", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
        user._atgrant_groups = cache  # type: ignore[attr-defined]
    return name in cache


@rules.predicate
def is_officer(user: object) -> bool:
    return _in_group(user, OFFICERS_GROUP)


@rules.predicate
def is_auditor(user: object) -> bool:
    return _in_group(user, AUDITORS_GROUP)


is_agency_reader = is_officer | is_auditor
