"""/healthz: is this instance able to serve? For load balancers and container health checks.

JSON with the state of the database, the broker and the latest beat tick; 200 when all are
well, 503 when any is not. Reads only: no session, no database writes. In the embedded mode
(no REDIS_URL) tasks run eagerly in the web process, so broker and beat are "embedded".
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from atgrant.tasks import BEAT_TICK_CACHE_KEY

OK = "ok"
EMBEDDED = "embedded"


def _error(exc: BaseException) -> str:
    return f"error: {type(exc).__name__}: {exc}".strip()[:300]


def embedded() -> bool:
    return bool(settings.CELERY_TASK_ALWAYS_EAGER) or settings.CELERY_BROKER_URL.startswith(
        "memory://"
    )


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        return _error(exc)
    return OK


def check_broker() -> str:
    if embedded():
        return EMBEDDED
    try:
        import redis

        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001
        return _error(exc)
    return OK


def check_beat() -> dict[str, object]:
    if embedded():
        return {"last_tick": None, "age_seconds": None, "status": EMBEDDED}
    try:
        raw = cache.get(BEAT_TICK_CACHE_KEY)
    except Exception as exc:  # noqa: BLE001
        return {"last_tick": None, "age_seconds": None, "status": _error(exc)}
    if not raw:
        return {"last_tick": None, "age_seconds": None, "status": "unknown"}
    try:
        last = datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        return {"last_tick": str(raw), "age_seconds": None, "status": "unknown"}
    age = max(0, int((timezone.now() - last).total_seconds()))
    status = OK if age <= settings.BEAT_STALE_AFTER_SECONDS else "stale"
    return {"last_tick": last.isoformat(), "age_seconds": age, "status": status}


def _good(value: str) -> bool:
    return value in (OK, EMBEDDED)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = check_database()
    broker = check_broker()
    beat = check_beat()
    healthy = _good(database) and _good(broker) and _good(str(beat["status"]))
    body = {
        "status": OK if healthy else "error",
        "database": database,
        "broker": broker,
        "beat": beat,
    }
    return JsonResponse(body, status=200 if healthy else 503)
