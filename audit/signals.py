"""Audit events for authentication: logins, logouts, failed logins, lockouts, second factors.

Connected in AuditConfig.ready(). Each records the actor (None for a failed attempt: we do
not know who typed) and the client's address (atgrant.clientip, as axes and allauth see it).
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.signals import authenticator_added, authenticator_removed
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from atgrant.clientip import client_ip
from audit.services import audit_record


def _ip(request: HttpRequest | None) -> str | None:
    # The same rule as axes' lockouts and allauth's limits (TRUSTED_PROXY_COUNT).
    return client_ip(request) if request is not None else None


def _attempted_login(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    from atgrant.lockout import axes_username

    return (axes_username(request, credentials) or "")[:254]


@receiver(user_logged_in, dispatch_uid="audit_user_logged_in")
def _logged_in(sender, request: HttpRequest | None = None, user=None, **kwargs) -> None:
    audit_record(
        action="auth.logged_in", actor=user, obj=user, message="Inloggning", ip_address=_ip(request)
    )


@receiver(user_logged_out, dispatch_uid="audit_user_logged_out")
def _logged_out(sender, request: HttpRequest | None = None, user=None, **kwargs) -> None:
    if user is None:  # the session had already expired
        return
    audit_record(
        action="auth.logged_out",
        actor=user,
        obj=user,
        message="Utloggning",
        ip_address=_ip(request),
    )


@receiver(user_login_failed, dispatch_uid="audit_user_login_failed")
def _login_failed(
    sender, credentials: dict[str, Any] | None = None, request: HttpRequest | None = None, **kwargs
) -> None:
    login = _attempted_login(request, credentials)
    audit_record(
        action="auth.login_failed",
        actor=None,
        after={"login": login},
        message=f"Misslyckad inloggning som {login or '(okänd)'}",
        ip_address=_ip(request),
    )


@receiver(user_locked_out, dispatch_uid="audit_user_locked_out")
def _locked_out(
    sender, request: HttpRequest | None = None, username: str | None = None, **kwargs
) -> None:
    ip = kwargs.get("ip_address") or _ip(request)
    audit_record(
        action="auth.locked_out",
        actor=None,
        after={"login": username or ""},
        message=f"Spärrad efter upprepade misslyckade inloggningar: {username or '(okänd)'}",
        ip_address=ip,
    )


@receiver(authenticator_added, dispatch_uid="audit_mfa_authenticator_added")
def _authenticator_added(sender, request=None, user=None, authenticator=None, **kwargs) -> None:
    audit_record(
        action="mfa.authenticator_added",
        actor=user,
        obj=authenticator,
        after={"type": getattr(authenticator, "type", "")},
        message="Tvåstegsverifiering aktiverad",
        ip_address=_ip(request),
    )


@receiver(authenticator_removed, dispatch_uid="audit_mfa_authenticator_removed")
def _authenticator_removed(sender, request=None, user=None, authenticator=None, **kwargs) -> None:
    from atgrant.middleware import forget_second_factor

    if request is not None:
        forget_second_factor(request)
    audit_record(
        action="mfa.authenticator_removed",
        actor=user,
        obj=authenticator,
        before={"type": getattr(authenticator, "type", "")},
        message="Tvåstegsverifiering borttagen",
        ip_address=_ip(request),
    )
