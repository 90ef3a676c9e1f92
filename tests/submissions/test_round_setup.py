"""Setting up next year's round in the browser (submissions.setup): 'Ny omgång' empty or as a
copy, the plans per region, the checks before opening and 'Öppna omgången' with its e-mails."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from allocation.model_cases import parse_inputs
from allocation.models import ModelTestCase
from audit.models import AuditEvent
from regions.models import ProxyAppointment
from submissions import setup
from submissions.models import STOCKHOLM, GrantRound, RoundBaseline, RoundStatus
from tests.factories import (
    GrantRoundFactory,
    RegionFactory,
    RoundBaselineFactory,
    UserFactory,
    rows_2024,
)
from tests.submissions.factories import frozen

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
# The day the officer prepares 2025's round: before it opens and long before the deadline.
PREPARING = dt.datetime(2025, 3, 3, 10, 0, tzinfo=STOCKHOLM)

MODEL = {
    "format": 1,
    "name": "AT-tjänster 2024",
    "values": {
        "posts": "max(filled, started) - deducted",
        "rate": "posts * 100000 / population",
        "increase": "posts - planned",
    },
    "totals": {},
    "blocks": [
        {"id": "block1", "name": "Redovisa antal AT-tjänster", "budget": 63000000, "share": "rate"},
        {
            "id": "block2",
            "name": "Ytterligare utökning",
            "budget": 160000000,
            "eligible": "increase >= 2",
            "amount": "step(increase, [[2, 3000000], [3, 4500000]])",
            "over_budget": "scale",
            "remainder": "rate",
        },
    ],
}


# A model test case's inputs, as allocate_csv reads them (allocation.model_cases).
CASE_INPUTS = """region,population,planned,filled,started,deducted
Region Blekinge,159000,30,35,,0
Region Gotland,60000,5,6,,0
"""


@pytest.fixture
def regions():
    return {
        row["code"]: RegionFactory(
            code=row["code"],
            name=row["name"],
            short_name=row["short_name"],
            registry_email=row["registry_email"],
        )
        for row in rows_2024()
    }


@pytest.fixture
def round_2024(regions):
    """2024's round, decided, with every region's figures, its model and its record."""
    grant_round = GrantRoundFactory(
        slug="at-2024",
        name="AT-bidraget 2024",
        year=2024,
        decided=True,
        deadline=dt.datetime(2024, 11, 1, 23, 59, 59, tzinfo=STOCKHOLM),
        model=MODEL,
        legal_basis="Regeringsbeslut S2024/01234",
        government_decision="Uppdrag att fördela statsbidrag, 2024-03-14, S2024/01234",
        appealable=False,
        no_appeal_reason="12 § förordningen",
        reminder_days="21,7",
    )
    for row in rows_2024():
        RoundBaselineFactory(
            round=grant_round,
            region=regions[row["code"]],
            population=int(row["population_2023_11_01"]),
            plan_text="50",
        )
    return grant_round


def _new_round(source=None, **changes):
    data = setup.copy_initial(source) if source else setup.empty_initial(dt.date(2025, 3, 3))
    data = {**data, **changes}
    data.setdefault("source", None)
    return data


def post_data(initial: dict) -> dict[str, str]:
    return {
        key: (value.slug if isinstance(value, GrantRound) else str(value))
        for key, value in initial.items()
        if value is not None
    }


# --- a new round ----------------------------------------------------------------------------


def test_a_copy_moves_every_date_a_year_and_keeps_the_rest(round_2024, officer):
    initial = setup.copy_initial(round_2024)
    assert initial["name"] == "AT-bidraget 2025" and initial["slug"] == "at-2025"
    assert initial["year"] == 2025
    assert initial["opens_on"] == dt.date(2025, 4, 15)
    assert initial["deadline_on"] == dt.date(2025, 11, 1)
    assert initial["population_date"] == dt.date(2024, 11, 1)

    with frozen(PREPARING):
        created = setup.round_create(by=officer, **initial)

    assert created.status == RoundStatus.DRAFT
    assert created.deadline == dt.datetime(2025, 11, 1, 23, 59, 59, tzinfo=STOCKHOLM)
    assert created.opens_at == dt.datetime(2025, 4, 15, tzinfo=STOCKHOLM)
    # The model as it is, its name for the new year.
    assert created.model == {**MODEL, "name": "AT-tjänster 2025"}
    assert round_2024.model["name"] == "AT-tjänster 2024"
    assert created.total_budget == 63_000_000 + 160_000_000  # the model's blocks
    assert created.reminder_days == "21,7"
    assert created.appealable is False and created.no_appeal_reason == "12 § förordningen"
    # The year's own texts are left for the new year's decision record.
    assert created.government_decision == "" and created.legal_basis == ""
    # The participating regions, without the earlier year's figures.
    baselines = RoundBaseline.objects.filter(round=created)
    assert baselines.count() == 21
    assert not baselines.filter(population__isnull=False).exists()
    assert not baselines.exclude(plan_text="").exists()
    event = AuditEvent.objects.get(action="round.created")
    assert event.actor == officer and event.round_id == created.pk
    assert event.after["copied_from"] == "at-2024" and len(event.after["participating"]) == 21


def test_a_copied_models_name_without_the_year_is_kept(round_2024, officer):
    round_2024.model = {**MODEL, "name": "Grundmodellen"}
    round_2024.save(update_fields=["model"])
    with frozen(PREPARING):
        created = setup.round_create(by=officer, **setup.copy_initial(round_2024))
    assert created.model["name"] == "Grundmodellen"


def test_29_february_moves_to_28_february():
    assert setup.a_year_later(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)


def test_an_empty_draft_has_no_regions_no_model_and_no_budget(officer):
    created = setup.round_create(by=officer, **_new_round())
    assert created.status == RoundStatus.DRAFT and created.model == {}
    assert created.total_budget == 0 and not created.baselines.exists()
    assert AuditEvent.objects.get(action="round.created").after["copied_from"] is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"year": 2024}, "year"),
        ({"slug": "at-2024"}, "slug"),
        ({"deadline_on": dt.date(2025, 4, 14)}, "deadline"),
        ({"population_date": dt.date(2025, 4, 15)}, "population_date"),
    ],
)
def test_the_service_refuses_taken_names_and_dates_out_of_order(
    round_2024, officer, changes, field
):
    with pytest.raises(ValidationError) as refused:
        setup.round_create(by=officer, **_new_round(round_2024, **changes))
    assert field in refused.value.message_dict
    assert GrantRound.objects.count() == 1
    assert not AuditEvent.objects.filter(action="round.created").exists()


def test_only_an_officer_creates_a_round(auditor):
    with pytest.raises(PermissionDenied):
        setup.round_create(by=auditor, **_new_round())
    assert not GrantRound.objects.exists()


def test_the_new_round_page_copies_with_field_errors_for_bad_input(
    client, login, officer, round_2024
):
    login(client, officer)
    url = reverse("submissions:round_new")
    with frozen(PREPARING):
        _new_round_page_journey(client, url, round_2024)


def _new_round_page_journey(client, url, round_2024):  # noqa: ANN001, ANN202
    page = client.get(url, {"fran": "at-2024"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="AT-bidraget 2025"' in html and 'value="2025-11-01"' in html
    assert client.get(url, {"fran": "finns-inte"}).status_code == 404

    data = post_data(setup.copy_initial(round_2024))
    bad = {**data, "year": "2024", "slug": "at-2024", "deadline_on": "2025-04-01"}
    refused = client.post(url, bad)
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Det finns redan en omgång för 2024" in html
    assert "Kortnamnet används redan" in html
    assert "Sista dag kan inte vara före den dag omgången öppnar" in html
    for nonsense in ({"year": "tjugo"}, {"opens_on": "9999-12-31"}, {"name": "x\x00"}):
        assert client.post(url, {**data, **nonsense}).status_code == 400
    assert GrantRound.objects.count() == 1

    created = client.post(url, data)
    assert created.status_code == 302
    assert created.url == reverse("submissions:round_setup", args=["at-2025"])
    assert GrantRound.objects.get(slug="at-2025").baselines.count() == 21


def test_a_copy_takes_the_models_test_cases(round_2024, officer):
    for name in ("Ett", "Två"):
        ModelTestCase.objects.create(
            round=round_2024,
            name=name,
            inputs=parse_inputs(CASE_INPUTS),
            expected={},
            updated_by=officer,
        )
    created = setup.round_create(by=officer, **_new_round(round_2024))
    copies = ModelTestCase.objects.filter(round=created).order_by("name")
    assert [(c.name, c.inputs) for c in copies] == [
        ("Ett", parse_inputs(CASE_INPUTS)),
        ("Två", parse_inputs(CASE_INPUTS)),
    ]
    assert AuditEvent.objects.get(action="round.created").after["test_cases"] == 2


@pytest.mark.parametrize("role", ["auditor", None])
def test_the_setup_pages_are_the_agencys(client, login, request, round_2024, role):
    urls = [
        reverse("submissions:round_new"),
        reverse("submissions:round_setup", args=["at-2024"]),
        reverse("submissions:round_plans", args=["at-2024"]),
    ]
    if role is None:
        proxy = UserFactory(email="ombud@example.se")
        ProxyAppointment.objects.create(region=round_2024.baselines.first().region, user=proxy)
        login(client, proxy)
        assert all(client.get(url).status_code == 404 for url in urls)
        return
    login(client, request.getfixturevalue(role))
    assert all(client.get(url).status_code == 200 for url in urls)
    # An auditor reads, never writes.
    assert client.post(urls[0], post_data(setup.copy_initial(round_2024))).status_code == 403
    assert client.post(reverse("submissions:round_open", args=["at-2024"])).status_code == 403


# --- the plans per region -------------------------------------------------------------------


@pytest.fixture
def draft_2025(round_2024, officer):
    with frozen(PREPARING):
        return setup.round_create(by=officer, **setup.copy_initial(round_2024))


def test_plans_are_parsed_with_errors_at_their_field_and_nothing_written(
    client, login, officer, draft_2025
):
    login(client, officer)
    url = reverse("submissions:round_plans", args=["at-2025"])
    refused = client.post(url, {"plan_10": "28", "plan_05": "89-84", "plan_01": "många"})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "baklänges" in html and "känns inte igen" in html
    assert not RoundBaseline.objects.filter(round=draft_2025).exclude(plan_text="").exists()

    saved = client.post(url, {"plan_10": "28", "plan_05": "84–89", "plan_19": "46 (ev. 48)"})
    assert saved.status_code == 302
    plans = {
        b.region.code: (b.plan_text, b.plan_low, b.plan_high)
        for b in RoundBaseline.objects.filter(round=draft_2025).exclude(plan_text="")
    }
    assert plans == {
        "10": ("28", Decimal(28), Decimal(28)),
        "05": ("84–89", Decimal(84), Decimal(89)),
        "19": ("46 (ev. 48)", Decimal(46), Decimal(48)),
    }
    event = AuditEvent.objects.get(action="baseline.plan_edited")
    assert event.before == {"plan": {"10": None, "05": None, "19": None}}
    assert event.after == {"plan": {"10": "28", "05": "84–89", "19": "46 (ev. 48)"}}
    # The same again changes nothing and records nothing.
    client.post(url, {"plan_10": "28", "plan_05": "84–89", "plan_19": "46 (ev. 48)"})
    assert AuditEvent.objects.filter(action="baseline.plan_edited").count() == 1


def test_plans_change_only_in_a_draft(officer, round_2024):
    with pytest.raises(ValidationError, match="utkast"):
        setup.plans_set(grant_round=round_2024, plans={"10": "30"}, by=officer)
    assert RoundBaseline.objects.get(round=round_2024, region__code="10").plan_text == "50"


# --- the checks and opening -----------------------------------------------------------------


def _population_file_2024() -> bytes:
    """SCB's recorded answer for 1 November 2023, as the answer for 2024 (one more of each)."""
    answer = json.loads((DATA / "scb_folkmangdnov_2023.json").read_text(encoding="utf-8"))
    for row in answer["data"]:
        row["key"][2] = "2024"
        row["values"] = [str(int(row["values"][0]) + 1)]
    return json.dumps(answer).encode()


