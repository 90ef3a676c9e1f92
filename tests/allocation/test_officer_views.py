"""The officer's allocation pages: every page by role, and the officer's flows through them."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from allocation.models import AllocationRun, Decision, Deduction, PostsOverride, RunStatus
from submissions.models import GrantRound, RoundStatus
from tests.allocation.factories import (  # noqa: F401 - eager_celery is a fixture
    AFTER_DEADLINE,
    BEFORE_DEADLINE,
    at,
    eager_celery,
    issued,
    reported_round,
    run_done,
)
from tests.queries import LOGGED_IN

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def decided(officer, region, proxy, django_capture_on_commit_callbacks):
    grant_round = reported_round(regions=[region])
    issued(grant_round, officer, django_capture_on_commit_callbacks)
    return grant_round


def _get_urls(grant_round: GrantRound, region) -> list[str]:  # noqa: ANN001
    slug = grant_round.slug
    reference = Decision.objects.get(region=region).reference
    return [
        reverse("allocation:rounds"),
        reverse("allocation:round", args=[slug]),
        reverse("allocation:round_close", args=[slug]),
        reverse("allocation:run", args=[slug, 1]),
        reverse("allocation:run_status", args=[slug, 1]),
        reverse("allocation:decisions_issue", args=[slug, 1]),
        reverse("allocation:decision", args=[reference]),
    ]


def _post_urls(grant_round: GrantRound, region) -> list[str]:  # noqa: ANN001
    slug = grant_round.slug
    reference = Decision.objects.get(region=region).reference
    return [
        reverse("allocation:round_close", args=[slug]),
        reverse("allocation:deduction_set", args=[slug]),
        reverse("allocation:deduction_remove", args=[slug, region.code]),
        reverse("allocation:override_set", args=[slug]),
        reverse("allocation:override_remove", args=[slug, region.code]),
        reverse("allocation:run_request", args=[slug]),
        reverse("allocation:run_retry", args=[slug, 1]),
        reverse("allocation:decisions_issue", args=[slug, 1]),
        reverse("allocation:decision_reconsider", args=[reference]),
    ]


def test_anonymous_is_sent_to_login(client, decided, region):
    login_url = reverse("account_login")
    for url in _get_urls(decided, region) + _post_urls(decided, region):
        response = client.post(url) if "ompreva" in url else client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login_url), url


@pytest.mark.parametrize("role", ["proxy", "other_proxy", "colleague"])
def test_region_people_get_404_everywhere(client, login, decided, region, role, request):
    user = request.getfixturevalue(role)
    login(client, user)
    for url in _get_urls(decided, region):
        assert client.get(url).status_code == 404, url
    for url in _post_urls(decided, region):
        assert client.post(url).status_code == 404, url


def test_auditor_reads_every_page_and_changes_nothing(client, login, auditor, decided, region):
    login(client, auditor)
    for url in _get_urls(decided, region):
        assert client.get(url).status_code == 200, url
    for url in _post_urls(decided, region):
        assert client.post(url, {"reason": "x"}).status_code == 403, url
    assert Decision.objects.count() == 4
    page = client.get(reverse("allocation:round", args=[decided.slug])).content.decode()
    assert "Kör fördelning" not in page


def test_officer_reads_every_page(client, login, officer, decided, region):
    login(client, officer)
    for url in _get_urls(decided, region):
        assert client.get(url).status_code == 200, url


def test_rounds_list_query_count(client, login, officer, django_assert_num_queries):
    reported_round()
    login(client, officer)
    client.get(reverse("allocation:rounds"))  # warm the caches of the login session
    # LOGGED_IN, then 1 the rounds (agency staff act for no region: no memberships asked).
    with django_assert_num_queries(LOGGED_IN + 1):
        response = client.get(reverse("allocation:rounds"))
    assert response.status_code == 200
    assert "AT-bidraget" in response.content.decode()


# --- the officer's flow ----------------------------------------------------------------------


def test_officer_closes_a_round_after_the_deadline_only(client, login, officer):
    grant_round = reported_round(status=RoundStatus.OPEN)
    login(client, officer)
    url = reverse("allocation:round_close", args=[grant_round.slug])
    with at(BEFORE_DEADLINE):
        assert "kan inte stängas" in client.get(url).content.decode()
        client.post(url)
    grant_round.refresh_from_db()
    assert grant_round.status == RoundStatus.OPEN
    with at(AFTER_DEADLINE):
        login(client, officer)  # the session saved "before the deadline" has expired by now
        assert "Ja, stäng omgången" in client.get(url).content.decode()
        response = client.post(url)
    assert response.status_code == 302
    grant_round.refresh_from_db()
    assert grant_round.status == RoundStatus.CLOSED


def test_preview_shows_every_region_and_those_that_did_not_report(
    client, login, officer, other_region
):
    grant_round = reported_round(absent=[other_region])
    login(client, officer)
    page = client.get(reverse("allocation:round", args=[grant_round.slug])).content.decode()
    for name in ("Alfa", "Beta", "Gamma"):
        assert f'<th scope="row" data-label="Region">Region {name}</th>' in page
    assert "Gotland" in page.split("Regioner som inte rapporterat")[1]
    assert "63\u00a0000\u00a0000\u00a0kr" in page  # block 1 paid in full
    assert "Kör fördelning" in page
    # The run comes after what goes into it: the preview, deductions, the officer's values.
    order = [page.index(h) for h in ('id="preview-heading"', 'id="deductions-heading"',
                                     'id="overrides-heading"', 'id="run-heading"')]  # fmt: skip
    assert order == sorted(order)
    assert page.index("Kör fördelning") > order[-1]


def test_deduction_and_override_through_the_forms(client, login, officer):
    grant_round = reported_round()
    login(client, officer)
    url = reverse("allocation:deduction_set", args=[grant_round.slug])
    response = client.post(
        url, {"deduction-region": "21", "deduction-posts": "3", "deduction-reason": "Betalt 2023"}
    )
    assert response.status_code == 302
    assert Deduction.objects.get().posts == 3
    response = client.post(url, {"deduction-region": "21", "deduction-posts": "0"})
    assert response.status_code == 400
    assert Deduction.objects.get().posts == 3
    response = client.post(
        reverse("allocation:override_set", args=[grant_round.slug]),
        {"override-region": "23", "override-filled_posts": "30", "override-reason": "Rättat"},
    )
    assert response.status_code == 302
    assert PostsOverride.objects.get().filled_posts == 30
    page = client.get(reverse("allocation:round", args=[grant_round.slug])).content.decode()
    assert "Betalt 2023" in page and "Rättat" in page
    assert "handläggarens värde" in page
    client.post(reverse("allocation:deduction_remove", args=[grant_round.slug, "21"]))
    assert not Deduction.objects.exists()


def test_run_issue_and_reconsider_through_the_pages(
    client, login, officer, region, proxy, mailoutbox, django_capture_on_commit_callbacks
):
    grant_round = reported_round(regions=[region])
    login(client, officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("allocation:run_request", args=[grant_round.slug]))
    run_url = reverse("allocation:run", args=[grant_round.slug, 1])
    assert response["Location"] == run_url
    run = AllocationRun.objects.get()
    assert run.status == RunStatus.DONE
    page = client.get(run_url).content.decode()
    assert 'src="/static/js/allocation-run.js"' in page
    assert "<script>" not in page
    assert "Fatta beslut enligt körningen" in page
    status = json.loads(
        client.get(reverse("allocation:run_status", args=[grant_round.slug, 1])).content
    )
    assert status["status"] == "done" and status["finished"] is True

    issue_url = reverse("allocation:decisions_issue", args=[grant_round.slug, 1])
    # The first step only shows what would be issued; the date defaults to today.
    response = client.post(issue_url, {"presented_by": officer.pk})
    assert response.status_code == 200 and not Decision.objects.exists()
    confirm = {"presented_by": officer.pk, "confirm": "1", "decision_date": ""}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(issue_url, confirm)
    assert response.status_code == 302
    assert Decision.objects.count() == 4
    assert [m.to for m in mailoutbox] == [[proxy.email]]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(issue_url, confirm)
    assert Decision.objects.count() == 4  # decided once

    original = Decision.objects.get(region=region)
    response = client.post(
        reverse("allocation:decision_reconsider", args=[original.reference]),
        {
            "method": "manual",
            "block1": "100",
            "block2": "200",
            "reason": "Felaktig plan",
            "action": "issue",
            "presented_by": officer.pk,
        },
    )
    new = Decision.objects.get(replaces=original)
    assert response["Location"] == reverse("allocation:decision", args=[new.reference])
    old_page = client.get(reverse("allocation:decision", args=[original.reference])).content
    assert "Ersatt" in old_page.decode()
    response = client.post(
        reverse("allocation:decision_reconsider", args=[original.reference]),
        {
            "method": "manual",
            "block1": "1",
            "block2": "2",
            "reason": "igen",
            "action": "issue",
            "presented_by": officer.pk,
        },
    )
    assert response.status_code == 400
    assert Decision.objects.count() == 5


def test_a_second_run_request_while_one_is_queued_leads_to_it(client, login, officer):
    grant_round = reported_round()
    login(client, officer)
    url = reverse("allocation:run_request", args=[grant_round.slug])
    client.post(url)  # the test client does not commit: the task never runs, the run stays queued
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("allocation:run", args=[grant_round.slug, 1])
    assert "redan begärd" not in response.content.decode()
    assert AllocationRun.objects.filter(status=RunStatus.QUEUED).count() == 1
    page = client.get(reverse("allocation:run", args=[grant_round.slug, 1])).content.decode()
    assert 'data-status="queued"' in page
    assert "Uppdatera sidan" in page


def test_a_failed_run_shows_its_reason_and_can_be_run_again(
    client, login, officer, django_capture_on_commit_callbacks
):
    from unittest import mock

    grant_round = reported_round()
    login(client, officer)
    with mock.patch("allocation.services.runs.compute", side_effect=ValueError("x")):
        run = run_done(grant_round, officer, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.FAILED
    page = client.get(reverse("allocation:run", args=[grant_round.slug, 1])).content.decode()
    assert "Misslyckades" in page and "Kör igen" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("allocation:run_retry", args=[grant_round.slug, 1]))
    run.refresh_from_db()
    assert run.status == RunStatus.DONE


@pytest.mark.django_db(transaction=True)
def test_a_run_computed_at_once_is_reported_done_not_queued(client, login, officer, region):
    """Embedded (`make run`) the run is computed when its request commits, before the page
    that reports it: the message says it is done."""
    grant_round = reported_round(regions=[region])
    login(client, officer)
    response = client.post(reverse("allocation:run_request", args=[grant_round.slug]), follow=True)
    assert AllocationRun.objects.get().status == RunStatus.DONE
    page = response.content.decode()
    assert "Fördelningen är klar." in page
    assert "körs strax" not in page


def test_the_rounds_budget_on_the_officers_pages_is_its_models(client, login, officer):
    from atgrant.templatetags.atgrant_format import kr
    from tests.allocation.test_model_pipeline import MODEL_2022
    from tests.factories import GrantRoundFactory

    three = GrantRoundFactory(slug="tre-nivaer", model=MODEL_2022)
    empty = GrantRoundFactory(slug="tom", year=2027, draft=True, model={})
    login(client, officer)
    rounds = client.get(reverse("allocation:rounds")).content.decode()
    assert kr(124_000_000 + 164_000_000 + 84_000_000) in rounds and kr(0) in rounds
    page = client.get(reverse("allocation:round", args=[three.slug])).content.decode()
    assert f"Nivå 3 {kr(84_000_000)}" in page
    page = client.get(reverse("allocation:round", args=[empty.slug])).content.decode()
    assert "Omgången har ingen fördelningsmodell ännu." in page
