"""The proxy invites colleagues by e-mail, lists, revokes and removes them."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from regions.models import Colleague, ColleagueInvitation
from regions.roles import is_colleague_of
from tests.factories import UserFactory
from tests.regions.factories import ColleagueFactory, ColleagueInvitationFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2024, 9, 2, 10, 0, tzinfo=dt.UTC)


def _invite(client, email, capture):
    with capture(execute=True):
        return client.post(reverse("regions:colleague_invite"), {"email": email})


def test_invite_sends_a_link_valid_seven_days_and_accept_makes_a_colleague(
    client, login, region, proxy, django_capture_on_commit_callbacks
):
    login(client, proxy)
    with mock.patch("django.utils.timezone.now", return_value=T0):
        response = _invite(client, "ny@blekinge.example.se", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    invitation = ColleagueInvitation.objects.get()
    assert invitation.region == region and invitation.invited_by == proxy
    assert invitation.expires_at == T0 + dt.timedelta(days=7)
    assert len(invitation.token) >= 40
    (message,) = mail.outbox
    assert message.to == ["ny@blekinge.example.se"]
    assert message.subject == "Inbjudan att förbereda inrapporteringen för Region Blekinge"
    assert proxy.email in message.body
    path = re.search(r"https?://[^/\s]+(/inbjudan/\S+/)", message.body).group(1)
    assert path == reverse("regions:invitation_accept", args=[invitation.token])
    assert AuditEvent.objects.filter(
        action="colleague_invitation.created", region_id=region.pk, actor=proxy
    ).exists()

    # The invited person is sent to log in first, then accepts.
    client.logout()
    assert client.get(path)["Location"].startswith(reverse("account_login"))
    invited = UserFactory(email="ny@blekinge.example.se")
    login(client, invited)
    with mock.patch("django.utils.timezone.now", return_value=T0 + dt.timedelta(days=6)):
        page = client.get(path)
        assert "Ta emot inbjudan" in page.content.decode()
        response = client.post(path)
    assert response.status_code == 302
    colleague = Colleague.objects.get(user=invited)
    assert colleague.region == region and colleague.invitation == invitation
    invitation.refresh_from_db()
    assert invitation.accepted_by == invited and invitation.accepted_at is not None
    assert is_colleague_of(invited, region)
    assert AuditEvent.objects.filter(action="colleague.added", region_id=region.pk).exists()

    # The proxy's list shows the colleague and no longer the invitation.
    login(client, proxy)
    html = client.get(reverse("regions:colleague_list")).content.decode()
    assert "ny@blekinge.example.se" in html
    assert "Inga öppna inbjudningar." in html


def test_accepting_with_an_email_address_differing_only_in_case_works(client, login, region, proxy):
    invitation = ColleagueInvitationFactory(region=region, invited_by=proxy, email="Ny@Blekinge.se")
    login(client, UserFactory(email="ny@blekinge.se"))
    assert (
        client.post(reverse("regions:invitation_accept", args=[invitation.token])).status_code
        == 302
    )
    assert Colleague.objects.filter(region=region).count() == 1


def test_expired_invitation_is_refused_and_changes_nothing(client, login, region, proxy):
    with mock.patch("django.utils.timezone.now", return_value=T0):
        invitation = ColleagueInvitationFactory(
            region=region,
            invited_by=proxy,
            email="sen@blekinge.se",
            expires_at=T0 + dt.timedelta(days=7),
        )
    login(client, UserFactory(email="sen@blekinge.se"))
    url = reverse("regions:invitation_accept", args=[invitation.token])
    with mock.patch("django.utils.timezone.now", return_value=T0 + dt.timedelta(days=7)):
        page = client.get(url)
        assert "har gått ut" in page.content.decode()
        response = client.post(url)
    assert response.status_code == 400
    assert "har gått ut" in response.content.decode()
    assert not Colleague.objects.exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_one_second_before_expiry_is_accepted(client, login, region, proxy):
    invitation = ColleagueInvitationFactory(
        region=region, invited_by=proxy, email="tid@blekinge.se", expires_at=T0
    )
    login(client, UserFactory(email="tid@blekinge.se"))
    with mock.patch("django.utils.timezone.now", return_value=T0 - dt.timedelta(seconds=1)):
        client.post(reverse("regions:invitation_accept", args=[invitation.token]))
    assert Colleague.objects.filter(region=region).exists()


def test_revoked_invitation_is_refused(client, login, region, proxy):
    invitation = ColleagueInvitationFactory(region=region, invited_by=proxy, email="x@blekinge.se")
    login(client, proxy)
    response = client.post(reverse("regions:invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None and invitation.revoked_by == proxy
    assert AuditEvent.objects.filter(action="colleague_invitation.revoked").exists()

    login(client, UserFactory(email="x@blekinge.se"))
    response = client.post(reverse("regions:invitation_accept", args=[invitation.token]))
    assert response.status_code == 400
    assert "återkallats" in response.content.decode()
    assert not Colleague.objects.exists()


def test_used_invitation_cannot_be_reused(client, login, region, proxy):
    invitation = ColleagueInvitationFactory(region=region, invited_by=proxy, email="a@blekinge.se")
    first = UserFactory(email="a@blekinge.se")
    login(client, first)
    client.post(reverse("regions:invitation_accept", args=[invitation.token]))
    # Someone else with the link (the address's new holder, a forwarded mail) cannot use it.
    login(client, UserFactory(email="b@blekinge.se"))
    response = client.post(reverse("regions:invitation_accept", args=[invitation.token]))
    assert response.status_code == 400
    assert "redan använts" in response.content.decode()
    assert Colleague.objects.filter(user=first).count() == 1
    assert Colleague.objects.count() == 1


def test_accepting_twice_leads_to_the_regions_page(client, login, region, proxy):
    invitation = ColleagueInvitationFactory(region=region, invited_by=proxy, email="a@blekinge.se")
    first = UserFactory(email="a@blekinge.se")
    login(client, first)
    url = reverse("regions:invitation_accept", args=[invitation.token])
    client.post(url)
    again = client.post(url)
    assert again.status_code == 302
    assert again["Location"] == reverse("submissions:dashboard")
    assert Colleague.objects.filter(user=first).count() == 1
    assert AuditEvent.objects.filter(action="colleague.added").count() == 1


def test_invitation_for_another_address_is_refused(client, login, region, proxy):
    invitation = ColleagueInvitationFactory(
        region=region, invited_by=proxy, email="rätt@blekinge.se"
    )
    login(client, UserFactory(email="fel@example.se"))
    response = client.post(reverse("regions:invitation_accept", args=[invitation.token]))
    assert response.status_code == 400
    assert "Inbjudan är skickad till rätt@blekinge.se" in response.content.decode()
    assert not Colleague.objects.exists()


def test_unknown_token_gives_a_clear_message(client, login):
    login(client, UserFactory())
    response = client.get(reverse("regions:invitation_accept", args=["finns-inte"]))
    assert response.status_code == 200
    assert "Inbjudan finns inte" in response.content.decode()


def test_proxy_of_another_region_cannot_become_colleague(client, login, region, proxy, other_proxy):
    invitation = ColleagueInvitationFactory(
        region=region, invited_by=proxy, email=other_proxy.email
    )
    login(client, other_proxy)
    response = client.post(reverse("regions:invitation_accept", args=[invitation.token]))
    assert response.status_code == 400
    assert not Colleague.objects.filter(user=other_proxy).exists()


def test_remove_colleague_keeps_the_record(client, login, region, proxy, colleague):
    record = Colleague.objects.get(user=colleague)
    login(client, proxy)
    response = client.post(reverse("regions:colleague_remove", args=[record.pk]))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.removed_at is not None and record.removed_by == proxy
    assert not is_colleague_of(colleague, region)
    assert AuditEvent.objects.filter(
        action="colleague.removed", region_id=region.pk, actor=proxy
    ).exists()
    client.get(reverse("regions:colleague_list"))  # shows (and consumes) the success message
    assert colleague.email not in client.get(reverse("regions:colleague_list")).content.decode()
    fresh = type(colleague).objects.get(pk=colleague.pk)
    assert not is_colleague_of(fresh, region)


def test_removed_colleague_can_be_invited_again(
    client, login, region, proxy, colleague, django_capture_on_commit_callbacks
):
    record = Colleague.objects.get(user=colleague)
    login(client, proxy)
    client.post(reverse("regions:colleague_remove", args=[record.pk]))
    _invite(client, colleague.email, django_capture_on_commit_callbacks)
    invitation = ColleagueInvitation.objects.get(email=colleague.email)
    login(client, colleague)
    client.post(reverse("regions:invitation_accept", args=[invitation.token]))
    assert Colleague.objects.filter(user=colleague).count() == 2
    assert Colleague.objects.filter(user=colleague, removed_at__isnull=True).count() == 1


def test_inviting_a_current_colleague_is_refused(client, login, region, proxy, colleague):
    login(client, proxy)
    response = client.post(reverse("regions:colleague_invite"), {"email": colleague.email})
    assert response.status_code == 400
    assert "redan kollega" in response.content.decode()
    assert not ColleagueInvitation.objects.exists()


def test_invalid_email_is_refused(client, login, proxy):
    login(client, proxy)
    response = client.post(reverse("regions:colleague_invite"), {"email": "inte en adress"})
    assert response.status_code == 400
    assert not ColleagueInvitation.objects.exists()


def test_other_regions_proxy_cannot_revoke_or_remove(
    client, login, region, proxy, other_proxy, colleague
):
    invitation = ColleagueInvitationFactory(region=region, invited_by=proxy)
    record = Colleague.objects.get(user=colleague)
    login(client, other_proxy)
    assert (
        client.post(reverse("regions:invitation_revoke", args=[invitation.pk])).status_code == 404
    )
    assert client.post(reverse("regions:colleague_remove", args=[record.pk])).status_code == 404
    invitation.refresh_from_db()
    record.refresh_from_db()
    assert invitation.revoked_at is None and record.removed_at is None


def test_colleague_list_marks_expired_invitations(client, login, region, proxy):
    ColleagueInvitationFactory(
        region=region,
        invited_by=proxy,
        email="gammal@blekinge.se",
        expires_at=timezone.now() - dt.timedelta(days=1),
    )
    login(client, proxy)
    html = client.get(reverse("regions:colleague_list")).content.decode()
    assert "gammal@blekinge.se" in html and "Har gått ut" in html


def test_service_refuses_a_colleague_managing_colleagues(region, colleague):
    from django.core.exceptions import PermissionDenied

    from regions.services import colleague_invite

    with pytest.raises(PermissionDenied):
        colleague_invite(region=region, email="x@example.se", by=colleague)
    assert not ColleagueFactory._meta.model.objects.filter(user__email="x@example.se").exists()


def test_revoking_or_removing_twice_leads_to_the_result(client, login, region, proxy, colleague):
    invitation = ColleagueInvitationFactory(region=region, invited_by=proxy)
    membership = Colleague.objects.get(user=colleague)
    login(client, proxy)
    for url, done in (
        (reverse("regions:invitation_revoke", args=[invitation.pk]), "är återkallad"),
        (reverse("regions:colleague_remove", args=[membership.pk]), "inte längre kollega"),
    ):
        client.post(url)
        page = client.post(url, follow=True).content.decode()
        assert done in page
        assert "redan" not in page
    assert AuditEvent.objects.filter(action="colleague_invitation.revoked").count() == 1
    assert AuditEvent.objects.filter(action="colleague.removed").count() == 1
