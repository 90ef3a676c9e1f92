"""Long lists a page at a time: Django's Paginator, the page number read from the query string.

A page number that is not a number gives the first page, one past the end the last
(``Paginator.get_page``), so a bad or stale link never fails. The pager that goes with it is
``{% pager %}`` (atgrant/templatetags/atgrant_pager.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 50


def page_of(
    request: HttpRequest,
    object_list: QuerySet[Any] | Sequence[Any],
    *,
    param: str = "page",
    per_page: int = PAGE_SIZE,
) -> Page:
    """The page ``request.GET[param]`` asks for: a COUNT query and the page's own query."""
    return Paginator(object_list, per_page).get_page(request.GET.get(param))


def page_number(request: HttpRequest, param: str = "page") -> int | None:
    """The page number the query string asks for, if it is a whole number above 1 (else None):
    for a link back to the same page after a POST."""
    value = request.GET.get(param, "")
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if not (value.isascii() and value.isdigit()):
        return None
    return int(value) if int(value) > 1 else None
