"""The agency's report pages: rounds, per-round table, CSV export, extensions; query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from audit.models import AuditEvent
from submissions.models import STOCKHOLM, DeadlineExtension, GrantRound, RoundStatus
from submissions.services import deadline_extension_grant
from tests.factories import RegionFactory, UserFactory
from tests.queries import LOGGED_IN
from tests.submissions.factories import BEFORE_DEADLINE, baseline, frozen, round_2024, submitted

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "proxy", "other_proxy", "colleague", "officer", "auditor"]
READ_EXPECTED = {
    "anonymous": 302,
    "proxy": 404,
    "other_proxy": 404,
    "colleague": 404,
    "officer": 200,
    "auditor": 200,
}
EXTEND_EXPECTED = {
    "anonymous": 302,
    "proxy": 404,
    "other_proxy": 404,
    "colleague": 404,
    "officer": 302,
    "auditor": 403,
}


@pytest.fixture
def grant_round(region, other_region):
    grant_round = round_2024()
    baseline(grant_round, region)
    baseline(grant_round, other_region)
    return grant_round


@pytest.fixture
def as_role(request, client, login):
    def _as(role):
        if role != "anonymous":
            login(client, request.getfixturevalue(role))
        return client

    return _as


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "name", ["rounds", "round_reports", "round_reports_csv", "round_reports_xlsx"]
)
def test_officer_pages_answer_each_role(as_role, grant_round, region, name, role):
    submitted(grant_round, region, UserFactory(), filled=71, started=72)
    args = [] if name == "rounds" else [grant_round.slug]
    client = as_role(role)
    response = client.get(reverse(f"submissions:{name}", args=args))
    assert response.status_code == READ_EXPECTED[role]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    if response.status_code in (403, 404):
        # The app's error page (its form tokens are random: no digit test), no report data.
        assert b'data-error="' in response.content
        assert region.short_name.encode() not in response.content


EXTENSION_FORM = {"region": "10", "until_date": "2024-11-08", "reason": "Ombudet sjukskrivet."}


@pytest.mark.parametrize("role", ROLES)
def test_granting_an_extension_answers_each_role(as_role, grant_round, region, role):
    client = as_role(role)
    with frozen(BEFORE_DEADLINE):
        response = client.post(
            reverse("submissions:extension_grant", args=[grant_round.slug]), EXTENSION_FORM
        )
    assert response.status_code == EXTEND_EXPECTED[role]
    assert DeadlineExtension.objects.exists() == (role == "officer")


def test_rounds_list_counts_the_regions_that_applied(
    client, login, grant_round, region, other_region, auditor
):
    submitted(grant_round, region, UserFactory(), number=2)
    Report = grant_round.reports.model
    Report.objects.create(round=grant_round, region=other_region, revision=1)  # a draft only
    login(client, auditor)
    html = client.get(reverse("submissions:rounds")).content.decode()
    assert 'data-label="Regioner som skickat in">1</td>' in html


def test_officer_grants_an_extension_through_the_round_page(
    client, login, grant_round, region, officer
):
    login(client, officer)
    url = reverse("submissions:extension_grant", args=[grant_round.slug])
    with frozen(BEFORE_DEADLINE):
        response = client.post(url, EXTENSION_FORM)
        page = client.get(response["Location"]).content.decode()
    extension = DeadlineExtension.objects.get()
    assert extension.until == dt.datetime(2024, 11, 8, 23, 59, 59, tzinfo=STOCKHOLM)
    assert (extension.region, extension.granted_by) == (region, officer)
    assert "till 8 november 2024 kl. 23:59 av officer@example.se: Ombudet sjukskrivet." in page
    assert AuditEvent.objects.filter(
        action="report.deadline_extended", region_id=region.pk
    ).exists()


def test_the_same_extension_sent_twice_is_granted_once(client, login, grant_round, region, officer):
    login(client, officer)
    url = reverse("submissions:extension_grant", args=[grant_round.slug])
    with frozen(BEFORE_DEADLINE):
        client.post(url, EXTENSION_FORM)
        again = client.post(url, EXTENSION_FORM)
    assert again.status_code == 302
    assert DeadlineExtension.objects.count() == 1
    assert AuditEvent.objects.filter(action="report.deadline_extended").count() == 1


def test_an_invalid_extension_is_shown_with_its_errors(client, login, grant_round, officer):
    login(client, officer)
    url = reverse("submissions:extension_grant", args=[grant_round.slug])
    with frozen(BEFORE_DEADLINE):
        response = client.post(url, {**EXTENSION_FORM, "until_date": "2024-10-30"})
        assert response.status_code == 400
        # The service's refusal stands at the date it concerns, linked from the summary: once.
        html = response.content.decode()
        message = "Den förlängda svarstiden måste vara senare än omgångens sista dag."
        assert html.count(message) == 2  # the summary's link, and the field's own error
        label = response.context["form"]["until_date"].label
        assert f'<a href="#id_until_date">{label}: {message}</a>' in html
        assert response.context["form"].errors["until_date"] == [message]
        assert not response.context["form"].non_field_errors()
        response = client.post(url, {**EXTENSION_FORM, "until_date": "8/11", "reason": ""})
    html = response.content.decode()
    assert "Ange ett datum som ÅÅÅÅ-MM-DD." in html
    assert not DeadlineExtension.objects.exists()


def test_every_regions_row_leads_to_its_report_also_before_it_has_one(
    client, login, grant_round, region, other_region, officer
):
    submitted(grant_round, region, UserFactory(), filled=71, started=72)
    login(client, officer)
    with frozen(BEFORE_DEADLINE):
        html = client.get(reverse("submissions:round_reports", args=[grant_round.slug]))
        html = html.content.decode()
        for code in (region.code, other_region.code):
            url = reverse("submissions:report_edit", args=[grant_round.slug, code])
            assert f'<a href="{url}">' in html
            assert client.get(url).status_code == 200
    assert '<th scope="col">Rapport inskickad</th>' in html


def test_the_table_and_its_csv_show_the_latest_submitted_values(
    client, login, grant_round, region, other_region, officer, proxy
):
    submitted(grant_round, region, proxy, filled=90, started=92, number=2)
    with frozen(BEFORE_DEADLINE):
        deadline_extension_grant(
            grant_round=grant_round,
            region=other_region,
            until=dt.datetime(2024, 11, 8, 23, 59, 59, tzinfo=STOCKHOLM),
            reason="Systembyte, raden har ett kommatecken",
            by=officer,
        )
    login(client, officer)
    page = client.get(
        reverse("submissions:round_reports", args=[grant_round.slug])
    ).content.decode()
    assert "Blekinge" in page and "Gotland" in page
    response = client.get(reverse("submissions:round_reports_csv", args=[grant_round.slug]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="inrapporteringar-at-2024.csv"' in response["Content-Disposition"]
    rows = excel_rows(response.content)
    assert rows[0] == [
        "Länskod",
        "Region",
        "Rapport inskickad",
        "Tillsatta AT-tjänster",
        "Påbörjade AT-tjänster",
        "Tjänster",
        "Senast inskickad",
        "Referens",
        "Versioner",
        "Förlängd svarstid till",
        "Förlängd av",
        "Skäl för förlängd svarstid",
        "Ej inskickade ändringar",
        "Ovanliga uppgifter",
    ]
    assert rows[1] == [
        "10",
        "Region Blekinge",
        "Ja",
        "90",
        "92",
        "92",
        "2024-10-15 10:00",
        f"AT2024-10-{grant_round.pk:02d}02",
        "2",
        "",
        "",
        "",
        "Nej",
        "",
    ]
    assert rows[2] == [
        "09",
        "Region Gotland",
        "Nej",
        "",
        "",
        "",
        "",
        "",
        "0",
        "2024-11-08 23:59",
        "officer@example.se",
        "Systembyte, raden har ett kommatecken",
        "Nej",
        "",
    ]
    assert rows[3] == ["Summa", "", "", "90", "92", "92", "", "", "", "", "", "", "", ""]


def test_the_table_as_excel_has_a_swedish_sheet_a_total_row_and_text_never_a_formula(
    client, login, grant_round, region, other_region, officer, proxy
):
    submitted(grant_round, region, proxy, filled=90, started=92, number=1)
    with frozen(BEFORE_DEADLINE):
        deadline_extension_grant(
            grant_round=grant_round,
            region=other_region,
            until=dt.datetime(2024, 11, 8, 23, 59, 59, tzinfo=STOCKHOLM),
            reason="=1+1",
            by=officer,
        )
    login(client, officer)
    response = client.get(reverse("submissions:round_reports_xlsx", args=[grant_round.slug]))
    assert 'filename="inrapporteringar-at-2024.xlsx"' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Inrapporteringar"]
    header = [c.value for c in sheet[1]]
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    reason = rows["Region Gotland"][header.index("Skäl för förlängd svarstid")]
    assert (reason.value, reason.data_type) == ("=1+1", "s")
    # Stockholm's wall time (Excel has no time zones).
    submitted_at = rows["Region Blekinge"][header.index("Senast inskickad")].value
    assert submitted_at == dt.datetime(2024, 10, 15, 10, 0, tzinfo=STOCKHOLM).replace(tzinfo=None)
    assert rows[None][0].value == "Summa"  # the total row: a label, no region
    assert rows[None][header.index("Tjänster")].value == 92


def excel_rows(content: bytes) -> list[list[str]]:
    """The CSV as Excel in Sweden reads it: UTF-8 with a byte order mark, ';' between fields."""
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize(
    "reason", ["=1+1", "+46 70 123", "-2 tjänster", "@SUM(A1)", "=cmd|' /C calc'!A0"]
)
def test_an_extension_reason_is_never_a_formula_in_the_csv(
    client, login, grant_round, region, officer, reason
):
    with frozen(BEFORE_DEADLINE):
        deadline_extension_grant(
            grant_round=grant_round,
            region=region,
            until=dt.datetime(2024, 11, 8, 23, 59, 59, tzinfo=STOCKHOLM),
            reason=reason,
            by=officer,
        )
    login(client, officer)
    response = client.get(reverse("submissions:round_reports_csv", args=[grant_round.slug]))
    blekinge = next(row for row in excel_rows(response.content) if row[1] == "Region Blekinge")
    assert blekinge[11] == "'" + reason  # the column of the extension's reason


# --- the table a page at a time ------------------------------------------------------------

ROW_NAME = re.compile(r'<tr>\s*<th scope="row"[^>]*>(?:<a [^>]*>)?([^<]+)')


def _many_regions(grant_round, count=60):
    """`count` more regions (codes 20.., "Testlän 00".."Testlän 59"), every fourth applied."""
    for i in range(count):
        other = RegionFactory(code=f"{20 + i}", short_name=f"Testlän {i:02d}")
        if i % 4 == 0:
            submitted(grant_round, other, UserFactory())


def _table_names(response) -> list[str]:
    html = response.content.decode()
    return ROW_NAME.findall(html.split('id="round-reports"', 1)[1].split("</table>", 1)[0])


@pytest.fixture
def big_round(grant_round, region):
    """62 regions: Blekinge (applied), Gotland and 60 test regions (15 applied)."""
    submitted(grant_round, region, UserFactory())
    _many_regions(grant_round)
    return grant_round


def test_the_table_is_paged_by_region_name(client, login, big_round, auditor):
    login(client, auditor)
    url = reverse("submissions:round_reports", args=[big_round.slug])
    by_name = ["Region Blekinge", "Region Gotland"] + [f"Region Testlän {i:02d}" for i in range(60)]
    first, second = client.get(url), client.get(url, {"page": 2})
    assert _table_names(first) == by_name[:50]
    assert _table_names(second) == by_name[50:]
    # The summary counts the whole round on every page, not only the page's rows.
    for response in (first, second):
        assert "16 av 62 regioner har skickat in en inrapportering." in response.content.decode()
    assert "Regionerna 51–62 av 62, i bokstavsordning." in second.content.decode()


def test_the_pager_is_accessible_and_links_each_page(client, login, big_round, auditor):
    login(client, auditor)
    url = reverse("submissions:round_reports", args=[big_round.slug])
    html = client.get(url).content.decode()
    nav = html.split('<nav aria-label="Sidor i tabellen över inrapporteringar">', 1)[1]
    nav = nav.split("</nav>", 1)[0]
    assert '<ul class="pagination' in nav
    current = re.search(r'<li class="page-item active" aria-current="page">(.*?)</li>', nav)
    assert current and "Sida </span>1" in current.group(1)
    assert nav.count('aria-current="page"') == 1
    assert f'href="{url}?page=2#round-reports" rel="next">Nästa</a>' in nav
    second = client.get(url, {"page": 2}).content.decode()
    assert f'href="{url}#round-reports" rel="prev">Föregående</a>' in second


def test_no_pager_when_every_region_fits_on_one_page(client, login, grant_round, auditor):
    login(client, auditor)
    html = client.get(reverse("submissions:round_reports", args=[grant_round.slug]))
    html = html.content.decode()
    assert "pagination" not in html
    assert "0 av 2 regioner har skickat in en inrapportering." in html


@pytest.mark.parametrize(("page", "expected"), [("abc", 1), ("0", 2), ("999", 2), ("", 1)])
def test_a_bad_page_number_shows_the_first_or_last_page(
    client, login, big_round, auditor, page, expected
):
    login(client, auditor)
    response = client.get(
        reverse("submissions:round_reports", args=[big_round.slug]), {"page": page}
    )
    assert response.status_code == 200
    assert response.context["page"].number == expected


def test_the_csv_has_every_region_whatever_the_page(client, login, big_round, auditor):
    login(client, auditor)
    url = reverse("submissions:round_reports_csv", args=[big_round.slug])
    rows = excel_rows(client.get(url, {"page": 2}).content)[:-1]  # without the total row
    assert len(rows) == 1 + 62
    assert [r[1] for r in rows[1:]] == ["Region Blekinge", "Region Gotland"] + [
        f"Region Testlän {i:02d}" for i in range(60)
    ]
    assert sum(r[2] == "Ja" for r in rows[1:]) == 16


def test_an_extension_granted_from_page_two_returns_to_page_two(client, login, big_round, officer):
    login(client, officer)
    page_two = reverse("submissions:round_reports", args=[big_round.slug]) + "?page=2"
    html = client.get(page_two).content.decode()
    form_page = reverse("submissions:extension_grant", args=[big_round.slug])
    # The button leads to the form, and each region's row to the form with its code filled in,
    # both with the table's page to go back to.
    assert f'href="{form_page}?page=2"' in html
    assert f'href="{form_page}?region=75&amp;page=2"' in html  # Testlän 55 (code 20 + 55)
    with frozen(BEFORE_DEADLINE):
        form = client.get(form_page, {"region": "75", "page": "2"})
        assert form.status_code == 200
        # The row's code is shown as the region's name.
        assert re.search(
            r'<input type="text" name="region" value="Region Testlän 55"', form.content.decode()
        )
        for typed in ("99", "x\x00", "9" * 80):  # no such region: nothing filled in, no error
            html = client.get(form_page, {"region": typed}).content.decode()
            assert re.search(r'<input type="text" name="region" autocomplete', html)
            assert "invalid-feedback" not in html
        assert f'href="{page_two}"' in form.content.decode()  # back, and cancel
        response = client.post(
            f"{form_page}?region=75&page=2", {**EXTENSION_FORM, "region": "testlän 55"}
        )
        assert response.status_code == 302
        assert response["Location"] == page_two
        page = client.get(response["Location"])
    assert DeadlineExtension.objects.get().region.short_name == "Testlän 55"
    assert "Svarstiden för Region Testlän 55 är förlängd." in page.content.decode()
    assert _table_names(page)[-5] == "Region Testlän 55"
    assert 'id="current-extension"' not in form.content.decode()  # it had none then
    # The region's row leads to the form again: it says what a new extension would replace.
    with frozen(BEFORE_DEADLINE):
        again = client.get(form_page, {"region": "75"}).content.decode()
        other = client.get(form_page, {"region": "74"}).content.decode()
    current = again.split('id="current-extension">', 1)[1].split("</div>", 1)[0]
    assert current == (
        "Region Testlän 55 har redan förlängd svarstid till 8 november 2024 kl. 23:59 "
        f"(beviljad av {officer.email}: Ombudet sjukskrivet.). En ny förlängning ersätter den."
    )
    assert 'id="current-extension"' not in other


def test_an_invalid_extension_shows_the_form_again_with_the_way_back(
    client, login, big_round, officer
):
    login(client, officer)
    form_page = reverse("submissions:extension_grant", args=[big_round.slug])
    with frozen(BEFORE_DEADLINE):
        response = client.post(f"{form_page}?page=2", {**EXTENSION_FORM, "region": "Atlantis"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert '<a href="#id_region">Region: Det finns ingen region med koden eller namnet' in html
    assert 'value="Atlantis"' in html  # what was typed is kept
    assert "Ombudet sjukskrivet." in html
    table = reverse("submissions:round_reports", args=[big_round.slug])
    assert f'href="{table}?page=2"' in html
    assert not DeadlineExtension.objects.exists()


def test_the_extension_page_is_the_officers(client, login, grant_round, auditor, officer):
    url = reverse("submissions:extension_grant", args=[grant_round.slug])
    login(client, auditor)
    assert client.get(url).status_code == 403
    table = client.get(reverse("submissions:round_reports", args=[grant_round.slug]))
    assert url not in table.content.decode()  # an auditor reads the table, without the links
    login(client, officer)
    assert client.get(url).status_code == 200


def test_a_closed_rounds_deadline_is_not_extended(client, login, grant_round, officer):
    login(client, officer)
    grant_round.status = RoundStatus.CLOSED
    grant_round.save(update_fields=["status"])
    url = reverse("submissions:extension_grant", args=[grant_round.slug])
    html = client.get(url).content.decode()
    assert "Svarstiden kan bara förlängas medan omgången är öppen." in html
    assert '<form method="post"' not in html.split("<main", 1)[-1]
    table = client.get(reverse("submissions:round_reports", args=[grant_round.slug]))
    assert url not in table.content.decode()
    response = client.post(url, EXTENSION_FORM)
    assert response.status_code == 400
    assert not DeadlineExtension.objects.exists()


def test_the_region_is_typed_with_suggestions_while_there_are_few(
    client, login, grant_round, officer, monkeypatch
):
    login(client, officer)
    url = reverse("submissions:extension_grant", args=[grant_round.slug])
    html = client.get(url).content.decode()
    field = re.search(r'<input type="text" name="region"[^>]*>', html).group(0)
    assert 'list="id_region-list"' in field
    assert re.search(r'<label\s+for="id_region"', html)
    assert (
        '<datalist id="id_region-list"><option value="Region Blekinge">10</option>'
        '<option value="Region Gotland">09</option></datalist>'
    ) in html
    monkeypatch.setattr("regions.fields.SUGGESTIONS_MAX", 1)
    html = client.get(url).content.decode()
    assert "<datalist" not in html
    assert "list=" not in re.search(r'<input type="text" name="region"[^>]*>', html).group(0)


# --- query counts -------------------------------------------------------------------------


def _regions_with_reports(grant_round, officer, count):
    for i in range(count):
        other = RegionFactory(code=f"{20 + i}", short_name=f"Testlän {i}")
        baseline(grant_round, other)
        submitted(grant_round, other, UserFactory(), number=2)
        deadline_extension_grant(
            grant_round=grant_round,
            region=other,
            until=dt.datetime(2024, 11, 8, tzinfo=STOCKHOLM),
            reason="x",
            by=officer,
        )


@pytest.mark.parametrize("regions", [3, 12])
@pytest.mark.parametrize("with_totals", [False, True])
def test_dashboard_query_count_does_not_grow_with_regions(
    client,
    login,
    django_assert_num_queries,
    grant_round,
    region,
    proxy,
    officer,
    regions,
    with_totals,
):
    if with_totals:
        model = {**grant_round.model, "totals": {"national_rate": "sum(rate) / count()"}}
        GrantRound.objects.filter(pk=grant_round.pk).update(model=model)
    submitted(grant_round, region, proxy)
    with frozen(BEFORE_DEADLINE):
        _regions_with_reports(grant_round, officer, regions)
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        client.get(reverse("submissions:dashboard"))  # the session renewed at the frozen time
    # LOGGED_IN, then 1 the user's regions with their roles (proxy, colleague;
    # regions.roles.regions_of, shared with the navigation), 2 published rounds, 3 baselines,
    # 4 reports, 5 versions, 6 extensions (no staircase query: the round's budgets and steps
    # are in its model, GrantRound.model, read with the round); the forecast under the round's
    # model: without totals only the region's own numbers count, 7 its deduction; with totals
    # it reads every region's current inputs (allocation.selectors.round_inputs): 7 latest
    # versions, 8 regions, 9 baselines, 10 deductions, 11 overrides.
    expected = LOGGED_IN + (11 if with_totals else 7)
    with frozen(BEFORE_DEADLINE), django_assert_num_queries(expected):
        response = client.get(reverse("submissions:dashboard"))
    assert response.status_code == 200
    assert "Prognos enligt omgångens fördelningsmodell" in response.content.decode()


@pytest.mark.parametrize("regions", [3, 60])
def test_officer_table_query_count_does_not_grow_with_regions(
    client, login, django_assert_num_queries, grant_round, officer, regions
):
    with frozen(BEFORE_DEADLINE):
        _regions_with_reports(grant_round, officer, regions)
    login(client, officer)
    url = reverse("submissions:round_reports", args=[grant_round.slug])
    client.get(url)
    # LOGGED_IN, then 1 the round with how many regions applied and have unsent changes (the
    # whole round), 2 the regions' count (the pager), 3 the page's regions, 4 their reports
    # with each one's latest version, 5 their extensions with who granted them, 6 their
    # baselines, 7 their earlier rounds' versions (the unusual figures' check). The extension
    # form is a page of its own; agency staff act for no region: the navigation asks for no
    # memberships. 60 regions: two pages, the same queries.
    for page in (1, 2):
        with django_assert_num_queries(LOGGED_IN + 7):
            response = client.get(url, {"page": page})
        assert response.status_code == 200
    assert response.context["page"].number == (2 if regions > 48 else 1)
    # The CSV, every region: LOGGED_IN, then round, all regions, reports with their latest
    # versions, extensions, baselines, earlier rounds' versions.
    with django_assert_num_queries(LOGGED_IN + 6):
        response = client.get(reverse("submissions:round_reports_csv", args=[grant_round.slug]))
    assert response.content.decode().count("\n") == 1 + 2 + regions + 1  # header, total
