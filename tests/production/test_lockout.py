"""Brute force: django-axes locks a login (e-mail + address) after AXES_FAILURE_LIMIT failures."""

from __future__ import annotations

import pytest
from django.test import Client
from django.test.client import RequestFactory
from django.urls import reverse

from atgrant.lockout import axes_username
from audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(email="ombud@blekinge.example.se")


def _attempt(client: Client, login: str, password: str):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def _fail_until_locked(client, settings, login):
    responses = [
        _attempt(client, login, "fel-lösenord") for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert all(r.status_code == 200 for r in responses[:-1])  # the form again, with an error
    return responses[-1]


def test_right_password_logs_in(client, user):
    response = _attempt(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_lockout_after_the_limit_refuses_even_the_right_password(client, settings, user):
    last = _fail_until_locked(client, settings, user.email)
    assert last.status_code == 429
    response = _attempt(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "<h1>Inloggningen är tillfälligt spärrad</h1>" in page
    assert 'lang="sv"' in page


def test_lockout_is_per_address_and_case_insensitive(client, settings, user):
    _fail_until_locked(client, settings, user.email.upper())
    assert _attempt(client, user.email, PASSWORD).status_code == 429
    # The same e-mail from another address is not locked...
    elsewhere = Client(REMOTE_ADDR="192.0.2.7")
    assert _attempt(elsewhere, user.email, PASSWORD).status_code == 302
    # ...nor another person from the same address.
    colleague = UserFactory(email="kollega@blekinge.example.se")
    assert _attempt(Client(), colleague.email, PASSWORD).status_code == 302


def test_failures_below_the_limit_are_forgotten_after_a_success(client, settings, user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, user.email, "fel-lösenord")
    assert _attempt(client, user.email, PASSWORD).status_code == 302
    client.logout()
    assert _attempt(client, user.email, "fel-lösenord").status_code == 200  # not locked


def test_admin_login_is_the_same_form_and_lock(client, settings, user):
    response = client.post("/admin/login/?next=/admin/", {"username": user.email, "password": "x"})
    assert response.status_code == 302  # never authenticates itself: sent to the site's login
    assert response["Location"].startswith(reverse("account_login"))
    _fail_until_locked(client, settings, user.email)
    assert client.get("/admin/login/").status_code == 302
    assert _attempt(client, user.email, PASSWORD).status_code == 429


def test_axes_username_reads_the_login_and_the_admin_field():
    factory = RequestFactory()
    site = factory.post("/konto/login/", {"login": " Ombud@Example.se ", "password": "x"})
    admin = factory.post("/admin/login/", {"username": "Ombud@Example.se", "password": "x"})
    assert axes_username(site, None) == "ombud@example.se"
    assert axes_username(admin, None) == "ombud@example.se"
    # allauth calls authenticate(email=...): the credentials name the user.
    assert axes_username(factory.get("/"), {"email": "OMBUD@example.se"}) == "ombud@example.se"
    assert axes_username(factory.get("/"), {}) is None


def test_logins_failures_lockouts_and_logouts_are_audited(client, settings, user):
    assert _attempt(client, user.email, PASSWORD).status_code == 302
    client.post(reverse("account_logout"))
    _fail_until_locked(client, settings, user.email)

    events = list(AuditEvent.objects.order_by("id").values_list("action", "actor_id", "ip_address"))
    limit = settings.AXES_FAILURE_LIMIT
    assert events[:2] == [
        ("auth.logged_in", user.pk, "127.0.0.1"),
        ("auth.logged_out", user.pk, "127.0.0.1"),
    ]
    failed = [e for e in events if e[0] == "auth.login_failed"]
    assert failed == [("auth.login_failed", None, "127.0.0.1")] * limit
    locked = AuditEvent.objects.get(action="auth.locked_out")
    assert locked.ip_address == "127.0.0.1"
    assert locked.after == {"login": user.email}
    first_failure = AuditEvent.objects.filter(action="auth.login_failed").first()
    assert first_failure.after == {"login": user.email}
    assert first_failure.actor_label == "system" or first_failure.actor is None
