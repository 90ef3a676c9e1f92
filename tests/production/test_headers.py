"""Security headers, cookies, the request id and JSON log lines; uploads never served."""

from __future__ import annotations

import io
import json
import logging
import os
import re

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from atgrant.logging import RequestIdFilter

pytestmark = pytest.mark.django_db


def _csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_content_security_policy_allows_no_inline_script(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    csp = _csp(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["style-src"]
    # And the page itself has no inline script for the policy to block.
    assert not re.search(rb"<script(?![^>]*\bsrc=)[^>]*>", response.content)


def test_admin_login_page_is_under_the_same_policy(client):
    # The admin's login goes through allauth (see test_lockout); the admin's own pages are
    # served under the same policy: Django 5.2's admin has no inline script or style.
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_framing_referrer_and_content_type_headers(client):
    response = client.get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_hsts_on_https_when_not_debug(client, settings):
    settings.DEBUG = False
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get(reverse("home"), secure=True)
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")


def test_production_defaults_for_hsts_and_cookies():
    """With DATABASE_URL set (the PostgreSQL run in CI) the settings module sets these itself;
    the deploy check (test_deploy) proves them for a production environment."""
    assert django_settings.SESSION_COOKIE_HTTPONLY is True
    assert django_settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert django_settings.CSRF_COOKIE_SAMESITE == "Lax"
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    # Django's own sessions, saved on every request so that they end 30 minutes after the last.
    assert django_settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is True
    if os.environ.get("DATABASE_URL") and not os.environ.get("DEBUG"):  # production-like run
        assert django_settings.SECURE_HSTS_SECONDS >= 31536000
        assert django_settings.SESSION_COOKIE_SECURE and django_settings.CSRF_COOKIE_SECURE


def test_session_and_csrf_cookie_flags(client, settings, officer, login):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    response = client.get(reverse("account_login"))
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"
    login(client, officer)
    response = client.get(reverse("home"))
    session = response.cookies["sessionid"]  # saved on every request: inactivity timeout
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert session["max-age"] == 30 * 60


def test_request_id_is_generated_and_returned(client):
    first = client.get(reverse("home"))["X-Request-ID"]
    second = client.get(reverse("home"))["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_a_sane_incoming_request_id_is_kept(client):
    response = client.get(reverse("home"), headers={"X-Request-ID": "lb-7f3a9c21-0001"})
    assert response["X-Request-ID"] == "lb-7f3a9c21-0001"


@pytest.mark.parametrize(
    "bad", ["short", "has space in it", "x" * 200, "ok\nInjected: yes", "åäö-123456"]
)
def test_a_bad_incoming_request_id_is_replaced(client, bad):
    response = client.get(reverse("home"), HTTP_X_REQUEST_ID=bad)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def _json_handler() -> tuple[logging.Handler, io.StringIO]:
    """A handler configured like settings.LOGGING's console handler in production."""
    from pythonjsonlogger.json import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    fmt = django_settings.LOGGING["formatters"]["json"]
    handler.setFormatter(JsonFormatter(fmt["fmt"], rename_fields=fmt["rename_fields"]))
    return handler, stream


def test_every_log_line_of_a_request_is_json_with_its_request_id(client):
    handler, stream = _json_handler()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        response = client.get("/finns-inte/", headers={"X-Request-ID": "req-test-0001"})
        logging.getLogger("atgrant.test").warning("after the request")
    finally:
        root.removeHandler(handler)
    assert response.status_code == 404
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    during = [line for line in lines if line["logger"] in ("django.request", "atgrant.request")]
    # Django's "Not Found" warning and our access line, both carrying the id.
    assert {line["logger"] for line in during} == {"django.request", "atgrant.request"}
    assert all(line["request_id"] == "req-test-0001" for line in during)
    access = next(line for line in during if line["logger"] == "atgrant.request")
    assert access["status"] == 404
    assert access["path"] == "/finns-inte/"
    assert {"time", "level", "message"} <= access.keys()
    after = next(line for line in lines if line["logger"] == "atgrant.test")
    assert after["request_id"] == "-"


def test_the_configured_console_handler_carries_the_filter():
    console = django_settings.LOGGING["handlers"]["console"]
    assert console["filters"] == ["request_id"]
    assert (
        django_settings.LOGGING["filters"]["request_id"]["()"] == "atgrant.logging.RequestIdFilter"
    )


def test_uploaded_files_are_never_served(client, settings, tmp_path):
    (settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "fullmakt.pdf").write_bytes(b"%PDF-1.4 secret")
    assert not settings.MEDIA_URL.startswith(settings.STATIC_URL)
    response = client.get(f"{settings.MEDIA_URL}fullmakt.pdf")
    assert response.status_code == 404
    assert client.get("/static/fullmakt.pdf").status_code == 404
    assert client.get("/media/fullmakt.pdf").status_code == 404


def test_admin_pages_need_no_inline_script_or_style(client, login):
    from django.contrib.auth.models import Group

    from regions.roles import OFFICERS_GROUP
    from tests.factories import UserFactory

    staff = UserFactory(email="admin@example.se", is_staff=True, is_superuser=True)
    staff.groups.add(Group.objects.get_or_create(name=OFFICERS_GROUP)[0])
    login(client, staff)
    for url in ("/admin/", "/admin/auth/user/", f"/admin/auth/user/{staff.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert not re.search(
            rb"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", response.content
        ), url
        assert b' style="' not in response.content, url


def test_pages_answer_with_static_files_outside_the_checkout(
    client, login, officer, settings, tmp_path
):
    """A deploy without Docker collects static files elsewhere (e.g. /srv/atgrant/static):
    nothing may depend on STATIC_ROOT lying in the checkout (issue 16)."""
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "site.css").write_text("body {}")
    settings.STATIC_ROOT = tmp_path
    assert not str(tmp_path).startswith(str(django_settings.BASE_DIR))
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("allocation_read:public_lists")).status_code == 200
    login(client, officer)
    assert client.get(reverse("submissions:rounds")).status_code == 200
