from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
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


def _state() -> dict[str, list[dict]]:
    """Every row the loader and its demo write, to compare one run with the next."""
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import get_user_model

    from audit.models import AuditEvent
    from regions.models import Colleague, ProxyApplication, ProxyAppointment
    from registry.models import RegistryEntry
    from submissions.models import DeadlineExtension, Report, ReportVersion

    models = [Region, GrantRound, RoundBaseline, Report, ReportVersion, DeadlineExtension]
    models += [ProxyAppointment, ProxyApplication, Colleague, get_user_model(), Authenticator]
    models += [AuditEvent, RegistryEntry]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def _submitted_and_not() -> tuple[set[str], list[str]]:
    """From the database: the regions with a submitted version, and those without (code order)."""
    from submissions.models import ReportVersion

    submitted = set(ReportVersion.objects.values_list("report__region__short_name", flat=True))
    regions = Region.objects.order_by("code").values_list("short_name", flat=True)
    return submitted, [name for name in regions if name not in submitted]


def test_loading_twice_changes_nothing():
    _load("--demo")
    snapshot = _state()
    _load("--demo")
    assert _state() == snapshot
    assert Region.objects.count() == 21


def test_loading_again_says_what_it_found_not_what_it_did_the_first_time():
    first = _load("--demo")
    assert first.startswith(
        "Loaded 21 regions and round at-2024 (Öppen, deadline 2024-11-01 23:59 CET).\n"
    )
    snapshot = _state()

    second = _load("--demo")

    assert _state() == snapshot
    lines = second.splitlines()
    # The deadline in Stockholm's time, as on the first run (not the database's UTC).
    assert lines[0] == (
        "Found 21 regions (none new or changed) and round at-2024 "
        "(already loaded; Öppen, deadline 2024-11-01 23:59 CET)."
    )
    assert "Loaded" not in second
    # The three demo proxies' regions have no submitted version: the message says so.
    submitted, without = _submitted_and_not()
    assert (len(submitted), without) == (18, ["Stockholm", "Gotland", "Blekinge"])
    assert "every region already had" not in second
    assert (
        f"Demo reports: none submitted now; {len(submitted)} of 21 regions already had a "
        f"submitted version; {len(without)} without one: {', '.join(without)}."
    ) in lines
    assert "Demo reports submitted by" not in second
    assert [line for line in lines if line.startswith("  extension for")] == [
        line.replace("(granted now)", "(granted earlier)")
        for line in first.splitlines()
        if line.startswith("  extension for")
    ]


def test_loading_again_counts_what_the_demo_proxies_did_in_between(django_user_model):
    from submissions.services import ReportData, report_save_draft, report_submit

    _load("--demo")
    grant_round = GrantRound.objects.get(slug="at-2024")
    blekinge = Region.objects.get(short_name="Blekinge")
    gotland = Region.objects.get(short_name="Gotland")
    report_submit(
        grant_round=grant_round,
        region=blekinge,
        data=ReportData(
            filled_posts=30, started_posts=31, contact_name="Britt", contact_email="b@x.se"
        ),
        revision=0,
        by=django_user_model.objects.get(username="ombud.blekinge@demo.atgrant.se"),
    )
    report_save_draft(
        grant_round=grant_round,
        region=gotland,
        data=ReportData(filled_posts=12, started_posts=None, contact_name="", contact_email=""),
        revision=0,
        by=django_user_model.objects.get(username="ombud.gotland@demo.atgrant.se"),
    )
    snapshot = _state()

    out = _load("--demo")

    assert _state() == snapshot
    submitted, without = _submitted_and_not()
    assert (len(submitted), without) == (19, ["Stockholm", "Gotland"])
    assert (
        "Demo reports: none submitted now; 19 of 21 regions already had a submitted version; "
        "2 without one: Stockholm, Gotland (draft only)."
    ) in out.splitlines()


def test_loading_again_says_what_changed_since_the_demo_was_loaded(django_user_model):
    from regions.models import ApplicationStatus, ProxyApplication, ProxyAppointment
    from submissions.models import DeadlineExtension

    _load("--demo")
    auditor = django_user_model.objects.get(username="revisor@demo.atgrant.se")
    auditor.set_password("ett-annat-lösenord-2024")
    auditor.save()
    ProxyApplication.objects.update(status=ApplicationStatus.REJECTED)
    replaced = ProxyAppointment.objects.get(region__short_name="Gotland")
    ProxyAppointment.objects.filter(pk=replaced.pk).update(ended_at=replaced.appointed_at)
    newcomer = django_user_model.objects.create(username="ny@gotland.se", email="ny@gotland.se")
    ProxyAppointment.objects.create(region=replaced.region, user=newcomer)
    # Stockholm's extension has run out (the round's own deadline passed long ago).
    ended = dt.datetime(2025, 1, 1, 23, 59, 59, tzinfo=STOCKHOLM)
    DeadlineExtension.objects.filter(region__short_name="Stockholm").update(until=ended)
    snapshot = _state()

    lines = _load("--demo").splitlines()

    assert _state() == snapshot
    assert "Demo users (demo only, password for all not marked otherwise: demo-atgrant-2024):" in (
        lines
    )
    assert "  auditor  revisor@demo.atgrant.se [password changed, not the demo password]" in lines
    assert "  officer  handlaggare@demo.atgrant.se" in lines
    assert (
        "  proxy    ombud.gotland@demo.atgrant.se (no longer Region Gotland's proxy: "
        "ny@gotland.se is)"
    ) in lines
    assert (
        "  applicant sokande.uppsala@demo.atgrant.se "
        "(rejected proxy application for Region Uppsala)"
    ) in lines
    assert (
        "  extension for Stockholm until 2025-01-01 23:59 (granted earlier; it has ended, "
        "the region can no longer report)"
    ) in lines


