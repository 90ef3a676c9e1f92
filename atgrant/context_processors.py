from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    """Values every page's layout needs."""
    return {"AGENCY_NAME": settings.ATGRANT_AGENCY_NAME}
