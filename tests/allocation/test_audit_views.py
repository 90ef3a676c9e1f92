"""The auditor's read-only pages: history with filters, a run's record and diff, verification."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from unittest.mock import patch

import pytest
from django.urls import reverse

from allocation.models import AllocationRun
from audit.models import AuditEvent
from audit.services import audit_record
from bench.common import generate
from submissions.models import Report
from tests.allocation.read_factories import (
    FAST_HASHERS,
    FOUR,
    HALLAND_DEDUCTION,
    closed_round,
    decide,
)
from tests.factories import GrantRoundFactory, ReportVersionFactory, UserFactory
from tests.queries import LOGGED_IN

INDEX = "allocation_read:audit_index"
RUNS = "allocation_read:audit_runs"
VERIFY = "allocation_read:audit_verify"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def decisions(officer, region, other_region):
    return decide(closed_round(FOUR, submitted_by=officer), officer, deductions=HALLAND_DEDUCTION)


@pytest.fixture
def run(decisions) -> AllocationRun:
    return decisions["Blekinge"].run


def urls(run) -> list[str]:
    return [
        reverse(INDEX),
        reverse(RUNS),
        reverse("allocation_read:audit_run", kwargs={"pk": run.pk}),
        reverse(VERIFY),
    ]


def at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 12, 0, tzinfo=dt.UTC)


def event(action: str, when: dt.datetime, **kwargs) -> AuditEvent:
    with patch("django.utils.timezone.now", return_value=when):
        return audit_record(action=action, **kwargs)


def actions_shown(response) -> list[str]:
    return re.findall(r'<tr data-action="([^"]+)">', response.content.decode())


# --- permissions ----------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, run):
    for url in urls(run):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ["proxy", "other_proxy", "colleague"])
def test_region_people_get_404(client, login, run, role, request):
    login(client, request.getfixturevalue(role))
    for url in urls(run):
        assert client.get(url).status_code == 404, url


def test_user_without_a_role_gets_404(client, login, run):
    login(client, UserFactory(email="nobody@example.se"))
    for url in urls(run):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_officers_and_auditors_read_every_page(client, login, run, role, request):
    login(client, request.getfixturevalue(role))
    for url in urls(run):
        assert client.get(url).status_code == 200, url


def test_unknown_run_is_404(client, login, auditor, db):
    login(client, auditor)
    url = reverse("allocation_read:audit_run", kwargs={"pk": 999})
    assert client.get(url).status_code == 404


# --- the history ----------------------------------------------------------------------------


def test_history_shows_who_did_what_and_the_change(client, login, decisions, auditor):
    login(client, auditor)
    response = client.get(reverse(INDEX))
    html = response.content.decode()
    shown = actions_shown(response)
    for action in (
        "allocation.deduction_set",
        "allocation.run_requested",
        "allocation.run_done",
        "allocation.decision_issued",
        "allocation.decisions_issued",
    ):
        assert action in shown
    assert "Avräkning registrerad" in html
    assert "officer@example.se" in html
    assert '<li data-field="posts">Avräknade tjänster: 2</li>' in html
    # Links to the records themselves.
    run = decisions["Blekinge"].run
    assert reverse("allocation_read:audit_run", kwargs={"pk": run.pk}) in html
    assert reverse("allocation_read:region_decision", kwargs={"reference": "AT2024-10-B1"}) in html


def test_history_shows_words_and_formatted_values_never_codes(client, login, auditor, officer):
    grant_round = GrantRoundFactory()
    event(
        "round.closed",
        at(2024, 11, 2),
        actor=None,
        round_id=grant_round.pk,
        before={"status": "open"},
        after={
            "status": "closed",
            "reports_locked": 2,
            "extensions_ended": ["Blekinge", "Gotland"],
        },
    )
    event(
        "report.deadline_extended",
        at(2024, 11, 1),
        actor=officer,
        round_id=grant_round.pk,
        before={"until": None, "reason": None},
        after={"until": dt.datetime(2024, 11, 8, 22, 59, tzinfo=dt.UTC), "reason": "Systembyte"},
    )
    event(
        "allocation.decisions_issued",
        at(2024, 12, 2),
        actor=officer,
        round_id=grant_round.pk,
        after={"run": 1, "decisions": 21, "total": 223_000_000, "decision_date": "2024-12-02"},
    )
    login(client, auditor)
    html = client.get(reverse(INDEX)).content.decode()
    for shown in (
        "Omgången stängd",
        '<li data-field="status">Status: Öppen → Stängd</li>',
        "Förlängningar som upphört: Blekinge, Gotland",
        "Svarstid förlängd",
        "Förlängd till: – → 8 november 2024 kl. 23:59",
        "Totalt: 223\u00a0000\u00a0000\u00a0kr",
        "Beslutsdatum: 2 december 2024",
        'data-label="Utförd av">systemet</td>',  # the scheduled task, not the stored "system"
    ):
        assert shown in html
    for raw in ("round.closed<", "extensions_ended:", "['", "<code>", "2024-12-02<"):
        assert raw not in html
    # The filter offers the event types by name too.
    assert '<option value="round.closed">Omgången stängd</option>' in html


# A line whose value is only "–" (a field with no value before and none after).
DASH_ONLY = re.compile(r'<li data-field="([^"]+)">[^<:]*: –</li>')


def test_a_decision_lists_its_blocks_by_name_and_no_empty_fields(client, login, auditor, decisions):
    """As the decision page names them (the round's model), not "Block 1"; the empty optional
    fields of a new decision (no override, no reconsideration...) are not listed."""
    login(client, auditor)
    html = client.get(reverse(INDEX), {"action": "allocation.decision_issued"}).content.decode()
    names = [block["name"] for block in decisions["Blekinge"].round.model_blocks]
    assert names == ["Redovisa antal AT-tjänster", "Ytterligare utökning"]
    assert f'<li data-field="amounts">Belopp per block: {names[0]}: ' in html
    assert f"\u00a0kr; {names[1]}: " in html
    assert "Block 1" not in html and "block1" not in html
    assert DASH_ONLY.findall(html) == []
    for empty in ("override_reason", "reconsideration_reason", "corrections", "overrun_reason"):
        assert f'data-field="{empty}"' not in html
    # Halland's deduction is listed: a value, not an empty field.
    assert "Skäl för avräkning: Två tjänster" in html


def test_blocks_are_named_by_their_rounds_model_else_shown_by_id(client, login, auditor, officer):
    model = {
        "format": 1,
        "name": "Modell 2026",
        "values": {},
        "totals": {},
        "blocks": [
            {"id": "base", "name": "Grundbelopp", "budget": 1000, "share": "1"},
            {"id": "good", "name": "Goda exempel", "budget": 2000, "share": "1"},
        ],
    }
    with_model = GrantRoundFactory(slug="r2026", model=model)
    event(
        "allocation.decision_reconsidered",
        at(2026, 12, 2),
        actor=officer,
        round_id=with_model.pk,
        before={"reference": "AT2026-10-B1", "amounts": {"base": 1000, "good": 0}},
        # Stored in another order than the model's (as PostgreSQL's jsonb sorts the keys):
        # shown in the model's order, a block it does not name last.
        after={"reference": "AT2026-10-B2", "amounts": {"gone": 5, "good": 500, "base": 1000}},
    )
    # Decisions made before models were data: their own block1/block2 fields.
    old = GrantRoundFactory(slug="r2023", model={})
    event(
        "allocation.decision_issued",
        at(2023, 12, 2),
        actor=officer,
        round_id=old.pk,
        after={"reference": "AT2023-10-B1", "block1": 1000, "block2": 0},
    )
    login(client, auditor)
    html = client.get(reverse(INDEX)).content.decode()
    assert (
        "Belopp per block: Grundbelopp: 1\u00a0000\u00a0kr; Goda exempel: 0\u00a0kr → "
        "Grundbelopp: 1\u00a0000\u00a0kr; Goda exempel: 500\u00a0kr; gone: 5\u00a0kr"
    ) in html
    assert '<li data-field="block1">Redovisa antal AT-tjänster: 1\u00a0000\u00a0kr</li>' in html
    assert '<li data-field="block2">Ytterligare utökning: 0\u00a0kr</li>' in html


def test_empty_fields_and_bookkeeping_are_left_out_but_a_change_to_empty_shows(
    client, login, auditor, officer, region
):
    grant_round = GrantRoundFactory()
    saved = event(
        "report.draft_saved",
        at(2024, 10, 1),
        actor=officer,
        round_id=grant_round.pk,
        region_id=region.pk,
        after={"filled_posts": 12, "contact_name": "Anna", "comment": "", "revision": 1},
    )
    event(
        "report.draft_saved",
        at(2024, 10, 2),
        actor=officer,
        round_id=grant_round.pk,
        region_id=region.pk,
        before={"filled_posts": 12, "contact_name": "Anna", "comment": None, "revision": 1},
        after={"filled_posts": None, "contact_name": "Anna", "comment": "", "revision": 2},
    )
    login(client, auditor)
    html = client.get(reverse(INDEX)).content.decode()
    assert '<li data-field="filled_posts">Tillsatta AT-tjänster: 12 → –</li>' in html
    assert '<li data-field="filled_posts">Tillsatta AT-tjänster: 12</li>' in html
    assert 'data-field="comment"' not in html
    assert "Ändringsnummer" not in html and 'data-field="revision"' not in html
    assert DASH_ONLY.findall(html) == []
    # The stored event keeps them all.
    saved.refresh_from_db()
    assert saved.after == {"filled_posts": 12, "contact_name": "Anna", "comment": "", "revision": 1}


@pytest.fixture
def history(officer, auditor, region, other_region):
    """Events in two rounds, two regions, by two actors, on three days."""
    first, second = GrantRoundFactory(slug="r1"), GrantRoundFactory(slug="r2")
    event(
        "report.submitted", at(2024, 10, 1), actor=officer, round_id=first.pk, region_id=region.pk
    )
    event(
        "report.deadline_extended",
        at(2024, 10, 20),
        actor=officer,
        round_id=first.pk,
        region_id=other_region.pk,
    )
    event(
        "allocation.deduction_set",
        at(2024, 11, 5),
        actor=auditor,
        round_id=second.pk,
        region_id=region.pk,
        after={"posts": 3},
    )
    event(
        "round.status",
        at(2024, 11, 5),
        actor=None,
        round_id=second.pk,
        before={"status": "open"},
        after={"status": "closed"},
    )
    return SimpleNamespace(first=first, second=second)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {},
            [
                "round.status",
                "allocation.deduction_set",
                "report.deadline_extended",
                "report.submitted",
            ],
        ),
        ({"round": "first"}, ["report.deadline_extended", "report.submitted"]),
        ({"region": "region"}, ["allocation.deduction_set", "report.submitted"]),
        ({"region": "blekinge"}, ["allocation.deduction_set", "report.submitted"]),
        ({"round": "first", "region": "Blekinge"}, ["report.submitted"]),
        ({"type": "extension"}, ["report.deadline_extended"]),
        ({"type": "report"}, ["report.submitted"]),
        ({"type": "deduction"}, ["allocation.deduction_set"]),
        ({"action": "round.status"}, ["round.status"]),
        ({"actor": "AUDITOR@"}, ["allocation.deduction_set"]),
        ({"date_from": "2024-10-20", "date_to": "2024-10-31"}, ["report.deadline_extended"]),
        ({"date_from": "2024-11-05"}, ["round.status", "allocation.deduction_set"]),
    ],
)
def test_filters(client, login, auditor, history, region, params, expected):
    names = {"first": history.first.pk, "region": region.code}
    query = {k: names.get(v, v) for k, v in params.items()}
    login(client, auditor)
    response = client.get(reverse(INDEX), query)
    assert response.status_code == 200
    assert [a for a in actions_shown(response) if not a.startswith("auth.")] == expected


def test_reversed_date_range_is_an_error_and_shows_nothing(client, login, auditor, history):
    login(client, auditor)
    response = client.get(reverse(INDEX), {"date_from": "2024-11-05", "date_to": "2024-10-01"})
    assert actions_shown(response) == []
    html = response.content.decode()
    assert '<div class="invalid-feedback d-block" id="id_date_to-error">' in html
    assert "Slutdatumet kan inte vara före startdatumet." in html
    date_to = re.search(r'<input[^>]*name="date_to"[^>]*>', html).group(0)
    assert 'aria-describedby="id_date_to-error"' in date_to
    assert 'aria-invalid="true"' in date_to


def test_history_is_paginated(client, login, auditor, db):
    for day in range(1, 61):
        event("report.draft_saved", at(2024, 9, 1) + dt.timedelta(hours=day), actor=auditor)
    login(client, auditor)
    first = client.get(reverse(INDEX), {"action": "report.draft_saved"})
    assert len(actions_shown(first)) == 25
    last = client.get(reverse(INDEX), {"action": "report.draft_saved", "page": 3})
    assert len(actions_shown(last)) == 10
    assert "Sida 3 av 3" in last.content.decode()


def _nav(html: str, label: str) -> str:
    return html.split(f'<nav aria-label="{label}">', 1)[1].split("</nav>", 1)[0]


@pytest.fixture
def regional_events(auditor, region, other_region):
    """60 events of Blekinge, 5 of Gotland, an hour apart."""
    start = at(2024, 9, 1)
    for where, count in ((region, 60), (other_region, 5)):
        for hour in range(count):
            event(
                "report.draft_saved",
                start + dt.timedelta(hours=hour),
                actor=auditor,
                region_id=where.pk,
            )


def test_the_pager_keeps_the_filter(client, login, auditor, regional_events):
    login(client, auditor)
    query = {"region": "Blekinge", "action": "report.draft_saved"}
    html = client.get(reverse(INDEX), query).content.decode()
    nav = _nav(html, "Sidor i historiken")
    assert nav.count('aria-current="page"') == 1
    assert (
        f'href="{reverse(INDEX)}?region=Blekinge&amp;action=report.draft_saved&amp;page=2'
        '#audit-events" rel="next">Nästa</a>'
    ) in nav
    last = client.get(reverse(INDEX), {**query, "page": 3})
    rows = last.content.decode().split('id="audit-events"', 1)[1].split("</table>", 1)[0]
    assert len(actions_shown(last)) == 10  # the filter holds on page 3: Blekinge's last 10
    assert "Gotland" not in rows
    assert 'value="Blekinge"' in re.search(r'<input[^>]*name="region"[^>]*>', html).group(0)


@pytest.mark.parametrize(("page", "shown"), [("abc", 25), ("-1", 15), ("999", 15), ("2", 25)])
def test_a_bad_page_number_shows_the_first_or_last_page(
    client, login, auditor, regional_events, page, shown
):
    login(client, auditor)
    response = client.get(reverse(INDEX), {"action": "report.draft_saved", "page": page})
    assert response.status_code == 200
    assert len(actions_shown(response)) == shown


def test_an_unknown_region_is_an_error_in_swedish(client, login, auditor, regional_events):
    login(client, auditor)
    response = client.get(reverse(INDEX), {"region": "Atlantis"})
    assert response.status_code == 200
    assert actions_shown(response) == []
    html = response.content.decode()
    assert '<label class="form-label" for="id_region">Region (namn eller länskod)</label>' in html
    error = '<div class="invalid-feedback d-block" id="id_region-error">'
    assert f"{error}Det finns ingen region med koden eller namnet ”Atlantis”.</div>" in html
    field = re.search(r'<input[^>]*name="region"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="id_region-error"' in field


def test_the_region_filter_is_a_text_input_with_suggestions(
    client, login, auditor, region, other_region, monkeypatch
):
    login(client, auditor)
    html = client.get(reverse(INDEX)).content.decode()
    assert 'name="region"' not in "".join(re.findall(r"<select[^>]*>", html))
    field = re.search(r'<input type="text" name="region"[^>]*>', html).group(0)
    assert 'list="id_region-list"' in field
    assert '<option value="Region Blekinge">10</option>' in html
    monkeypatch.setattr("regions.fields.SUGGESTIONS_MAX", 1)  # more regions than suggested
    html = client.get(reverse(INDEX)).content.decode()
    assert "<datalist" not in html
    assert re.search(r'<input type="text" name="region"[^>]*>', html)


def test_the_runs_are_paged_and_keep_the_round_filter(client, login, auditor, officer, db):
    grant_round = GrantRoundFactory(slug="runs")
    other = GrantRoundFactory(slug="other")
    AllocationRun.objects.create(
        round=other, number=1, status="failed", requested_by=officer, requested_at=at(2023, 11, 2)
    )
    AllocationRun.objects.bulk_create(
        AllocationRun(
            round=grant_round,
            number=n,
            status="failed",
            requested_by=officer,
            requested_at=at(2024, 11, 1) + dt.timedelta(minutes=n),
        )
        for n in range(1, 56)
    )
    login(client, auditor)
    query = {"round": grant_round.pk}
    html = client.get(reverse(RUNS), query).content.decode()
    runs = html.split('id="audit-runs"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r"Körning (\d+)</a>", runs) == [str(n) for n in range(55, 5, -1)]
    nav = _nav(html, "Sidor i körningarna")
    assert f"?round={grant_round.pk}&amp;page=2#audit-runs" in nav
    second = client.get(reverse(RUNS), {**query, "page": 2}).content.decode()
    runs = second.split('id="audit-runs"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r"Körning (\d+)</a>", runs) == ["5", "4", "3", "2", "1"]
    # Every round's runs, the latest first: the other round's run is on the second page.
    every = client.get(reverse(RUNS), {"page": 2}).content.decode()
    runs = every.split('id="audit-runs"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r"Körning (\d+)</a>", runs) == ["5", "4", "3", "2", "1", "1"]


def test_the_runs_of_an_unknown_round_are_an_error_not_every_run(client, login, auditor, run):
    login(client, auditor)
    response = client.get(reverse(RUNS), {"round": 999_999})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<select name="round"[^>]*aria-invalid="true"', html)
    assert re.search(r'id="id_round-error"[^>]*>[^<]*Välj ett giltigt alternativ', html)
    assert "Inga körningar." in html
    assert f'href="/granskning/korningar/{run.pk}/"' not in html


def test_the_runs_page_is_a_tab_and_a_rounds_records_link_to_it(client, login, auditor, run):
    login(client, auditor)
    html = client.get(reverse(RUNS)).content.decode()
    tabs = html.split('class="nav nav-tabs', 1)[1].split("</ul>", 1)[0]
    active = 'class="nav-link active" aria-current="page" href="/granskning/korningar/"'
    assert active in tabs
    assert f'href="/granskning/korningar/{run.pk}/"' in html
    index = client.get(reverse(INDEX), {"round": run.round_id}).content.decode()
    assert f'href="/granskning/korningar/?round={run.round_id}"' in index
    assert 'id="audit-runs"' not in index
    page = client.get(reverse("allocation_read:audit_run", kwargs={"pk": run.pk})).content.decode()
    crumbs = page.split('class="breadcrumb"', 1)[1].split("</ol>", 1)[0]
    assert f'href="/granskning/korningar/?round={run.round_id}"' in crumbs


def test_the_runs_page_takes_the_same_queries_whatever_the_runs(
    client, login, auditor, officer, db, django_assert_num_queries
):
    grant_round = GrantRoundFactory(slug="runs")
    login(client, auditor)
    client.get(reverse(RUNS))
    # LOGGED_IN, then 1 the rounds (the filter's choices), 2 the runs' count (none: no page
    # of them to fetch).
    with django_assert_num_queries(LOGGED_IN + 2):
        client.get(reverse(RUNS))
    AllocationRun.objects.bulk_create(
        AllocationRun(
            round=grant_round, number=n, status="failed", requested_by=officer,
            requested_at=at(2024, 11, 1) + dt.timedelta(minutes=n),
        )
        for n in range(1, 61)
    )  # fmt: skip
    # 3 the page of runs, with their round and who requested each; 4 the chosen round.
    with django_assert_num_queries(LOGGED_IN + 3):
        client.get(reverse(RUNS), {"page": 2})
    with django_assert_num_queries(LOGGED_IN + 4):
        client.get(reverse(RUNS), {"round": grant_round.pk})


def test_history_query_count_is_constant(
    client, login, auditor, history, django_assert_num_queries
):
    login(client, auditor)
    client.get(reverse(INDEX))
    # LOGGED_IN, then 1 rounds (the filter's choices and the names in the table), 2 distinct
    # actions (choices), 3 count, 4 the page of events (each with its region's name, a
    # subquery), 5 the region filter's suggestions. Agency staff act for no region: the
    # navigation asks for no memberships. The runs have a page of their own.
    with django_assert_num_queries(LOGGED_IN + 5):
        client.get(reverse(INDEX))
    for hour in range(60):
        event("report.draft_saved", at(2024, 9, 1) + dt.timedelta(hours=hour), actor=auditor)
    with django_assert_num_queries(LOGGED_IN + 5):  # 60 more events, 3 pages: no more queries
        client.get(reverse(INDEX), {"page": 2})


# --- a run ----------------------------------------------------------------------------------


def test_run_page_shows_snapshot_result_and_hashes(client, login, auditor, run):
    login(client, auditor)
    html = client.get(reverse("allocation_read:audit_run", kwargs={"pk": run.pk})).content.decode()
    assert run.content_hash in html
    assert run.chain_hash in html
    assert "Underlaget är detsamma i dag som när körningen gjordes." in html
    assert 'data-status="changed"' not in html
    assert "Två tjänster låg till grund för 2023 års utbetalning" in html  # the deduction
    assert "159\u00a0000" in html  # Blekinge's population in the snapshot
    assert "223\u00a0000\u00a0000\u00a0kr" in html  # total paid


def test_run_page_highlights_values_changed_since_the_run(client, login, auditor, run, officer):
    report = Report.objects.get(round=run.round, region__short_name="Blekinge")
    ReportVersionFactory(
        report=report, number=2, filled_posts=60, started_posts=54, submitted_by=officer
    )
    login(client, auditor)
    html = client.get(reverse("allocation_read:audit_run", kwargs={"pk": run.pk})).content.decode()
    assert "Underlaget har ändrats för 1 region sedan körningen." in html
    row = html.split('data-region="Region Blekinge" data-status="changed"', 1)[1]
    row = row.split("</tr>", 1)[0]
    changed = re.findall(r'<td class="diff-changed"[^>]*>(.*?)</td>', row, flags=re.S)
    cleaned = [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in changed]
    assert cleaned == ["Ändrat: 55 60", "Ändrat: 1 2"]  # filled posts and version number
    assert 'data-region="Region Gotland" data-status="same"' in html


# --- verification ---------------------------------------------------------------------------


def test_verification_of_an_intact_record(client, login, auditor, decisions):
    login(client, auditor)
    html = client.get(reverse(VERIFY)).content.decode()
    assert "Inga avvikelser. Kontrollerade körningar: 1. Kontrollerade beslut: 4." in html
    assert f'href="{reverse(VERIFY)}"' in html  # run it again


def test_verification_lists_problems(client, login, auditor, db):
    report = SimpleNamespace(
        ok=False,
        problems=["decision AT2024-10-B1: content hash does not match"],
        checked_runs=1,
        checked_decisions=4,
    )
    login(client, auditor)
    with patch("allocation.views_read.audit.verify_all", return_value=report):
        html = client.get(reverse(VERIFY)).content.decode()
    assert "1 avvikelse hittades" in html
    assert "decision AT2024-10-B1: content hash does not match" in html


def test_choosing_a_round_shows_its_rows_with_constant_queries(
    client, login, auditor, decisions, django_assert_num_queries
):
    grant_round = decisions["Blekinge"].round
    login(client, auditor)
    url = reverse(INDEX)
    client.get(url, {"round": grant_round.pk})
    # The LOGGED_IN + 5 of the history, plus 6 the chosen round checked by the form, 7 the
    # regions' count and 8 the page of regions whose rows are shown, and the round's 9
    # versions, 10 extensions, 11 deductions, 12 officer values and 13 decisions of those
    # regions (each with its people and region joined).
    with django_assert_num_queries(LOGGED_IN + 13):
        response = client.get(url, {"round": grant_round.pk})
    html = response.content.decode()
    versions = html.split('id="records-versions"', 1)[1].split("</table>", 1)[0]
    assert versions.count("<tr>") == 1 + 4  # header + one version per region
    deductions = html.split('id="records-deductions"', 1)[1].split("</table>", 1)[0]
    assert "Halland" in deductions and "−2 tjänster" in deductions
    decisions_table = html.split('id="records-decisions"', 1)[1].split("</table>", 1)[0]
    assert all(d.reference in decisions_table for d in decisions.values())
    assert decisions_table.count("Gäller") == 4


def _cells(html: str, table: str) -> list[str]:
    """The region column of one of the round's record tables."""
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr><(?:td|th scope=\"row\")[^>]*>(Region Syntet \d+)<", body)


def test_the_rounds_records_are_paged_by_region(client, login, db):
    world = generate(60, history=1)
    grant_round = world.history[-1]
    names = [f"Region Syntet {i:04d}" for i in range(60)]
    login(client, world.auditor)
    query = {"round": grant_round.pk}
    html = client.get(reverse(INDEX), query).content.decode()
    assert _cells(html, "records-versions") == names[:50]
    assert _cells(html, "records-decisions") == names[:50]
    assert "Regionerna 1–50 av 60, i bokstavsordning." in html
    nav = _nav(html, "Sidor i omgångens poster")
    assert f"?round={grant_round.pk}&amp;records_page=2#records" in nav
    second = client.get(reverse(INDEX), {**query, "records_page": 2}).content.decode()
    assert _cells(second, "records-versions") == names[50:]
    assert _cells(second, "records-decisions") == names[50:]
    # The region filter narrows the records too: one region, no pager.
    one = client.get(reverse(INDEX), {**query, "region": "Syntet 0055"}).content.decode()
    assert _cells(one, "records-versions") == _cells(one, "records-decisions") == [names[55]]
    assert "Sidor i omgångens poster" not in one


@pytest.mark.parametrize("regions", [3, 60])
def test_a_rounds_records_take_the_same_queries_whatever_the_regions(
    client, login, db, django_assert_num_queries, regions
):
    world = generate(regions, history=1)
    login(client, world.auditor)
    url = reverse(INDEX)
    query = {"round": world.history[-1].pk}
    client.get(url, query)
    # As in test_choosing_a_round_shows_its_rows_with_constant_queries (the round has a
    # run); 60 regions: two pages of records, the same queries on each.
    for page in (1, 2):
        with django_assert_num_queries(LOGGED_IN + 13):
            assert client.get(url, {**query, "records_page": page}).status_code == 200


def test_run_page_query_count_is_constant(client, login, auditor, run, django_assert_num_queries):
    url = reverse("allocation_read:audit_run", kwargs={"pk": run.pk})
    login(client, auditor)
    client.get(url)
    # LOGGED_IN, then 1 the run with round and requester; the current inputs (round_inputs):
    # 2 latest versions, 3 regions, 4 baselines, 5 deductions, 6 officer values.
    with django_assert_num_queries(LOGGED_IN + 6):
        assert client.get(url).status_code == 200
