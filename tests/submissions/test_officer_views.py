"""The agency's report pages: rounds, per-round table, CSV export, extensions; query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from submissions.models import STOCKHOLM, DeadlineExtension
from submissions.services import deadline_extension_grant
from tests.factories import RegionFactory, UserFactory
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
@pytest.mark.parametrize("name", ["rounds", "round_reports", "round_reports_csv"])
def test_officer_pages_answer_each_role(as_role, grant_round, region, name, role):
    submitted(grant_round, region, UserFactory(), filled=71, started=72)
    args = [] if name == "rounds" else [grant_round.slug]
    client = as_role(role)
    response = client.get(reverse(f"submissions:{name}", args=args))
    assert response.status_code == READ_EXPECTED[role]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    if response.status_code != 200:
        assert b"72" not in response.content or name == "rounds"


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
    assert '<td class="num">1</td>' in html


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


def test_an_invalid_extension_is_shown_with_its_errors(client, login, grant_round, officer):
    login(client, officer)
    url = reverse("submissions:extension_grant", args=[grant_round.slug])
    with frozen(BEFORE_DEADLINE):
        response = client.post(url, {**EXTENSION_FORM, "until_date": "2024-10-30"})
        assert response.status_code == 200
        assert "måste vara senare än omgångens sista dag" in response.content.decode()
        response = client.post(url, {**EXTENSION_FORM, "until_date": "8/11", "reason": ""})
    html = response.content.decode()
    assert "Ange ett datum som ÅÅÅÅ-MM-DD." in html
    assert not DeadlineExtension.objects.exists()


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
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows[0] == [
        "region_code",
        "region",
        "applied",
        "filled_posts",
        "started_posts",
        "posts",
        "submitted_at",
        "reference",
        "versions",
        "extended_until",
        "extended_by",
        "extension_reason",
    ]
    assert rows[1] == [
        "10",
        "Blekinge",
        "yes",
        "90",
        "92",
        "92",
        "2024-10-15T10:00:00+02:00",
        f"AT2024-10-{grant_round.pk:02d}02",
        "2",
        "",
        "",
        "",
    ]
    assert rows[2] == [
        "09",
        "Gotland",
        "no",
        "",
        "",
        "",
        "",
        "",
        "0",
        "2024-11-08T23:59:59+01:00",
        "officer@example.se",
        "Systembyte, raden har ett kommatecken",
    ]


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
def test_dashboard_query_count_does_not_grow_with_regions(
    client, login, django_assert_num_queries, grant_round, region, proxy, officer, regions
):
    submitted(grant_round, region, proxy)
    with frozen(BEFORE_DEADLINE):
        _regions_with_reports(grant_round, officer, regions)
    login(client, proxy)
    # 1 session, 2 user, 3 the user's groups (navigation), 4-5 proxy and colleague memberships,
    # 6 the user's regions, 7 published rounds, 8 baselines, 9 reports, 10 versions,
    # 11 extensions, 12 staircase steps, 13-15 savepoint, session save, release.
    with frozen(BEFORE_DEADLINE), django_assert_num_queries(15):
        response = client.get(reverse("submissions:dashboard"))
    assert response.status_code == 200


@pytest.mark.parametrize("regions", [3, 12])
def test_officer_table_query_count_does_not_grow_with_regions(
    client, login, django_assert_num_queries, grant_round, officer, regions
):
    with frozen(BEFORE_DEADLINE):
        _regions_with_reports(grant_round, officer, regions)
    login(client, officer)
    # 1 session, 2 user, 3 the user's groups, 4 the round, 5 all regions, 6 the round's reports,
    # 7 its versions, 8 extensions with who granted them, 9-10 proxy and colleague memberships
    # (navigation), 11 regions for the extension form's select, 12-14 savepoint, session save,
    # release.
    with django_assert_num_queries(14):
        response = client.get(reverse("submissions:round_reports", args=[grant_round.slug]))
    assert response.status_code == 200
    # The CSV: the same without navigation and form: session, user, groups, round, regions,
    # reports, versions, extensions, and the session save (3).
    with django_assert_num_queries(11):
        client.get(reverse("submissions:round_reports_csv", args=[grant_round.slug]))
