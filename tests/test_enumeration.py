"""No page tells whether an e-mail address has an account: sign-up, password reset and adding
an address answer the same for a known and an unknown address; only the mailbox learns it."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

KNOWN = "ada@region.example.se"
UNKNOWN = "okand@region.example.se"


@pytest.fixture(autouse=True)
def _known():
    UserFactory(email=KNOWN)


def _visible(response, email: str) -> tuple[int, str, str]:
    """What a visitor sees of a response: status, where it leads, and the page it leads to,
    with the address they typed and the CSRF token (new on every page) left out."""
    client = response.client
    location = response.get("Location", "")
    page = client.get(location).content.decode() if location else response.content.decode()
    page = re.sub(re.escape(email), "ADDRESS", page, flags=re.IGNORECASE)
    return response.status_code, location, re.sub(r'value="[^"]{40,}"', "", page)


def _sign_up(email: str):
    response = Client().post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    return _visible(response, email)


@pytest.mark.parametrize("typed", [KNOWN, KNOWN.upper()])
def test_sign_up_answers_the_same_for_an_address_with_an_account(typed):
    assert _sign_up(typed) == _sign_up(UNKNOWN)
    html = _sign_up(typed)[2]
    assert "finns redan" not in html and "already" not in html
    # The known address gets no second account; its owner is told by e-mail.
    assert get_user_model().objects.filter(email=KNOWN).count() == 1
    to_known = [m for m in mail.outbox if m.to == [KNOWN]]
    assert to_known and all("Skapa konto" not in m.subject for m in to_known)


def test_the_owner_of_a_known_address_is_told_by_mail_not_on_the_page():
    _sign_up(KNOWN)
    (message,) = mail.outbox
    assert message.to == [KNOWN]
    assert reverse("account_reset_password") in message.body or "lösenord" in message.body


def test_password_reset_answers_the_same_for_an_unknown_address():
    known = Client().post(reverse("account_reset_password"), {"email": KNOWN})
    unknown = Client().post(reverse("account_reset_password"), {"email": UNKNOWN})
    assert _visible(known, KNOWN) == _visible(unknown, UNKNOWN)
    assert sorted(m.to[0] for m in mail.outbox) == [KNOWN, UNKNOWN]


def test_adding_an_address_another_account_has_is_not_refused_on_the_page(client, login):
    login(client, UserFactory(email="bertil@region.example.se"))
    taken = client.post(reverse("account_email"), {"action_add": "", "email": KNOWN})
    free = client.post(reverse("account_email"), {"action_add": "", "email": UNKNOWN})
    assert taken.status_code == free.status_code == 302


@pytest.mark.parametrize(
    ("setting", "value", "error"),
    [("ACCOUNT_PREVENT_ENUMERATION", False, "atgrant.E007"), ("ACCOUNT_FORMS", {}, "atgrant.E008")],
)
def test_a_configuration_that_would_reveal_accounts_stops_start_up(settings, setting, value, error):
    from atgrant.checks import check_no_enumeration

    assert check_no_enumeration() == []
    setattr(settings, setting, value)
    assert [m.id for m in check_no_enumeration()] == [error]
