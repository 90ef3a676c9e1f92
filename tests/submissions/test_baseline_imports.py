"""Importing population (SCB) and plans into a round: services, commands and officer pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import urllib.error
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from audit.models import AuditEvent
from submissions.baselines import (
    baseline_import_apply,
    import_comparison,
    plan_import_stage,
    population_import_stage,
)
from submissions.models import BaselineImport, ImportSource, RoundBaseline
from tests.factories import GrantRoundFactory, RegionFactory, RoundBaselineFactory, rows_2024

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
JSON_FILE = DATA / "scb_folkmangdnov_2023.json"
CSV_FILE = DATA / "scb_folkmangdnov_2023.csv"
PLANS = "länskod;plan\n01;280\n05;84–89\n19;46 (ev. 48)\n21;46 (ev.+)\n09;12,5\n"


@pytest.fixture
def regions():
    return {
        row["code"]: RegionFactory(code=row["code"], name=row["name"], short_name=row["short_name"])
        for row in rows_2024()
    }


@pytest.fixture
def grant_round(regions):
    """A draft round counting the population on 1 November 2023, Blekinge's plan already in."""
    grant_round = GrantRoundFactory(slug="at-2024", year=2024, draft=True)
    RoundBaselineFactory(
        round=grant_round,
        region=regions["10"],
        population=1,
        plan_text="28",
        plan_low=Decimal(28),
        plan_high=Decimal(28),
    )
    return grant_round


@pytest.fixture
def previous_round(regions):
    """2023's round: every region 2 % smaller than in the sample, Gotland 10 %."""
    earlier = GrantRoundFactory(
        slug="at-2023", year=2023, decided=True, opens_at=dt.datetime(2023, 4, 15, tzinfo=dt.UTC)
    )
    for row in rows_2024():
        share = Decimal("0.90") if row["code"] == "09" else Decimal("0.98")
        RoundBaselineFactory(
            round=earlier,
            region=regions[row["code"]],
            population=int(int(row["population_2023_11_01"]) * share),
        )
    return earlier


def populations(grant_round) -> dict[str, int]:
    return dict(
        RoundBaseline.objects.filter(round=grant_round).values_list("region__code", "population")
    )


def expected() -> dict[str, int]:
    return {row["code"]: int(row["population_2023_11_01"]) for row in rows_2024()}


# --- services -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [JSON_FILE, CSV_FILE], ids=["json", "csv"])
def test_staging_keeps_the_raw_file_and_changes_nothing_until_applied(grant_round, officer, path):
    content = path.read_bytes()

    staged = population_import_stage(
        grant_round=grant_round, content=content, name=path.name, by=officer
    )

    assert staged.sha256 == hashlib.sha256(content).hexdigest()
    assert staged.file.read() == content
    assert staged.source == (
        ImportSource.SCB_JSON if path.suffix == ".json" else ImportSource.SCB_CSV
    )
    assert staged.imported_by == officer and staged.applied_at is None
    assert populations(grant_round) == {"10": 1}


def test_applying_writes_every_region_and_audits_each_change(grant_round, officer, regions):
    staged = population_import_stage(
        grant_round=grant_round, content=JSON_FILE.read_bytes(), name="x.json", by=officer
    )

    baseline_import_apply(baseline_import=staged, by=officer)

    assert populations(grant_round) == expected()
    blekinge = RoundBaseline.objects.get(round=grant_round, region=regions["10"])
    assert blekinge.plan_text == "28"  # the plan is left as it was
    event = AuditEvent.objects.get(action="baseline.population_imported")
    assert event.actor == officer
    assert event.before["population"]["10"] == 1
    assert event.after["population"]["10"] == 158226
    assert event.before["population"]["01"] is None
    assert staged.sha256 in event.message


def test_an_import_is_applied_once(grant_round, officer):
    staged = population_import_stage(
        grant_round=grant_round, content=JSON_FILE.read_bytes(), name="x.json", by=officer
    )
    baseline_import_apply(baseline_import=staged, by=officer)

    with pytest.raises(ValidationError, match="redan införd"):
        baseline_import_apply(baseline_import=staged, by=officer)


