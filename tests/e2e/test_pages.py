"""axe on the pages the journeys pass by quickly or not at all, for each role, at desktop and
at phone width (no page and no table scrolls sideways: see support.Web._check_reflow). Also
the failed-login page: its error is announced and the fields marked."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from regions.models import ProxyAppointment, Region
from tests.e2e.support import PHONE, totp_for
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.e2e

PUBLIC = [
    "/",
    "/konto/login/",
    "/konto/signup/",
    "/konto/password/reset/",
    "/fordelningslistor/",
    "/tillganglighet/",
    "/kontakt/",
]
PROXY = [
    "/min-region/",
    "/inrapportering/at-2024/10/",
    "/kollegor/",
    "/ombud/mina-ansokningar/",
    "/beslut/",
    "/konto/2fa/",
    "/konto/email/",
    "/konto/password/change/",
]
OFFICER = [
    "/handlaggning/ombudsansokningar/?status=alla",
    "/handlaggare/inrapporteringar/",
    "/handlaggare/inrapporteringar/at-2024/",
    "/handlaggare/fordelning/",
    "/handlaggare/fordelning/at-2024/",
    "/beslut/",
    "/granskning/",
    "/granskning/korningar/",
    "/granskning/kontroll/",
    "/handlaggare/diarium/",
    "/konto/2fa/",
]


def tour(person, paths: list[str]) -> None:
    for path in paths:
        response = person.goto(path)
        assert response.status == 200, f"{path}: {response.status}"
    person.page.set_viewport_size(PHONE)
    for path in paths:
        person.goto(path)


def test_every_page_of_each_role_at_desktop_and_phone_width(web, open_round_with_reports, officer):
    public = web("allmänheten")
    tour(public, PUBLIC)

    proxy = UserFactory(email="ombud@blekinge.example.se")
    ProxyAppointment.objects.create(region=Region.objects.get(code="10"), user=proxy)
    ombud = web("ombud")
    ombud.login(proxy, PASSWORD)
    tour(ombud, PROXY)

    handlaggare = web("handläggare")
    handlaggare.login(officer, PASSWORD, totp_secret=totp_for(officer))
    tour(handlaggare, OFFICER)

    ombud.axe.assert_clean()


def test_failed_login_is_announced_and_marked(web, transactional_db):
    UserFactory(email="ombud@blekinge.example.se")
    person = web("fel lösenord")
    person.goto("/konto/login/")
    person.page.locator("#id_login").fill("ombud@blekinge.example.se")
    person.page.locator("#id_password").fill("fel-lösenord")
    person.click(person.page.get_by_role("button", name="Logga in").last)
    assert person.path == "/konto/login/"
    alert = person.page.locator("main [role=alert], main [aria-live]")
    expect(alert.first).to_contain_text("lösenord")
    person.axe.assert_clean()


def test_the_error_pages_are_the_apps_own_and_pass_axe(web, transactional_db, settings):
    """Issue 15, item 20: in the embedded demo (DEBUG on) too, never Django's debug page."""
    settings.DEBUG = True
    person = web("vilse")
    for width in (None, PHONE):
        if width:
            person.page.set_viewport_size(width)
        response = person.goto("/finns-inte/")
        assert response.status == 404
        expect(person.page.get_by_role("heading", level=1)).to_have_text("Sidan finns inte")
        expect(person.page.get_by_role("link", name="Till startsidan")).to_be_visible()
    person.axe.assert_clean()
