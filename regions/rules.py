"""Named rules and permissions of the region portal (the `rules` package autodiscovers this module).

Templates ask with `{% load rules %}{% test_rule "regions.is_any_proxy" user as x %}`.
"""

from __future__ import annotations

import rules

from regions.roles import (
    _memberships,
    is_agency_reader,
    is_officer,
    region_ids_of,
)


@rules.predicate
def is_any_proxy(user: object) -> bool:
    """The user is the active proxy of some region."""
    return getattr(user, "is_authenticated", False) and bool(_memberships(user)[0])


@rules.predicate
def is_region_member(user: object) -> bool:
    """The user acts for some region (as proxy or colleague)."""
    return bool(region_ids_of(user))


rules.add_rule("regions.is_any_proxy", is_any_proxy)
rules.add_rule("regions.is_region_member", is_region_member)
rules.add_rule("regions.is_agency_reader", is_agency_reader)

# Django permissions (user.has_perm) for the officer's review of proxy applications.
rules.add_perm("regions.view_proxy_application_queue", is_agency_reader)
rules.add_perm("regions.review_proxy_application", is_officer)
rules.add_perm("regions.manage_colleagues", is_any_proxy)
