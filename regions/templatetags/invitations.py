"""The colleague invitation a login or sign-up page was reached from (its ``next``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template
from django.urls import Resolver404, resolve
from django.utils import timezone

from regions import selectors
from regions.models import ColleagueInvitation

register = template.Library()


@register.simple_tag
def invitation_from_next(next_url: str | None) -> ColleagueInvitation | None:
    """The usable invitation whose link ``next_url`` is (``/inbjudan/<token>/``), else None.

    One query when ``next_url`` is an invitation link, none otherwise."""
    if not next_url:
        return None
    try:
        match = resolve(urlsplit(next_url).path)
    except Resolver404:
        return None
    if match.view_name != "regions:invitation_accept":
        return None
    invitation = selectors.invitation_by_token(match.kwargs["token"])
    if invitation is None or not invitation.is_usable(timezone.now()):
        return None
    return invitation
