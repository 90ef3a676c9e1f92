"""Typed readers of environment variables that fail loudly on a bad value.

Settings are read once at start; a typo in production must stop the process
with a message naming the variable, not run with a silent default.
"""

from __future__ import annotations

import datetime as dt
import os
from urllib.parse import urlparse


class ImproperlyConfiguredEnv(Exception):
    """Raised when an environment variable holds a value we cannot use."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfiguredEnv(f"{name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfiguredEnv(f"{name} must be a boolean (true/false), not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfiguredEnv(f"{name} must be an integer, not {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfiguredEnv(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_date(name: str, default: str) -> dt.date:
    """A date written YYYY-MM-DD (ISO 8601)."""
    raw = env_str(name, default) or default
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ImproperlyConfiguredEnv(f"{name} must be a date YYYY-MM-DD, not {raw!r}.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, schemes: tuple[str, ...]) -> str | None:
    """A URL whose scheme is one of `schemes` and which names a host, or None if unset."""
    raw = env_str(name)
    if raw is None:
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in schemes:
        allowed = ", ".join(schemes)
        raise ImproperlyConfiguredEnv(
            f"{name} must start with one of {allowed}:// (got {parsed.scheme or 'no scheme'!r})."
        )
    if not parsed.hostname and not parsed.path.strip("/"):
        raise ImproperlyConfiguredEnv(f"{name} must name a host or socket path.")
    return raw


def redis_database_after(url: str) -> str:
    """The same Redis server's next database: ``redis://h:6379/3`` gives ``redis://h:6379/4``
    (no database in the URL is database 0). Raises ImproperlyConfiguredEnv past database 15,
    the last one a default Redis server has."""
    parsed = urlparse(url)
    path = parsed.path.strip("/")
    try:
        database = int(path or 0)
    except ValueError:
        raise ImproperlyConfiguredEnv(
            f"The Redis URL's database must be a number: {url!r}."
        ) from None
    if database >= 15:
        raise ImproperlyConfiguredEnv(
            f"The Redis URL uses database {database}: set REDIS_CACHE_URL for the cache."
        )
    return parsed._replace(path=f"/{database + 1}").geturl()
