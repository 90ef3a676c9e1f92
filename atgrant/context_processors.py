from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from atgrant.release import release


def site(request: HttpRequest) -> dict[str, object]:
    """Values every page's layout needs; RELEASE for the keys of cached fragments."""
    return {"AGENCY_NAME": settings.ATGRANT_AGENCY_NAME, "RELEASE": release()}
