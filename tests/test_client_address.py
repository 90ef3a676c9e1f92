"""One client address behind a proxy (TRUSTED_PROXY_COUNT) for the lockout, allauth's limits,
the audit log and the request log; a setting that cannot take effect stops start-up."""

from __future__ import annotations

import logging
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.test.client import RequestFactory
from django.urls import reverse

from atgrant.checks import check_client_address, refuse_to_start_on_errors
from atgrant.clientip import client_ip
from audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

PROXY = "10.0.0.1"


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def _through_proxy(forwarded_for: str) -> Client:
    """A browser whose requests reach atgrant through the proxy at PROXY."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


@pytest.mark.parametrize(
    ("count", "forwarded_for", "expected"),
    [
        (0, None, "10.9.9.9"),
        (0, "203.0.113.5", "10.9.9.9"),  # no proxy trusted: the header is the client's
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # what the client wrote is not believed
        (1, "nonsense, 203.0.113.5", "203.0.113.5"),
        (2, "203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "203.0.113.5", "10.9.9.9"),  # did not pass both proxies
        (1, None, "10.9.9.9"),  # a health check from inside the network
        (1, "2001:DB8::1", "2001:db8::1"),
    ],
)
def test_client_ip_is_the_address_the_trusted_proxies_saw(settings, count, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = count
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    request = RequestFactory().get("/", REMOTE_ADDR="10.9.9.9", **extra)
    assert client_ip(request) == expected


def test_without_a_request_there_is_no_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(None) is None


@pytest.mark.django_db
def test_behind_a_proxy_a_lockout_holds_one_client_not_everyone(settings, behind_one_proxy):
    user = UserFactory(email="ombud@blekinge.example.se")
    attacker = _through_proxy("203.0.113.5")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(reverse("account_login"), {"login": user.email, "password": "fel"})
    locked = attacker.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert locked.status_code == 429
    # The owner, elsewhere on the internet but behind the same proxy, logs in.
    owner = _through_proxy("198.51.100.7")
    response = owner.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_behind_a_proxy_the_audit_log_records_the_client(behind_one_proxy):
    user = UserFactory(email="ombud@blekinge.example.se")
    client = _through_proxy("6.6.6.6, 203.0.113.5")
    client.post(reverse("account_login"), {"login": user.email, "password": "fel"})
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    events = dict(AuditEvent.objects.values_list("action", "ip_address"))
    assert events == {"auth.login_failed": "203.0.113.5", "auth.logged_in": "203.0.113.5"}


@pytest.mark.django_db
def test_allauth_reads_the_same_address_and_a_short_header_is_no_error(settings):
    from allauth.account.adapter import get_adapter

    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    factory = RequestFactory()
    request = factory.get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5, 10.0.0.2"
    )
    assert get_adapter().get_client_ip(request) == "203.0.113.5"
    # allauth's own reading raises ImproperlyConfigured (a 500) here.
    short = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert get_adapter().get_client_ip(short) == PROXY
    response = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5").post(
        reverse("account_login"), {"login": "x@example.se", "password": "fel"}
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_request_log_names_the_client(behind_one_proxy, caplog):
    with caplog.at_level(logging.INFO, logger="atgrant.request"):
        _through_proxy("203.0.113.5").get(reverse("home"))
    (record,) = [r for r in caplog.records if r.name == "atgrant.request"]
    assert record.client_ip == "203.0.113.5"


def test_the_configuration_as_shipped_passes_the_checks():
    assert check_client_address() == []
    refuse_to_start_on_errors()


@pytest.mark.parametrize(
    ("setting", "value", "error"),
    [
        ("TRUSTED_PROXY_COUNT", -1, "atgrant.E001"),
        ("TRUSTED_PROXY_COUNT", "1", "atgrant.E001"),
        ("AXES_CLIENT_IP_CALLABLE", None, "atgrant.E003"),
        ("ACCOUNT_ADAPTER", "allauth.account.adapter.DefaultAccountAdapter", "atgrant.E004"),
        ("ALLAUTH_TRUSTED_PROXY_COUNT", 2, "atgrant.E005"),
        ("AXES_IPWARE_PROXY_COUNT", 1, "atgrant.E006"),
        ("ALLAUTH_TRUSTED_CLIENT_IP_HEADER", "X-Real-IP", "atgrant.E006"),
    ],
)
def test_a_client_address_setting_that_cannot_take_effect_stops_start_up(
    settings, setting, value, error
):
    setattr(settings, setting, value)
    assert error in [m.id for m in check_client_address()]
    with pytest.raises(ImproperlyConfigured, match=error):
        refuse_to_start_on_errors()


def test_a_proxy_count_without_django_ipware_stops_start_up(settings, monkeypatch):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    monkeypatch.setitem(sys.modules, "ipware", None)  # import ipware raises ImportError
    assert [m.id for m in check_client_address()] == ["atgrant.E002"]


def test_start_up_refuses_a_negative_proxy_count_from_the_environment():
    import secrets

    from tests.production.test_deploy import PRODUCTION_ENV, _run

    env = {**PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(64), "TRUSTED_PROXY_COUNT": "-1"}
    result = _run(["check"], env)
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT must be at least 0" in result.stderr


def test_check_deploy_warns_of_a_tls_proxy_without_a_trusted_proxy_count():
    import secrets

    from tests.production.test_deploy import PRODUCTION_ENV, _run

    env = {**PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(64), "BEHIND_TLS_PROXY": "true"}
    assert "atgrant.W001" in _run(["check", "--deploy"], env).stderr
    env["TRUSTED_PROXY_COUNT"] = "1"
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
