"""The admin shows the portal's records and keeps their history (read-only)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.regions.factories import ColleagueInvitationFactory, ProxyApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client, login):
    user = UserFactory(email="admin@example.se")
    user.is_staff = user.is_superuser = True
    user.save()
    login(client, user)
    return user


@pytest.mark.parametrize(
    "model", ["proxyapplication", "proxyappointment", "colleague", "colleagueinvitation"]
)
def test_admin_lists_open_and_cannot_add(client, superuser, region, proxy, colleague, model):
    ProxyApplicationFactory(region=region)
    ColleagueInvitationFactory(region=region, invited_by=proxy)
    assert client.get(reverse(f"admin:regions_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:regions_{model}_add")).status_code == 403


def test_application_admin_shows_documents_and_history_without_token_leaks(
    client, superuser, region, proxy
):
    application = ProxyApplicationFactory(region=region)
    invitation = ColleagueInvitationFactory(region=region, invited_by=proxy)
    html = client.get(
        reverse("admin:regions_proxyapplication_change", args=[application.pk])
    ).content.decode()
    assert "fullmakt.pdf" in html and "Ansökan inskickad" in html
    html = client.get(
        reverse("admin:regions_colleagueinvitation_change", args=[invitation.pk])
    ).content.decode()
    assert invitation.token not in html
