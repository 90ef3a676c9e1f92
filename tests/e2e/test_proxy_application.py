"""Journey 1: a person applies to be a region's proxy; the officer asks for completion, then
approves. Everything through the pages; only the starting data (regions, the officer) is
made with the ORM."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.management import call_command

from regions.models import ApplicationStatus, ProxyApplication, ProxyAppointment
from tests.e2e.support import tiny_pdf, totp_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Blekinge-ombud-2024!"


@pytest.fixture
def regions_loaded(transactional_db):
    call_command("load_round_2024", verbosity=0)


def test_apply_complete_and_approve(web, regions_loaded, officer, tmp_path):
    first_pdf = tmp_path / "fullmakt.pdf"
    first_pdf.write_bytes(tiny_pdf("Fullmakt"))
    second_pdf = tmp_path / "delegationsbeslut.pdf"
    second_pdf.write_bytes(tiny_pdf("Delegationsbeslut"))

    # A new person creates an account...
    sam = web("sökande")
    sam.goto("/konto/login/")
    sam.click("Skapa ett konto")
    sam.page.locator("#id_email").fill("sam.sokande@blekinge.example.se")
    sam.page.locator("#id_password1").fill(NEW_PASSWORD)
    sam.page.locator("#id_password2").fill(NEW_PASSWORD)
    sam.click(sam.page.locator("main form button[type=submit]"))
    assert "/konto/signup/" not in sam.path, sam.page.locator("main").inner_text()
    # ...confirms the address with the link in the e-mail (locmem: the live server shares this
    # process), and logs in.
    confirmation = next(m for m in mail.outbox if "sam.sokande@blekinge.example.se" in m.to)
    link = re.search(r"https?://\S+(/konto/confirm-email/\S+)", confirmation.body).group(1)
    sam.goto(link)
    sam.click(sam.page.locator("main form button[type=submit]"))
    sam.goto("/konto/login/")
    sam.page.locator("#id_login").fill("sam.sokande@blekinge.example.se")
    sam.page.locator("#id_password").fill(NEW_PASSWORD)
    sam.click(sam.page.locator("main form button[type=submit]").first)
    assert "/konto/login" not in sam.path, sam.page.locator("main").inner_text()

    # ...and applies to be Blekinge's proxy with a power of attorney.
    sam.goto("/ombud/ansok/")
    assert sam.h1() == "Ansök om att bli ombud för en region"
    sam.field("Region").select_option(label="Region Blekinge")
    sam.fill("Ditt namn", "Sam Sökande")
    sam.fill("Din roll eller befattning i regionen", "Hälso- och sjukvårdsdirektör")
    sam.fill("Telefon", "0455-73 50 00")
    sam.page.locator("input[name=basis]").first.check()
    sam.field("Fullmakt eller delegationsbeslut").set_input_files(str(first_pdf))
    sam.click("Skicka ansökan")
    application = ProxyApplication.objects.get(applicant__email="sam.sokande@blekinge.example.se")
    assert application.status == ApplicationStatus.SUBMITTED
    assert sam.path == f"/ombud/mina-ansokningar/{application.pk}/"
    sam.expect_text("fullmakt.pdf")

    # The officer logs in with the second factor and asks for a completion.
    handlaggare = web("handläggare")
    handlaggare.login(officer, PASSWORD, totp_secret=totp_for(officer))
    handlaggare.goto("/handlaggning/ombudsansokningar/")
    handlaggare.click(handlaggare.page.get_by_role("link", name="Sam Sökande"))
    handlaggare.fill("Vad ska kompletteras?", "Fullmakten saknar underskrift. Bifoga beslutet.")
    handlaggare.click("Skicka begäran")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETION_REQUESTED

    # The applicant sees the request, adds a document and resubmits.
    sam.goto(f"/ombud/mina-ansokningar/{application.pk}/")
    sam.expect_text("Fullmakten saknar underskrift")
    sam.field("Ny eller kompletterad fullmakt").set_input_files(str(second_pdf))
    sam.fill("Meddelande till handläggaren (frivilligt)", "Här är delegationsbeslutet.")
    sam.click("Skicka kompletteringen")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    sam.expect_text("delegationsbeslut.pdf")

    # The officer approves; Sam is Blekinge's proxy.
    handlaggare.goto(f"/handlaggning/ombudsansokningar/{application.pk}/")
    handlaggare.expect_text("delegationsbeslut.pdf")
    handlaggare.click("Bevilja ansökan")
    handlaggare.reauthenticate_if_asked(PASSWORD)
    if "/bevilja/" in handlaggare.path:  # a confirmation page
        handlaggare.click("Bevilja ansökan")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert ProxyAppointment.objects.get(region__short_name="Blekinge", ended_at=None).user == (
        application.applicant
    )
    sam.goto(f"/ombud/mina-ansokningar/{application.pk}/")
    sam.expect_text("Du är ombud för Region Blekinge")

    sam.axe.assert_clean()


def age_session(person, seconds: int) -> None:
    """Move the browser session's recorded authentications `seconds` into the past."""
    from importlib import import_module

    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
    from django.conf import settings

    cookie = next(
        c for c in person.page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    )
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=cookie["value"])
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:
        record["at"] -= seconds
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()


def test_approval_after_an_old_login_asks_for_the_password_and_resumes(
    web, regions_loaded, officer
):
    from tests.regions.factories import ProxyApplicationFactory

    application = ProxyApplicationFactory(region__code="10", full_name="Sam Sökande")
    handlaggare = web("handläggare")
    handlaggare.login(officer, PASSWORD, totp_secret=totp_for(officer))
    handlaggare.goto(f"/handlaggning/ombudsansokningar/{application.pk}/")
    age_session(handlaggare, 16 * 60)

    handlaggare.click("Bevilja ansökan")
    assert "reauthenticate" in handlaggare.path, handlaggare.path
    assert handlaggare.h1() == "Bekräfta att det är du"
    handlaggare.page.locator("#id_password").fill(PASSWORD)
    handlaggare.click(handlaggare.page.locator("main form button[type=submit]").first)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    handlaggare.axe.assert_clean()
