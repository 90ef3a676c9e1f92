"""The client's address: one rule, one setting, for every part of atgrant that asks.

``TRUSTED_PROXY_COUNT`` (environment, default 0) is the number of reverse proxies in front of
atgrant that each append the address they received the request from to ``X-Forwarded-For``
(nginx's ``$proxy_add_x_forwarded_for``, a load balancer). With N of them the client is the
N-th address from the right of that header; everything left of it was written by the client
and is not believed. With 0 the client is ``REMOTE_ADDR``.

``client_ip`` is what django-axes (``AXES_CLIENT_IP_CALLABLE``: lockouts per e-mail and
address), allauth (the account adapter's ``get_client_ip``: its rate limits), the audit log
and the request log use. ``atgrant.checks`` refuses to start when one of them would decide
otherwise, or when the setting cannot take effect.

The header is read by django-ipware (python-ipware): its ``proxy_count`` counts the proxies
listed *inside* the header, the last proxy being ``REMOTE_ADDR``, hence ``N - 1``.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def trusted_proxy_count() -> int:
    """settings.TRUSTED_PROXY_COUNT as a non-negative int (ValueError otherwise)."""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"TRUSTED_PROXY_COUNT must be a non-negative integer, not {count!r}.")
    return count


def _address(value: object) -> str | None:
    """A canonical IP address string, or None for anything else (a unix socket's '')."""
    if not isinstance(value, str):
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's IP address as a string (IPv4 or canonical IPv6), or None if unknown.

    Behind TRUSTED_PROXY_COUNT proxies: the address that many entries from the right of
    X-Forwarded-For. A request that did not pass them all (no header, or too few entries: a
    health check from inside the network) is taken to come from REMOTE_ADDR.
    """
    meta = getattr(request, "META", None)
    if not meta:  # no request (authenticate() called from code), or a bare stand-in
        return None
    remote = _address(meta.get("REMOTE_ADDR"))
    count = trusted_proxy_count()
    if count == 0 or not meta.get(FORWARDED_FOR):
        return remote
    from ipware import get_client_ip

    ip, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=count - 1,
        request_header_order=[FORWARDED_FOR],
        # Not strict: a client's own (possibly malformed or longer) X-Forwarded-For is
        # allowed on the left; only the entries our proxies appended are read.
        strict=False,
    )
    return _address(ip) or remote
