"""Re-authentication for sensitive actions, inactivity timeout, logout on password change."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
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


def test_session_ends_after_30_minutes_without_activity(client):
    user = UserFactory(email="ombud@example.se")
    start = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=start):
        client.force_login(user)
        assert client.get(reverse("home")).wsgi_request.user.is_authenticated
    # Activity renews the session...
    with mock.patch("django.utils.timezone.now", return_value=start + dt.timedelta(minutes=29)):
        assert client.get(reverse("home")).wsgi_request.user.is_authenticated
    with mock.patch("django.utils.timezone.now", return_value=start + dt.timedelta(minutes=58)):
        assert client.get(reverse("home")).wsgi_request.user.is_authenticated
    # ...31 minutes without any ends it.
    with mock.patch("django.utils.timezone.now", return_value=start + dt.timedelta(minutes=89)):
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


def _session_writes(queries) -> list[str]:  # noqa: ANN001
    return [q["sql"] for q in queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]]


def _logged_in_at(client) -> dt.datetime:  # noqa: ANN001
    """A proxy logged in on ``client``, and a first page seen (the session renewed), now."""
    start = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=start):
        client.force_login(UserFactory(email="ombud@example.se"))
        client.get(reverse("home"))
    return start


def _home_at(client, moment: dt.datetime):  # noqa: ANN001, ANN202
    """The start page at ``moment``: (response, the session's writes while serving it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with (
        mock.patch("django.utils.timezone.now", return_value=moment),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.get(reverse("home"))
    return response, _session_writes(queries)


def test_an_unchanged_session_is_renewed_at_most_once_a_minute(client):
    start = _logged_in_at(client)
    for seconds, renewed in ((30, False), (59, False), (61, True), (90, False), (122, True)):
        response, writes = _home_at(client, start + dt.timedelta(seconds=seconds))
        assert response.wsgi_request.user.is_authenticated
        assert bool(writes) is renewed, seconds
        # The cookie (and its new expiry) is sent only with a renewal.
        assert ("sessionid" in response.cookies) is renewed, seconds


def test_inactivity_counts_from_the_last_renewal(client):
    """Requests within the minute after a renewal do not push the end further: the session
    ends 30 minutes after the renewal, at most a minute before 30 minutes of inactivity."""
    start = _logged_in_at(client)  # renewed at `start`
    response, _writes = _home_at(client, start + dt.timedelta(seconds=40))
    assert response.wsgi_request.user.is_authenticated
    response, _writes = _home_at(client, start + dt.timedelta(minutes=30, seconds=1))
    assert not response.wsgi_request.user.is_authenticated


def test_a_cached_session_past_its_age_is_refused_by_the_store():
    """The cache (Redis) may still hold a session: the store itself refuses an old one."""
    from django.core.cache import cache

    from atgrant.sessions import SessionStore

    start = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=start):
        store = SessionStore()
        store["_atgrant_renewed_at"] = start.timestamp()
        store["x"] = 1
        store.create()
    key = store.session_key
    assert cache.get(store.cache_key) is not None
    with mock.patch("django.utils.timezone.now", return_value=start + dt.timedelta(minutes=29)):
        assert SessionStore(key).get("x") == 1
    with mock.patch("django.utils.timezone.now", return_value=start + dt.timedelta(minutes=31)):
        late = SessionStore(key)
        assert late.get("x") is None
        assert late.session_key is None


def test_a_renewal_time_in_the_future_renews_the_session(client):
    """The clock was set back: the session is renewed rather than left to expire."""
    earlier = _logged_in_at(client) - dt.timedelta(hours=1)
    response, writes = _home_at(client, earlier)
    assert response.wsgi_request.user.is_authenticated
    assert writes
    with mock.patch("django.utils.timezone.now", return_value=earlier):
        assert client.session["_atgrant_renewed_at"] == earlier.timestamp()
