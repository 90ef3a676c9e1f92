"""Officers and auditors must use a second factor; proxies may. The MFA pages are Swedish."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory
from tests.production.helpers import current_code, password_only_login, real_totp, verified_email

pytestmark = pytest.mark.django_db

MFA_MESSAGE = "måste du logga in med tvåstegsverifiering"


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_agency_user_without_authenticator_is_sent_to_totp_setup(client, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)  # no second factor: what the middleware must catch
    for url in (reverse("home"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp")
    response = client.get(reverse("home"), follow=True)
    assert MFA_MESSAGE in response.content.decode()


def test_posts_are_redirected_too(client, officer):
    client.force_login(officer)
    response = client.post(reverse("home"), {"x": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_mfa_account_logout_and_health_pages_stay_reachable(client, officer):
    password_only_login(client, officer, reauthenticated=True)
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get("/healthz").status_code in (200, 503)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_agency_user_with_totp_passes(client, login, request, role):
    user = request.getfixturevalue(role)
    login(client, user)
    assert client.get(reverse("home")).status_code == 200


def test_agency_user_with_authenticator_but_password_only_session_passes(client, officer):
    real_totp(officer)
    password_only_login(client, officer)
    assert client.get(reverse("home")).status_code == 200


def test_proxy_without_authenticator_is_not_forced(client, proxy):
    client.force_login(proxy)
    assert client.get(reverse("home")).status_code == 200


def test_proxy_may_set_up_mfa(client, proxy):
    password_only_login(client, proxy)
    response = client.get(reverse("mfa_index"))
    assert response.status_code == 200
    assert "Aktivera autentiseringsapp" in response.content.decode()


def test_officer_activates_totp_and_gets_recovery_codes(
    client, officer, django_capture_on_commit_callbacks
):
    verified_email(officer)
    password_only_login(client, officer)
    # allauth asks for the password again before a second factor is added...
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    # ...then shows the QR code.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Aktivera autentiseringsapp</h1>" in page
    assert 'src="data:image/svg+xml;base64,' in page
    secret = client.session["mfa.totp.secret"]

    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # allauth signals after commit
        response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(
        user=officer, type=Authenticator.Type.RECOVERY_CODES
    ).exists()
    codes = client.get(reverse("mfa_view_recovery_codes"))
    assert "<h1>Återställningskoder</h1>" in codes.content.decode()
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action="mfa.authenticator_added", actor=officer).exists()


def test_login_asks_for_the_code_then_lets_the_officer_in(client, officer):
    secret = real_totp(officer)
    response = client.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert "<h1>Tvåstegsverifiering</h1>" in page
    assert "_auth_user_id" not in client.session  # not logged in before the code
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)
    assert client.get(reverse("home")).status_code == 200


def test_deactivating_totp_sends_the_officer_back_to_setup(client, officer):
    verified_email(officer)
    real_totp(officer)
    password_only_login(client, officer, reauthenticated=True)
    assert client.get(reverse("home")).status_code == 200
    page = client.get(reverse("mfa_deactivate_totp")).content.decode()
    assert "<h1>Stäng av autentiseringsappen</h1>" in page
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert AuditEvent.objects.filter(action="mfa.authenticator_removed", actor=officer).exists()


def test_mfa_reauthenticate_page_is_swedish(client, officer):
    real_totp(officer)
    password_only_login(client, officer)
    response = client.get(reverse("mfa_reauthenticate"))
    assert response.status_code == 200
    assert "<h1>Bekräfta att det är du</h1>" in response.content.decode()


def test_the_admin_login_goes_through_the_site_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_officer_reaches_the_admin_after_mfa(client, login):
    staff = UserFactory(email="admin@example.se", is_staff=True, is_superuser=True)
    from django.contrib.auth.models import Group

    from regions.roles import OFFICERS_GROUP

    staff.groups.add(Group.objects.get_or_create(name=OFFICERS_GROUP)[0])
    client.force_login(staff)
    assert client.get("/admin/").status_code == 302  # no second factor yet
    login(client, staff)
    assert client.get("/admin/").status_code == 200
