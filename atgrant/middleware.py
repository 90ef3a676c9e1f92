"""Request id and the agency's second-factor requirement.

RequestIdMiddleware: every request gets an id (the caller's X-Request-ID when it is a sane
token, else a new uuid4) as `request.id`, in the response's X-Request-ID header and in every
log record written while it is served (atgrant.logging); its one line per request names the
client's address (atgrant.clientip).

MfaRequiredMiddleware: officers and auditors must use a second factor. One who is logged in
without a TOTP authenticator is sent to set one up (allauth's `mfa_activate_totp`) from every
page except the account and MFA pages themselves, logout, language choice and /healthz.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from atgrant.clientip import client_ip
from atgrant.logging import request_id_var

log = logging.getLogger("atgrant.request")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$")


def _request_id_from(request: HttpRequest) -> str:
    supplied = request.headers.get(REQUEST_ID_HEADER, "")
    if _VALID_REQUEST_ID.fullmatch(supplied):
        return supplied
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.id = _request_id_from(request)  # type: ignore[attr-defined]
        # Not reset here: Django logs 4xx/5xx responses ("Not Found: ...") after the middleware
        # chain returns. The request_finished signal resets it (atgrant.logging).
        request_id_var.set(request.id)  # type: ignore[attr-defined]
        started = time.monotonic()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.id  # type: ignore[attr-defined]
        log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "client_ip": client_ip(request),
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
            },
        )
        return response


# Session key: the pk of the user whose second factor this session has already seen.
MFA_CONFIRMED_SESSION_KEY = "atgrant_mfa_confirmed"
_EXEMPT_URL_NAME_PREFIXES = ("account_", "mfa_")
_EXEMPT_URL_NAMES = {"healthz", "set_language"}


def _session_used_mfa(request: HttpRequest) -> bool:
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

    records = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY) or []
    return any(isinstance(r, dict) and r.get("method") == "mfa" for r in records)


def has_second_factor(request: HttpRequest) -> bool:
    """The logged-in user has a TOTP authenticator (one query at most per session)."""
    from allauth.mfa.models import Authenticator

    user = request.user
    confirmed = request.session.get(MFA_CONFIRMED_SESSION_KEY)
    if confirmed == user.pk:
        return True
    # Logged in with TOTP in this session: no need to ask the database (unless it was removed).
    if confirmed is None and _session_used_mfa(request):
        ok = True
    else:
        ok = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    if ok:
        request.session[MFA_CONFIRMED_SESSION_KEY] = user.pk
    return ok


def forget_second_factor(request: HttpRequest) -> None:
    """After an authenticator is removed: check the database again on the next request."""
    if hasattr(request, "session"):
        request.session[MFA_CONFIRMED_SESSION_KEY] = False


class MfaRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        from regions.roles import is_agency_reader

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if self._exempt(request) or not is_agency_reader(user):
            return None
        if has_second_factor(request):
            return None
        messages.warning(
            request,
            _(
                "Som handläggare eller revisor måste du logga in med tvåstegsverifiering. "
                "Aktivera en autentiseringsapp (TOTP) innan du fortsätter."
            ),
        )
        return HttpResponseRedirect(reverse("mfa_activate_totp"))

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        if request.path.startswith((settings.STATIC_URL or "/static/",)):
            return True
        match = request.resolver_match
        name = (match.url_name or "") if match else ""
        return name in _EXEMPT_URL_NAMES or name.startswith(_EXEMPT_URL_NAME_PREFIXES)
