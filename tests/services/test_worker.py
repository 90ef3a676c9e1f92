"""A real worker through Redis: the beat's heartbeat and /healthz."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from atgrant.health import check_beat, check_broker
from atgrant.tasks import BEAT_TICK_CACHE_KEY, beat_tick

pytestmark = pytest.mark.django_db(transaction=True)


def test_beat_tick_round_trip_through_the_broker(celery_worker_process, client):
    cache.delete(BEAT_TICK_CACHE_KEY)
    assert check_beat()["status"] == "unknown"

    result = beat_tick.delay()
    recorded = result.get(timeout=60)

    assert result.successful()
    assert cache.get(BEAT_TICK_CACHE_KEY) == recorded  # written by the worker, read here
    assert check_broker() == "ok"
    beat = check_beat()
    assert beat["status"] == "ok"
    assert beat["last_tick"] == recorded

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_the_worker_runs_with_the_production_settings(celery_worker_process):
    from atgrant.celery import app

    [reply] = app.control.inspect(timeout=5).conf(with_defaults=True).values()
    assert reply["task_serializer"] == "json"
    assert reply["accept_content"] == ["json"]
    assert reply["task_time_limit"] > 0
    assert reply["broker_transport_options"]["visibility_timeout"] > reply["task_time_limit"]
    assert not reply["task_always_eager"]
