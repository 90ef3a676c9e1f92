"""atgrant.pagecache: whole public pages for visitors, each with their own CSRF token."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token
from django.template import engines
from django.test import RequestFactory

from atgrant import pagecache

PAGE = engines["django"].from_string(
    '<form method="post">{% csrf_token %}<p>Ö {{ n }}</p></form>'
    '<form method="post">{% csrf_token %}</form>'
)


class Renderer:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, request) -> HttpResponse:  # noqa: ANN001
        self.calls += 1
        return HttpResponse(PAGE.render({"n": self.calls}, request))


def _get(path: str = "/lista/", **cookies: str):  # noqa: ANN202
    request = RequestFactory().get(path)
    request.COOKIES.update(cookies)
    return request


def _tokens(response: HttpResponse) -> list[str]:
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split('name="csrfmiddlewaretoken" value="')[1:]]


def test_a_second_visitor_gets_the_stored_page_with_a_token_of_their_own():
    render = Renderer()
    first, second = _get(), _get()
    page_1 = pagecache.anonymous_page(
        first, pagecache.page_key("test", "k1"), lambda: render(first)
    )
    page_2 = pagecache.anonymous_page(
        second, pagecache.page_key("test", "k1"), lambda: render(second)
    )
    assert render.calls == 1
    assert "Ö 1" in page_2.content.decode()
    tokens = _tokens(page_2)
    assert len(tokens) == 2
    assert "atgrant-csrf-token" not in page_2.content.decode()
    # Each token unmasks to this request's own secret (the CSRF cookie it is sent).
    secret = second.META["CSRF_COOKIE"]
    assert all(_unmask_cipher_token(t) == secret for t in tokens)
    assert secret != first.META["CSRF_COOKIE"]
    assert all(_unmask_cipher_token(t) == first.META["CSRF_COOKIE"] for t in _tokens(page_1))


@pytest.mark.parametrize(
    "request_",
    [
        lambda: _get("/lista/?x=1"),
        lambda: _get(sessionid="abc"),
        lambda: _get(messages="m"),
        lambda: RequestFactory().post("/lista/"),
    ],
    ids=["query string", "session", "message cookie", "POST"],
)
def test_only_plain_visits_are_stored_or_served(request_):
    render = Renderer()
    pagecache.anonymous_page(
        _get(), pagecache.page_key("test", "k2"), lambda: render(None)
    )  # stored
    for _ in range(2):
        request = request_()
        pagecache.anonymous_page(
            request, pagecache.page_key("test", "k2"), lambda request=request: render(request)
        )
    assert render.calls == 3


def test_another_key_or_language_is_another_page():
    from django.utils import translation

    render = Renderer()
    pagecache.anonymous_page(_get(), pagecache.page_key("test", "k3"), lambda: render(None))
    pagecache.anonymous_page(_get(), pagecache.page_key("test", "k4"), lambda: render(None))
    with translation.override("en"):
        pagecache.anonymous_page(_get(), pagecache.page_key("test", "k3"), lambda: render(None))
    assert render.calls == 3


def test_an_error_page_is_not_stored():
    calls = []

    def missing() -> HttpResponse:
        calls.append(1)
        return HttpResponse("saknas", status=404)

    pagecache.anonymous_page(_get(), pagecache.page_key("test", "k5"), missing)
    pagecache.anonymous_page(_get(), pagecache.page_key("test", "k5"), missing)
    assert len(calls) == 2


def test_the_process_keeps_the_latest_pages_itself(monkeypatch):
    monkeypatch.setattr(pagecache._local, "size", 2)  # LOCAL_PAGES
    render = Renderer()
    a, b, c = (pagecache.page_key("test", name) for name in "abc")

    def forget_shared(*keys: str) -> None:
        """The shared cache lost them (or another process stored them). Not cache.clear():
        on Redis the cache shares its database with the Celery broker."""
        for key in keys:
            cache.delete(f"{key}:sv")

    for key in (a, b):
        pagecache.anonymous_page(_get(), key, lambda: render(None))
    forget_shared(a, b)
    pagecache.anonymous_page(_get(), a, lambda: render(None))
    assert render.calls == 2  # from this process's memory
    pagecache.anonymous_page(_get(), c, lambda: render(None))  # pushes out b, the oldest served
    forget_shared(c)
    pagecache.anonymous_page(_get(), b, lambda: render(None))
    assert render.calls == 4
