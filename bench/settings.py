"""Settings of the benchmarks (their processes, their gunicorn and Celery worker): the
application's (of the code under test, see bench/__init__.py), plus a bench-only URLconf with
a bare view; static files unhashed (no collectstatic needed); with ``BENCH_MAIL_LOG`` the
e-mails are counted in that file (bench.mail)."""

import os

from atgrant.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("BENCH_MAIL_LOG"):
    EMAIL_BACKEND = "bench.mail.EmailBackend"
