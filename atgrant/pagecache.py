"""Whole public pages from the cache, for visitors who are not logged in.

A public page whose content changes only with its data (the allocation list of a decided
round) is rendered once per key and language and then served from the cache (Redis in
production) without rendering a template. What differs between visitors is the CSRF token
of the layout's forms (the language choice): the stored copy has a placeholder in its place
and each response gets the visitor's own token, so the form keeps working and the CSRF cookie
is set as on any page.

Only the plain case is cached: GET or HEAD, no query string, no session cookie (so nobody
is logged in and no message waits in a session) and no message cookie. Anything else is
rendered as usual. The caller's key must change whenever the page's data does.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Hashable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

PLACEHOLDER = "\x00atgrant-csrf-token\x00"
TIMEOUT = 24 * 3600
_TOKEN_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_MESSAGE_COOKIE = "messages"  # django.contrib.messages' CookieStorage


def cacheable(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and _MESSAGE_COOKIE not in request.COOKIES
    )


def page_key(name: str, *parts: Hashable) -> str:
    digest = hashlib.sha256(repr((name, *parts)).encode()).hexdigest()
    return f"atgrant:page:{name}:{digest}"


def cached_page(request: HttpRequest, key: str) -> HttpResponse | None:
    """The page stored under ``key`` for the active language, with this visitor's token."""
    if not cacheable(request):
        return None
    stored = cache.get(f"{key}:{get_language()}")
    if not isinstance(stored, str):
        return None
    return HttpResponse(stored.replace(PLACEHOLDER, get_token(request)))


def anonymous_page(
    request: HttpRequest, key: str, render: Callable[[], HttpResponse]
) -> HttpResponse:
    """The page under ``key`` (and the active language) from the cache, or ``render()``
    (stored for the next visitor)."""
    page = cached_page(request, key)
    if page is not None:
        return page
    response = render()
    if (
        cacheable(request)
        and response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.cookies  # nothing personal was set while rendering
    ):
        html = response.content.decode(response.charset)
        stored = _TOKEN_FIELD.sub(rf"\g<1>{PLACEHOLDER}\g<2>", html)
        cache.set(f"{key}:{get_language()}", stored, TIMEOUT)
    return response
