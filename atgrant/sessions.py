"""Sessions that end after SESSION_COOKIE_AGE (30 minutes) without activity, without a
database write on every request.

Django's SESSION_SAVE_EVERY_REQUEST renews the expiry by saving the session on every
request: a transaction with an UPDATE on every page a logged-in user opens. Instead this
middleware notes in the session when it was last saved (RENEWED_AT_KEY) and renews an
unchanged session only when that is SESSION_REFRESH_SECONDS (60) old or more: noting the new
time marks the session modified, and Django's own middleware then saves it and sends the
cookie with the new expiry. A session thus ends between SESSION_COOKIE_AGE -
SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE after the last request (29 to 30 minutes),
never later. A changed session is saved at once, as before.

SESSION_ENGINE is this module: Django's "cached_db" store (read from the cache, Redis in
production; written to the cache and the database), which also refuses a session whose
noted save time is SESSION_COOKIE_AGE old, whatever the cache still holds.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbSessionStore
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

RENEWED_AT_KEY = "_atgrant_renewed_at"


def _renewed_at(data: Any) -> float | None:
    value = data.get(RENEWED_AT_KEY)
    return value if isinstance(value, int | float) else None


class SessionStore(CachedDbSessionStore):
    def load(self) -> dict[str, Any]:
        data = super().load()
        renewed = _renewed_at(data)
        if renewed is not None and timezone.now().timestamp() - renewed >= (
            settings.SESSION_COOKIE_AGE
        ):
            self._session_key = None  # as Django's stores do with an expired session
            return {}
        return data


class SessionMiddleware(DjangoSessionMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = timezone.now().timestamp()
            renewed = _renewed_at(session)
            refresh = getattr(settings, "SESSION_REFRESH_SECONDS", 60)
            # A noted time in the future (the clock was set back): renew, or it would expire.
            if session.modified or renewed is None or not 0 <= now - renewed < refresh:
                session[RENEWED_AT_KEY] = now  # modified: saved below, with a new expiry
        return super().process_response(request, response)
