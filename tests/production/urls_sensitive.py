"""The project's URLs plus one view decorated with atgrant.security.sensitive_action."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path

from atgrant.security import sensitive_action
from atgrant.urls import urlpatterns as project_urlpatterns


@sensitive_action
def close_round(request):
    return HttpResponse("stängd")


urlpatterns = [*project_urlpatterns, path("test/sensitive", close_round, name="test_sensitive")]
