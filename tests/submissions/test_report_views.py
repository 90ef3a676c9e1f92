"""The region's pages and receipts: every URL against every role, and the flows."""

from __future__ import annotations

import io

import pypdf
import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from submissions.models import Report, ReportVersion
from tests.allocation.factories import eager_celery  # noqa: F401 - a fixture
from tests.factories import UserFactory
from tests.submissions.factories import (
    BEFORE_DEADLINE,
    LAST_SECOND,
    NEXT_DAY,
    baseline,
    frozen,
    round_2024,
    submitted,
)

# The receipt is a Celery task: in-process here, whatever ran before (on Redis, CI's
# second run, these failed when run alone: no worker, no e-mail).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

ROLES = ["anonymous", "proxy", "other_proxy", "colleague", "officer", "auditor"]

FORM = {
    "filled_posts": "90",
    "started_posts": "93",
    "contact_name": "Kim Kontakt",
    "contact_email": "kim@blekinge.example.se",
    "contact_phone": "0455-123 45",
    "comment": "Enligt HR-systemet.",
}


@pytest.fixture
def grant_round(region, other_region):
    grant_round = round_2024()
    baseline(grant_round, region, plan="84-89", low="84", high="89")
    baseline(grant_round, other_region, plan="20", low="20", high="20")
    return grant_round


@pytest.fixture
def as_role(request, client, login):
    """`as_role(name)`: the test client logged in as that role (or anonymous)."""

    def _as(role):
        if role != "anonymous":
            login(client, request.getfixturevalue(role))
        return client

    return _as


def edit_url(grant_round, region):
    return reverse("submissions:report_edit", args=[grant_round.slug, region.code])


def submit_url(grant_round, region):
    return reverse("submissions:report_submit", args=[grant_round.slug, region.code])


def assert_status(response, expected):
    assert response.status_code == expected, response.content[:500]
    if expected == 302 and "/konto/login/" in response.get("Location", ""):
        return
    if expected in (404, 403):
        assert b"Kim Kontakt" not in response.content


# --- every URL, every role ------------------------------------------------------------------

GET_EXPECTED = {
    "dashboard": {
        "anonymous": 302,
        "proxy": 200,
        "other_proxy": 200,
        "colleague": 200,
        "officer": 200,
        "auditor": 200,
    },
    "report_edit": {
        "anonymous": 302,
        "proxy": 200,
        "other_proxy": 404,
        "colleague": 200,
        "officer": 200,
        "auditor": 200,
    },
    "receipt": {
        "anonymous": 302,
        "proxy": 200,
        "other_proxy": 404,
        "colleague": 200,
        "officer": 200,
        "auditor": 200,
    },
    "receipt_pdf": {
        "anonymous": 302,
        "proxy": 200,
        "other_proxy": 404,
        "colleague": 200,
        "officer": 200,
        "auditor": 200,
    },
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(GET_EXPECTED))
def test_region_pages_answer_each_role(as_role, grant_round, region, name, role):
    submitted(grant_round, region, UserFactory())
    args = {
        "dashboard": [],
        "report_edit": [grant_round.slug, region.code],
        "receipt": [grant_round.slug, region.code, 1],
        "receipt_pdf": [grant_round.slug, region.code, 1],
    }[name]
    client = as_role(role)
    with frozen(BEFORE_DEADLINE):
        response = client.get(reverse(f"submissions:{name}", args=args))
    assert_status(response, GET_EXPECTED[name][role])
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


