"""Decorators for views that change important things.

`sensitive_action`: an officer's closing, running, issuing, reconsidering or approving
asks for the password again when the last authentication is older than
ACCOUNT_REAUTHENTICATION_TIMEOUT (15 minutes). GET requests pass (they show the form).

allauth's own `reauthentication_required` counts only explicit re-authentications (its
"reauthenticated" records), so a user who logged in two minutes ago would be asked again.
We count any authentication of this session (login with password, its second factor, or a
re-authentication): allauth's check only runs when the latest of them is too old. The POST is
stashed by allauth and resumed after the password (or TOTP code) is given.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from allauth.account import app_settings as account_settings
from allauth.account.decorators import reauthentication_required
from allauth.account.internal.flows.login import get_authentication_records
from django.http import HttpRequest


def authenticated_recently(request: HttpRequest) -> bool:
    """The session's latest authentication is younger than the re-authentication timeout."""
    if not request.user.is_authenticated:
        return False
    times = [
        record.get("at", 0)
        for record in get_authentication_records(request, request.user)
        if isinstance(record, dict)
    ]
    return bool(times) and time.time() - max(times) < account_settings.REAUTHENTICATION_TIMEOUT


def _needs_reauthentication(request: HttpRequest) -> bool:
    return not authenticated_recently(request)


sensitive_action: Callable = reauthentication_required(
    allow_get=True, enabled=_needs_reauthentication
)
