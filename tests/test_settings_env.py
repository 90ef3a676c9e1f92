from __future__ import annotations

import pytest

from atgrant import env


def test_bad_boolean_fails_loudly(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "kanske")
    with pytest.raises(env.ImproperlyConfiguredEnv, match="SOME_FLAG"):
        env.env_bool("SOME_FLAG")


def test_bad_integer_fails_loudly(monkeypatch):
    monkeypatch.setenv("SOME_INT", "tio")
    with pytest.raises(env.ImproperlyConfiguredEnv, match="SOME_INT must be an integer"):
        env.env_int("SOME_INT", 1)


def test_database_url_with_an_unknown_scheme_fails(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://db/atgrant")
    with pytest.raises(env.ImproperlyConfiguredEnv, match="DATABASE_URL must start with"):
        env.env_url("DATABASE_URL", ("postgres", "postgresql"))


def test_unset_url_is_none(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert env.env_url("REDIS_URL", ("redis",)) is None


def test_settings_refuse_to_start_with_a_bad_database_url():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; settings.DEBUG"],
        env={"DJANGO_SETTINGS_MODULE": "atgrant.settings", "DATABASE_URL": "ftp://x/y", "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DATABASE_URL must start with" in result.stderr


def test_settings_require_a_secret_key_when_debug_is_off():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; settings.DEBUG"],
        env={"DJANGO_SETTINGS_MODULE": "atgrant.settings", "DEBUG": "false", "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_postgresql_database_url_uses_atgrant_db():
    """Django's PostgreSQL backend with the health check at most once a second (atgrant.db;
    tests/production/test_db_health_check.py)."""
    import subprocess
    import sys

    code = (
        "from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.ATGRANT_DB_HEALTH_CHECK_SECONDS)"
    )
    base = {"DJANGO_SETTINGS_MODULE": "atgrant.settings", "SECRET_KEY": "x" * 50, "PATH": ""}
    outputs = []
    for extra in ({}, {"DB_HEALTH_CHECK_SECONDS": "0"}):
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={**base, "DATABASE_URL": "postgres://u@h:5432/d", **extra},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout.split())
    assert outputs == [["atgrant.db", "1"], ["atgrant.db", "0"]]
