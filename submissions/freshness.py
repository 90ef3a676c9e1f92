"""The version of a user's pages: a value that changes whenever anything the region
dashboard shows them changes in the database, read with the user (atgrant.auth.load_user).

The dashboard (submissions.views.dashboard) is kept per user in each process's memory
(atgrant.pagecache.personal_page) and served again only while the user's version is the one
it was rendered at and its time-dependent text still holds (selectors.dashboard_stable_until).

The version is made of change counters (submissions.ChangeCounter) that database triggers add
to in the transaction of every write, whoever writes (a service, the admin, a bulk update,
SQL by hand; migration 0002_change_counters):

* ``user:<id>``: the user, their groups and their appointments (as proxy or colleague);
* ``all``: the rounds, their staircases, the groups;
* ``region:<id>``: a region, its appointments, and its baselines, reports, versions and
  extensions in every round.

The version is the user's own counter and the sum of the counters of ``all`` and of the
regions the user acts for. A write to anything the dashboard shows adds to one of those: if
the user's counter is unchanged, so are their appointments and so the set of regions, and a
sum of counters that only grow is unchanged only if none of them grew. It is read with the
user, before the page is rendered: a write in between makes the stored page newer than its
version, and the next request renders it again.

``TABLES`` lists the tables the counters cover. The tests render the dashboard and check that
it reads no other table, and that each of these has its triggers.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from regions.models import Colleague, ProxyAppointment

TABLES = frozenset(
    {
        "auth_user",
        "auth_user_groups",
        "auth_group",
        "regions_region",
        "regions_proxyappointment",
        "regions_colleague",
        "submissions_grantround",
        "submissions_staircasestep",
        "submissions_roundbaseline",
        "submissions_report",
        "submissions_reportversion",
        "submissions_deadlineextension",
    }
)
COUNTERS = "submissions_changecounter"


def version_columns(user_id: str) -> str:
    """Two SELECT columns giving the version of the user whose id is the SQL ``user_id``."""
    # The scopes as a set the counters are looked up by (their primary key), not a filter
    # on every counter: there are as many as regions and users.
    scopes = (
        "SELECT 'all' "
        f"UNION ALL SELECT 'region:' || region_id FROM {ProxyAppointment._meta.db_table} "
        f"WHERE user_id = {user_id} AND ended_at IS NULL "
        f"UNION ALL SELECT 'region:' || region_id FROM {Colleague._meta.db_table} "
        f"WHERE user_id = {user_id} AND removed_at IS NULL"
    )
    return (
        f"(SELECT changes FROM {COUNTERS} WHERE scope = 'user:' || {user_id}), "
        f"(SELECT SUM(changes) FROM {COUNTERS} WHERE scope IN ({scopes}))"
    )


def version_of(columns: Sequence[object]) -> str:
    """The version from the two columns of ``version_columns`` (a counter not yet written
    is 0)."""
    own, others = columns
    return f"{own or 0}:{others or 0}"


def user_version(user: object) -> str:
    """The version of ``user``'s pages: read with the user, or now (a user loaded otherwise)."""
    version = getattr(user, "_atgrant_version", None)
    if version is None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {version_columns('%s')}", [user.pk, user.pk, user.pk])  # type: ignore[attr-defined]
            version = version_of(cursor.fetchone())
    return version
