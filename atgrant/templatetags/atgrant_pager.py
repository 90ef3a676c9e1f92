"""The pager under a paginated table: ``{% pager page label %}``.

Bootstrap 5 pagination in a ``<nav>`` named by ``label`` (a page with several pagers needs a
different name for each), ``aria-current="page"`` on the current page, and links that keep the
rest of the query string (a filter, another table's page) and change only ``param``. Nothing
is rendered when everything fits on one page. ``base`` is the page's own path when the request
is not for it (a form re-rendered after a POST to another URL); ``anchor`` brings the reader
back to the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.core.paginator import Page

register = template.Library()


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: the gap of elided pages
    url: str = ""
    current: bool = False


def _url(context: template.Context, param: str, number: int, base: str, anchor: str) -> str:
    request = context["request"]
    query = request.GET.copy()
    query.pop(param, None)
    if number > 1:
        query[param] = str(number)
    encoded = query.urlencode()
    path = base or request.path
    return f"{path}{'?' + encoded if encoded else ''}{'#' + anchor if anchor else ''}"


@register.inclusion_tag("pagination/pager.html", takes_context=True)
def pager(
    context: template.Context,
    page: Page,
    label: str,
    param: str = "page",
    base: str = "",
    anchor: str = "",
) -> dict[str, Any]:
    if not page.has_other_pages():
        return {"page": page, "links": []}

    def url(number: int) -> str:
        return _url(context, param, number, base, anchor)

    links = [
        PageLink(number, url(number), number == page.number)
        if isinstance(number, int)
        else PageLink(None)  # Paginator.ELLIPSIS
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]
    return {
        "page": page,
        "label": label,
        "links": links,
        "previous_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
    }
