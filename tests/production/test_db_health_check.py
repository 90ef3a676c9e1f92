"""atgrant.db: PostgreSQL with a persistent connection's health check at most once every
DB_HEALTH_CHECK_SECONDS."""

from __future__ import annotations

import time
from unittest import mock

import psycopg
import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="atgrant.db is the PostgreSQL backend"
)


@pytest.fixture
def fresh(db):
    """The connection at the start of a request (Django resets the check there)."""
    connection.ensure_connection()
    connection.health_check_enabled = True

    def start_request(checked_seconds_ago: float) -> None:
        connection.health_check_done = False
        connection.checked_at = time.monotonic() - checked_seconds_ago

    return start_request


def test_a_connection_checked_within_the_interval_is_used_as_it_is(fresh, settings):
    settings.ATGRANT_DB_HEALTH_CHECK_SECONDS = 1
    fresh(checked_seconds_ago=0.2)
    with mock.patch.object(connection, "is_usable", wraps=connection.is_usable) as check:
        connection.close_if_health_check_failed()
        connection.close_if_health_check_failed()  # the same request: done
    assert check.call_count == 0 and connection.health_check_done


def test_a_connection_not_checked_for_the_interval_is_checked(fresh, settings):
    settings.ATGRANT_DB_HEALTH_CHECK_SECONDS = 1
    fresh(checked_seconds_ago=1.5)
    before = time.monotonic()
    with mock.patch.object(connection, "is_usable", wraps=connection.is_usable) as check:
        connection.close_if_health_check_failed()
    assert check.call_count == 1
    assert connection.checked_at >= before  # the next second: not again


def test_zero_checks_on_every_request_as_django_does(fresh, settings):
    settings.ATGRANT_DB_HEALTH_CHECK_SECONDS = 0
    with mock.patch.object(connection, "is_usable", wraps=connection.is_usable) as check:
        for _ in range(3):
            fresh(checked_seconds_ago=0)
            connection.close_if_health_check_failed()
    assert check.call_count == 3


@pytest.mark.django_db(transaction=True)
def test_a_dead_connection_is_replaced_once_checked(settings):
    settings.ATGRANT_DB_HEALTH_CHECK_SECONDS = 1
    connection.ensure_connection()
    connection.health_check_enabled = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    params = connection.get_connection_params()
    params.pop("context", None)
    params.pop("cursor_factory", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    connection.health_check_done = False
    connection.checked_at = time.monotonic() - 5  # due for a check
    connection.close_if_health_check_failed()
    with connection.cursor() as cursor:  # a new connection
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
