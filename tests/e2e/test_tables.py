"""Every table of every role, at a 1280 px desktop and a 390 px phone: at desktop width every
column (the key ones included: remainder, block 2, total, the auditor's before and after) lies
in the window, and on a phone each data table reads as stacked rows, each cell labelled with
its column's heading, with nothing to swipe sideways.

Starting data (services): the 2024 round with all 21 regions and the demo's 18 reports,
closed after its deadline, one deduction and one changed report after the run, the
decisions issued and one reconsidered; Västra Götaland's proxy has a colleague and an invitation.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from allocation.models import Decision
from allocation.services.decisions import decision_reconsider, decisions_issue
from allocation.services.preparation import deduction_set
from regions.models import Colleague, ProxyAppointment, Region
from regions.services import colleague_invite
from submissions.closing import round_close
from submissions.demo import create_demo_reports
from submissions.models import STOCKHOLM, GrantRound, Report
from tests.allocation.read_factories import run_round
from tests.e2e.support import (
    DESKTOP,
    PHONE,
    table_cells_out_of_view,
    totp_for,
    words_broken_inside,
)
from tests.factories import PASSWORD, ReportVersionFactory, UserFactory
from tests.regions.factories import ProxyApplicationFactory

pytestmark = pytest.mark.e2e

# The headings of each stacked table's columns, and what each cell's label shows on a phone.
STACKED_LABELS = """() => {
    const out = [];
    const tables = document.querySelectorAll("main table.table-stack, main table.table-stack-lg");
    for (const table of tables) {
        const heads = [...table.querySelectorAll("thead th")].map(th => th.textContent.trim());
        for (const row of table.querySelectorAll("tbody tr")) {
            out.push({table: table.id || table.caption?.textContent.trim() || "",
                      row: getComputedStyle(row).display,
                      heads: heads,
                      labels: [...row.children].map(cell => {
                          const before = getComputedStyle(cell, "::before").content;
                          return before === "none" ? null : before.replace(/^"|"$/g, "");
                      })});
        }
    }
    return out;
}"""


@pytest.fixture
def decided_round(transactional_db, officer):
    today = dt.datetime.now(tz=STOCKHOLM).date()
    call_command("load_round_2024", deadline=today + dt.timedelta(days=14), verbosity=0)
    grant_round = GrantRound.objects.get(slug="at-2024")
    create_demo_reports(grant_round=grant_round)
    past = dt.datetime.now(tz=STOCKHOLM).replace(microsecond=0) - dt.timedelta(hours=1)
    # One test officer both presents and decides (the demo round wants two).
    GrantRound.objects.filter(pk=grant_round.pk).update(deadline=past, single_officer_allowed=True)
    grant_round.refresh_from_db()
    round_close(grant_round=grant_round, by=officer, end_extensions=True)
    skane = Region.objects.get(short_name="Skåne")
    deduction_set(
        grant_round=grant_round,
        region=skane,
        posts=2,
        reason="Två tjänster låg till grund för 2023 års utbetalning",
        by=officer,
    )
    run = run_round(grant_round, officer)
    decisions_issue(run=run, by=officer)  # dated the day it closed: today
    vg = Decision.objects.get(region__short_name="Västra Götaland")
    decision_reconsider(
        decision=vg,
        amounts={**vg.amounts, "block1": vg.amounts["block1"] + 1_000},
        reason="Felräkning av befolkningen rättad",
        overrun_reason="Myndighetens räknefel; överskridandet täcks av anslaget",
        by=officer,
    )
    # Today's report differs from the run's snapshot: the auditor's before/after has a change.
    report = Report.objects.get(round=grant_round, region=skane)
    latest = report.versions.order_by("-number").first()
    ReportVersionFactory(
        report=report, number=latest.number + 1, filled_posts=1_234, started_posts=1_200
    )
    return grant_round, run


def _proxy_with_colleagues() -> object:
    region = Region.objects.get(short_name="Västra Götaland")
    proxy = UserFactory(email="ombud@vgregion.example.se")
    ProxyAppointment.objects.create(region=region, user=proxy)
    colleague = UserFactory(email="en.mycket.lang.adress.till.en.kollega@vgregion.example.se")
    Colleague.objects.create(region=region, user=colleague)
    colleague_invite(
        region=region, email="ny.kollega.med.lang.adress@vgregion.example.se", by=proxy
    )
    return proxy


def _check_tables(person, paths: list[str]) -> None:
    for size in (DESKTOP, PHONE):
        person.page.set_viewport_size(size)
        for path in paths:
            response = person.goto(path, check=False)
            assert response.status == 200, f"{path}: {response.status}"
            width = size["width"]
            assert person.page.locator("main table").count(), f"{path}: no table"
            cut = table_cells_out_of_view(person.page)
            assert not cut, f"{path} at {width} px: cells out of view: {cut}"
            scroll = person.page.evaluate("() => document.documentElement.scrollWidth")
            assert scroll <= width, f"{path} at {width} px: the page is {scroll} px wide"
            person._check_reflow(f"{path} at {width} px")
            wide = [str(f) for f in person.axe.findings if f.rule in ("reflow", "table-reflow")]
            assert not wide, "\n".join(wide)
            # A cell's words wrap at spaces and hyphens only ("Besl|ut", "Götalandsregion|en"),
            # on a phone (stacked) and at desktop width alike.
            broken = words_broken_inside(person.page)
            assert not broken, f"{path} at {width} px: words broken inside: {broken}"
            rows = person.page.evaluate(STACKED_LABELS)
            assert rows, f"{path}: no data table"
            for row in rows:
                where = f"{path} at {width} px, {row['table']}"
                if width == DESKTOP["width"]:
                    assert row["row"] == "table-row", f"{where}: a table at desktop width"
                    continue
                assert row["row"] == "block", f"{where}: not stacked on a phone"
                if len(row["labels"]) == 1:
                    continue  # a message across the whole row ("Inga beslut.")
                shown = [label for label in row["labels"] if label]
                # Every cell with a heading shows it; only action cells have none.
                assert shown and set(shown) <= set(row["heads"]), f"{where}: labels {shown}"
                assert len(shown) >= len([h for h in row["heads"] if h]) - 1, where


def test_every_table_fits_at_desktop_width_and_stacks_on_a_phone(
    web, decided_round, officer, auditor
):
    grant_round, run = decided_round

    public = web("allmänheten")
    _check_tables(public, [f"/fordelningslistor/{grant_round.slug}/"])

    application = ProxyApplicationFactory(
        region=Region.objects.get(short_name="Jönköping"),
        applicant=UserFactory(email="regiondirektorens.assistent@rjl.example.se"),
    )
    proxy = _proxy_with_colleagues()
    ombud = web("ombud")
    ombud.login(proxy, PASSWORD)
    _check_tables(ombud, ["/beslut/", "/kollegor/", "/inrapportering/at-2024/14/"])

    handlaggare = web("handläggare")
    handlaggare.login(officer, PASSWORD, totp_secret=totp_for(officer))
    _check_tables(
        handlaggare,
        [
            "/handlaggare/fordelning/",
            f"/handlaggare/fordelning/{grant_round.slug}/",
            f"/handlaggare/fordelning/{grant_round.slug}/korning/{run.number}/",
            "/handlaggare/inrapporteringar/",
            f"/handlaggare/inrapporteringar/{grant_round.slug}/",
            "/handlaggning/ombudsansokningar/?status=alla",
            "/handlaggare/diarium/",
            "/handlaggning/regioner/",
            f"/handlaggning/ombudsansokningar/{application.pk}/",
            "/beslut/",
        ],
    )

    revisor = web("revisor")
    revisor.login(auditor, PASSWORD, totp_secret=totp_for(auditor))
    _check_tables(
        revisor,
        [
            f"/granskning/?round={grant_round.pk}",
            "/granskning/korningar/",
            f"/granskning/korningar/{run.pk}/",
        ],
    )
    handlaggare.page.set_viewport_size(DESKTOP)
    handlaggare.goto(f"/handlaggare/fordelning/{grant_round.slug}/korning/{run.number}/")
    handlaggare.shot("officer-run-result")
    revisor.goto(f"/granskning/korningar/{run.pk}/")
    revisor.shot("audit-run")
    public.goto(f"/fordelningslistor/{grant_round.slug}/")
    public.shot("public-list")
    ombud.goto("/kollegor/")
    ombud.shot("colleagues")