def _plan_file() -> bytes:
    lines = ["länskod;plan"] + [f"{row['code']};{row['planned_2024']}" for row in rows_2024()]
    return "\n".join(lines).encode()


def _import(client, kind: str, name: str, content: bytes) -> None:
    url = reverse("submissions:baseline_upload", args=["at-2025", kind])
    staged = client.post(url, {"file": SimpleUploadedFile(name, content)})
    assert staged.status_code == 302, staged.content.decode()[:2000]
    assert client.post(staged.url).status_code == 302


def test_the_checks_name_what_is_missing(draft_2025):
    with frozen(PREPARING):
        checks = {check.key: check for check in setup.opening_checks(draft_2025)}
    assert checks["status"].ok and checks["regions"].ok and checks["model"].ok
    assert checks["dates"].ok and checks["recipients"].ok
    assert len(checks["population"].problems) == 21 and len(checks["plan"].problems) == 21
    assert "Region Blekinge saknar befolkning." in checks["population"].problems

    GrantRound.objects.filter(pk=draft_2025.pk).update(
        model={}, population_date=dt.date(2025, 5, 1)
    )
    draft_2025.refresh_from_db()
    with frozen(dt.datetime(2025, 11, 2, tzinfo=STOCKHOLM)):
        checks = {check.key: check for check in setup.opening_checks(draft_2025)}
    assert checks["model"].problems == (
        "Omgången har ingen fördelningsmodell ännu. Skriv den under Fördelningsmodell.",
    )
    assert set(checks["dates"].problems) == {
        "Befolkningsdatumet ska vara före den dag omgången öppnar.",
        "Sista dag har redan passerat.",
    }