def test_a_file_for_the_wrong_year_is_refused_and_nothing_is_kept(regions, officer):
    grant_round = GrantRoundFactory(
        slug="at-2025", year=2025, draft=True, population_date=dt.date(2024, 11, 1)
    )

    with pytest.raises(ValidationError) as caught:
        population_import_stage(
            grant_round=grant_round, content=CSV_FILE.read_bytes(), name="x.csv", by=officer
        )

    assert caught.value.messages == [
        "Filen gäller 2023 men omgången räknar med befolkningen 1 november 2024."
    ]
    assert not BaselineImport.objects.exists()


def test_a_file_missing_a_region_names_it(grant_round, officer):
    answer = json.loads(JSON_FILE.read_text(encoding="utf-8"))
    answer["data"] = [row for row in answer["data"] if row["key"][0] != "23"]

    with pytest.raises(ValidationError) as caught:
        population_import_stage(
            grant_round=grant_round, content=json.dumps(answer).encode(), name="x", by=officer
        )

    assert caught.value.messages == ["Region med länskod 23 saknas i filen."]


def test_every_problem_of_a_population_file_is_reported_in_one_pass(regions, officer):
    # A bad value, a missing county and the wrong year: all three at once, not one per upload.
    grant_round = GrantRoundFactory(
        slug="at-2025", year=2025, draft=True, population_date=dt.date(2024, 11, 1)
    )
    answer = json.loads(JSON_FILE.read_text(encoding="utf-8"))
    answer["data"] = [row for row in answer["data"] if row["key"][0] != "23"]
    first = next(row for row in answer["data"] if row["key"][0] == "01")
    first["values"] = ["12x"]
    answer["data"] = [
        {**row, "key": [*row["key"][:-1], "2023"]} if len(row["key"]) == 3 else row
        for row in answer["data"]
    ]

    with pytest.raises(ValidationError) as caught:
        population_import_stage(
            grant_round=grant_round, content=json.dumps(answer).encode(), name="x", by=officer
        )

    messages = caught.value.messages
    assert any("Län 01: befolkningen '12x' är inget heltal." in m for m in messages)
    assert "Region med länskod 23 saknas i filen." in messages
    assert any(m.startswith("Filen gäller") for m in messages), messages
    assert all(m[0].isupper() and m.endswith(".") for m in messages), messages
    assert not BaselineImport.objects.exists()


@pytest.mark.parametrize("status", ["closed", "allocated", "decided"])
def test_a_round_past_open_takes_no_import(regions, officer, status):
    grant_round = GrantRoundFactory(slug="late", status=status)

    with pytest.raises(ValidationError, match="utkast eller en öppen omgång"):
        population_import_stage(
            grant_round=grant_round, content=JSON_FILE.read_bytes(), name="x", by=officer
        )


def test_a_round_closed_after_staging_takes_no_apply(grant_round, officer):
    staged = population_import_stage(
        grant_round=grant_round, content=JSON_FILE.read_bytes(), name="x", by=officer
    )
    grant_round.status = "closed"
    grant_round.save()

    with pytest.raises(ValidationError):
        baseline_import_apply(baseline_import=staged, by=officer)
    assert populations(grant_round) == {"10": 1}


def test_only_officers_import(grant_round, auditor):
    with pytest.raises(PermissionDenied):
        population_import_stage(
            grant_round=grant_round, content=JSON_FILE.read_bytes(), name="x", by=auditor
        )


def test_plans_are_parsed_as_the_allocation_parses_them(grant_round, officer, regions):
    staged = plan_import_stage(
        grant_round=grant_round, content=PLANS.encode("utf-8-sig"), name="p.csv", by=officer
    )
    baseline_import_apply(baseline_import=staged, by=officer)

    plans = {
        b.region.code: (b.plan_text, b.plan_low, b.plan_high, b.population)
        for b in RoundBaseline.objects.filter(round=grant_round).select_related("region")
    }
    assert plans["05"] == ("84–89", Decimal("84"), Decimal("89"), None)
    assert plans["19"] == ("46 (ev. 48)", Decimal("46"), Decimal("48"), None)
    assert plans["21"] == ("46 (ev.+)", Decimal("46"), Decimal("46"), None)
    assert plans["09"] == ("12,5", Decimal("12.5"), Decimal("12.5"), None)
    assert plans["10"] == ("28", Decimal("28"), Decimal("28"), 1)  # not in the file: kept


