"""Passwords are hashed with Argon2id at OWASP's parameters; older hashes still log in and are
rehashed at that login (atgrant/hashers.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.urls import reverse


@pytest.fixture
def production_hashers(settings):
    # conftest.py swaps in MD5 for speed; these tests are about the project's own list.
    from atgrant import settings as project

    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS
    return project.PASSWORD_HASHERS


def test_new_passwords_are_argon2id_with_owasp_parameters(production_hashers):
    encoded = make_password("korrekt-häst-batteri")

    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.django_db
def test_a_pbkdf2_password_still_logs_in_and_is_rehashed(production_hashers, client):
    user = get_user_model().objects.create(
        username="ombud", email="ombud@region.example", is_active=True
    )
    user.password = make_password(
        "korrekt-häst-batteri", hasher="pbkdf2_sha256"
    )  # as stored before Argon2 was first
    user.save(update_fields=["password"])

    response = client.post(
        reverse("account_login"),
        {"login": "ombud@region.example", "password": "korrekt-häst-batteri"},
    )

    assert response.status_code == 302

    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password("korrekt-häst-batteri")
    assert not user.check_password("fel-lösenord-här")
