"""PostgreSQL as Django's backend has it, but a persistent connection's health check runs at
most once every DB_HEALTH_CHECK_SECONDS (1 by default) instead of on every request.

Django's CONN_HEALTH_CHECKS sends ``SELECT 1`` before the first query of every request that
reuses a connection: a round trip on every page that reads the database (0.15 ms of the
region dashboard's 1 ms in the process, and the server's work; bench/pages.py). Here a
connection opened or checked less than that long ago is used as it is, as PgBouncer does with
its server_check_delay (30 s there). What that costs: after the database restarts, a request
within that second on a connection not yet checked gets an error; Django then closes the
connection at the end of that request and the next request connects anew. 0 checks on every
request, as Django does.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.checked_at: float | None = None  # when the connection was opened or last checked

    def connect(self) -> None:
        super().connect()
        self.checked_at = time.monotonic()

    def close_if_health_check_failed(self) -> None:
        interval = getattr(settings, "ATGRANT_DB_HEALTH_CHECK_SECONDS", 0)
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self.checked_at is not None
            and time.monotonic() - self.checked_at < interval
        ):
            self.health_check_done = True
            return
        was_done = self.health_check_done
        super().close_if_health_check_failed()
        if self.connection is not None and self.health_check_done and not was_done:
            self.checked_at = time.monotonic()
