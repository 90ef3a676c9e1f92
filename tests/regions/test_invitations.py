"""Colleague invitations: refused when asked if they could not be accepted; the link keeps
its context through login and sign-up; the new colleague lands on the region's page."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from regions.models import Colleague, ColleagueInvitation
from regions.roles import AUDITORS_GROUP, OFFICERS_GROUP
from tests.factories import PASSWORD, UserFactory
from tests.regions.factories import ColleagueFactory, ColleagueInvitationFactory

pytestmark = pytest.mark.django_db


def _invite(client, email):
    return client.post(reverse("regions:colleague_invite"), {"email": email})


def _refused(response, text):
    assert response.status_code == 400
    assert response.context["form"].has_error("email")
    assert text in response.content.decode()
    assert not ColleagueInvitation.objects.exists()
    assert mail.outbox == []


def test_another_regions_proxy_is_refused_when_invited(client, login, proxy, other_proxy):
    login(client, proxy)
    _refused(_invite(client, other_proxy.email.upper()), "är ombud för Region Gotland")


def test_another_regions_colleague_is_refused_when_invited(client, login, proxy, other_region):
    elsewhere = ColleagueFactory(region=other_region).user
    login(client, proxy)
    _refused(_invite(client, elsewhere.email), "är kollega för Region Gotland")


@pytest.mark.parametrize("group", [OFFICERS_GROUP, AUDITORS_GROUP])
def test_agency_staff_are_refused_when_invited(client, login, proxy, group):
    staff = UserFactory(email="personal@myndigheten.se")
    staff.groups.add(Group.objects.get_or_create(name=group)[0])
    login(client, proxy)
    _refused(_invite(client, staff.email), "handläggare eller revisor")


def test_a_closed_account_is_refused_when_invited(client, login, proxy):
    closed = UserFactory(email="slutat@blekinge.se")
    closed.is_active = False
    closed.save()
    login(client, proxy)
    _refused(_invite(client, closed.email), "avstängt")


def test_someone_without_an_account_can_be_invited(client, login, proxy):
    login(client, proxy)
    assert _invite(client, "ny@blekinge.se").status_code == 302
    assert ColleagueInvitation.objects.get().email == "ny@blekinge.se"


def test_inviting_the_same_address_twice_gives_one_invitation(
    client, login, proxy, django_capture_on_commit_callbacks
):
    login(client, proxy)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, "ny@blekinge.se")
        again = _invite(client, "ny@blekinge.se")
    assert again.status_code == 302
    assert ColleagueInvitation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_agency_staff_cannot_accept_an_invitation(client, login, region, proxy, officer):
    invitation = ColleagueInvitationFactory(region=region, invited_by=proxy, email=officer.email)
    login(client, officer)
    url = reverse("regions:invitation_accept", args=[invitation.token])
    page = client.get(url).content.decode()
    assert "handläggare eller revisor" in page
    assert "Ta emot inbjudan" not in page
    assert client.post(url).status_code == 400
    assert not Colleague.objects.exists()


def test_the_button_is_not_offered_to_someone_the_acceptance_would_refuse(
    client, login, region, proxy, other_proxy
):
    invitation = ColleagueInvitationFactory(
        region=region, invited_by=proxy, email=other_proxy.email
    )
    login(client, other_proxy)
    page = client.get(reverse("regions:invitation_accept", args=[invitation.token]))
    html = page.content.decode()
    assert "ombud för en region" in html
    assert "Ta emot inbjudan" not in html


def test_the_link_opened_logged_out_keeps_its_context_through_login(client, region, proxy):
    invitation = ColleagueInvitationFactory(region=region, invited_by=proxy, email="ny@bl.se")
    UserFactory(email="ny@bl.se")
    url = reverse("regions:invitation_accept", args=[invitation.token])

    login_page = client.get(url, follow=True)
    html = login_page.content.decode()
    assert login_page.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert "Inbjudan att bli kollega för Region Blekinge" in html
    assert "ombud@blekinge.example.se har bjudit in dig" in html
    assert f'name="next" value="{url}"' in html
    # The sign-up link keeps the invitation too.
    signup = re.search(r'href="(/konto/signup/[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "Inbjudan att bli kollega" in client.get(signup).content.decode()

    response = client.post(
        reverse("account_login"), {"login": "ny@bl.se", "password": PASSWORD, "next": url}
    )
    assert response.status_code == 302
    assert response["Location"] == url
    accepted = client.post(url)
    assert accepted["Location"] == reverse("submissions:dashboard")
    page = client.get(accepted["Location"]).content.decode()
    assert "Du är nu kollega för Region Blekinge" in page


def test_the_link_keeps_its_context_through_sign_up(client, region, proxy):
    invitation = ColleagueInvitationFactory(region=region, invited_by=proxy, email="ny@bl.se")
    url = reverse("regions:invitation_accept", args=[invitation.token])
    client.get(url)  # logged out: to the login page, the invitation remembered
    signup = client.get(reverse("account_signup"), {"next": url})
    assert "Inbjudan att bli kollega för Region Blekinge" in signup.content.decode()
    response = client.post(
        reverse("account_signup"),
        {"email": "ny@bl.se", "password1": PASSWORD, "password2": PASSWORD, "next": url},
    )
    assert response.status_code == 302
    assert response["Location"] == url
    assert client.post(url)["Location"] == reverse("submissions:dashboard")
    assert Colleague.objects.get().user.email == "ny@bl.se"


def test_a_login_page_without_an_invitation_has_no_banner(client, region, proxy):
    invitation = ColleagueInvitationFactory(region=region, invited_by=proxy, revoked_at=None)
    html = client.get(reverse("account_login"), {"next": "/min-region/"}).content.decode()
    assert "Inbjudan att bli kollega" not in html
    assert invitation.token not in html


def test_the_banners_sign_up_link_fills_in_the_invited_address(client, region, proxy):
    invitation = ColleagueInvitationFactory(region=region, invited_by=proxy, email="ny@bl.se")
    url = reverse("regions:invitation_accept", args=[invitation.token])
    html = client.get(reverse("account_login"), {"next": url}).content.decode()
    link = re.search(r'id="invitation-signup"', html) and re.search(
        r'href="([^"]*)" id="invitation-signup"', html
    ).group(1)
    signup = client.get(link.replace("&amp;", "&"))
    assert signup.context["form"]["email"].value() == "ny@bl.se"
    assert f'name="next" value="{url}"' in signup.content.decode()
