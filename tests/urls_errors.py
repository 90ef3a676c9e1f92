"""The site's routes plus views that fail in each way, for tests/test_error_pages.py."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from atgrant.urls import handler400, handler403, handler404, handler500  # noqa: F401
from atgrant.urls import urlpatterns as site


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom: SECRET_KEY internals")


def tampered(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("tampered session cookie")


def refused(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("Endast handläggare kan göra detta.")


def missing(request: HttpRequest) -> HttpResponse:
    raise Http404("No Region matches the given query.")


urlpatterns = [
    path("testfel/500/", fails),
    path("testfel/400/", tampered),
    path("testfel/403/", refused),
    path("testfel/404/", missing),
    *site,
]
