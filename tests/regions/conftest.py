from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every role fixture sets a password; the production hasher makes each take most of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth's rate limits (e.g. one confirmation mail per address in 3 minutes) live in the
    # cache, which the locmem backend keeps between tests.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