SAVE_EXPECTED = {
    "anonymous": 302,
    "proxy": 302,
    "other_proxy": 404,
    "colleague": 302,
    "officer": 403,
    "auditor": 403,
}
SUBMIT_EXPECTED = {
    "anonymous": 302,
    "proxy": 302,
    "other_proxy": 404,
    "colleague": 403,
    "officer": 403,
    "auditor": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_saving_a_draft_answers_each_role(as_role, grant_round, region, role):
    client = as_role(role)
    with frozen(BEFORE_DEADLINE):
        response = client.post(
            edit_url(grant_round, region), {**FORM, "revision": "0", "action": "save"}
        )
    assert_status(response, SAVE_EXPECTED[role])
    saved = Report.objects.filter(region=region, filled_posts=90).exists()
    assert saved == (role in ("proxy", "colleague"))
    if saved:
        assert response["Location"] == edit_url(grant_round, region)


@pytest.mark.parametrize("role", ROLES)
def test_submitting_answers_each_role(as_role, grant_round, region, role):
    client = as_role(role)
    with frozen(BEFORE_DEADLINE):
        response = client.post(submit_url(grant_round, region), {**FORM, "revision": "0"})
    assert_status(response, SUBMIT_EXPECTED[role])
    assert ReportVersion.objects.exists() == (role == "proxy")


@pytest.mark.parametrize("role", ROLES)
def test_the_review_step_is_for_the_proxy(as_role, grant_round, region, role):
    client = as_role(role)
    with frozen(BEFORE_DEADLINE):
        response = client.post(
            edit_url(grant_round, region), {**FORM, "revision": "0", "action": "review"}
        )
    expected = {
        "anonymous": 302,
        "proxy": 200,
        "other_proxy": 404,
        "colleague": 403,
        "officer": 403,
        "auditor": 403,
    }
    assert_status(response, expected[role])
    assert not Report.objects.exists()  # reviewing writes nothing


def test_another_regions_receipt_is_not_found_even_for_its_number(
    client, login, grant_round, region, other_region, proxy
):
    submitted(grant_round, other_region, UserFactory())
    login(client, proxy)
    url = reverse("submissions:receipt", args=[grant_round.slug, other_region.code, 1])
    assert client.get(url).status_code == 404
    # The own region has no version 1: also 404.
    assert (
        client.get(
            reverse("submissions:receipt", args=[grant_round.slug, region.code, 1])
        ).status_code
        == 404
    )


def test_a_draft_round_is_hidden_from_regions(client, login, region, proxy, officer):
    grant_round = round_2024(slug="utkast", draft=True)
    login(client, proxy)
    assert client.get(edit_url(grant_round, region)).status_code == 404
    login(client, officer)
    assert client.get(edit_url(grant_round, region)).status_code == 200


# --- the dashboard --------------------------------------------------------------------------


def test_dashboard_shows_deadline_plan_state_and_forecast(
    client, login, grant_round, region, proxy
):
    submitted(grant_round, region, proxy, filled=90, started=92)
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        html = client.get(reverse("submissions:dashboard")).content.decode()
    assert "1 november 2024 kl. 23:59" in html
    assert 'data-deadline="2024-11-01T22:59:59+00:00"' in html
    # 15 October 10:00 CEST (08:00 UTC) to 1 November 23:59:59 CET (22:59:59 UTC): real time left
    assert "17 d 14 tim 59 min kvar" in html
    assert "84–89 (räknas som 86,5)" in html
    assert "Inskickad, version 1, 15 oktober 2024 kl. 10:00" in html
    assert "5,5" in html  # increase 92 - 86.5
    assert "7\u00a0500\u00a0000\u00a0kr" in html  # the step of 5
    assert "2 tjänster till" in html  # 94 - 86.5 = 7.5 >= 7
    assert "Gotland" not in html  # never another region


def test_dashboard_of_a_user_without_region_says_how_to_become_proxy(client, login, grant_round):
    login(client, UserFactory())
    response = client.get(reverse("submissions:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "inte kopplat till någon region" in html
    assert f'href="{reverse("regions:apply")}"' in html


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_agency_staff_are_not_offered_to_become_a_proxy(client, login, grant_round, role, request):
    """Agency staff act for no region: the service would refuse their application."""
    login(client, request.getfixturevalue(role))
    html = client.get(reverse("submissions:dashboard")).content.decode()
    assert f'href="{reverse("regions:apply")}"' not in html
    assert "företräder ingen region" in html
    assert f'href="{reverse("submissions:rounds")}"' in html


def test_dashboard_lists_past_rounds(client, login, region, proxy):
    old = round_2024(slug="at-2023", closed=True)
    submitted(old, region, proxy)
    login(client, proxy)
    html = client.get(reverse("submissions:dashboard")).content.decode()
    assert "Stängda omgångar – beslut väntas" in html
    assert "Låst – inskickad version 1" in html
    assert 'data-label="Status">Stängd</td>' in html  # the round's status
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("submissions:dashboard")).content.decode()
    assert 'data-label="Status">Closed</td>' in english


def test_dashboard_shows_past_rounds_with_their_current_status(client, login, region, proxy):
    from submissions.models import GrantRound, RoundStatus

    old = round_2024(slug="at-2023", closed=True)
    submitted(old, region, proxy)
    login(client, proxy)
    url = reverse("submissions:dashboard")
    first = client.get(url).content.decode()
    assert 'data-label="Status">Stängd</td>' in first and "Låst – inskickad version 1" in first
    # A round that moves on (allocated, decided) shows so on the next request.
    GrantRound.objects.filter(pk=old.pk).update(status=RoundStatus.DECIDED)
    second = client.get(url).content.decode()
    assert "Beslutade omgångar" in second and 'data-label="Status">Stängd</td>' not in second
    assert "Stängda omgångar" not in second
    assert "Låst – inskickad version 1" in second


def test_dashboard_links_the_account_pages_with_two_factor_first(client, login, region, proxy):
    login(client, proxy)
    html = client.get(reverse("submissions:dashboard")).content.decode()
    account = html[html.index('id="account-heading"') :]
    links = [reverse("mfa_index"), reverse("account_email"), reverse("account_change_password")]
    positions = [account.index(f'href="{link}"') for link in links]
    assert positions == sorted(positions)
    assert "tvåstegsverifiering" in account
    assert client.get(links[0]).status_code == 200  # the proxy may open it


# --- draft, review, confirm, receipt -------------------------------------------------------


def test_colleague_saves_a_draft_and_the_proxy_submits_it_through_the_confirmation(
    client, login, grant_round, region, colleague, proxy, django_capture_on_commit_callbacks
):
    login(client, colleague)
    with frozen(BEFORE_DEADLINE):
        response = client.post(
            edit_url(grant_round, region), {**FORM, "revision": "0", "action": "save"}
        )
        assert response.status_code == 302
        page = client.get(edit_url(grant_round, region)).content.decode()
    assert "Utkast sparat, inte inskickat" in page
    assert 'value="review"' not in page  # no submit button for a colleague

    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        page = client.get(edit_url(grant_round, region)).content.decode()
        assert 'name="revision" value="1"' in page
        confirm = client.post(
            edit_url(grant_round, region), {**FORM, "revision": "1", "action": "review"}
        )
        html = confirm.content.decode()
        assert "Bekräfta inskickning" in html
        assert "Kim Kontakt" in html and ">93<" in html
        assert not ReportVersion.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):  # the receipt task
            response = client.post(submit_url(grant_round, region), {**FORM, "revision": "1"})
        receipt = client.get(response["Location"]).content.decode()
    version = ReportVersion.objects.get()
    assert response["Location"] == reverse(
        "submissions:receipt", args=[grant_round.slug, region.code, 1]
    )
    assert (version.reference, version.filled_posts, version.started_posts) == (
        "AT2024-10-0001",
        90,
        93,
    )
    [message] = mail.outbox
    assert message.to == [proxy.email, "kim@blekinge.example.se"]
    for text in ("AT2024-10-0001", "15 oktober 2024 kl. 10:00", proxy.email, ">90<", ">93<"):
        assert text in receipt
    # The receipt is queued for a worker: the message says it is on its way, not that it left.
    assert "Kvittensen skickas till dig med e-post." in receipt


def test_resubmission_gives_version_2_and_the_page_lists_both(
    client, login, grant_round, region, proxy
):
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        client.post(submit_url(grant_round, region), {**FORM, "revision": "0"})
        client.post(
            submit_url(grant_round, region), {**FORM, "filled_posts": "95", "revision": "1"}
        )
        html = client.get(edit_url(grant_round, region)).content.decode()
    assert list(ReportVersion.objects.order_by("number").values_list("number", "filled_posts")) == [
        (1, 90),
        (2, 95),
    ]
    assert "AT2024-10-0001" in html and "AT2024-10-0002" in html
    assert "Inskickad, version 2" in html


def test_receipt_pdf_holds_the_reference_and_values(
    client, login, grant_round, region, proxy, auditor
):
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        client.post(submit_url(grant_round, region), {**FORM, "revision": "0"})
    login(client, auditor)
    response = client.get(
        reverse("submissions:receipt_pdf", args=[grant_round.slug, region.code, 1])
    )
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="kvittens-AT2024-10-0001.pdf"' in response["Content-Disposition"]
    text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    for expected in (
        "AT2024-10-0001",
        "Region Blekinge",
        "90",
        "93",
        "15 oktober 2024 kl. 10:00",
        proxy.email,
    ):
        assert expected in text


def test_a_receipt_says_until_when_the_report_may_be_changed(
    client,
    login,
    grant_round,
    region,
    proxy,
    officer,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    """The deadline in force when the version was sent in: the round's, or the region's
    extension granted by then. The PDF reads the same when downloaded again after a later
    extension; the receipt page, a screen, says what holds now."""
    import datetime as dt

    from submissions.services import deadline_extension_grant

    login(client, proxy)
    with frozen(BEFORE_DEADLINE), django_capture_on_commit_callbacks(execute=True):
        client.post(submit_url(grant_round, region), {**FORM, "revision": "0"})
    sentence = "Rapporten kan ändras och skickas in igen fram till {}."
    [receipt] = mailoutbox
    assert sentence.format("1 november 2024 kl. 23:59") in receipt.body
    pdf_url = reverse("submissions:receipt_pdf", args=[grant_round.slug, region.code, 1])
    page_url = reverse("submissions:receipt", args=[grant_round.slug, region.code, 1])

    def pdf_text() -> str:
        content = client.get(pdf_url).content
        reader = pypdf.PdfReader(io.BytesIO(content))
        return " ".join(" ".join(p.extract_text() for p in reader.pages).split())

    first = pdf_text()
    assert sentence.format("1 november 2024 kl. 23:59") in first
    with frozen(BEFORE_DEADLINE + dt.timedelta(days=1)):
        deadline_extension_grant(
            grant_round=grant_round,
            region=region,
            until=NEXT_DAY + dt.timedelta(days=6, hours=23, minutes=59),
            reason="Ombudet sjukskrivet.",
            by=officer,
        )
        page = client.get(page_url).content.decode()
    assert pdf_text() == first
    assert sentence.format("8 november 2024 kl. 23:59") in " ".join(page.split())


def test_form_errors_are_clear_and_in_swedish(client, login, grant_round, region, proxy):
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        response = client.post(
            edit_url(grant_round, region),
            {
                **FORM,
                "filled_posts": "5001",
                "started_posts": "2,5",
                "revision": "0",
                "action": "save",
            },
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "Antalet kan inte vara större än 5000." in html
        assert "Ange ett heltal" in html
        response = client.post(
            edit_url(grant_round, region),
            {**FORM, "filled_posts": "", "started_posts": "", "revision": "0", "action": "review"},
        )
    assert (
        "Ange tillsatta eller påbörjade AT-tjänster (minst ett av dem)."
        in response.content.decode()
    )
    assert not Report.objects.exists()


# --- concurrent edits and the deadline through the pages -----------------------------------


def test_second_save_from_a_stale_form_is_refused_and_keeps_the_input(
    client, login, grant_round, region, proxy, colleague
):
    login(client, colleague)
    with frozen(BEFORE_DEADLINE):
        client.post(edit_url(grant_round, region), {**FORM, "revision": "0", "action": "save"})
        # Both open the form at revision 1; the colleague saves first.
        client.post(
            edit_url(grant_round, region),
            {**FORM, "filled_posts": "100", "revision": "1", "action": "save"},
        )
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        response = client.post(
            submit_url(grant_round, region),
            {**FORM, "filled_posts": "77", "comment": "Mina egna siffror", "revision": "1"},
        )
    html = response.content.decode()
    assert response.status_code == 409
    assert (
        "Rapporten har ändrats av kollega@blekinge.example.se kl. 10:00 sedan du öppnade den."
        in html
    )
    assert 'value="77"' in html and "Mina egna siffror" in html  # the user's input, kept
    assert 'name="revision" value="2"' in html  # a new save is a deliberate overwrite
    report = Report.objects.get()
    assert (report.filled_posts, report.revision) == (100, 2)
    assert not ReportVersion.objects.exists()


def test_the_review_step_also_notices_a_stale_form(
    client, login, grant_round, region, proxy, colleague
):
    login(client, colleague)
    with frozen(BEFORE_DEADLINE):
        client.post(edit_url(grant_round, region), {**FORM, "revision": "0", "action": "save"})
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        response = client.post(
            edit_url(grant_round, region),
            {**FORM, "filled_posts": "77", "revision": "0", "action": "review"},
        )
    assert "Rapporten har ändrats av" in response.content.decode()
    assert "Bekräfta inskickning" not in response.content.decode()


def test_submission_at_the_last_second_is_accepted_and_at_midnight_refused(
    client, login, grant_round, region, proxy
):
    login(client, proxy)
    with frozen(LAST_SECOND):
        assert (
            client.post(submit_url(grant_round, region), {**FORM, "revision": "0"}).status_code
            == 302
        )
    with frozen(NEXT_DAY):
        response = client.post(
            submit_url(grant_round, region), {**FORM, "filled_posts": "1", "revision": "1"}
        )
        page = client.get(edit_url(grant_round, region)).content.decode()
    assert response.status_code == 200
    assert "Sista dag för inrapportering har passerat" in response.content.decode()
    assert ReportVersion.objects.count() == 1
    assert Report.objects.get().filled_posts == 90
    assert 'name="action"' not in page  # no form after the deadline
    assert "Dina uppgifter, som inte sparades" in response.content.decode()  # the input, on screen
    assert "Låst – inskickad version 1" in page
