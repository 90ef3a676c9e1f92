"""Throttles hold one account or one person, never everyone behind the same address (a
region's or the agency's network shares one)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SHARED_ADDRESS = "192.0.2.44"


def test_no_throttle_of_allauth_counts_per_client_address():
    from allauth.account import app_settings as account_settings
    from allauth.core.internal.ratelimit import parse_rates
    from allauth.mfa import app_settings as mfa_settings

    per_address = {
        action: rates
        for limits in (account_settings.RATE_LIMITS, mfa_settings.RATE_LIMITS)
        for action, rates in limits.items()
        if any(rate.per == "ip" for rate in parse_rates(rates))
    }
    assert per_address == {}


def test_many_logins_from_one_address_do_not_shut_out_the_others_behind_it():
    colleague = UserFactory(email="kollega@region.example.se")
    noisy = Client(REMOTE_ADDR=SHARED_ADDRESS)
    # Each address typed once: no account is locked, but allauth's old limit (30 logins a
    # minute per address) would now answer 429 to everyone behind SHARED_ADDRESS.
    for n in range(35):
        noisy.post(reverse("account_login"), {"login": f"nobody{n}@example.se", "password": "x"})
    other = Client(REMOTE_ADDR=SHARED_ADDRESS)
    response = other.post(
        reverse("account_login"), {"login": colleague.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert other.session["_auth_user_id"] == str(colleague.pk)


def test_many_password_resets_from_one_address_do_not_stop_the_next_person():
    for n in range(25):
        Client(REMOTE_ADDR=SHARED_ADDRESS).post(
            reverse("account_reset_password"), {"email": f"nobody{n}@example.se"}
        )
    UserFactory(email="ada@region.example.se")
    response = Client(REMOTE_ADDR=SHARED_ADDRESS).post(
        reverse("account_reset_password"), {"email": "ada@region.example.se"}
    )
    assert response.status_code == 302


def test_many_sign_ups_from_one_address_do_not_stop_the_next_person():
    for n in range(22):
        Client(REMOTE_ADDR=SHARED_ADDRESS).post(
            reverse("account_signup"),
            {"email": f"ny{n}@example.se", "password1": PASSWORD, "password2": PASSWORD},
        )
    response = Client(REMOTE_ADDR=SHARED_ADDRESS).post(
        reverse("account_signup"),
        {"email": "sist@example.se", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302


def test_guessing_one_accounts_password_from_many_addresses_is_still_held(settings):
    """The per-account net that remains: allauth's failed logins per e-mail, any address."""
    user = UserFactory(email="ombud@region.example.se")
    limit = settings.AXES_FAILURE_LIMIT * 4
    for n in range(limit):
        Client(REMOTE_ADDR=f"198.51.100.{n + 1}").post(
            reverse("account_login"), {"login": user.email, "password": "fel"}
        )
    # Even the right password is refused for now (the form says why; no lockout page).
    client = Client(REMOTE_ADDR="203.0.113.99")
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
