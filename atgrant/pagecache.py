"""Whole pages without rendering a template: public pages from the cache for visitors who
are not logged in, and a logged-in user's own pages from the process's memory.

A public page whose content changes only with its data (the allocation list of a decided
round) is rendered once per key and language and then served from the cache (Redis in
production) without rendering a template. What differs between visitors is the CSRF token
of the layout's forms (the language choice): the stored copy has a placeholder in its place
and each response gets the visitor's own token, so the form keeps working and the CSRF cookie
is set as on any page.

Only the plain case is cached: GET or HEAD, no query string, no session cookie (so nobody
is logged in and no message waits in a session) and no message cookie. Anything else is
rendered as usual. The caller's key must change whenever the page's data does: a key then
always names the same page, so besides the shared cache each process keeps the few latest
pages in its own memory (LOCAL_PAGES), as the encoded bytes around the token: a hit neither
fetches nor decodes a page (at 2 000 regions the allocation list is about 1 MB).

A logged-in user's page (the region dashboard) is kept in the process's memory only, with
the version of the user's data it was rendered at (``personal_page``; the version is read
with the user, submissions.freshness): nothing to invalidate across processes, and nothing
that outlives a deployment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from atgrant.release import release

PLACEHOLDER = "\x00atgrant-csrf-token\x00"
TIMEOUT = 24 * 3600
LOCAL_PAGES = 16
PERSONAL_PAGES = 512
_TOKEN_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_MESSAGE_COOKIE = "messages"  # django.contrib.messages' CookieStorage
_MESSAGE_SESSION_KEY = "_messages"  # django.contrib.messages' SessionStorage


class _Memory:
    """This process's memory of the latest pages: at most ``size``, the least recently
    served forgotten first. Shared by the threads of a process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pages: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> object | None:
        with self._lock:
            value = self._pages.get(key)
            if value is not None:
                self._pages.move_to_end(key)
            return value

    def put(self, key: Hashable, value: object) -> None:
        with self._lock:
            self._pages[key] = value
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


_local = _Memory(LOCAL_PAGES)  # public pages, as the encoded bytes around the token
_personal = _Memory(PERSONAL_PAGES)  # users' pages: (version, until, bytes around the token)


def _plain(request: HttpRequest) -> bool:
    """GET or HEAD, no query string, no message waiting in a cookie."""
    return (
        request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and not request.COOKIES.get(_MESSAGE_COOKIE)
    )


def cacheable(request: HttpRequest) -> bool:
    """A plain request without a session: nobody logged in, no message in a session."""
    return _plain(request) and settings.SESSION_COOKIE_NAME not in request.COOKIES


def page_key(name: str, *parts: Hashable) -> str:
    """The key of a page: its name and parts, and this deployment's templates and static
    files (atgrant.release): a new deployment renders its pages anew."""
    digest = hashlib.sha256(repr((name, release(), *parts)).encode()).hexdigest()
    return f"atgrant:page:{name}:{digest}"


def _language_key(key: str) -> str:
    return f"{key}:{get_language()}"


def forget_local_pages() -> None:
    """Empty this process's memory of pages (the tests: a new database for each)."""
    _local.clear()
    _personal.clear()


def _stored(key: str) -> tuple[bytes, ...] | None:
    parts = _local.get(key)
    if parts is not None:
        return parts
    parts = cache.get(key)
    if not (isinstance(parts, tuple) and all(isinstance(p, bytes) for p in parts)):
        return None
    _local.put(key, parts)
    return parts


def cached_page(request: HttpRequest, key: str) -> HttpResponse | None:
    """The page stored under ``key`` for the active language, with this visitor's token."""
    if not cacheable(request):
        return None
    parts = _stored(_language_key(key))
    if parts is None:
        return None
    return HttpResponse(get_token(request).encode().join(parts))


def anonymous_page(
    request: HttpRequest, key: str, render: Callable[[], HttpResponse]
) -> HttpResponse:
    """The page under ``key`` (and the active language) from the cache, or ``render()``
    (stored for the next visitor)."""
    page = cached_page(request, key)
    if page is not None:
        return page
    response = render()
    if cacheable(request) and _storable(response):
        parts = _parts(response)
        cache.set(_language_key(key), parts, TIMEOUT)
        _local.put(_language_key(key), parts)
    return response


def _storable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "") == "text/html; charset=utf-8"
        and not response.cookies  # nothing was set for this visitor while rendering
    )


def _parts(response: HttpResponse) -> tuple[bytes, ...]:
    """The page as the encoded bytes around its CSRF tokens."""
    stored = _TOKEN_FIELD.sub(rf"\g<1>{PLACEHOLDER}\g<2>", response.content.decode())
    return tuple(part.encode() for part in stored.split(PLACEHOLDER))


# --- a logged-in user's own pages -----------------------------------------------------------


def _personal_cacheable(request: HttpRequest) -> bool:
    """A plain request of a logged-in user, no message waiting in the session."""
    return (
        _plain(request)
        and request.user.is_authenticated
        and _MESSAGE_SESSION_KEY not in request.session
    )


def personal_page(
    request: HttpRequest,
    name: str,
    version: str | None,
    render: Callable[[], tuple[HttpResponse, dt.datetime | None]],
) -> HttpResponse:
    """The logged-in user's page ``name``, from this process's memory while ``version`` is
    the one it was rendered at and its time has not run out, else ``render()``: the response
    and until when it holds as far as time goes (None: while the version holds).

    ``version`` must change whenever anything the page shows does, and be read *before* the
    page is rendered (submissions.freshness). None renders without keeping anything. Kept
    only in this process (no shared cache to invalidate, nothing outlives a deployment): each
    web process renders each user's page once per change. Only the plain case: GET or HEAD
    without a query string, no message waiting; the page gets the request's CSRF token.
    """
    if version is None or not _personal_cacheable(request):
        return render()[0]
    key = (name, request.user.pk, get_language())
    entry = _personal.get(key)
    if entry is not None:
        stored_version, until, parts = entry
        if stored_version == version and (until is None or timezone.now() < until):
            return HttpResponse(get_token(request).encode().join(parts))
    response, until = render()
    if _storable(response):
        _personal.put(key, (version, until, _parts(response)))
    return response