def test_a_failing_test_case_fails_the_model_check(draft_2025, officer):
    ModelTestCase.objects.create(
        round=draft_2025,
        name="Blekinge ensam",
        inputs=parse_inputs(CASE_INPUTS),
        expected={"Region Blekinge": {"block1": 1}},
        updated_by=officer,
    )
    with frozen(PREPARING):
        checks = {check.key: check for check in setup.opening_checks(draft_2025)}
    [problem] = checks["model"].problems
    assert problem.startswith("Kontrollfallet Blekinge ensam stämmer inte: Region Blekinge, ")


def test_opening_is_refused_while_a_check_fails(
    client, login, officer, draft_2025, django_capture_on_commit_callbacks
):
    login(client, officer)
    with frozen(PREPARING), django_capture_on_commit_callbacks(execute=True):
        refused = client.post(reverse("submissions:round_open", args=["at-2025"]))
    assert refused.status_code == 400
    assert "Region Blekinge saknar befolkning." in refused.content.decode()
    draft_2025.refresh_from_db()
    assert draft_2025.status == RoundStatus.DRAFT
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action__in=["round.status", "round.opened"]).exists()


def test_done_when_copy_2024_import_check_and_open(
    client, login, officer, round_2024, regions, django_capture_on_commit_callbacks
):
    """The issue's journey: copy 2024 to a 2025 draft, import SCB's JSON and a plan CSV,
    pass the checks, open; the proxies and the official mailboxes get their e-mails."""
    blekinge = UserFactory(email="ombud@blekinge.example.se")
    ProxyAppointment.objects.create(region=regions["10"], user=blekinge)
    gotland = UserFactory(email="ombud@gotland.example.se")
    ProxyAppointment.objects.create(region=regions["09"], user=gotland)
    login(client, officer)

    with frozen(PREPARING):
        copied = client.post(
            reverse("submissions:round_new"), post_data(setup.copy_initial(round_2024))
        )
        assert copied.status_code == 302
        page = client.get(copied.url).content.decode()
        assert "Öppna omgången</button>" not in page

        _import(client, "befolkning", "folkmangd-2024.json", _population_file_2024())
        _import(client, "planeringsunderlag", "planer-2025.csv", _plan_file())

        page = client.get(copied.url).content.decode()
        assert "Inte klar" not in page and "Öppna omgången</button>" in page
        with django_capture_on_commit_callbacks(execute=True):
            opened = client.post(reverse("submissions:round_open", args=["at-2025"]))

    assert opened.status_code == 302
    grant_round = GrantRound.objects.get(slug="at-2025")
    assert grant_round.status == RoundStatus.OPEN
    blekinge_2025 = RoundBaseline.objects.get(round=grant_round, region=regions["10"])
    assert blekinge_2025.population == 158_226 + 2 and blekinge_2025.plan_text == "28"

    assert len(mail.outbox) == 21  # one per region: its proxy, if any, and its mailbox
    by_region = {message.to[-1]: message for message in mail.outbox}
    message = by_region["registrator@regionblekinge.se"]
    assert message.to == ["ombud@blekinge.example.se", "registrator@regionblekinge.se"]
    assert message.subject == "AT-bidraget 2025 är öppen för inrapportering"
    assert "Till Region Blekinge: AT-bidraget 2025 är öppen för inrapportering." in message.body
    assert "Sista dag: 1 november 2025 kl. 23:59 svensk tid" in message.body
    assert "/inrapportering/at-2025/10/" in message.body
    assert by_region["registrator@gotland.se"].to[0] == "ombud@gotland.example.se"
    assert by_region["registrator@regionstockholm.se"].to == ["registrator@regionstockholm.se"]

    status = AuditEvent.objects.get(action="round.status", round_id=grant_round.pk)
    assert status.before == {"status": "draft"} and status.after == {"status": "open"}
    opened_event = AuditEvent.objects.get(action="round.opened")
    assert opened_event.actor == officer
    assert opened_event.after["recipients"]["10"] == [
        "ombud@blekinge.example.se",
        "registrator@regionblekinge.se",
    ]
    # Opened once: again is refused, and nothing more is sent.
    with pytest.raises(ValidationError):
        setup.round_open(grant_round=grant_round, by=officer)
    assert len(mail.outbox) == 21


def test_an_open_round_shows_its_checks_without_the_button(client, login, officer, round_2024):
    login(client, officer)
    page = client.get(reverse("submissions:round_setup", args=["at-2024"])).content.decode()
    assert "Omgången är redan beslutad." in page
    assert "Öppna omgången</button>" not in page
    plans = client.get(reverse("submissions:round_plans", args=["at-2024"])).content.decode()
    assert "kan bara ändras här medan omgången är ett utkast" in plans
    assert 'name="plan_10"' not in plans
