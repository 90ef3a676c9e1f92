"""The registry's pages: who may read them, the filters, the CSV for people, the archive."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from django.urls import reverse

from registry.models import Direction, DocumentKind, RegistryEntry
from registry.services import Registration, registry_register
from tests.allocation.factories import at, eager_celery, issued, reported_round  # noqa: F401
from tests.factories import RegionFactory
from tests.regions.factories import ProxyApplicationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

LIST = reverse("registry:list")
CSV = reverse("registry:csv")


def _entry(*, when, region=None, direction=Direction.INCOMING, description="Ansökan", party="P"):
    application = ProxyApplicationFactory(region=region or RegionFactory())
    with at(when):
        return registry_register(
            registration=Registration(
                document=application,
                direction=direction,
                kind=DocumentKind.PROXY_APPLICATION,
                party=party,
                description=description,
                region_id=application.region_id,
            ),
            by=None,
        )


@pytest.fixture
def entries(region):
    return [
        _entry(when=dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC), region=region),
        _entry(
            when=dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC),
            region=RegionFactory(code="13", short_name="Halland"),
            direction=Direction.OUTGOING,
        ),
        _entry(
            when=dt.datetime(2025, 2, 1, 12, tzinfo=dt.UTC),
            region=RegionFactory(code="14", short_name="Västra Götaland"),
            description='=HYPERLINK("http://evil")',
            party="-2+3",
        ),
    ]


def _numbers(response) -> list[str]:
    return [row.entry.case_number for row in response.context["rows"]]


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_officers_and_auditors_read_the_registry_newest_first(
    client, login, role, request, entries
):
    login(client, request.getfixturevalue(role))
    response = client.get(LIST)
    assert response.status_code == 200
    assert _numbers(response) == ["2025/00001", "2024/00002", "2024/00001"]
    assert "Diarium" in response.content.decode()


@pytest.mark.parametrize("role", ["proxy", "colleague"])
def test_region_people_do_not_see_the_registry(client, login, role, request):
    login(client, request.getfixturevalue(role))
    assert client.get(LIST).status_code == 404
    assert client.get(CSV).status_code == 404


def test_anonymous_users_are_sent_to_login(client):
    assert client.get(LIST)["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"year": "2024"}, ["2024/00002", "2024/00001"]),
        ({"direction": "out"}, ["2024/00002"]),
        ({"region": "Blekinge"}, ["2024/00001"]),
        ({"region": "10"}, ["2024/00001"]),
        ({"q": "hyperlink"}, ["2025/00001"]),
        ({"q": "2024/00002"}, ["2024/00002"]),
        ({"year": "2024", "direction": "in"}, ["2024/00001"]),
    ],
)
def test_filters(client, login, officer, entries, query, expected):
    login(client, officer)
    assert _numbers(client.get(LIST, query)) == expected


def test_a_bad_filter_is_a_field_error_not_a_500(client, login, officer, entries):
    login(client, officer)
    response = client.get(LIST, {"region": "Atlantis", "year": "1900"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Det finns ingen region med koden eller namnet" in page
    assert 'aria-invalid="true"' in page
    assert _numbers(response) == []
    assert client.get(CSV, {"region": "Atlantis"}).status_code == 400


def test_list_query_count(client, login, officer, region, django_assert_num_queries,
                          django_capture_on_commit_callbacks):  # fmt: skip
    issued(reported_round(regions=[region]), officer, django_capture_on_commit_callbacks)
    _entry(when=dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC), region=region)
    login(client, officer)
    client.get(LIST)  # the session and the content types are read once per process
    # 1 the user, 2 their groups, 3 years, 4 count, 5 page of entries with region, round and
    # user, 6-7 the page's documents, one query per kind (decisions, proxy applications),
    # 8 the region field's datalist, 9-11 the session saved (an officer acts for no region:
    # the menu asks for no memberships)
    with django_assert_num_queries(11):
        response = client.get(LIST)
    assert len(response.context["rows"]) == 5
    links = [row.link for row in response.context["rows"]]
    assert reverse("allocation:decision", args=["AT2024-10-B1"]) in links


def test_csv_is_for_excel_in_sweden_and_neutralises_formulas(client, login, auditor, entries):
    login(client, auditor)
    response = client.get(CSV, {"year": "2025"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="diarium.csv"' in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == [
        "Diarienummer", "Datum", "Registrerad", "Riktning", "Handlingstyp",
        "Avsändare eller mottagare",
    ]  # fmt: skip
    [row] = rows[1:]
    assert row[0] == "2025/00001"
    assert row[1] == "2025-02-01"
    assert row[3] == "Inkommande"
    assert row[5] == "'-2+3"
    assert row[8] == '\'=HYPERLINK("http://evil")'


def test_the_archive_zip_holds_every_letter_the_list_and_the_registry(
    client, login, auditor, officer, region, quick_letters, django_capture_on_commit_callbacks
):
    grant_round = reported_round(regions=[region])
    decisions = issued(grant_round, officer, django_capture_on_commit_callbacks)
    login(client, auditor)
    response = client.get(reverse("registry:archive", args=[grant_round.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    letters = {f"beslut/{d.reference}.pdf" for d in decisions}
    assert letters <= names
    assert {"fordelningslista.csv", "indata.csv", "modell.json", "diarium.csv"} <= names
    assert json.loads(archive.read("modell.json"))["blocks"][0]["id"] == "block1"
    listing = archive.read("fordelningslista.csv").decode("utf-8-sig")
    assert str(sum(d.total for d in decisions if d.region == region)) in listing
    registry = archive.read("diarium.csv").decode("utf-8-sig")
    assert all(d.reference in registry for d in decisions)
    for line in archive.read("innehall-sha256.txt").decode().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest


def test_no_archive_before_the_round_is_decided(client, login, officer):
    grant_round = reported_round()
    login(client, officer)
    assert client.get(reverse("registry:archive", args=[grant_round.slug])).status_code == 404


def test_registry_entries_are_shown_read_only_in_the_admin(client, officer, entries):
    officer.is_staff = officer.is_superuser = True
    officer.save()
    from conftest import login_as

    login_as(client, officer)
    url = reverse("admin:registry_registryentry_change", args=[entries[0].pk])
    response = client.post(url, {"description": "ändrad"})
    assert response.status_code == 403
    assert RegistryEntry.objects.get(pk=entries[0].pk).description == "Ansökan"


def test_every_kind_of_entry_links_to_a_page_the_officer_can_open(
    client, login, officer, region, proxy, quick_letters, django_capture_on_commit_callbacks
):
    from regions import services as region_services
    from submissions.services import ReportData, report_submit
    from tests.factories import UserFactory
    from tests.regions.factories import pdf_upload
    from tests.submissions.factories import BEFORE_DEADLINE, frozen, round_2024

    application = region_services.proxy_application_submit(
        applicant=UserFactory(), region=region, full_name="Sam", title="Direktör", phone="",
        basis="power_of_attorney", document=pdf_upload(),
    )  # fmt: skip
    region_services.proxy_application_request_completion(
        application=application, by=officer, message="Datum saknas."
    )
    region_services.proxy_application_resubmit(
        application=application, by=application.applicant, document=pdf_upload()
    )
    region_services.proxy_application_reject(application=application, by=officer, reason="Nej")
    data = ReportData(filled_posts=3, contact_name="Kim", contact_email="kim@example.se")
    with frozen(BEFORE_DEADLINE):
        open_round = round_2024(slug="at-2025", year=2025)
        report_submit(grant_round=open_round, region=region, data=data, revision=0, by=proxy)
    issued(reported_round(regions=[]), officer, django_capture_on_commit_callbacks)
    login(client, officer)
    rows = client.get(LIST).context["rows"]
    kinds = {row.entry.kind for row in rows}
    assert kinds == {
        "proxy_application", "power_of_attorney", "completion_request", "completion",
        "proxy_decision", "report_version", "decision",
    }  # fmt: skip
    for row in rows:
        assert row.link, row.entry
        assert client.get(row.link).status_code == 200, row.link
