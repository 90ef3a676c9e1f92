"""Fixtures shared by the whole suite: one user per role, and test-safe settings."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from regions.roles import AUDITORS_GROUP, OFFICERS_GROUP


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Production-like settings (DEBUG off on PostgreSQL in CI) must not redirect the test client.
    settings.SECURE_SSL_REDIRECT = False
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def officer(db):
    from tests.factories import UserFactory

    user = UserFactory(email="officer@example.se")
    user.groups.add(Group.objects.get_or_create(name=OFFICERS_GROUP)[0])
    return user


@pytest.fixture
def auditor(db):
    from tests.factories import UserFactory

    user = UserFactory(email="auditor@example.se")
    user.groups.add(Group.objects.get_or_create(name=AUDITORS_GROUP)[0])
    return user
