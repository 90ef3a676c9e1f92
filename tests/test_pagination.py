"""The shared pager: Django's Paginator read from the query string, and {% pager %}."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from atgrant.pagination import page_number, page_of

TEMPLATE = Template(
    "{% load atgrant_pager %}{% pager page 'Sidor i listan' param=param anchor=anchor %}"
)


def render(query: dict[str, str], items: int = 1000, param: str = "page", anchor: str = ""):
    request = RequestFactory().get("/lista/", query)
    page = page_of(request, list(range(items)), param=param)
    html = TEMPLATE.render(Context({"request": request, "page": page, "param": param,
                                    "anchor": anchor}))  # fmt: skip
    return page, html


@pytest.mark.parametrize(
    ("value", "number"), [("", 1), ("abc", 1), ("1", 1), ("7", 7), ("20", 20), ("999", 20)]
)
def test_a_page_number_that_is_not_one_gives_the_first_or_last_page(value, number):
    page, _html = render({"page": value})
    assert page.number == number
    assert len(page.object_list) == 50


def test_the_pager_elides_far_pages_and_marks_the_current_one():
    _page, html = render({"page": "10"})
    assert html.startswith('\n<nav aria-label="Sidor i listan">')
    numbers = re.findall(r"</span>(\d+)</(?:a|span)>|(…)", html)
    assert ["".join(n) for n in numbers] == ["1", "…", "8", "9", "10", "11", "12", "…", "20"]
    current = re.findall(r'<li class="page-item active" aria-current="page">(.*?)</li>', html)
    assert current == [
        '<span class="page-link"><span class="visually-hidden">Sida </span>10</span>'
    ]
    assert 'href="/lista/?page=9" rel="prev">Föregående</a>' in html
    assert 'href="/lista/?page=11" rel="next">Nästa</a>' in html


def test_the_links_keep_the_rest_of_the_query_and_the_first_page_has_no_number():
    _page, html = render(
        {"region": "Västra Götaland", "other_page": "3", "runs_page": "2"},
        param="runs_page",
        anchor="runs",
    )
    assert 'href="/lista/?region=V%C3%A4stra+G%C3%B6taland&amp;other_page=3#runs"' in html
    assert (
        'href="/lista/?region=V%C3%A4stra+G%C3%B6taland&amp;other_page=3&amp;runs_page=3#runs"'
    ) in html


def test_nothing_is_rendered_when_everything_fits_on_one_page():
    _page, html = render({}, items=50)
    assert html.strip() == ""


@pytest.mark.parametrize(("value", "number"), [("2", 2), ("1", None), ("", None), ("x", None)])
def test_page_number_for_a_link_back(value, number):
    assert page_number(RequestFactory().get("/", {"page": value})) == number