def test_plan_file_errors_are_listed_per_line_and_nothing_is_written(grant_round, officer):
    content = "länskod;plan\n01;280\n05;84 till 89\n1x;40\n01;281\n09;50-40\n10;-3\n".encode()

    with pytest.raises(ValidationError) as caught:
        plan_import_stage(grant_round=grant_round, content=content, name="p.csv", by=officer)

    messages = caught.value.messages
    assert messages == [
        "Rad 3: Län 05: planeringsunderlaget '84 till 89' känns inte igen: skriv ett tal "
        "(280, 12,5), ett intervall (84–89) eller ett tal med anmärkning (46 (ev. 48), 46 (ev.+)).",
        "Rad 4: Länskoden '1x' är inte två siffror.",
        "Rad 5: Län 01 finns redan på rad 2.",
        "Rad 6: Län 09: intervallet '50-40' är baklänges (det lägre talet ska stå först).",
        "Rad 7: Län 10: planeringsunderlaget '-3' är negativt.",
    ]
    assert not BaselineImport.objects.exists()


def test_plan_for_a_county_not_in_the_registry_is_refused(grant_round, officer):
    with pytest.raises(ValidationError) as caught:
        plan_import_stage(
            grant_round=grant_round, content=b"code,plan\n02,10\n", name="p.csv", by=officer
        )

    assert caught.value.messages == ["Länskod 02 är ingen region i registret."]


def test_a_plan_files_unknown_county_is_reported_with_its_parse_errors(grant_round, officer):
    content = "länskod;plan\n01;84 till 89\n02;10\n".encode()

    with pytest.raises(ValidationError) as caught:
        plan_import_stage(grant_round=grant_round, content=content, name="p.csv", by=officer)

    messages = caught.value.messages
    assert messages[0].startswith("Rad 2: Län 01: planeringsunderlaget '84 till 89' känns inte")
    assert messages[1:] == ["Länskod 02 är ingen region i registret."]


def test_comparison_flags_changes_over_five_percent(grant_round, previous_round, officer):
    staged = population_import_stage(
        grant_round=grant_round, content=CSV_FILE.read_bytes(), name="x.csv", by=officer
    )

    compared = import_comparison(baseline_import=staged, earlier=previous_round)
    rows = {row.region.code: row for row in compared}

    assert len(rows) == 21
    assert [code for code, row in rows.items() if row.flagged] == ["09"]
    assert rows["09"].change_percent == Decimal("11.1")
    assert rows["01"].change_percent == Decimal("2.0")
    assert rows["10"].current == 1 and rows["01"].current is None


# --- commands -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [JSON_FILE, CSV_FILE], ids=["json", "csv"])
def test_import_population_command_imports_either_format(grant_round, path):
    out = io.StringIO()

    call_command("import_population", str(path), "--round", "at-2024", stdout=out)

    assert populations(grant_round) == expected()
    assert "21 regioners befolkning 1 november 2023" in out.getvalue()
    assert BaselineImport.objects.get().imported_by is None


def test_import_population_command_names_the_line_and_writes_nothing(grant_round, tmp_path):
    bad = tmp_path / "bad.csv"
    text = CSV_FILE.read_text(encoding="utf-8-sig").replace('"män";151729', '"män";15172,9')
    bad.write_text(text, encoding="utf-8")

    with pytest.raises(CommandError, match=r"Rad 8: Län 04: befolkningen '15172,9'"):
        call_command("import_population", str(bad), "--round", "at-2024")

    assert populations(grant_round) == {"10": 1}
    assert not BaselineImport.objects.exists()


def test_import_population_command_refuses_an_unknown_round(regions):
    with pytest.raises(CommandError, match="Ingen omgång heter 'nope'"):
        call_command("import_population", str(JSON_FILE), "--round", "nope")


def test_import_plans_command(grant_round, tmp_path):
    plans = tmp_path / "plans.csv"
    plans.write_text(PLANS, encoding="utf-8")

    call_command("import_plans", str(plans), "--round", "at-2024", stdout=io.StringIO())

    assert RoundBaseline.objects.get(round=grant_round, region__code="01").plan_text == "280"


def _baseline_rows(grant_round) -> list[dict]:
    return list(RoundBaseline.objects.filter(round=grant_round).order_by("pk").values())


