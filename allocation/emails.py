"""Links in e-mails about decisions (the e-mails themselves: registry.delivery)."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse


def region_decision_url(reference: str) -> str:
    """The region's page of a decision (the read side's URL; a plain path until it exists)."""
    try:
        path = reverse("allocation_read:region_decision", kwargs={"reference": reference})
    except NoReverseMatch:
        path = f"/region/beslut/{reference}/"
    return settings.SITE_URL.rstrip("/") + path
