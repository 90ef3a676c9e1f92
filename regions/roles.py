"""The agency's roles and the predicates every permission check is built from.

Officers and auditors are Django groups; a region's proxy and colleagues are
records of their own (see regions.models), checked by the portal's rules.
"""

from __future__ import annotations

import rules

OFFICERS_GROUP = "Handläggare"
AUDITORS_GROUP = "Revisorer"
AGENCY_GROUPS = (OFFICERS_GROUP, AUDITORS_GROUP)


def _in_group(user: object, name: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    # Cached on the user object: templates and views ask many times per request. The user of
    # a request comes with it (atgrant.auth.load_user); any other user asks once.
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


def _memberships(user: object) -> tuple[set[int], set[int]]:
    """(regions the user is active proxy of, regions the user is an active colleague of), cached."""
    cache = getattr(user, "_atgrant_regions", None)
    if cache is None:
        regions = regions_of(user)
        cache = (
            {r.pk for r in regions if r.as_proxy},  # type: ignore[attr-defined]
            {r.pk for r in regions if r.as_colleague},  # type: ignore[attr-defined]
        )
        user._atgrant_regions = cache  # type: ignore[attr-defined]
    return cache


# The user's regions with their roles, for every logged-in page (the navigation asks): plain
# SQL, as the ORM spent about four times the query's own time building the equivalent query
# with Exists() subqueries (1.2 ms against 0.3 ms a page, bench/pages.py).
_REGIONS_OF_SQL = """
    SELECT r.id, r.code, r.name, r.short_name,
           SUM(m.proxy) > 0 AS as_proxy, SUM(1 - m.proxy) > 0 AS as_colleague
    FROM {region} r
    JOIN (SELECT region_id, 1 AS proxy FROM {proxy} WHERE user_id = %s AND ended_at IS NULL
          UNION ALL
          SELECT region_id, 0 FROM {colleague} WHERE user_id = %s AND removed_at IS NULL) m
      ON m.region_id = r.id
    GROUP BY r.id, r.code, r.name, r.short_name
    ORDER BY r.sort_key, r.name, r.id
"""


def regions_of(user: object) -> list:
    """The regions the user acts for, by name, each with ``as_proxy`` and ``as_colleague``:
    one query, cached on the user for the request (the roles above are read from it)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cache = getattr(user, "_atgrant_region_list", None)
    if cache is None:
        from regions.models import Colleague, ProxyAppointment, Region

        sql = _REGIONS_OF_SQL.format(
            region=Region._meta.db_table,
            proxy=ProxyAppointment._meta.db_table,
            colleague=Colleague._meta.db_table,
        )
        cache = list(Region.objects.raw(sql, [user.pk, user.pk]))  # type: ignore[attr-defined]
        for region in cache:  # SQLite answers 0/1
            region.as_proxy, region.as_colleague = bool(region.as_proxy), bool(region.as_colleague)
        user._atgrant_region_list = cache  # type: ignore[attr-defined]
    return cache


def _region_id(region: object) -> int | None:
    return getattr(region, "pk", region)  # a Region or its id


@rules.predicate
def is_proxy_of(user: object, region: object) -> bool:
    """The user is the region's active proxy (ombud): may submit and manage colleagues."""
    if not getattr(user, "is_authenticated", False) or region is None:
        return False
    return _region_id(region) in _memberships(user)[0]


@rules.predicate
def is_colleague_of(user: object, region: object) -> bool:
    if not getattr(user, "is_authenticated", False) or region is None:
        return False
    return _region_id(region) in _memberships(user)[1]


is_member_of = is_proxy_of | is_colleague_of


def forget_memberships(user: object) -> None:
    """Drop the per-request caches after a service changed the user's roles."""
    for attr in ("_atgrant_regions", "_atgrant_region_list", "_atgrant_groups"):
        if hasattr(user, attr):
            delattr(user, attr)


def region_ids_of(user: object) -> set[int]:
    """Every region the user acts for (as proxy or colleague)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    proxy, colleague = _memberships(user)
    return proxy | colleague
