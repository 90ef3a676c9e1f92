"""`manage.py check --deploy` with production settings from the environment: no warnings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION_ENV = {
    # check --deploy does not connect: the database need not exist.
    "DATABASE_URL": "postgres://atgrant@127.0.0.1:5432/atgrant",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "atgrant.example.se",
    "CSRF_TRUSTED_ORIGINS": "https://atgrant.example.se",
    "SITE_URL": "https://atgrant.example.se",
}


def test_check_deploy_reports_no_issues():
    env = {**PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(64)}
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("site_url", "check"), [(None, "atgrant.W002"), ("http://atgrant.example.se", "atgrant.W003")]
)
def test_check_deploy_wants_the_public_https_address_for_links(site_url, check):
    env = {**PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(64)}
    env.pop("SITE_URL")
    if site_url:
        env["SITE_URL"] = site_url
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert check in result.stdout + result.stderr


def test_check_deploy_flags_a_weak_secret_key():
    """The check is real: a short key is reported (so the clean run above means something)."""
    env = {**PRODUCTION_ENV, "SECRET_KEY": "short"}
    result = _run(["check", "--deploy"], env)
    assert "security.W009" in result.stdout + result.stderr


def test_production_settings_are_what_the_environment_says():
    env = {
        **PRODUCTION_ENV,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "EMAIL_HOST": "smtp.example.se",
        "EMAIL_PORT": "2525",
    }
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS, s.EMAIL_BACKEND, s.EMAIL_PORT,"
        " s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, s.DATABASES['default']['CONN_MAX_AGE'],"
        " s.DATABASES['default']['CONN_HEALTH_CHECKS'], s.SESSION_COOKIE_SECURE,"
        " s.SECURE_SSL_REDIRECT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=BASE_DIR,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "atgrant.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == (
        "False ['atgrant.example.se'] ['https://atgrant.example.se'] "
        "django.core.mail.backends.smtp.EmailBackend 2525 False redis://127.0.0.1:6379/0 60 True "
        "True True"
    )


def test_celery_settings_for_production():
    from django.conf import settings

    assert settings.CELERY_ACCEPT_CONTENT == ["json"]
    assert settings.CELERY_TASK_SERIALIZER == "json"
    assert settings.CELERY_RESULT_SERIALIZER == "json"
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    # Redis re-delivers an unacknowledged task after the visibility timeout: it must be longer
    # than any task may run, or an acks_late task still running would be started twice.
    assert (
        settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
        > settings.CELERY_TASK_TIME_LIMIT
    )
    # The allocation run acknowledges late: a worker dying mid-run leaves it in the queue.
    from allocation.tasks import execute_run

    assert execute_run.acks_late is True
    assert execute_run.reject_on_worker_lost is True
    schedule = settings.CELERY_BEAT_SCHEDULE["atgrant-beat-tick"]
    assert schedule == {"task": "atgrant.tasks.beat_tick", "schedule": 60.0}


def test_sentry_is_not_imported_without_a_dsn():
    code = "import sys, django; django.setup(); print('sentry_sdk' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "atgrant.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("False")
