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


def _settings_with(env: dict[str, str], code: str) -> str:
    import subprocess
    import sys

    base = {"DJANGO_SETTINGS_MODULE": "atgrant.settings", "SECRET_KEY": "x" * 50, "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; " + code],
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_postgresql_database_url_uses_djangos_own_engine():
    """Django's PostgreSQL backend with its own health check; server-side cursors can be
    turned off for a transaction-mode pooler (PgBouncer)."""
    code = (
        "d = settings.DATABASES['default']; "
        "print(d['ENGINE'], d['CONN_HEALTH_CHECKS'], d['DISABLE_SERVER_SIDE_CURSORS'])"
    )
    url = {"DATABASE_URL": "postgres://u@h:5432/d"}
    assert _settings_with(url, code) == "django.db.backends.postgresql True False"
    pooled = {**url, "DISABLE_SERVER_SIDE_CURSORS": "true"}
    assert _settings_with(pooled, code) == "django.db.backends.postgresql True True"


def test_the_cache_has_a_redis_database_of_its_own():
    code = "print(settings.CELERY_BROKER_URL, settings.CACHES['default']['LOCATION'])"
    assert _settings_with({"REDIS_URL": "redis://r:6379/3"}, code) == (
        "redis://r:6379/3 redis://r:6379/4"
    )
    assert _settings_with({"REDIS_URL": "redis://r:6379"}, code) == (
        "redis://r:6379 redis://r:6379/1"
    )
    explicit = {"REDIS_URL": "redis://r:6379/3", "REDIS_CACHE_URL": "redis://c:6379/0"}
    assert _settings_with(explicit, code) == "redis://r:6379/3 redis://c:6379/0"


def test_the_cache_key_prefix_is_the_release():
    code = "print(settings.CACHES['default']['KEY_PREFIX'])"
    assert _settings_with({"RELEASE": "3f2a9c1"}, code) == "3f2a9c1"
    assert _settings_with({}, code) == "dev"
