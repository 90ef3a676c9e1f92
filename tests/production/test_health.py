"""/healthz: 200 when the database, the broker and the beat are well, 503 when one is not."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from atgrant import health
from atgrant.tasks import BEAT_TICK_CACHE_KEY, beat_tick

NOW = dt.datetime(2024, 11, 2, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def production_mode(settings):
    """Non-eager Celery with a Redis broker (the real one in CI's services run if set)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    yield settings
    cache.delete(BEAT_TICK_CACHE_KEY)


def _tick(at: dt.datetime) -> None:
    cache.set(BEAT_TICK_CACHE_KEY, at.isoformat(), timeout=None)


def test_embedded_mode_is_healthy_without_broker_or_beat(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_BROKER_URL = "memory://"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "embedded",
        "beat": {"last_tick": None, "age_seconds": None, "status": "embedded"},
    }


def test_all_well_is_200(client, production_mode):
    _tick(NOW - dt.timedelta(seconds=42))
    with (
        mock.patch.object(health, "check_broker", return_value="ok"),
        mock.patch("django.utils.timezone.now", return_value=NOW),
    ):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "beat": {"last_tick": "2024-11-02T08:59:18+00:00", "age_seconds": 42, "status": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


def test_database_down_is_503(client, production_mode):
    _tick(NOW)
    with (
        mock.patch.object(health, "check_database", return_value="error: OperationalError: x"),
        mock.patch.object(health, "check_broker", return_value="ok"),
        mock.patch("django.utils.timezone.now", return_value=NOW),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"].startswith("error")


def test_database_check_reports_a_failing_connection():
    with mock.patch.object(connection, "cursor", side_effect=RuntimeError("connection refused")):
        assert health.check_database() == "error: RuntimeError: connection refused"


def test_broker_on_a_closed_port_is_503(client, production_mode):
    production_mode.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # discard port: nothing listens
    _tick(NOW)
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error: ConnectionError")


def test_stale_beat_is_503(client, production_mode):
    _tick(NOW - dt.timedelta(minutes=5, seconds=1))
    with (
        mock.patch.object(health, "check_broker", return_value="ok"),
        mock.patch("django.utils.timezone.now", return_value=NOW),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["beat"] == {
        "last_tick": "2024-11-02T08:54:59+00:00",
        "age_seconds": 301,
        "status": "stale",
    }


def test_beat_that_never_ticked_is_unknown_and_503(client, production_mode):
    cache.delete(BEAT_TICK_CACHE_KEY)
    with mock.patch.object(health, "check_broker", return_value="ok"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["beat"]["status"] == "unknown"


def test_beat_tick_task_records_the_time(production_mode):
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        assert beat_tick() == "2024-11-02T09:00:00+00:00"
        assert health.check_beat() == {
            "last_tick": "2024-11-02T09:00:00+00:00",
            "age_seconds": 0,
            "status": "ok",
        }


def test_health_writes_nothing_and_needs_no_login(client, production_mode):
    _tick(NOW)
    with (
        mock.patch.object(health, "check_broker", return_value="ok"),
        mock.patch("django.utils.timezone.now", return_value=NOW),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.get("/healthz")
    assert response.status_code == 200
    # Only the database probe itself.
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT 1"]
    assert "sessionid" not in response.cookies


def test_health_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/").status_code == 301


def test_health_answers_only_get(client):
    assert client.post("/healthz").status_code == 405
