"""Fixtures shared by the whole suite: one user per role, and test-safe settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
from django.contrib.auth.models import Group

from regions.roles import AUDITORS_GROUP, OFFICERS_GROUP


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Production-like settings (DEBUG off on PostgreSQL in CI) must not redirect the test client.
    settings.SECURE_SSL_REDIRECT = False
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Every role fixture sets a password; the production hasher takes most of a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextmanager
def _append_only_triggers_paused(connection) -> Iterator[None]:
    """Let the test runner's flush empty the append-only tables, whose triggers refuse it.

    PostgreSQL: ``session_replication_role = replica`` skips ordinary triggers for the
    session (the test role is a superuser, as in .ci/run). SQLite: atgrant's triggers are
    dropped and created again from their own stored SQL.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET session_replication_role")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                ["atgrant%"],
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)
    else:
        yield


@pytest.fixture(autouse=True, scope="session")
def _flush_past_append_only_triggers() -> Iterator[None]:
    """Transactional tests (``django_db(transaction=True)``, live_server) end with a flush."""
    from django.db import connections
    from django.test import TransactionTestCase

    original = TransactionTestCase._fixture_teardown

    def _fixture_teardown(self) -> None:  # noqa: ANN001
        with ExitStack() as stack:
            for alias in self._databases_names(include_mirrors=False):
                stack.enter_context(_append_only_triggers_paused(connections[alias]))
            original(self)

    TransactionTestCase._fixture_teardown = _fixture_teardown
    yield
    TransactionTestCase._fixture_teardown = original


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth's rate limits and the cached fragments live in the cache and must not carry
    over from test to test (each test has a database of its own). The cache has a Redis
    database of its own in production settings, so clearing it leaves Celery's queues alone."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def officer(db):
    from tests.factories import UserFactory

    user = UserFactory(email="officer@example.se")
    user.groups.add(Group.objects.get_or_create(name=OFFICERS_GROUP)[0])
    return user


@pytest.fixture
def auditor(db):
    from tests.factories import UserFactory

    user = UserFactory(email="auditor@example.se")
    user.groups.add(Group.objects.get_or_create(name=AUDITORS_GROUP)[0])
    return user


def login_as(client, user) -> None:
    """Log `user` in on `client` as if they had just authenticated with password and TOTP.

    allauth records the authentication methods in the session; sensitive actions ask for a
    fresh one, and agency users must have a second factor. This sets both up, as a real
    login through the login page (with MFA) would.
    """
    import time

    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.mfa.models import Authenticator

    from regions.roles import is_agency_reader

    client.force_login(user)
    now = time.time()
    records = [{"method": "password", "at": now, "email": user.email}]
    if is_agency_reader(user):
        totp, _ = Authenticator.objects.get_or_create(
            user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "test"}}
        )
        records.append({"method": "mfa", "at": now, "id": totp.pk, "type": "totp"})
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()


@pytest.fixture
def login():
    """`login(client, user)`: see login_as."""
    return login_as


@pytest.fixture
def region(db):
    from tests.factories import RegionFactory

    return RegionFactory(code="10", name="Region Blekinge", short_name="Blekinge")


@pytest.fixture
def other_region(db):
    from tests.factories import RegionFactory

    return RegionFactory(code="09", name="Region Gotland", short_name="Gotland")


def _appoint(region, email):
    from regions.models import ProxyAppointment
    from tests.factories import UserFactory

    user = UserFactory(email=email)
    ProxyAppointment.objects.create(region=region, user=user)
    return user


@pytest.fixture
def proxy(region):
    """The active proxy (ombud) of `region`."""
    return _appoint(region, "ombud@blekinge.example.se")


@pytest.fixture
def other_proxy(other_region):
    """The active proxy of `other_region`."""
    return _appoint(other_region, "ombud@gotland.example.se")


@pytest.fixture
def colleague(region):
    """A colleague of `region`: prepares the report, cannot submit."""
    from regions.models import Colleague
    from tests.factories import UserFactory

    user = UserFactory(email="kollega@blekinge.example.se")
    Colleague.objects.create(region=region, user=user)
    return user