def test_import_population_command_again_says_nothing_changed(grant_round):
    first, second = io.StringIO(), io.StringIO()

    call_command("import_population", str(JSON_FILE), "--round", "at-2024", stdout=first)
    snapshot = _baseline_rows(grant_round)
    call_command("import_population", str(JSON_FILE), "--round", "at-2024", stdout=second)

    assert _baseline_rows(grant_round) == snapshot
    assert "at-2024 (21 ändrade, 0 oförändrade; SHA-256" in first.getvalue()
    assert "at-2024 (0 ändrade, 21 oförändrade; SHA-256" in second.getvalue()


def test_import_plans_command_again_says_nothing_changed(grant_round, tmp_path):
    plans = tmp_path / "plans.csv"
    plans.write_text(PLANS, encoding="utf-8")
    first, second = io.StringIO(), io.StringIO()

    call_command("import_plans", str(plans), "--round", "at-2024", stdout=first)
    snapshot = _baseline_rows(grant_round)
    call_command("import_plans", str(plans), "--round", "at-2024", stdout=second)

    assert _baseline_rows(grant_round) == snapshot
    assert first.getvalue().startswith(
        "5 regioners planeringsunderlag införda i at-2024 (5 ändrade, 0 oförändrade; SHA-256"
    )
    assert second.getvalue().startswith(
        "5 regioners planeringsunderlag införda i at-2024 (0 ändrade, 5 oförändrade; SHA-256"
    )


