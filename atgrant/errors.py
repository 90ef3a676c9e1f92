"""The app's own error pages (400, 403, 404, 500, a refused form), with DEBUG off and on.

DEBUG off: Django calls the handlers named in atgrant/urls.py (``handler404`` ...) and
``CSRF_FAILURE_VIEW``; each renders the template of the same name.

DEBUG on (the embedded demo, a developer's machine): Django answers an unknown address with
its technical 404 page (which lists every route) and an uncaught error or a bad request with
its technical 500 page (settings, source, traceback), whatever the handlers say. A newcomer
must never see those (issue 15, item 20), so:

* :class:`ErrorPagesMiddleware` answers a 404 with the app's page: an ``Http404`` raised by
  a view (``process_exception``), and an address no route matches (the response of a request
  that was never resolved). Whatever DEBUG says, it also gives a POST-only address opened in
  the browser (405, an empty page from Django) a page that says what to do;
* :class:`ErrorPageReporter` (``DEFAULT_EXCEPTION_REPORTER``) writes the app's 500 page, or its
  400 page for a bad request, where Django would write the technical one. The traceback still
  goes to the log (logger ``django.request``, as with DEBUG off).

``ATGRANT_TECHNICAL_ERROR_PAGES=1`` (environment) gives a developer Django's pages back.

400 and 500 are rendered without the request's context (no user, no database queries): what
failed may be exactly those.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.debug import ExceptionReporter


def _hide_technical_pages() -> bool:
    return settings.DEBUG and not getattr(settings, "ATGRANT_TECHNICAL_ERROR_PAGES", False)


def _standalone(template: str, request: HttpRequest | None) -> str:
    """A 400 or 500 page's HTML, from nothing but settings and the request's id."""
    context = {
        "AGENCY_NAME": settings.ATGRANT_AGENCY_NAME,
        "request_id": getattr(request, "id", ""),
    }
    return loader.get_template(template).render(context)


# --- the handlers (atgrant/urls.py, settings.CSRF_FAILURE_VIEW) ------------------------------


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponse(_standalone("400.html", request), status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403 with the reason the code gave (Swedish, written for the user), if any."""
    message = str(exception) if exception is not None and exception.args else ""
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Django's message ("No Region matches the given query.") is for developers: not shown.
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_standalone("500.html", request), status=500)


def method_not_allowed(request: HttpRequest, refused: HttpResponse) -> HttpResponse:
    """405 with a page saying what to do, and the ``Allow`` header of Django's answer."""
    response = render(request, "405.html", status=405)
    if "Allow" in refused:
        response["Allow"] = refused["Allow"]
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check (an old page, cookies off); nothing was saved."""
    return render(request, "403_csrf.html", status=403)


# --- DEBUG on --------------------------------------------------------------------------------


class ErrorPagesMiddleware:
    """With DEBUG on, the app's 404 page in place of Django's technical one; a 405 page.

    Placed after CommonMiddleware (so APPEND_SLASH still redirects a 404) and inside the
    security headers' middleware (so the page gets them).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # No route matched: Django's resolver raised before any view ran.
        if (
            response.status_code == 404
            and request.resolver_match is None
            and _hide_technical_pages()
        ):
            return page_not_found(request)
        # A POST-only address opened in the browser: Django's answer is an empty page.
        if response.status_code == 405 and not response.content and request.method == "GET":
            return method_not_allowed(request, response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if isinstance(exception, Http404) and _hide_technical_pages():
            return page_not_found(request, exception)
        return None


class ErrorPageReporter(ExceptionReporter):
    """Django's technical 500 page, replaced by the app's 500 (or 400) page unless
    ``ATGRANT_TECHNICAL_ERROR_PAGES`` is set. Only used with DEBUG on: with DEBUG off Django
    renders the handlers above and this class is not asked."""

    def _is_bad_request(self) -> bool:
        return self.exc_type is not None and issubclass(
            self.exc_type, SuspiciousOperation | BadRequest
        )

    def get_traceback_html(self) -> str:
        if not _hide_technical_pages():
            return super().get_traceback_html()
        template = "400.html" if self._is_bad_request() else "500.html"
        return _standalone(template, self.request)

    def get_traceback_text(self) -> str:
        if not _hide_technical_pages():
            return super().get_traceback_text()
        if self._is_bad_request():
            return _("Felaktig begäran: begäran kunde inte tolkas, så inget har gjorts.") + "\n"
        return _("Något gick fel: ett tekniskt fel har loggats. Försök igen om en stund.") + "\n"
