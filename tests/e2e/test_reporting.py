"""Journeys 2-4: a colleague invited by e-mail drafts the report; the proxy submits and gets
the receipt, as does a second region's proxy; after the deadline a change is refused. Also:
the report form by keyboard alone, its errors announced and linked to the fields."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from regions.models import Colleague, ProxyAppointment, Region
from submissions.models import STOCKHOLM, GrantRound, Report, ReportVersion
from tests.e2e.support import DESKTOP, PHONE, words_broken_inside
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.e2e

REPORT = "/inrapportering/at-2024/{code}/"


def appoint(short_name: str, email: str):  # noqa: ANN201
    user = UserFactory(email=email)
    ProxyAppointment.objects.create(region=Region.objects.get(short_name=short_name), user=user)
    return user


def test_proxy_invites_colleague_who_saves_a_draft(web, open_round):
    proxy = appoint("Blekinge", "ombud@blekinge.example.se")
    ombud = web("ombud")
    ombud.login(proxy, PASSWORD)
    ombud.click("Kollegor")
    ombud.fill("Kollegans e-postadress", "kim.kollega@blekinge.example.se")
    ombud.click("Skicka inbjudan")
    ombud.expect_text("En inbjudan skickas till kim.kollega@blekinge.example.se med e-post.")

    # The invitation arrives by e-mail (locmem: the live server shares this process).
    invitation = next(m for m in mail.outbox if "kim.kollega@blekinge.example.se" in m.to)
    link = re.search(r"https?://\S+/inbjudan/\S+/", invitation.body).group(0)
    path = "/" + link.split("/", 3)[3]

    # Kim opens the link, creates an account, comes back and accepts.
    kim = web("kollega")
    kim.goto(path)
    assert "/konto/login/" in kim.path
    kim.click("Skapa ett konto")
    kim.page.locator("#id_email").fill("kim.kollega@blekinge.example.se")
    kim.page.locator("#id_password1").fill("Kollega-i-Blekinge-1")
    kim.page.locator("#id_password2").fill("Kollega-i-Blekinge-1")
    kim.click(kim.page.locator("main form button[type=submit]"))
    if not kim.path.startswith("/inbjudan/"):
        kim.goto(path)
    kim.click("Ta emot inbjudan")
    kim.expect_text("Du är nu kollega för Region Blekinge")
    assert Colleague.objects.filter(
        region__short_name="Blekinge", user__email="kim.kollega@blekinge.example.se"
    ).exists()

    # Kim drafts the report: can save, cannot submit.
    kim.click("Min region")
    kim.click("Öppna rapporten")
    expect(kim.page.get_by_role("button", name="Granska och skicka in")).to_have_count(0)
    kim.fill("Tillsatta AT-tjänster under året", "17")
    kim.fill("Påbörjade AT-tjänster under året", "18")
    kim.fill("Kontaktperson", "Kim Kollega")
    kim.fill("Kontaktpersonens e-post", "kim.kollega@blekinge.example.se")
    kim.click("Spara utkast")
    kim.expect_text("Utkastet är sparat. Det är inte inskickat.")
    report = Report.objects.get(round=open_round, region__short_name="Blekinge")
    assert (report.filled_posts, report.started_posts) == (17, 18)
    assert not report.versions.exists()

    kim.axe.assert_clean()


def test_two_proxies_submit_and_get_receipts(web, open_round):
    blekinge = appoint("Blekinge", "ombud@blekinge.example.se")
    gotland = appoint("Gotland", "ombud@gotland.example.se")

    ombud = web("ombud Blekinge")
    ombud.login(blekinge, PASSWORD)
    ombud.click("Min region")
    ombud.shot("region-dashboard")
    ombud.click("Öppna rapporten")
    ombud.fill("Tillsatta AT-tjänster under året", "21")
    ombud.fill("Påbörjade AT-tjänster under året", "22")
    ombud.fill("Kontaktperson", "Alex Ombud")
    ombud.fill("Kontaktpersonens e-post", "ombud@blekinge.example.se")
    ombud.fill("Kontaktpersonens telefon", "0455-73 50 00")
    ombud.shot("report-form")
    ombud.click("Granska och skicka in")
    assert ombud.h1() == "Bekräfta inskickning"
    ombud.expect_text("22")
    ombud.click("Skicka in")
    assert ombud.h1() == "Kvittens på inrapportering"
    version = ReportVersion.objects.get(report__region__short_name="Blekinge")
    ombud.expect_text(version.reference)
    ombud.expect_text("Alex Ombud")
    ombud.shot("receipt")
    assert any(version.reference in m.body for m in mail.outbox if blekinge.email in m.to)
    with ombud.page.expect_download() as download:
        ombud.page.get_by_role("link", name="Ladda ner kvittensen (PDF)").click()
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"

    other = web("ombud Gotland")
    other.login(gotland, PASSWORD)
    other.goto(REPORT.format(code=Region.objects.get(short_name="Gotland").code))
    other.fill("Påbörjade AT-tjänster under året", "9")
    other.fill("Kontaktperson", "Robin Gotland")
    other.fill("Kontaktpersonens e-post", "ombud@gotland.example.se")
    other.click("Granska och skicka in")
    other.click("Skicka in")
    assert other.h1() == "Kvittens på inrapportering"
    assert ReportVersion.objects.filter(report__round=open_round).count() == 2
    # The forecast's block table on a phone: stacked, its words wrap at spaces, never inside
    # ("Redovi|sa antal AT-tjänst|er", "J|a"), on the dashboard and the report form.
    other.page.set_viewport_size(PHONE)
    for path in ("/min-region/", REPORT.format(code=Region.objects.get(short_name="Gotland").code)):
        other.goto(path)
        blocks = other.page.locator("main tr[data-block]")
        assert blocks.count(), f"{path}: no forecast blocks"
        broken = words_broken_inside(other.page, "main tr[data-block] > *")
        assert not broken, f"{path} at 390 px: words broken inside: {broken}"
        scroll = other.page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll <= PHONE["width"], f"{path}: the page is {scroll} px wide"
    other.page.set_viewport_size(DESKTOP)

    ombud.axe.assert_clean()


def test_change_after_the_deadline_is_refused(web, open_round):
    proxy = appoint("Blekinge", "ombud@blekinge.example.se")
    ombud = web("ombud")
    ombud.login(proxy, PASSWORD)
    ombud.goto(REPORT.format(code="10"))
    ombud.fill("Tillsatta AT-tjänster under året", "30")

    # The deadline passes while the form is open.
    deadline = dt.datetime.now(tz=STOCKHOLM).replace(microsecond=0) - dt.timedelta(minutes=5)
    GrantRound.objects.filter(pk=open_round.pk).update(deadline=deadline)

    ombud.click("Spara utkast")
    alert = ombud.page.locator(".messages")
    expect(alert).to_contain_text("Sista dag för inrapportering har passerat")
    expect(alert).to_contain_text("Uppgifterna har inte sparats")
    assert not Report.objects.filter(round=open_round, region__code="10", filled_posts=30).exists()
    expect(ombud.page.get_by_role("button", name="Spara utkast")).to_have_count(0)

    ombud.axe.assert_clean()


def test_report_form_by_keyboard_with_errors_linked_to_fields(web, open_round):
    proxy = appoint("Blekinge", "ombud@blekinge.example.se")
    ombud = web("ombud")
    ombud.login(proxy, PASSWORD)
    page = ombud.page
    ombud.goto(REPORT.format(code="10"))
    assert page.locator("html").get_attribute("lang") == "sv"

    # The first Tab reaches the skip link, which becomes visible; Enter moves to the content.
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Hoppa till innehållet")
    box = skip.bounding_box()
    assert box and box["width"] > 10 and box["height"] > 10, "the skip link is not shown on focus"
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()

    # Tab on to the first field; its focus is visible (an outline, not only the browser's).
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "id_filled_posts":
            break
    field = page.locator("#id_filled_posts")
    expect(field).to_be_focused()
    outline = field.evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline[0] != "none" and float(outline[1].removesuffix("px")) >= 2, outline

    # Bad input by keyboard: a negative number and a broken address; Enter submits.
    page.keyboard.type("-3")
    while page.evaluate("() => document.activeElement.id") != "id_contact_email":
        page.keyboard.press("Tab")
    page.keyboard.type("inte-en-adress")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "id_contact_phone"
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter in a text field submits with the first button
    ombud.check()

    # The errors are announced and each is tied to its field.
    for field_id, text in (
        ("id_filled_posts", "Antalet kan inte vara negativt."),
        ("id_contact_email", "Ange en giltig e-postadress"),
    ):
        field = page.locator(f"#{field_id}")
        expect(field).to_have_attribute("aria-invalid", "true")
        described = (field.get_attribute("aria-describedby") or "").split()
        texts = [page.locator(f"#{ident}").inner_text() for ident in described]
        assert any(text in t for t in texts), (field_id, described, texts)
    summary = page.locator("main [role=alert]")
    expect(summary).to_contain_text("Rapporten har fel som behöver rättas")
    email_error = summary.get_by_role("link", name=re.compile("Kontaktpersonens e-post"))
    expect(email_error).to_have_attribute("href", "#id_contact_email")
    assert (
        not Report.objects.filter(round=open_round, region__code="10").exclude(revision=0).exists()
    )

    ombud.axe.assert_clean()
