"""The region portal's links in the navigation, by role; and joining through an invitation."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from regions.models import Colleague
from tests.factories import PASSWORD, UserFactory
from tests.regions.factories import ColleagueInvitationFactory

pytestmark = pytest.mark.django_db

LINKS = {
    "Bli ombud": "/ombud/ansok/",
    "Kollegor": "/kollegor/",
    "Ombudsansökningar": "/handlaggning/ombudsansokningar/",
}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("plain", {"Bli ombud"}),
        ("proxy", {"Kollegor"}),
        ("colleague", set()),
        ("officer", {"Ombudsansökningar"}),
        ("auditor", {"Ombudsansökningar"}),
    ],
)
def test_portal_links_by_role(client, login, proxy, colleague, officer, auditor, role, expected):
    user = {
        "plain": UserFactory(),
        "proxy": proxy,
        "colleague": colleague,
        "officer": officer,
        "auditor": auditor,
    }[role]
    login(client, user)
    html = client.get(reverse("regions:application_list")).content.decode()
    nav = html[html.index('id="main-nav"') : html.index("</nav>")]
    shown = {label for label, href in LINKS.items() if f'href="{href}"' in nav}
    assert shown == expected


def test_anonymous_sees_no_portal_links(client):
    html = client.get(reverse("account_login")).content.decode()
    assert not any(f'href="{href}"' in html for href in LINKS.values())


def test_a_new_person_signs_up_from_the_invitation_link_and_accepts(client, region, proxy):
    invitation = ColleagueInvitationFactory(
        region=region, invited_by=proxy, email="helt.ny@blekinge.example.se"
    )
    accept = reverse("regions:invitation_accept", args=[invitation.token])
    login_page = client.get(accept, follow=True)
    # The login page's sign-up link keeps the way back to the invitation.
    signup = re.search(r'href="(/konto/signup/[^"]*)"', login_page.content.decode()).group(1)
    assert "inbjudan" in signup.replace("%2F", "/")
    response = client.post(
        signup.replace("&amp;", "&"),
        {"email": "helt.ny@blekinge.example.se", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == accept
    assert "Ta emot inbjudan" in client.get(accept).content.decode()
    client.post(accept)
    assert Colleague.objects.get(region=region).user.email == "helt.ny@blekinge.example.se"
