from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from regions.management.commands import load_round_2024 as loader
from regions.models import Region
from submissions.models import STOCKHOLM, GrantRound, RoundBaseline, RoundStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _embedded(settings):
    """`make run`'s configuration: no DATABASE_URL, DEBUG on (the demo is allowed)."""
    settings.ATGRANT_EMBEDDED = True
    settings.DEBUG = True


def _load(*args: str) -> str:
    out = StringIO()
    call_command("load_round_2024", *args, stdout=out)
    return out.getvalue()


def test_loads_21_regions_and_the_2024_round():
    _load()
    grant_round = GrantRound.objects.get(slug="at-2024")
    assert Region.objects.count() == 21
    assert grant_round.status == RoundStatus.OPEN
    assert grant_round.total_budget == 63_000_000 + 160_000_000
    assert grant_round.deadline == dt.datetime(2024, 11, 1, 23, 59, 59, tzinfo=STOCKHOLM)
    assert RoundBaseline.objects.filter(round=grant_round).count() == 21
    # What runs is the round's model: RULES.md's 2024 model, written out.
    assert grant_round.model["values"] == {
        "posts": "max(filled, started) - deducted",
        "rate": "posts * 100000 / population",
        "increase": "posts - planned",
    }
    block1, block2 = grant_round.model["blocks"]
    assert block1 == {
        "id": "block1",
        "name": "Redovisa antal AT-tjänster",
        "budget": 63_000_000,
        "share": "rate",
    }
    assert (block2["budget"], block2["eligible"], block2["remainder"]) == (
        160_000_000,
        "increase >= 2",
        "rate",
    )
    assert block2["amount"] == (
        "step(increase, [[2, 3000000], [3, 4500000], [5, 7500000], [7, 10500000], "
        "[10, 20000000], [15, 30000000]])"
    )


@pytest.mark.parametrize(
    ("short_name", "text", "low", "high", "population"),
    [
        ("Östergötland", "84-89", "84", "89", 472_660),
        ("Västmanland", "46 (ev. 48)", "46", "48", 280_965),
        ("Gävleborg", "46 (ev.+)", "46", "46", 286_085),
        ("Stockholm", "280", "280", "280", 2_455_914),
    ],
)
def test_baseline_keeps_plan_as_written_and_its_bounds(short_name, text, low, high, population):
    _load()
    baseline = RoundBaseline.objects.get(region__short_name=short_name)
    assert baseline.plan_text == text
    assert (baseline.plan_low, baseline.plan_high) == (Decimal(low), Decimal(high))
    assert baseline.population == population


def test_loading_twice_changes_nothing():
    _load("--demo")
    snapshot = list(RoundBaseline.objects.order_by("pk").values())
    rounds = list(GrantRound.objects.values())
    _load("--demo")
    assert list(RoundBaseline.objects.order_by("pk").values()) == snapshot
    assert list(GrantRound.objects.values()) == rounds
    assert Region.objects.count() == 21


def test_demo_keeps_the_real_deadline_and_extends_it_for_the_demo_proxies():
    from submissions.models import DeadlineExtension

    out = _load("--demo")
    grant_round = GrantRound.objects.get(slug="at-2024")
    assert grant_round.deadline == dt.datetime(2024, 11, 1, 23, 59, 59, tzinfo=STOCKHOLM)
    today = dt.datetime.now(tz=STOCKHOLM).date()
    extensions = DeadlineExtension.objects.filter(round=grant_round)
    assert sorted(e.region.short_name for e in extensions) == ["Blekinge", "Gotland", "Stockholm"]
    assert {e.until.astimezone(STOCKHOLM).date() for e in extensions} == {
        today + dt.timedelta(days=14)
    }
    assert "handlaggare@demo.atgrant.se" in out
    assert "demo-atgrant-2024" in out
    _load("--demo")
    assert DeadlineExtension.objects.filter(round=grant_round).count() == 3


def test_demo_proxy_can_report_and_the_officer_can_close(django_user_model):
    from regions.models import Region
    from submissions.closing import round_close
    from submissions.services import ReportData, report_submit

    _load("--demo")
    grant_round = GrantRound.objects.get(slug="at-2024")
    proxy = django_user_model.objects.get(username="ombud.blekinge@demo.atgrant.se")
    officer = django_user_model.objects.get(username="handlaggare@demo.atgrant.se")
    blekinge = Region.objects.get(short_name="Blekinge")
    version = report_submit(
        grant_round=grant_round,
        region=blekinge,
        data=ReportData(
            filled_posts=30, started_posts=31, contact_name="Britt", contact_email="b@x.se"
        ),
        revision=0,
        by=proxy,
    )
    assert version.posts == 31
    round_close(grant_round=grant_round, by=officer, end_extensions=True)
    grant_round.refresh_from_db()
    assert grant_round.status == RoundStatus.CLOSED


def test_explicit_deadline_is_the_whole_day():
    _load("--deadline", "2030-11-01")
    grant_round = GrantRound.objects.get(slug="at-2024")
    assert grant_round.deadline == dt.datetime(2030, 11, 1, 23, 59, 59, tzinfo=STOCKHOLM)


