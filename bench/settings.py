"""Settings of the benchmarks (their processes and their gunicorn): the application's, plus
a bench-only URLconf with a bare view; static files unhashed (no collectstatic needed)."""

from atgrant.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
