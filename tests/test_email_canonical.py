"""E-mail addresses are stored in one canonical form (stripped, lowercased) on every write
path, and matched the same way on every read: an officer created with capitals logs in."""

from __future__ import annotations

import importlib

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from regions.models import ColleagueInvitation
from regions.services import colleague_invitation_accept, colleague_invite
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
TYPED = "Handlaggare.Ett@Myndighet.se"
STORED = "handlaggare.ett@myndighet.se"


def _logs_in(login: str) -> bool:
    client = Client()
    client.post(reverse("account_login"), {"login": login, "password": PASSWORD})
    return "_auth_user_id" in client.session


def test_an_officer_created_the_readmes_way_logs_in_with_any_casing(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", "--username", "handlaggare.ett", "--email", TYPED)
    assert User.objects.get(username="handlaggare.ett").email == STORED
    for login in (TYPED, STORED, TYPED.upper(), f"  {TYPED} "):
        assert _logs_in(login), login


def test_users_written_by_code_are_stored_canonical():
    """Management commands and services create users through the ORM."""
    user = User.objects.create_user(username="kod", email="  Ny.Person@Region.SE ")
    assert user.email == "ny.person@region.se"
    user.email = "Annan@Region.SE"
    user.save()
    user.refresh_from_db()
    assert user.email == "annan@region.se"


def test_signup_stores_the_address_canonical():
    Client().post(
        reverse("account_signup"),
        {"email": "Ny.Person@Region.SE", "password1": PASSWORD, "password2": PASSWORD},
    )
    user = User.objects.get()
    assert user.email == "ny.person@region.se"
    assert EmailAddress.objects.get(user=user).email == "ny.person@region.se"


def test_an_added_address_is_stored_canonical(client, login):
    user = UserFactory(email="ada@region.example.se")
    login(client, user)
    client.post(reverse("account_email"), {"action_add": "", "email": "Ada.Ny@Region.Example.SE"})
    assert EmailAddress.objects.filter(user=user, email="ada.ny@region.example.se").exists()


@pytest.fixture
def superuser(client, login):
    user = UserFactory(email="admin@example.se")
    user.is_staff = user.is_superuser = True
    user.save()
    login(client, user)
    return user


def test_the_admin_adds_a_user_with_a_canonical_address(client, superuser):
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "ny",
            "email": TYPED,
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert User.objects.get(username="ny").email == STORED
    assert _logs_in(TYPED)


def test_the_admin_refuses_an_address_another_user_has_in_other_casing(client, superuser):
    UserFactory(username="first", email=STORED)
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "second",
            "email": TYPED.upper(),
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "Det finns redan en användare med den e-postadressen." in response.content.decode()
    assert not User.objects.filter(username="second").exists()


def test_an_invitation_is_stored_canonical_and_accepted_with_any_casing(region, proxy):
    invitation = colleague_invite(region=region, email=" Kim.Kollega@Blekinge.SE ", by=proxy)
    assert ColleagueInvitation.objects.get(pk=invitation.pk).email == "kim.kollega@blekinge.se"
    kim = UserFactory(email="KIM.kollega@blekinge.se")
    colleague = colleague_invitation_accept(token=invitation.token, user=kim)
    assert colleague.region == region


def test_the_report_form_gives_a_canonical_contact_address():
    from submissions.forms import ReportForm

    form = ReportForm({"contact_email": " Britt@Region.Blekinge.SE ", "revision": 0})
    assert form.is_valid(), form.errors
    assert form.report_data().contact_email == "britt@region.blekinge.se"


def test_the_migration_lowercases_addresses_stored_before():
    user = UserFactory(username="gammal", email="x@example.se")
    # As stored before this change (update() bypasses the model's save).
    User.objects.filter(pk=user.pk).update(email=" Gammal.Handlaggare@Myndighet.SE")
    migration = importlib.import_module("regions.migrations.0005_lowercase_emails")
    migration.lowercase(django_apps, None)
    user.refresh_from_db()
    assert user.email == "gammal.handlaggare@myndighet.se"
