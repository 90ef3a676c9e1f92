"""Who may read what on the read-only pages (regions.roles predicates, 404 for the rest)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from allocation.models import Decision
from regions.roles import is_agency_reader, is_member_of


def agency_reader_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Officers and auditors only: anonymous users go to the login page, everyone else 404."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_agency_reader(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def may_read_decision(user: object, decision: Decision) -> bool:
    """The region's own people (proxy, colleagues), officers and auditors."""
    return bool(is_agency_reader(user) or is_member_of(user, decision.region_id))
