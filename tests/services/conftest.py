"""The services tests: PostgreSQL, Redis and a real Celery worker process.

Run only when ATGRANT_SERVICES_TESTS=1, DATABASE_URL points at PostgreSQL and REDIS_URL is
set (.ci/run's second pass). The `celery_worker_process` fixture starts
`celery -A atgrant worker --pool=solo` against the pytest-django TEST database and the same
Redis, waits until it answers a ping, and stops it after the last test of this package (so it
never executes tasks other tests leave in the queue). Tests use
`django_db(transaction=True)`: the worker sees only committed data.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
WORKER_NAME = "atgrant-services-test@%h"


def services_enabled() -> bool:
    database_url = os.environ.get("DATABASE_URL", "")
    return (
        os.environ.get("ATGRANT_SERVICES_TESTS") == "1"
        and urlparse(database_url).scheme in ("postgres", "postgresql")
        and bool(os.environ.get("REDIS_URL"))
    )


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(
        reason="services tests: set ATGRANT_SERVICES_TESTS=1, a PostgreSQL DATABASE_URL and "
        "REDIS_URL (.ci/run does)"
    )
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.services)
            if not services_enabled():
                item.add_marker(skip)


def _test_database_url(name: str) -> str:
    parsed = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parsed._replace(path=f"/{name}"))


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@pytest.fixture(scope="package")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[str]:
    """A real worker on the test database; yields the path of its log file."""
    from django.conf import settings

    from atgrant.celery import app

    assert not settings.CELERY_TASK_ALWAYS_EAGER, "services tests need a real broker"
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False
    # Tasks other tests queued (nobody consumed them) must not run against our data.
    app.control.purge()

    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(settings.DATABASES["default"]["NAME"]),
        "PYTHONPATH": str(BASE_DIR),
        "LOG_JSON": "false",
    }
    celery = Path(sys.executable).with_name("celery")
    command = [
        str(celery),
        "-A",
        "atgrant",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "-n",
        WORKER_NAME,
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"the Celery worker exited ({process.returncode}):\n{_tail(log_path)}")
            if app.control.ping(timeout=1.0):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not answer a ping:\n{_tail(log_path)}")
        yield str(log_path)
    finally:
        process.send_signal(signal.SIGTERM)  # warm shutdown: finishes the current task
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        # Its database connections are closed now: pytest-django can drop the test database.


@pytest.fixture
def wait_for() -> Callable[..., object]:
    """`wait_for(check, timeout=60, what="...")`: poll `check()` until it returns a truthy value."""

    def wait(check: Callable[[], object], *, timeout: float = 60, what: str = "it") -> object:
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                pytest.fail(f"waited {timeout} s for {what}")
            time.sleep(0.2)

    return wait
