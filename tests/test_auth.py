"""atgrant.auth: the request's user, read in one query with their agency groups and the
version of their pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from atgrant.auth import STATEMENT, AuthenticationBackend, ModelBackend, load_user
from regions.roles import AUDITORS_GROUP, OFFICERS_GROUP, is_agency_reader, is_officer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fields(user) -> dict[str, object]:
    return {f.attname: getattr(user, f.attname) for f in type(user)._meta.concrete_fields}


def test_the_user_is_read_as_the_orm_reads_it(officer):
    type(officer).objects.filter(pk=officer.pk).update(
        last_login=dt.datetime(2024, 10, 1, 8, 30, 15, 123456, tzinfo=dt.UTC),
        first_name="Åsa",
        last_name="Öberg",
    )
    expected = get_user_model().objects.get(pk=officer.pk)
    loaded = load_user(officer.pk)
    assert _fields(loaded) == _fields(expected)
    assert loaded.last_login.tzinfo is not None  # aware, as the ORM's (SQLite reads text)
    assert loaded._state.adding is False and loaded._state.db == "default"


@pytest.mark.parametrize(
    ("role", "groups"),
    [("officer", {OFFICERS_GROUP}), ("auditor", {AUDITORS_GROUP}), ("proxy", set())],
)
def test_the_agency_groups_come_with_the_user(request, role, groups, django_assert_num_queries):
    user = request.getfixturevalue(role)
    with django_assert_num_queries(1):
        loaded = load_user(user.pk)
    with django_assert_num_queries(0):  # the navigation's and the pages' questions
        assert is_officer(loaded) == (OFFICERS_GROUP in groups)
        assert is_agency_reader(loaded) == bool(groups)


@pytest.mark.parametrize("user_id", [999_999, "999999", "abc", None, "1.5"])
def test_an_unknown_or_malformed_id_is_no_user(user_id):
    assert load_user(user_id) is None


@pytest.mark.parametrize("backend", [ModelBackend, AuthenticationBackend])
def test_an_inactive_user_is_not_logged_in(backend):
    active, inactive = UserFactory(), UserFactory(is_active=False)
    assert backend().get_user(active.pk) == active
    assert backend().get_user(inactive.pk) is None


def test_a_logged_in_request_reads_its_user_once(client, login, proxy):
    login(client, proxy)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    # On PostgreSQL the statement prepared on the connection (the first request prepared it).
    names = (f"FROM {get_user_model()._meta.db_table} ", f"EXECUTE {STATEMENT} ")
    users = [q for q in queries.captured_queries if any(n in q["sql"] for n in names)]
    assert len(users) == 1


@pytest.mark.django_db(transaction=True)
def test_a_new_database_connection_reads_the_user_too():
    """On PostgreSQL the query is prepared once per connection: a new one prepares it again."""
    user = UserFactory()
    assert load_user(user.pk) == user
    connection.close()
    assert load_user(user.pk) == user
    assert load_user(user.pk) == user