def test_a_bad_data_file_names_the_line(tmp_path, monkeypatch):
    bad = tmp_path / "regions.csv"
    bad.write_text(
        "code,name,short_name,planned_2024,population_2023_11_01\n"
        "01,Region Stockholm,Stockholm,280,2455914\n"
        "03,Region Uppsala,Uppsala,många,404714\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(loader, "DATA_FILE", bad)
    with pytest.raises(CommandError, match="line 3"):
        _load()
    assert not Region.objects.exists()


def test_demo_creates_proxies_a_colleague_and_a_pending_application():
    from regions.models import ApplicationStatus, Colleague, ProxyAppointment, ProxyDocument

    out = _load("--demo")
    _load("--demo")  # idempotent
    active = dict(
        ProxyAppointment.objects.filter(ended_at__isnull=True).values_list(
            "region__short_name", "user__email"
        )
    )
    assert active == {
        "Blekinge": "ombud.blekinge@demo.atgrant.se",
        "Gotland": "ombud.gotland@demo.atgrant.se",
        "Stockholm": "ombud.stockholm@demo.atgrant.se",
    }
    colleague = Colleague.objects.get()
    assert (colleague.region.short_name, colleague.user.email) == (
        "Blekinge",
        "kollega.blekinge@demo.atgrant.se",
    )
    document = ProxyDocument.objects.get()
    application = document.application
    assert application.region.short_name == "Uppsala"
    assert application.applicant.email == "sokande.uppsala@demo.atgrant.se"
    assert application.status == ApplicationStatus.SUBMITTED
    assert document.file.read(5) == b"%PDF-"
    for email in [
        "ombud.blekinge@demo.atgrant.se",
        "ombud.gotland@demo.atgrant.se",
        "ombud.stockholm@demo.atgrant.se",
        "kollega.blekinge@demo.atgrant.se",
        "sokande.uppsala@demo.atgrant.se",
    ]:
        assert email in out


def test_demo_users_log_in_with_the_demo_password(client):
    from regions.demo import DEMO_PASSWORD

    _load("--demo")
    response = client.post(
        "/konto/login/",
        {"login": "ombud.gotland@demo.atgrant.se", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_demo_officer_logs_in_with_password_and_the_printed_demo_code(client):
    from django.urls import reverse

    from regions.demo import DEMO_PASSWORD

    out = _load("--demo")
    assert "ATGRANTDEMOSECRETATGRANTDEMO2345" in out
    response = client.post(
        reverse("account_login"),
        {"login": "handlaggare@demo.atgrant.se", "password": DEMO_PASSWORD},
    )
    assert response["Location"] == reverse("mfa_authenticate")
    code_out = StringIO()
    call_command("demo_totp", stdout=code_out)
    code = code_out.getvalue().split()[0]
    assert len(code) == 6 and code.isdigit()
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    # Past the MFA requirement: the officer's pages open.
    assert client.get(reverse("allocation:rounds")).status_code == 200


@pytest.mark.parametrize(
    ("embedded", "debug"),
    [(False, False), (False, True), (True, False)],
    ids=["production", "database-url-with-debug", "embedded-without-debug"],
)
def test_demo_refuses_outside_the_embedded_mode_and_writes_nothing(settings, embedded, debug):
    from django.contrib.auth import get_user_model

    settings.ATGRANT_EMBEDDED = embedded
    settings.DEBUG = debug
    with pytest.raises(CommandError, match="--force-demo"):
        _load("--demo")
    assert not get_user_model().objects.exists()
    assert not Region.objects.exists()
    assert not GrantRound.objects.exists()


def test_without_demo_the_round_loads_in_production(settings):
    settings.ATGRANT_EMBEDDED = False
    settings.DEBUG = False
    _load()
    assert Region.objects.count() == 21


def test_force_demo_loads_the_demo_outside_the_embedded_mode(settings, django_user_model):
    settings.ATGRANT_EMBEDDED = False
    settings.DEBUG = False
    out = _load("--demo", "--force-demo")
    assert "handlaggare@demo.atgrant.se" in out
    assert django_user_model.objects.filter(email="handlaggare@demo.atgrant.se").exists()


def test_force_demo_alone_is_refused():
    with pytest.raises(CommandError, match="--force-demo only goes with --demo"):
        _load("--force-demo")
    assert not Region.objects.exists()


def test_demo_refuses_with_a_production_environment():
    """The command as an operator runs it: DATABASE_URL set, DEBUG off. It stops before it
    touches the database (which need not exist here)."""
    import secrets

    from tests.production.test_deploy import PRODUCTION_ENV, _run

    env = {**PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(64)}
    result = _run(["load_round_2024", "--demo"], env)
    assert result.returncode != 0
    assert "Refusing --demo" in result.stderr
    assert "handlaggare@demo.atgrant.se" not in result.stdout


def test_the_2024_round_carries_its_decision_record():
    _load()
    grant_round = GrantRound.objects.get(slug="at-2024")
    # The government decision by date and title, never the cut "(S2024)".
    assert "22 mars 2024" in grant_round.government_decision
    assert "allmäntjänstgöring" in grant_round.government_decision
    assert "(S2024)" not in grant_round.legal_basis
    assert "bilaga 2 till regeringens uppdrag" in grant_round.legal_basis
    assert grant_round.appealable and grant_round.no_appeal_reason == ""
    assert not grant_round.single_officer_allowed  # one presents, another decides


def test_loading_again_completes_an_earlier_load_without_the_decision_record():
    _load()
    GrantRound.objects.filter(slug="at-2024").update(
        government_decision="", legal_basis=loader.EARLIER_LEGAL_BASIS
    )
    _load()
    grant_round = GrantRound.objects.get(slug="at-2024")
    assert grant_round.government_decision == loader.GOVERNMENT_DECISION
    assert grant_round.legal_basis == loader.LEGAL_BASIS


def test_loading_again_keeps_what_an_officer_wrote():
    _load()
    GrantRound.objects.filter(slug="at-2024").update(government_decision="S2024/01234")
    _load()
    assert GrantRound.objects.get(slug="at-2024").government_decision == "S2024/01234"


def test_demo_has_a_second_officer_to_present_the_case(django_user_model):
    from regions.roles import is_officer

    _load("--demo")
    presenter = django_user_model.objects.get(username="foredragande@demo.atgrant.se")
    assert is_officer(presenter)
