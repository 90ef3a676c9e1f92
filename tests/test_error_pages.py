"""The app's own error pages, also with DEBUG on (the embedded demo): never Django's."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urls_errors")]

# What Django's technical pages say, and what the failing views carry: never shown.
TECHNICAL = ("DEBUG = True", "Using the URLconf", "Traceback", "urlpatterns", "SECRET_KEY",
             "No Region matches", "tampered", "Django")  # fmt: skip


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    settings.ATGRANT_TECHNICAL_ERROR_PAGES = False
    return request.param


def get(path: str, **headers):
    return Client(raise_request_exception=False).get(path, headers=headers)


def assert_app_page(response, status: int, title: str) -> str:
    html = response.content.decode()
    assert response.status_code == status
    assert f'data-error="{status}"' in html and title in html
    assert 'href="/"' in html  # the way on: the start page
    for text in TECHNICAL:
        assert text not in html
    return html


def test_an_unknown_address_shows_the_apps_404_page(debug):
    response = get("/finns-inte/")
    html = assert_app_page(response, 404, "Sidan finns inte")
    assert "Fördelningslistor" in html  # the site's own navigation
    assert response["X-Frame-Options"] == "DENY"  # the headers every page has


def test_an_object_that_does_not_exist_shows_the_apps_404_page(debug):
    assert_app_page(get("/testfel/404/"), 404, "Sidan finns inte")


def test_an_error_shows_the_apps_500_page_with_a_code_for_support(debug):
    response = get("/testfel/500/", **{"X-Request-ID": "req-fel-0001"})
    html = assert_app_page(response, 500, "Något gick fel")
    assert "req-fel-0001" in html


def test_an_error_for_a_client_that_wants_text_is_plain_swedish(settings):
    settings.DEBUG = True
    response = get("/testfel/500/", Accept="text/plain")
    assert response.status_code == 500
    assert response.content.decode().startswith("Något gick fel")


def test_a_bad_request_shows_the_apps_400_page(debug):
    assert_app_page(get("/testfel/400/"), 400, "Felaktig begäran")


def test_a_refusal_shows_the_apps_403_page_with_its_reason(debug):
    html = assert_app_page(get("/testfel/403/"), 403, "Du har inte behörighet")
    assert "Endast handläggare kan göra detta." in html


def test_a_form_refused_by_the_csrf_check_says_what_to_do(debug):
    response = Client(enforce_csrf_checks=True).post("/konto/login/", {"login": "x"})
    assert_app_page(response, 403, "Formuläret kunde inte skickas")


def test_a_missing_slash_is_still_redirected(debug):
    response = get("/fordelningslistor")
    assert response.status_code == 301
    assert response["Location"] == "/fordelningslistor/"


def test_a_developer_can_ask_for_djangos_technical_pages(settings):
    settings.DEBUG = True
    settings.ATGRANT_TECHNICAL_ERROR_PAGES = True
    assert "Using the URLconf" in get("/finns-inte/").content.decode()
    assert "Traceback" in get("/testfel/500/").content.decode()


def test_a_form_address_opened_in_the_browser_says_what_to_do(debug):
    response = get("/kollegor/bjud-in/")  # the invitation form's POST-only address
    assert_app_page(response, 405, "Sidan kan inte visas")
    assert response["Allow"] == "POST"