class _Answer(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_fetch_population_posts_the_pxweb_query_and_imports_the_answer(grant_round, settings):
    settings.ATGRANT_SCB_PXWEB_URL = "https://scb.example/FolkmangdNov"
    with mock.patch(
        "urllib.request.urlopen", return_value=_Answer(JSON_FILE.read_bytes())
    ) as urlopen:
        call_command(
            "fetch_population", "--year", "2023", "--round", "at-2024", stdout=io.StringIO()
        )

    request = urlopen.call_args.args[0]
    assert request.full_url == "https://scb.example/FolkmangdNov"
    assert request.get_method() == "POST"
    query = json.loads(request.data)
    selections = {q["code"]: q["selection"] for q in query["query"]}
    assert selections["Region"]["filter"] == "vs:RegionLän07"
    assert selections["Region"]["values"] == sorted(expected())
    assert selections["Kon"]["values"] == ["1", "2"]
    assert selections["ContentsCode"]["values"] == ["BE0101A9"]
    assert selections["Tid"]["values"] == ["2023"]
    assert query["response"] == {"format": "json"}
    assert populations(grant_round) == expected()
    assert BaselineImport.objects.get().source == ImportSource.SCB_API


def test_fetch_population_again_says_nothing_changed(grant_round, settings):
    settings.ATGRANT_SCB_PXWEB_URL = "https://scb.example/FolkmangdNov"
    outs = []
    for _ in range(2):
        out = io.StringIO()
        with mock.patch("urllib.request.urlopen", return_value=_Answer(JSON_FILE.read_bytes())):
            call_command("fetch_population", "--year", "2023", "--round", "at-2024", stdout=out)
        outs.append(out.getvalue())

    assert populations(grant_round) == expected()
    assert "från SCB införd i at-2024 (21 ändrade, 0 oförändrade; SHA-256" in outs[0]
    assert "från SCB införd i at-2024 (0 ändrade, 21 oförändrade; SHA-256" in outs[1]


def test_fetch_population_reports_scb_refusing(grant_round):
    error = urllib.error.HTTPError("https://x", 429, "Too Many Requests", {}, None)
    with mock.patch("urllib.request.urlopen", side_effect=error):
        with pytest.raises(CommandError, match="SCB svarade 429 Too Many Requests"):
            call_command("fetch_population", "--year", "2023", "--round", "at-2024")

    assert not BaselineImport.objects.exists()


# --- officer pages --------------------------------------------------------------------------


def upload_url(kind="befolkning"):
    return reverse("submissions:baseline_upload", args=["at-2024", kind])


def test_officer_uploads_reviews_and_confirms(client, login, officer, grant_round, previous_round):
    login(client, officer)
    upload = SimpleUploadedFile("folkmangd.json", JSON_FILE.read_bytes())

    response = client.post(upload_url(), {"file": upload})

    staged = BaselineImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("submissions:import_confirm", args=["at-2024", staged.pk])
    page = client.get(response.url).content.decode()
    assert "1 region har ändrats mer än 5 %" in page
    assert "2\u00a0455\u00a0914" in page and "11,1 %" in page  # a no-break space
    assert populations(grant_round) == {"10": 1}

    confirmed = client.post(response.url)

    assert confirmed.status_code == 302
    assert populations(grant_round) == expected()


def test_a_bad_upload_shows_the_problems_and_keeps_nothing(client, login, officer, grant_round):
    login(client, officer)
    original = CSV_FILE.read_text(encoding="utf-8-sig")
    text = re.sub(r'(Gotlands län";"kvinnor";)\d+', r"\1..", original)
    upload = SimpleUploadedFile("bad.csv", text.encode())

    response = client.post(upload_url(), {"file": upload})

    assert response.status_code == 400
    assert "Län 09: befolkningen &#x27;..&#x27; är inget heltal." in response.content.decode()
    assert not BaselineImport.objects.exists()


def test_a_post_without_a_file_is_a_field_error(client, login, officer, grant_round):
    login(client, officer)

    response = client.post(upload_url("planeringsunderlag"), {})

    assert response.status_code == 400
    assert not BaselineImport.objects.exists()


def test_plan_upload_page(client, login, officer, grant_round):
    login(client, officer)
    upload = SimpleUploadedFile("plan.csv", PLANS.encode())

    response = client.post(upload_url("planeringsunderlag"), {"file": upload})
    client.post(response.url)

    västmanland = RoundBaseline.objects.get(round=grant_round, region__code="19")
    assert västmanland.plan_text == "46 (ev. 48)"


@pytest.mark.parametrize(
    ("role", "get", "post"),
    [("anonymous", 302, 302), ("proxy", 404, 404), ("auditor", 200, 403), ("officer", 200, 400)],
)
def test_upload_page_access(client, login, request, grant_round, role, get, post):
    if role != "anonymous":
        login(client, request.getfixturevalue(role))

    assert client.get(upload_url()).status_code == get
    assert client.post(upload_url(), {}).status_code == post
    assert not BaselineImport.objects.exists()


def test_unknown_import_kind_is_404(client, login, officer, grant_round):
    login(client, officer)

    assert client.get(upload_url("annat")).status_code == 404


# --- a round half prepared ------------------------------------------------------------------


def test_a_region_with_population_but_no_plan_yet_counts_as_missing(grant_round, officer, regions):
    from allocation.selectors import round_inputs
    from tests.submissions.factories import submitted

    call_command("import_population", str(JSON_FILE), "--round", "at-2024", stdout=io.StringIO())
    grant_round.status = "open"
    grant_round.save()
    submitted(grant_round, regions["10"], officer)
    submitted(grant_round, regions["09"], officer)

    rows = {row.code: row for row in round_inputs(grant_round=grant_round)}

    assert rows["10"].baseline_missing is False  # population and plan
    assert rows["09"].baseline_missing is True  # population only


def test_proxy_dashboard_shows_a_round_without_plan(client, login, grant_round, regions):
    from regions.models import ProxyAppointment
    from tests.factories import UserFactory

    call_command("import_population", str(JSON_FILE), "--round", "at-2024", stdout=io.StringIO())
    grant_round.status = "open"
    grant_round.save()
    proxy = UserFactory(email="ombud@gotland.example.se")
    ProxyAppointment.objects.create(region=regions["09"], user=proxy)
    login(client, proxy)

    from tests.submissions.factories import BEFORE_DEADLINE, frozen

    with frozen(BEFORE_DEADLINE):  # the forecast is shown while the region can report
        response = client.get(reverse("submissions:dashboard"))

    assert response.status_code == 200
    assert "saknar planeringsunderlag" in response.content.decode()


def test_review_and_upload_pages_query_counts(
    client, login, officer, grant_round, previous_round, django_assert_num_queries
):
    from tests.queries import LOGGED_IN

    login(client, officer)
    upload = SimpleUploadedFile("folkmangd.json", JSON_FILE.read_bytes())
    review = client.post(upload_url(), {"file": upload}).url
    client.get(review)
    # LOGGED_IN, then 1 the import with who imported it, 2 the previous round, 3 the regions,
    # 4 this round's baselines, 5 the previous round's.
    with django_assert_num_queries(LOGGED_IN + 5):
        assert client.get(review).status_code == 200
    # LOGGED_IN, then 1 the round, 2 its imports with who imported and applied them.
    with django_assert_num_queries(LOGGED_IN + 2):
        assert client.get(upload_url()).status_code == 200
