"""The project's URLs plus a view that fails and one that refuses (for the error pages)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import path

from atgrant.urls import handler400, handler500  # noqa: F401  (the project's handlers)
from atgrant.urls import urlpatterns as project_urlpatterns


def fails(request):
    raise RuntimeError("a bug")


def refuses(request):
    raise PermissionDenied


urlpatterns = [
    path("test/fails", fails),
    path("test/refuses", refuses),
    *project_urlpatterns,
]
