"""Page guards: one module, one name per behaviour, built on the roles' predicates
(regions.roles). Anonymous visitors are sent to the login page by each.

- ``agency_page``: officers and auditors read; only officers may send a form (an auditor's
  POST is refused with 403); anyone else gets 404, so a region's people do not learn that
  the page exists.
- ``proxy_page``: the pages of a region's active proxy; the view gets the region as
  ``region``; anyone else gets 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from regions.roles import is_agency_reader, is_officer

View = Callable[..., HttpResponse]


def agency_page(view: View) -> View:
    @wraps(view)
    @login_required
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_agency_reader(request.user):
            raise Http404
        if request.method == "POST" and not is_officer(request.user):
            raise PermissionDenied(_("Revisorer kan läsa men inte ändra."))
        return view(request, *args, **kwargs)

    return guarded


def proxy_page(view: View) -> View:
    @wraps(view)
    @login_required
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from regions import selectors

        region = selectors.proxy_region_of(request.user)
        if region is None:
            raise Http404
        return view(request, *args, region=region, **kwargs)

    return guarded