def test_loading_again_moves_an_open_rounds_deadline_and_says_so():
    _load()
    out = _load("--deadline", "2030-11-01")
    grant_round = GrantRound.objects.get(slug="at-2024")
    assert grant_round.deadline == dt.datetime(2030, 11, 1, 23, 59, 59, tzinfo=STOCKHOLM)
    assert "deadline kept" not in out
    assert out.splitlines() == [
        "Found 21 regions (none new or changed) and round at-2024 "
        "(already loaded; Öppen, deadline 2030-11-01 23:59 CET).",
        "Round at-2024: deadline moved from 2024-11-01 23:59 CET to 2030-11-01 23:59 CET.",
    ]
    assert "deadline already the one given" in _load("--deadline", "2030-11-01")


def test_loading_again_keeps_a_closed_rounds_deadline_and_says_so():
    _load()
    GrantRound.objects.filter(slug="at-2024").update(status=RoundStatus.CLOSED)
    out = _load("--deadline", "2030-11-01")
    grant_round = GrantRound.objects.get(slug="at-2024")
    assert grant_round.deadline == dt.datetime(2024, 11, 1, 23, 59, 59, tzinfo=STOCKHOLM)
    assert (
        "Round at-2024: deadline kept (Stängd: --deadline only moves a draft or open round's "
        "deadline)."
    ) in out.splitlines()


def test_loading_again_opens_a_draft_round_and_counts_its_baselines():
    _load()
    grant_round = GrantRound.objects.get(slug="at-2024")
    GrantRound.objects.filter(pk=grant_round.pk).update(status=RoundStatus.DRAFT)
    RoundBaseline.objects.filter(round=grant_round, region__short_name="Gotland").update(
        population=1
    )
    RoundBaseline.objects.filter(round=grant_round, region__short_name="Blekinge").delete()
    out = _load().splitlines()
    assert out[1:] == [
        "Round at-2024: baselines for 21 regions (1 new, 1 updated).",
        "Round at-2024: opened for reports (it was a draft).",
    ]
    assert GrantRound.objects.get(pk=grant_round.pk).status == RoundStatus.OPEN
    assert RoundBaseline.objects.get(region__short_name="Gotland").population == 61_093


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


def test_demo_reports_agree_with_their_registry_entries_and_audit_events():
    """A demo version's receipt time is its incoming document's date and year (the registry
    numbers by year) and its audit event's time: all the moment the demo was loaded, since
    the registry and the audit log stamp what they append and are never back-dated."""
    from django.utils import timezone

    from audit.models import AuditEvent
    from registry.models import DocumentKind, RegistryEntry
    from submissions.models import ReportVersion

    before = timezone.now()
    out = _load("--demo")
    after = timezone.now()

    versions = list(ReportVersion.objects.select_related("report__region"))
    assert len(versions) == 18
    for version in versions:
        assert before <= version.submitted_at <= after
        submitted = version.submitted_at.astimezone(STOCKHOLM)
        entry = RegistryEntry.objects.get(kind=DocumentKind.REPORT_VERSION, object_id=version.pk)
        assert before <= entry.registered_at <= after
        assert entry.document_date == submitted.date()
        assert entry.year == submitted.year
        assert entry.case_number.startswith(f"{submitted.year}/")
        event = AuditEvent.objects.get(
            action="report.submitted",
            object_type="submissions.reportversion",
            object_id=str(version.pk),
        )
        assert before <= event.created_at <= after
        assert event.region_id == version.report.region_id
    # The output says when, and that it is after the 2024 round's deadline.
    assert "after the round's deadline (2024-11-01 23:59)" in out
    # The demo extensions too: granted, and audited, when the demo was loaded.
    for event in AuditEvent.objects.filter(action="report.deadline_extended"):
        assert before <= event.created_at <= after
        assert event.actor.email == "handlaggare@demo.atgrant.se"


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
    # Each is in the auditor's history, once, though loaded twice.
    events = AuditEvent.objects.filter(message="Demodata (load_round_2024 --demo)")
    appointed = events.filter(action="proxy_appointment.created")
    assert sorted(e.after["email"] for e in appointed) == sorted(active.values())
    assert {e.actor.email for e in appointed} == {"handlaggare@demo.atgrant.se"}
    [added] = events.filter(action="colleague.added")
    assert (added.region_id, added.object_id) == (colleague.region_id, str(colleague.pk))
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
    out = _load()
    grant_round = GrantRound.objects.get(slug="at-2024")
    assert grant_round.government_decision == loader.GOVERNMENT_DECISION
    assert grant_round.legal_basis == loader.LEGAL_BASIS
    assert (
        "Round at-2024: decision record completed (government_decision, legal_basis)."
    ) in out.splitlines()


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
