"""Decorators for views that change important things.

`sensitive_action`: an officer's closing, running, issuing, reconsidering or approving
asks for the password again when the last authentication is older than
ACCOUNT_REAUTHENTICATION_TIMEOUT (15 minutes). GET requests pass (they show the form).
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.account.decorators import reauthentication_required

sensitive_action: Callable = reauthentication_required(allow_get=True)
