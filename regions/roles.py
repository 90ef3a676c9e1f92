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


def regions_of(user: object) -> list:
    """The regions the user acts for, by name, each with ``as_proxy`` and ``as_colleague``:
    one query, cached on the user for the request (the roles above are read from it)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cache = getattr(user, "_atgrant_region_list", None)
    if cache is None:
        from django.db.models import Exists, OuterRef, Q

        from regions.models import Colleague, ProxyAppointment, Region

        as_proxy = Exists(
            ProxyAppointment.objects.filter(region=OuterRef("pk"), user=user, ended_at__isnull=True)
        )
        as_colleague = Exists(
            Colleague.objects.filter(region=OuterRef("pk"), user=user, removed_at__isnull=True)
        )
        cache = list(
            Region.objects.only("code", "name", "short_name", "sort_key")
            .annotate(as_proxy=as_proxy, as_colleague=as_colleague)
            .filter(Q(as_proxy=True) | Q(as_colleague=True))
            .order_by("sort_key", "name", "pk")
        )
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
