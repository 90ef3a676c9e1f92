"""Query counts that must not grow with the number of regions or rounds (issue 7).

The bench (bench/run_scale.py, bench/pages.py) measures the same on PostgreSQL with 21 and
2 000 regions; these pin the counts on the test database with the same synthetic data
(bench.common.generate: regions, proxies, an officer and an auditor, decided rounds of
history closed, run and issued through the services, and the open 2024 round with every
region's submitted report).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.common import generate
from tests.queries import LOGGED_IN

SIZES = [(3, 1), (30, 3)]  # (regions, decided rounds of history)


def _queries(call) -> list[str]:  # noqa: ANN001
    with CaptureQueriesContext(connection) as ctx:
        call()
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize(("regions", "history"), SIZES)
def test_whole_run_query_counts_do_not_grow(db, regions, history):
    from allocation.services.decisions import decisions_issue
    from allocation.services.runs import allocation_run_execute, allocation_run_request
    from allocation.snapshot import preview
    from submissions.closing import round_close

    world = generate(regions, history=history)
    officer, grant_round = world.officer, world.current
    counts = {}
    counts["close"] = len(_queries(lambda: round_close(grant_round=grant_round, by=officer)))
    counts["preview"] = len(_queries(lambda: preview(grant_round)))
    runs = []
    counts["request"] = len(
        _queries(lambda: runs.append(allocation_run_request(grant_round=grant_round, by=officer)))
    )
    counts["execute"] = len(
        _queries(lambda: runs.append(allocation_run_execute(run_id=runs[0].pk)))
    )
    issued = []
    counts["issue"] = len(_queries(lambda: issued.extend(decisions_issue(run=runs[1], by=officer))))
    assert len(issued) == regions
    assert counts == PINNED_RUN


# close (11): the extensions; savepoint, the round locked, its status moved, the transition's
#   audit event, release; the round's closed_at; the reports locked in one UPDATE, the audit
#   event; the outer release.
# preview (6): versions, regions, baselines, deductions, overrides, regions not reporting (the
#   round's model is its own column: no query for it).
# request (14): savepoint, the round locked, this officer's unfinished run? (a second click),
#   active runs?, the snapshot check (the 6 above), the last number, the run, its audit event,
#   release.
# execute (24): the claim (UPDATE), the run, its audit event; savepoint, the run locked, the
#   round, the round locked, the snapshot (6), the chain head, the run's columns, the run
#   saved, its chain link; the round's move (savepoint, lock, UPDATE, audit, release); the
#   run's audit event; release.
# issue (28 + the registry's 8): savepoint, the round and the run locked (with its requester, the
#   default presenting officer), the presenting officer's groups, this officer's decisions of the
#   run (a second click gets them), decisions already?, the latest done run, an active run?, the
#   snapshot compared (6), the regions in bulk, the chain head; ONE INSERT each of the decisions and
#   their chain links; the run's issued_at; the round's move (5 as above); ONE INSERT of the
#   decisions' audit events; the run's round (its label), the issue's audit event; release; then the
#   registry (8): savepoint, the year's serials raised (UPDATE) and read, ONE INSERT of the entries,
#   release; the deliveries already made, the proxies, ONE INSERT of the deliveries; release.
PINNED_RUN = {"close": 11, "preview": 6, "request": 14, "execute": 24, "issue": 36}


def _pages(world):  # noqa: ANN001, ANN202
    return {
        "dashboard": (world.proxies[0], reverse("submissions:dashboard")),
        "round_reports": (
            world.officer,
            reverse("submissions:round_reports", args=[world.current.slug]),
        ),
        "audit_index": (world.auditor, reverse("allocation_read:audit_index")),
        "public_list": (
            None,
            reverse("allocation_read:public_list", args=[world.history[-1].slug]),
        ),
    }


@pytest.mark.parametrize(("regions", "history"), SIZES)
def test_page_query_counts_do_not_grow(client, login, db, regions, history):

    world = generate(regions, history=history)
    counts = {}
    for page, (user, url) in _pages(world).items():
        client.logout()
        if user is not None:
            login(client, user)
        assert client.get(url).status_code == 200
        counts[page] = len(_queries(lambda url=url: client.get(url)))
    assert counts == PINNED_PAGES


# Each as in the page's own test (queries named there): the dashboard LOGGED_IN + 6
# (tests/submissions/test_officer_views.py, without the forecast's 5 queries: no card here
# shows one; no staircase query: budgets and steps are in GrantRound.model) and one more for
# the regions' decisions in force, as the history has decided rounds, the officer's report
# table LOGGED_IN + 7, a page of 50 regions (ibid.), the auditor's history LOGGED_IN + 5
# (tests/allocation/test_audit_views.py; the runs have a page of their own), the public list 1
# for a visitor (the round with its chain hash; the body a cached fragment). Agency staff act
# for no region: their menu asks for no memberships.
PINNED_PAGES = {
    "dashboard": LOGGED_IN + 7,
    "round_reports": LOGGED_IN + 7,
    "audit_index": LOGGED_IN + 5,
    "public_list": 1,
}


def test_cached_public_list_follows_a_reconsideration(
    client, db, django_capture_on_commit_callbacks
):
    """The public list's body is cached; a reconsideration (a new decision) must show at once."""
    from allocation.selectors import decisions_in_force
    from allocation.services.decisions import decision_reconsider

    world = generate(3, history=1)
    grant_round = world.history[-1]
    url = reverse("allocation_read:public_list", args=[grant_round.slug])
    before = client.get(url).content.decode()
    assert "†" not in before
    assert "†" not in client.get(url).content.decode()  # the cached body
    decision = decisions_in_force(grant_round=grant_round).first()
    with django_capture_on_commit_callbacks(execute=True):
        decision_reconsider(
            decision=decision,
            by=world.officer,
            amounts={**decision.block_amounts(), "block2": 0},
            reason="Test",
        )
    after = client.get(url).content.decode()
    assert f"{decision.region.short_name} †" in after
