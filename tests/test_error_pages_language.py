"""Every error page (400, 403, CSRF failure, 404, 429, 500) speaks the visitor's language:
Swedish by default, English with the English interface."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADINGS = {
    400: "Felaktig begäran",
    403: "Du har inte behörighet",
    "csrf": "Formuläret kunde inte skickas",
    404: "Sidan finns inte",
    429: "För många försök",
    500: "Något gick fel",
}


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.ROOT_URLCONF = "tests.urls_errors"


def _client(language: str | None) -> Client:
    client = Client(raise_request_exception=False)
    if language:
        client.cookies["django_language"] = language
    return client


def _error_page(kind, language: str | None = None):
    client = _client(language)
    if kind == 400:
        return client.get("/", HTTP_HOST="not-allowed.example")
    if kind == 403:
        return client.get("/testfel/403/")
    if kind == "csrf":
        client = Client(enforce_csrf_checks=True)
        if language:
            client.cookies["django_language"] = language
        return client.post(reverse("account_login"), {"login": "a@example.se", "password": "x"})
    if kind == 404:
        return client.get("/finns-inte/")
    if kind == 429:
        # Password resets are limited per address e-mailed (5 a minute).
        UserFactory(email="ada@region.example.se")
        for _ in range(5):
            client.post(reverse("account_reset_password"), {"email": "ada@region.example.se"})
        return client.post(reverse("account_reset_password"), {"email": "ada@region.example.se"})
    if kind == 500:
        return client.get("/testfel/500/")
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", list(HEADINGS))
def test_error_pages_are_swedish_by_default(kind):
    response = _error_page(kind)
    assert response.status_code == (403 if kind == "csrf" else kind)
    html = response.content.decode()
    assert 'lang="sv"' in html
    assert f"<h1>{HEADINGS[kind]}</h1>" in html
    assert "Too Many Requests" not in html and "Not Found" not in html


def _english(swedish: str) -> str | None:
    with translation.override("en"):
        english = translation.gettext(swedish)
    return english if english != swedish else None


@pytest.mark.parametrize("kind", list(HEADINGS))
def test_error_pages_follow_the_english_interface(kind):
    response = _error_page(kind, language="en")
    html = response.content.decode()
    assert 'lang="en"' in html
    english = _english(HEADINGS[kind])
    if english is None:
        pytest.skip("the English catalogue has no entry yet (tests/test_i18n.py reports it)")
    assert f"<h1>{english}</h1>" in html


def test_server_error_page_gives_the_request_id_for_support():
    response = _client(None).get("/testfel/500/", HTTP_X_REQUEST_ID="support-case-12345")
    assert response.status_code == 500
    assert "support-case-12345" in response.content.decode()
