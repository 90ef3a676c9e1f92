"""The authentication backends: Django's and allauth's, reading the request's user in one
query together with what every page asks about them.

Every logged-in request reads its user (Django's ``get_user``, through the session's
backend). ``load_user`` reads, in the same query:

* whether the user is an officer or an auditor (regions.roles, the navigation and the
  second-factor requirement ask on every page);
* the version of the user's pages: their change counters (submissions.freshness), with which
  a page kept in memory is known to be still true (the region dashboard).

That query is plain SQL turned into the user with ``Model.from_db`` and the ORM's converters
(building the ORM's query took longer than running it; bench/pages.py, "bare view, logged
in"). On PostgreSQL it is a prepared statement of the connection (PREPARE once per
connection, then EXECUTE): planning its subqueries took four times as long as running them.
Django leaves prepared statements off so that a transaction-mode pooler (PgBouncer) keeps
working; atgrant connects to PostgreSQL directly (docker-compose.yml) and must keep doing so,
or drop this.
"""

from __future__ import annotations

import functools
import re
import weakref

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection

from regions.roles import AGENCY_GROUPS
from submissions import freshness

_SQL = """
    SELECT {columns},
           {groups},
           {version}
    FROM {user} u
    WHERE u.{pk} = %s
"""
_IN_GROUP = (
    "EXISTS (SELECT 1 FROM {user_groups} ug JOIN {group} g ON g.id = ug.group_id "
    "WHERE ug.user_id = u.{pk} AND g.name = %s)"
)


@functools.cache
def _query(model: type, vendor: str) -> tuple[str, list[str], list[tuple[object, list]]]:
    """The SQL, the user's field names and each column's converters (as the ORM applies
    them: SQLite returns a datetime as text). Per database vendor."""
    fields = model._meta.concrete_fields
    pk = model._meta.pk.column
    in_group = _IN_GROUP.format(
        user_groups=model.groups.through._meta.db_table, group=Group._meta.db_table, pk=pk
    )
    sql = _SQL.format(
        columns=", ".join(f"u.{connection.ops.quote_name(f.column)}" for f in fields),
        groups=", ".join(in_group for _ in AGENCY_GROUPS),
        version=freshness.version_columns(f"u.{pk}"),
        user=model._meta.db_table,
        pk=pk,
    )
    columns = [f.get_col(model._meta.db_table) for f in fields]
    converters = [
        (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
        for col in columns
    ]
    return sql, [f.attname for f in fields], converters


STATEMENT = "atgrant_load_user"
_prepared: weakref.WeakSet = weakref.WeakSet()  # the psycopg connections that have it


def _execute(cursor, sql: str, params: list[object]) -> None:  # noqa: ANN001
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    raw = connection.connection
    if raw not in _prepared:
        cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [STATEMENT])
        if cursor.fetchone() is None:
            numbered = iter(range(1, len(params) + 1))
            cursor.execute(
                f"PREPARE {STATEMENT} AS " + re.sub("%s", lambda _: f"${next(numbered)}", sql)
            )
        _prepared.add(raw)
    cursor.execute(f"EXECUTE {STATEMENT} ({', '.join(['%s'] * len(params))})", params)


def load_user(user_id: object) -> object | None:
    """The user with this id, or None: with ``_atgrant_groups`` (the agency groups they are
    in) and ``_atgrant_version`` (submissions.freshness) set."""
    model = get_user_model()
    try:
        pk = model._meta.pk.to_python(user_id)
    except (TypeError, ValueError, ValidationError):
        return None
    sql, names, converters = _query(model, connection.vendor)
    with connection.cursor() as cursor:
        _execute(cursor, sql, [*AGENCY_GROUPS, pk])
        row = cursor.fetchone()
    if row is None:
        return None
    count = len(names)
    values = list(row[:count])
    for i, (col, functions) in enumerate(converters):
        for convert in functions:
            values[i] = convert(values[i], col, connection)
    user = model.from_db(connection.alias, names, values)
    memberships = row[count : count + len(AGENCY_GROUPS)]
    user._atgrant_groups = {
        g for g, member in zip(AGENCY_GROUPS, memberships, strict=True) if member
    }
    user._atgrant_version = freshness.version_of(row[count + len(AGENCY_GROUPS) :])
    return user


class _LoadUser:
    def get_user(self, user_id):  # noqa: ANN001, ANN201
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_LoadUser, DjangoModelBackend):
    """Django's ModelBackend; the user read by load_user."""


class AuthenticationBackend(_LoadUser, AllauthBackend):
    """allauth's backend (login by e-mail); the user read by load_user."""
