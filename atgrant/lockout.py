"""django-axes: which "username" a failed login counts against.

The site's login form (allauth) posts `login` and authenticates with `email=`; the admin's
form posts `username`. Failures are counted per (username, IP address), so both must name
the same person the same way: the address, case-folded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

_FIELDS = ("login", "email", "username")
USERNAME_MAX_LENGTH = 255  # axes.models.AccessBase.username


def axes_username(request: HttpRequest | None, credentials: Mapping[str, Any] | None) -> str | None:
    for source in (credentials or {}, getattr(request, "POST", None) or {}):
        for field in _FIELDS:
            value = source.get(field)
            if isinstance(value, str) and value.strip():
                # At most what axes' username column holds: the login form lets through an
                # address of up to 320 characters, and axes writes this value as it is.
                return value.strip().lower()[:USERNAME_MAX_LENGTH]
    return None
