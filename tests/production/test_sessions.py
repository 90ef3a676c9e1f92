"""Re-authentication for sensitive actions, inactivity timeout, logout on password change."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory
from tests.production.helpers import age_authentication

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.production.urls_sensitive")]

SENSITIVE = "/test/sensitive"


def test_fresh_login_may_do_a_sensitive_action(client, officer, login):
    login(client, officer)
    response = client.post(SENSITIVE)
    assert response.status_code == 200
    assert response.content == "stängd".encode()


def test_sixteen_minutes_after_login_the_password_is_asked_again(client, officer, login):
    login(client, officer)
    age_authentication(client, 16 * 60)
    assert client.get(SENSITIVE).status_code == 200  # GET shows the form: passes
    response = client.post(SENSITIVE, {"confirm": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_reauthenticate')}?next=%2Ftest%2Fsensitive"


def test_fourteen_minutes_after_login_is_still_fine(client, officer, login):
    login(client, officer)
    age_authentication(client, 14 * 60)
    assert client.post(SENSITIVE).status_code == 200


def test_after_giving_the_password_again_the_action_goes_through(client, officer, login):
    login(client, officer)
    age_authentication(client, 60 * 60)
    response = client.post(SENSITIVE, {"confirm": "1"})
    assert response.status_code == 302
    response = client.post(response["Location"], {"password": PASSWORD})
    # allauth resumes the stashed POST: the view ran.
    assert response.status_code == 200
    assert response.content == "stängd".encode()
    assert client.post(SENSITIVE).status_code == 200


def test_anonymous_is_not_let_through(client):
    response = client.post(SENSITIVE)
    assert response.status_code == 302
    assert "stängd" not in response.content.decode()


def _at(moment: dt.datetime):  # noqa: ANN202
    """Django's clock and the cache's (the session's copy there expires with it) at moment."""
    from contextlib import ExitStack

    stack = ExitStack()
    stack.enter_context(mock.patch("django.utils.timezone.now", return_value=moment))
    stack.enter_context(mock.patch("time.time", return_value=moment.timestamp()))
    return stack


def test_session_ends_after_30_minutes_without_activity(client):
    user = UserFactory(email="ombud@example.se")
    start = timezone.now()
    with _at(start):
        client.force_login(user)
        assert client.get(reverse("home")).wsgi_request.user.is_authenticated
    # Activity renews the session...
    with _at(start + dt.timedelta(minutes=29)):
        assert client.get(reverse("home")).wsgi_request.user.is_authenticated
    with _at(start + dt.timedelta(minutes=58)):
        assert client.get(reverse("home")).wsgi_request.user.is_authenticated
    # ...31 minutes without any ends it. The session's copy in the cache is kept for the
    # session's age from its last save: on Redis it has expired by then in real time.
    from django.contrib.sessions.backends.cached_db import SessionStore

    cache.delete(SessionStore(client.session.session_key).cache_key)
    with _at(start + dt.timedelta(minutes=89)):
        assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_password_change_logs_out_every_other_session():
    user = UserFactory(email="ombud@example.se")
    phone, laptop = Client(), Client()
    phone.force_login(user)
    laptop.force_login(user)
    assert phone.get(reverse("home")).wsgi_request.user.is_authenticated
    response = laptop.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "ett-helt-nytt-lösen-77",
            "password2": "ett-helt-nytt-lösen-77",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("ett-helt-nytt-lösen-77")
    # The other session's auth hash no longer matches: logged out.
    assert not phone.get(reverse("home")).wsgi_request.user.is_authenticated
    # ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE: the session that changed it must log in again too.
    assert not laptop.get(reverse("home")).wsgi_request.user.is_authenticated
