"""Small helpers for the production tests: a real TOTP code, a password-only session."""

from __future__ import annotations

import time

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp_auth


def current_code(secret: str) -> str:
    """The code an authenticator app would show now for `secret` (as allauth computes it)."""
    counter = int(time.time()) // 30
    return totp_auth.format_hotp_value(totp_auth.hotp_value(secret, counter))


def verified_email(user) -> None:
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def real_totp(user) -> str:
    """Give `user` a real TOTP authenticator; returns its secret."""
    secret = totp_auth.generate_totp_secret()
    totp_auth.TOTP.activate(user, secret)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return secret


def password_only_login(
    client, user, *, at: float | None = None, reauthenticated: bool = False
) -> None:
    """Logged in with the password only (no second factor), `at` seconds since the epoch.

    `reauthenticated`: as if the password had just been given again (allauth's MFA setup
    pages ask for that, whatever the age of the login)."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )

    client.force_login(user)
    session = client.session
    record = {"method": "password", "at": time.time() if at is None else at, "email": user.email}
    if reauthenticated:
        record["reauthenticated"] = True
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [record]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()


def age_authentication(client, seconds: float) -> None:
    """Move every recorded authentication of the client's session `seconds` into the past."""
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:
        record["at"] -= seconds
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()
