"""Every URL of the proxy/colleague half of the region portal against every role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from regions.models import ApplicationStatus
from tests.factories import UserFactory
from tests.regions.factories import (
    ColleagueInvitationFactory,
    ProxyApplicationFactory,
    pdf_upload,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "applicant",
    "proxy",
    "other_proxy",
    "colleague",
    "officer",
    "auditor",
    "plain",
]


@pytest.fixture
def world(region, other_region, proxy, other_proxy, colleague, officer, auditor):
    applicant = UserFactory(email="sokande@blekinge.example.se")
    application = ProxyApplicationFactory(
        applicant=applicant, region=region, completion_requested=True
    )
    invitation = ColleagueInvitationFactory(region=region, invited_by=proxy)
    from regions.models import Colleague

    return {
        "users": {
            "anonymous": None,
            "applicant": applicant,
            "proxy": proxy,
            "other_proxy": other_proxy,
            "colleague": colleague,
            "officer": officer,
            "auditor": auditor,
            "plain": UserFactory(email="vem-som-helst@example.se"),
        },
        "application": application,
        "document": application.documents.get(),
        "invitation": invitation,
        "colleague_record": Colleague.objects.get(user=colleague),
    }


def _url(world, name):
    app, inv = world["application"], world["invitation"]
    args = {
        "regions:apply": [],
        "regions:application_list": [],
        "regions:application_detail": [app.pk],
        "regions:application_resubmit": [app.pk],
        "regions:document_download": [world["document"].pk],
        "regions:review_list": [],
        "regions:review_detail": [app.pk],
        "regions:review_approve": [app.pk],
        "regions:review_request_completion": [app.pk],
        "regions:review_reject": [app.pk],
        "regions:colleague_list": [],
        "regions:colleague_invite": [],
        "regions:invitation_revoke": [inv.pk],
        "regions:colleague_remove": [world["colleague_record"].pk],
        "regions:invitation_accept": [inv.token],
    }[name]
    return reverse(name, args=args)


def _client_for(client, login, world, role):
    user = world["users"][role]
    if user is not None:
        login(client, user)
    return client


# role order:      anon applicant proxy other_proxy colleague officer auditor plain
GET_EXPECTED = {
    "regions:apply": [302, 200, 200, 200, 200, 200, 200, 200],
    "regions:application_list": [302, 200, 200, 200, 200, 200, 200, 200],
    "regions:application_detail": [302, 200, 404, 404, 404, 404, 404, 404],
    "regions:document_download": [302, 200, 404, 404, 404, 200, 200, 404],
    # Agency pages (regions.guards.agency_page): anyone but the agency gets 404.
    "regions:review_list": [302, 404, 404, 404, 404, 200, 200, 404],
    "regions:review_detail": [302, 404, 404, 404, 404, 200, 200, 404],
    "regions:review_approve": [302, 404, 404, 404, 404, 200, 403, 404],
    # Another region's proxy sees their own region's colleagues (checked below), never these.
    "regions:colleague_list": [302, 404, 200, 200, 404, 404, 404, 404],
    "regions:invitation_accept": [302, 200, 200, 200, 200, 200, 200, 200],
}

GET_CASES = [
    (name, role, status)
    for name, statuses in GET_EXPECTED.items()
    for role, status in zip(ROLES, statuses, strict=True)
]


@pytest.mark.parametrize(("name", "role", "expected"), GET_CASES)
def test_get_status_by_role(client, login, world, name, role, expected):
    response = _client_for(client, login, world, role).get(_url(world, name))
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


# POST answers: 302 = the action ran (or was refused with a message) and redirected.
POST_EXPECTED = {
    "regions:application_resubmit": [302, 302, 404, 404, 404, 404, 404, 404],
    "regions:review_approve": [302, 404, 404, 404, 404, 302, 403, 404],
    "regions:review_request_completion": [302, 404, 404, 404, 404, 302, 403, 404],
    "regions:review_reject": [302, 404, 404, 404, 404, 302, 403, 404],
    # Another region's proxy invites to their own region (the URL names no region).
    "regions:colleague_invite": [302, 404, 302, 302, 404, 404, 404, 404],
    "regions:invitation_revoke": [302, 404, 302, 404, 404, 404, 404, 404],
    "regions:colleague_remove": [302, 404, 302, 404, 404, 404, 404, 404],
}

POST_CASES = [
    (name, role, status)
    for name, statuses in POST_EXPECTED.items()
    for role, status in zip(ROLES, statuses, strict=True)
]


def _post_data(name):
    return {
        "regions:application_resubmit": {"document": pdf_upload("ny.pdf"), "message": "Här."},
        "regions:review_request_completion": {"message": "Fullmakten saknar underskrift."},
        "regions:review_reject": {"reason": "Ej behörig företrädare."},
        "regions:colleague_invite": {"email": "ny.kollega@blekinge.example.se"},
    }.get(name, {})


@pytest.mark.parametrize(("name", "role", "expected"), POST_CASES)
def test_post_status_by_role(client, login, world, name, role, expected):
    application = world["application"]
    response = _client_for(client, login, world, role).post(_url(world, name), _post_data(name))
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    if expected != 302 or role == "anonymous":
        # Refused requests change nothing.
        application.refresh_from_db()
        assert application.status == ApplicationStatus.COMPLETION_REQUESTED
        assert application.events.count() == 1


@pytest.mark.parametrize("name", ["regions:review_detail", "regions:review_list"])
def test_auditor_sees_no_decision_buttons(client, login, world, name):
    login(client, world["users"]["auditor"])
    html = client.get(_url(world, name)).content.decode()
    assert "Bevilja ansökan" not in html
    assert "Avslå ansökan" not in html


def test_colleague_list_shows_only_the_proxys_own_region(client, login, world):
    login(client, world["users"]["other_proxy"])
    html = client.get(reverse("regions:colleague_list")).content.decode()
    assert "Kollegor i Region Gotland" in html
    assert "kollega@blekinge.example.se" not in html
    assert world["invitation"].email not in html


def test_unknown_application_is_404_for_officer(client, login, officer):
    login(client, officer)
    assert client.get(reverse("regions:review_detail", args=[999999])).status_code == 404
