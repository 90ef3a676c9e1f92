"""Log in by e-mail and password, sign up, reset the password: Swedish pages on our layout."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("account_login", "Logga in"),
        ("account_signup", "Skapa konto"),
        ("account_reset_password", "Återställ lösenord"),
        ("account_reset_password_done", "Kontrollera din e-post"),
    ],
)
def test_entrance_pages_are_swedish_on_our_layout(client, name, heading):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert html.count("<h1") == 1
    assert 'class="site-header"' in html  # our base layout
    assert 'lang="sv"' in html


def test_login_by_email_and_password(client):
    user = UserFactory(email="ada@region.example.se")
    response = client.post(
        reverse("account_login"), {"login": "ada@region.example.se", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("start")
    assert int(client.session["_auth_user_id"]) == user.pk


def test_wrong_password_is_refused_with_a_message(client):
    UserFactory(email="ada@region.example.se")
    response = client.post(
        reverse("account_login"), {"login": "ada@region.example.se", "password": "fel-lösenord"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "alert" in response.content.decode()


def test_signup_confirms_the_address_before_the_account_is_used(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "ny@region.example.se", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    link = re.search(r"https?://[^/\s]+(/konto/\S+)", mail.outbox[0].body).group(1)
    client.post(link)
    response = client.post(
        reverse("account_login"), {"login": "ny@region.example.se", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_password_reset_sends_a_swedish_mail_with_a_working_link(client):
    UserFactory(email="ada@region.example.se")
    response = client.post(reverse("account_reset_password"), {"email": "ada@region.example.se"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@region.example.se"]
    assert "Återställ ditt lösenord" in message.subject
    assert "Välj ett nytt lösenord" in message.body
    link = re.search(r"https?://[^/\s]+(/konto/\S+)", message.body).group(1)
    page = client.get(link, follow=True)
    assert page.status_code == 200
    assert "Välj nytt lösenord" in page.content.decode()


def test_logout_page(client, login):
    user = UserFactory()
    login(client, user)
    assert "Vill du logga ut?" in client.get(reverse("account_logout")).content.decode()
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_password_change_page_is_swedish(client, login):
    login(client, UserFactory())
    response = client.get(reverse("account_change_password"))
    assert response.status_code == 200
    assert "<h1>Byt lösenord</h1>" in response.content.decode()


def test_signup_sends_a_swedish_confirmation_mail(client):
    client.post(
        reverse("account_signup"),
        {"email": "ny@region.example.se", "password1": PASSWORD, "password2": PASSWORD},
    )
    (message,) = mail.outbox
    assert message.to == ["ny@region.example.se"]
    assert message.subject.endswith("Bekräfta din e-postadress")
    assert "Bekräfta att adressen är din" in message.body
    link = re.search(r"https?://[^/\s]+(/konto/\S+)", message.body).group(1)
    page = client.get(link)
    assert "<h1>Bekräfta e-postadress</h1>" in page.content.decode()


def test_reauthentication_page_is_swedish(client, login):
    login(client, UserFactory())
    response = client.get(reverse("account_reauthenticate"))
    assert response.status_code == 200
    assert "<h1>Bekräfta att det är du</h1>" in response.content.decode()


def test_email_management_page_is_swedish(client, login):
    login(client, UserFactory(email="ada@region.example.se"))
    response = client.get(reverse("account_email"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>E-postadresser</h1>" in html and "ada@region.example.se" in html
