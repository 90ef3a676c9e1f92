"""The public allocation list (fördelningslista): only decided rounds, ranked, with totals."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from django.test import Client
from django.urls import reverse

from tests.allocation.read_factories import (
    FAST_HASHERS,
    FOUR,
    HALLAND_DEDUCTION,
    NO_QUALIFIER,
    closed_round,
    decide,
    reconsider,
)
from tests.queries import LOGGED_IN

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def decisions(officer, region, other_region):
    return decide(closed_round(FOUR, submitted_by=officer), officer, deductions=HALLAND_DEDUCTION)


def list_url(slug: str = "at-2024") -> str:
    return reverse("allocation_read:public_list", kwargs={"slug": slug})


def table(html: str, table_id: str) -> list[list[str]]:
    """The cells (as plain text) of each row of the table with ``table_id``."""
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        rows.append(
            [" ".join(re.sub(r"<[^>]+>", " ", c).replace(NBSP, " ").split()) for c in cells]
        )
    return rows


def test_anonymous_sees_the_list_of_a_decided_round(client, decisions):
    response = client.get(list_url())
    assert response.status_code == 200
    lists = client.get(reverse("allocation_read:public_lists"))
    assert lists.status_code == 200
    assert list_url() in lists.content.decode()


@pytest.mark.parametrize("role", ["proxy", "other_proxy", "colleague", "officer", "auditor"])
def test_every_role_sees_the_list(client, login, decisions, role, request):
    login(client, request.getfixturevalue(role))
    assert client.get(list_url()).status_code == 200


def test_undecided_round_has_no_public_list(client, officer, region, other_region):
    closed = closed_round(FOUR, submitted_by=officer)
    assert client.get(list_url(closed.slug)).status_code == 404
    assert (
        list_url(closed.slug)
        not in client.get(reverse("allocation_read:public_lists")).content.decode()
    )
    for name in (
        "public_list_csv",
        "public_list_xlsx",
        "public_list_input_csv",
        "public_list_rules",
    ):
        url = reverse(f"allocation_read:{name}", kwargs={"slug": closed.slug})
        assert client.get(url).status_code == 404
    assert client.get(list_url("no-such-round")).status_code == 404


def test_regions_are_ranked_by_total_descending(client, decisions):
    rows = table(client.get(list_url()).content.decode(), "ranking-table")
    body = rows[1:]
    assert [r[1] for r in body] == [
        "Region Gotland",
        "Region Blekinge",
        "Region Jämtland",
        "Region Halland",
    ]
    assert [r[0] for r in body] == ["1", "2", "3", "4"]
    totals = [d.total for d in sorted(decisions.values(), key=lambda d: -d.total)]
    assert [r[4] for r in body] == [f"{t:,} kr".replace(",", " ") for t in totals]


def test_appendix_has_every_column_a_range_mark_and_a_correct_totals_row(client, decisions):
    html = client.get(list_url()).content.decode()
    rows = table(html, "appendix-table")
    header, body, totals = rows[0], rows[1:-1], rows[-1]
    assert header == [
        "Region",
        "Tjänster",
        "Plan",
        "Utökning",
        "Redovisa antal AT-tjänster",
        "Ytterligare utökning",
        "Totalt",
    ]
    by_name = {r[0]: r for r in body}
    assert by_name["Region Blekinge"][1:4] == ["55", "50", "5"]
    assert by_name["Region Gotland"][2] == "60–62 *"  # a range: its mean is used
    assert by_name["Region Jämtland"][2] == "30 (ev. 32) *"
    assert by_name["Region Halland"][1:4] == ["69", "70", "−1"]  # 71 reported, 2 deducted
    assert "Planen anges som ett spann" in html
    assert totals[0] == "Summa"
    assert totals[1] == str(55 + 63 + 69 + 31)
    assert totals[4] == "63 000 000 kr"
    assert totals[5] == "160 000 000 kr"
    assert totals[6] == "223 000 000 kr"
    assert sum(d.total for d in decisions.values()) == 223_000_000


def test_chart_has_data_and_a_text_alternative_without_inline_script(client, decisions):
    html = client.get(list_url()).content.decode()
    canvas = re.search(r"<canvas[^>]*>", html).group(0)
    assert 'role="img"' in canvas
    assert 'aria-describedby="ranking-table-caption ranking-table"' in canvas
    data = json.loads(
        re.search(
            r'<script id="allocation-chart-data" type="application/json">(.*?)</script>', html
        ).group(1)
    )
    assert data["labels"] == [
        "Region Gotland",
        "Region Blekinge",
        "Region Jämtland",
        "Region Halland",
    ]
    assert data["datasets"][0]["data"][0] == decisions["Gotland"].block_amounts()["block1"]
    assert data["datasets"][1]["data"][0] == decisions["Gotland"].block_amounts()["block2"]
    # Every other script is an external file (CSP: no inline script).
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all("src=" in s or 'type="application/json"' in s for s in scripts)
    assert "js/allocation-chart.js" in html


def test_reconsidered_amount_shows_the_decision_in_force(client, decisions, officer):
    old = decisions["Blekinge"]
    reconsider(
        old,
        officer,
        block1=old.block_amounts()["block1"],
        block2=old.block_amounts()["block2"] - 1_000_000,
    )
    html = client.get(list_url()).content.decode()
    ranking = {r[1]: r for r in table(html, "ranking-table")[1:]}
    assert ranking["Region Blekinge †"][4] == "56 006 183 kr"
    assert "ändrats genom omprövning" in html
    totals = table(html, "appendix-table")[-1]
    assert totals[6] == "222 000 000 kr"


def test_no_qualifier_round_shows_block2_as_zero(client, officer, region, other_region):
    decide(closed_round(NO_QUALIFIER, submitted_by=officer), officer)
    totals = table(client.get(list_url()).content.decode(), "appendix-table")[-1]
    assert totals[5] == "0 kr"
    assert totals[6] == "63 000 000 kr"


def test_query_count_does_not_grow_with_regions(client, decisions, django_assert_num_queries):
    with django_assert_num_queries(2):
        # On a miss: 1 the round (decided) with its latest decision's chain hash, 2 the
        # decisions in force with their region and run.
        assert client.get(list_url()).status_code == 200
    with django_assert_num_queries(1):
        # The body is a cached fragment: only the round with its chain hash.
        assert client.get(list_url()).status_code == 200


def test_logged_in_query_count_does_not_grow_with_regions(
    client, login, officer, decisions, django_assert_num_queries
):
    login(client, officer)
    client.get(list_url())
    # LOGGED_IN, then 1 the round with its chain hash; the body is a cached fragment. An
    # officer acts for no region: the menu asks for no memberships.
    with django_assert_num_queries(LOGGED_IN + 1):
        assert client.get(list_url()).status_code == 200


def test_a_new_decision_changes_the_cached_page(
    client, decisions, officer, django_capture_on_commit_callbacks
):
    def blekinge_total() -> str:
        html = Client().get(list_url()).content.decode()
        return {r[1]: r for r in table(html, "ranking-table")[1:]}[
            "Region Blekinge" + " †" * changed
        ][4]

    changed = False
    assert blekinge_total() == blekinge_total() == "57 006 183 kr"  # the second from the cache
    old = decisions["Blekinge"]
    with django_capture_on_commit_callbacks(execute=True):
        reconsider(
            old,
            officer,
            block1=old.block_amounts()["block1"],
            block2=old.block_amounts()["block2"] - 1_000_000,
        )
    changed = True
    assert blekinge_total() == "56 006 183 kr"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.e2e
@pytest.mark.skipif(CHROMIUM is None, reason="needs the system Chromium")
def test_chart_draws_in_a_browser_without_csp_violations(live_server, transactional_db, settings):
    from django.contrib.auth.models import Group
    from playwright.sync_api import sync_playwright

    from regions.roles import OFFICERS_GROUP
    from tests.factories import UserFactory

    officer = UserFactory(email="officer@example.se")
    officer.groups.add(Group.objects.get_or_create(name=OFFICERS_GROUP)[0])
    decide(closed_round(FOUR, submitted_by=officer), officer)
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "console",
            lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(live_server.url + list_url())
        chart = "Chart.getChart(document.getElementById('allocation-chart'))"
        page.wait_for_function(f"() => window.Chart && {chart}")
        labels = page.evaluate(f"() => {chart}.data.labels")
        browser.close()
    assert labels == ["Region Gotland", "Region Blekinge", "Region Jämtland", "Region Halland"]
    assert problems == []


def test_the_allocate_csv_line_names_the_files_as_downloaded(client, decisions):
    html = client.get(list_url()).content.decode()
    names = []
    for view in ("public_list_input_csv", "public_list_rules"):
        response = client.get(reverse(f"allocation_read:{view}", kwargs={"slug": "at-2024"}))
        names.append(re.search(r'filename="?([^";]+)', response["Content-Disposition"])[1])
    assert names == [
        "maskinlasbar-indata-allocate_csv-at-2024.csv",
        "maskinlasbar-modell-allocate_csv-at-2024.json",
    ]
    assert f"allocate_csv {names[0]} --rules {names[1]}" in html
