"""The decision record (förvaltningslagen 31-33 §§): the date a decision may carry, the
presenting and the deciding officer, the confirmation step before issuing, and the chain
hash published with the list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from allocation import chain
from allocation.models import ChainLink, Decision
from allocation.services.decisions import decision_reconsider, decisions_issue
from allocation.services.record import earliest_decision_date
from allocation.verify import verify_all
from regions.roles import OFFICERS_GROUP
from submissions.closing import round_close
from submissions.models import STOCKHOLM, GrantRound, RoundStatus
from tests.allocation.factories import at
from tests.allocation.read_factories import (
    DECISION_DATE,
    FAST_HASHERS,
    FOUR,
    closed_round,
    decide,
    run_round,
)
from tests.factories import GrantRoundFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def presenter(db):
    user = UserFactory(email="foredragande@example.se", first_name="Frida", last_name="Föredrag")
    user.groups.add(Group.objects.get_or_create(name=OFFICERS_GROUP)[0])
    return user


@pytest.fixture
def two_officer_round(officer):
    grant_round = closed_round(FOUR, submitted_by=officer)
    GrantRound.objects.filter(pk=grant_round.pk).update(single_officer_allowed=False)
    grant_round.refresh_from_db()
    return grant_round


def _nothing_issued(grant_round: GrantRound) -> None:
    grant_round.refresh_from_db()
    assert not Decision.objects.filter(round=grant_round).exists()
    assert grant_round.status == RoundStatus.ALLOCATED


# --- who presented, who decided ---------------------------------------------------------


def test_the_officer_who_requested_the_run_presents_by_default(
    two_officer_round, officer, presenter
):
    run = run_round(two_officer_round, presenter)
    issued = decisions_issue(run=run, by=officer, decision_date=DECISION_DATE)
    assert {(d.decided_by, d.presented_by) for d in issued} == {(officer, presenter)}


def test_one_officer_cannot_both_present_and_decide_where_the_round_wants_two(
    two_officer_round, officer
):
    run = run_round(two_officer_round, officer)
    with pytest.raises(ValidationError) as caught:
        decisions_issue(run=run, by=officer, decision_date=DECISION_DATE)
    assert "två olika handläggare" in " ".join(caught.value.message_dict["presented_by"])
    _nothing_issued(two_officer_round)


def test_one_officer_may_do_both_where_the_round_allows_it(officer):
    grant_round = closed_round(FOUR, submitted_by=officer)
    assert grant_round.single_officer_allowed
    issued = decisions_issue(
        run=run_round(grant_round, officer), by=officer, decision_date=DECISION_DATE
    )
    assert {d.presented_by for d in issued} == {officer}


def test_the_presenting_officer_must_be_an_officer(two_officer_round, officer, auditor):
    run = run_round(two_officer_round, officer)
    with pytest.raises(ValidationError) as caught:
        decisions_issue(run=run, by=officer, decision_date=DECISION_DATE, presented_by=auditor)
    assert "presented_by" in caught.value.message_dict
    _nothing_issued(two_officer_round)


def test_the_presenting_officer_enters_the_hash_chain_and_verifies(
    two_officer_round, officer, presenter
):
    issued = decisions_issue(
        run=run_round(two_officer_round, presenter), by=officer, decision_date=DECISION_DATE
    )
    assert verify_all().ok
    content = chain.decision_content(issued[0])
    assert content["presented_by_id"] == presenter.pk
    # A decision recorded before the presenting officer was has no such key: its stored hash
    # still verifies.
    issued[0].presented_by_id = None
    assert "presented_by_id" not in chain.decision_content(issued[0])


# --- the decision date --------------------------------------------------------------------


def test_a_decision_date_in_the_future_is_refused(officer):
    grant_round = closed_round(FOUR, submitted_by=officer)
    run = run_round(grant_round, officer)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        decisions_issue(run=run, by=officer, decision_date=tomorrow)
    assert "framtiden" in " ".join(caught.value.message_dict["decision_date"])
    _nothing_issued(grant_round)


def test_a_decision_date_before_the_round_closed_is_refused(officer):
    grant_round = closed_round(FOUR, submitted_by=officer)
    closed = dt.datetime(2024, 11, 5, 9, 0, tzinfo=STOCKHOLM)
    GrantRound.objects.filter(pk=grant_round.pk).update(closed_at=closed)
    run = run_round(grant_round, officer)
    with pytest.raises(ValidationError) as caught:
        decisions_issue(run=run, by=officer, decision_date=dt.date(2024, 11, 4))
    assert "5 november 2024" in " ".join(caught.value.message_dict["decision_date"])
    _nothing_issued(grant_round)
    issued = decisions_issue(run=run, by=officer, decision_date=dt.date(2024, 11, 5))
    assert {d.decision_date for d in issued} == {dt.date(2024, 11, 5)}


def test_a_round_closed_before_closing_was_recorded_counts_from_its_deadline():
    grant_round = GrantRoundFactory(closed=True)  # deadline 1 November 2024, 23:59:59
    assert grant_round.closed_at is None
    assert earliest_decision_date(grant_round) == dt.date(2024, 11, 1)


def test_closing_a_round_records_when(officer):
    grant_round = GrantRoundFactory()
    when = dt.datetime(2024, 11, 3, 8, 30, tzinfo=STOCKHOLM)
    with at(when):
        round_close(grant_round=grant_round, by=officer)
    grant_round.refresh_from_db()
    assert grant_round.closed_at == when
    assert earliest_decision_date(grant_round) == dt.date(2024, 11, 3)


def test_a_reconsideration_cannot_be_dated_before_the_decision_it_replaces(officer):
    decisions = decide(closed_round(FOUR, submitted_by=officer), officer)
    old = decisions["Blekinge"]
    with pytest.raises(ValidationError) as caught:
        decision_reconsider(
            decision=old,
            by=officer,
            amounts={"block1": 1, "block2": 2},
            reason="Rättelse",
            decision_date=old.decision_date - dt.timedelta(days=1),
        )
    assert old.reference in " ".join(caught.value.message_dict["decision_date"])
    assert not Decision.objects.filter(replaces=old).exists()


def test_a_reconsideration_cannot_be_dated_in_the_future(officer):
    decisions = decide(closed_round(FOUR, submitted_by=officer), officer)
    with pytest.raises(ValidationError) as caught:
        decision_reconsider(
            decision=decisions["Blekinge"],
            by=officer,
            amounts={"block1": 1, "block2": 2},
            reason="Rättelse",
            decision_date=timezone.localdate() + dt.timedelta(days=1),
        )
    assert "decision_date" in caught.value.message_dict
    assert Decision.objects.count() == len(FOUR)


def test_a_reconsideration_names_its_presenting_officer(officer, presenter):
    decisions = decide(closed_round(FOUR, submitted_by=officer), officer)
    new = decision_reconsider(
        decision=decisions["Blekinge"],
        by=officer,
        amounts={"block1": 1, "block2": 2},
        reason="Rättelse",
        presented_by=presenter,
    )
    assert (new.decided_by, new.presented_by) == (officer, presenter)
    assert new.decision_date == timezone.localdate()


# --- the round's appeal setting -----------------------------------------------------------


def test_a_round_whose_decisions_may_not_be_appealed_must_say_why():
    grant_round = GrantRoundFactory.build(appealable=False, no_appeal_reason=" ")
    with pytest.raises(ValidationError) as caught:
        grant_round.clean()
    assert "no_appeal_reason" in caught.value.message_dict
    saved = GrantRoundFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        GrantRound.objects.filter(pk=saved.pk).update(appealable=False, no_appeal_reason="")


# --- the pages: issue in two steps, reconsider with a date --------------------------------


def _issue_url(grant_round: GrantRound) -> str:
    return reverse("allocation:decisions_issue", args=[grant_round.slug, 1])


def test_issuing_shows_date_count_and_each_block_against_its_budget_before_anything_is_issued(
    client, login, two_officer_round, officer, presenter
):
    run = run_round(two_officer_round, presenter)
    login(client, officer)
    page = client.get(_issue_url(two_officer_round)).content.decode()
    # The deciding officer is not offered as the presenting one; the run's requester is chosen.
    assert f'value="{presenter.pk}" selected' in page
    assert f'value="{officer.pk}"' not in page

    data = {"decision_date": "2024-12-10", "presented_by": presenter.pk}
    response = client.post(_issue_url(two_officer_round), data)
    assert response.status_code == 200
    page = response.content.decode().replace("\u00a0", " ")
    assert "10 december 2024" in page
    assert f'<dd class="col-sm-8" id="summary-count">{len(FOUR)}</dd>' in page
    for block in run.result["blocks"]:
        assert block["name"] in page
        assert f"{block['paid']:,} kr".replace(",", " ") in page
        assert f"{block['budget']:,} kr".replace(",", " ") in page
    assert "Frida Föredrag" in page
    assert "saknar regeringsbeslutets fullständiga hänvisning" in page  # not yet filled in
    _nothing_issued(two_officer_round)

    response = client.post(_issue_url(two_officer_round), {**data, "confirm": "1"})
    assert response.status_code == 302
    issued = Decision.objects.filter(round=two_officer_round)
    assert {(d.decision_date, d.presented_by_id) for d in issued} == {
        (dt.date(2024, 12, 10), presenter.pk)
    }


@pytest.mark.parametrize("confirm", ["", "1"])
def test_a_future_date_on_the_issue_page_is_a_field_error_and_nothing_is_issued(
    client, login, officer, confirm
):
    grant_round = closed_round(FOUR, submitted_by=officer)
    run_round(grant_round, officer)
    login(client, officer)
    future = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    data = {"decision_date": future, "presented_by": officer.pk, "confirm": confirm}
    response = client.post(_issue_url(grant_round), data)
    assert response.status_code == 400
    assert "framtiden" in response.context["form"].errors["decision_date"][0]
    _nothing_issued(grant_round)


def test_the_issue_page_refuses_the_deciding_officer_as_presenter_where_two_are_needed(
    client, login, two_officer_round, officer
):
    run_round(two_officer_round, officer)
    login(client, officer)
    data = {"decision_date": "2024-12-10", "presented_by": officer.pk, "confirm": "1"}
    response = client.post(_issue_url(two_officer_round), data)
    assert response.status_code == 400
    assert "presented_by" in response.context["form"].errors
    _nothing_issued(two_officer_round)


def test_a_reconsideration_dated_before_the_replaced_decision_is_a_field_error(
    client, login, officer
):
    old = decide(closed_round(FOUR, submitted_by=officer), officer)["Blekinge"]
    login(client, officer)
    response = client.post(
        reverse("allocation:decision_reconsider", args=[old.reference]),
        {
            "method": "manual",
            "action": "issue",
            "block1": "1",
            "block2": "2",
            "reason": "Rättelse",
            "presented_by": officer.pk,
            "decision_date": "2024-12-09",
        },
    )
    assert response.status_code == 400
    assert old.reference in response.context["form"].errors["decision_date"][0]
    assert not Decision.objects.filter(replaces=old).exists()


# --- the chain's head, published outside the database ------------------------------------


def test_the_public_list_publishes_the_chain_hash_after_the_rounds_latest_decision(client, officer):
    decisions = decide(closed_round(FOUR, submitted_by=officer), officer)
    last = ChainLink.objects.filter(decision__round=decisions["Blekinge"].round).latest("position")
    page = client.get(reverse("allocation_read:public_list", args=["at-2024"])).content.decode()
    assert last.chain_hash in page
    assert f"post {last.position}" in page


def test_the_decision_pages_name_the_presenting_officer(client, login, officer, presenter, proxy):
    grant_round = closed_round(FOUR, submitted_by=officer)
    run = run_round(grant_round, presenter)
    decision = next(
        d
        for d in decisions_issue(run=run, by=officer, decision_date=DECISION_DATE)
        if d.region.short_name == "Blekinge"
    )
    login(client, officer)
    page = client.get(reverse("allocation:decision", args=[decision.reference])).content
    assert "foredragande@example.se" in page.decode()
    login(client, proxy)
    url = reverse("allocation_read:region_decision", args=[decision.reference])
    assert "Frida Föredrag" in client.get(url).content.decode()


# --- the round's decision-record settings page --------------------------------------------


def _record_url(grant_round: GrantRound) -> str:
    return reverse("allocation:round_record", args=[grant_round.slug])


def test_an_officer_sets_the_decision_record_before_the_decisions_audited(client, login, officer):
    from audit.models import AuditEvent

    grant_round = closed_round(FOUR, submitted_by=officer)
    login(client, officer)
    data = {
        "government_decision": "Regeringsbeslut den 22 mars 2024, S2024/00999",
        "legal_basis": "Anvisningarna för 2024.",
        "no_appeal_reason": "Förordningen förbjuder överklagande.",
        "single_officer_allowed": "",
    }  # "appealable" unchecked
    response = client.post(_record_url(grant_round), data)
    assert response.status_code == 302
    grant_round.refresh_from_db()
    assert grant_round.government_decision.endswith("S2024/00999")
    assert not grant_round.appealable and not grant_round.single_officer_allowed
    event = AuditEvent.objects.get(action="round.decision_record")
    assert event.before["appealable"] is True and event.after["appealable"] is False


def test_a_round_that_may_not_be_appealed_without_a_reason_is_a_field_error(client, login, officer):
    grant_round = closed_round(FOUR, submitted_by=officer)
    login(client, officer)
    response = client.post(_record_url(grant_round), {"government_decision": "S2024/1"})
    assert response.status_code == 400
    assert "no_appeal_reason" in response.context["form"].errors
    grant_round.refresh_from_db()
    assert grant_round.appealable and grant_round.government_decision == ""


def test_the_decision_record_is_fixed_once_the_round_is_decided(client, login, officer):
    decisions = decide(closed_round(FOUR, submitted_by=officer), officer)
    grant_round = decisions["Blekinge"].round
    login(client, officer)
    response = client.post(
        _record_url(grant_round), {"government_decision": "Annat", "appealable": "on"}
    )
    assert response.status_code == 400
    grant_round.refresh_from_db()
    assert grant_round.government_decision == ""
    assert "ändras inte" in client.get(_record_url(grant_round)).content.decode()


def test_auditors_read_the_decision_record_but_cannot_change_it(client, login, officer, auditor):
    grant_round = closed_round(FOUR, submitted_by=officer)
    login(client, auditor)
    assert client.get(_record_url(grant_round)).status_code == 200
    assert client.post(_record_url(grant_round), {"appealable": "on"}).status_code == 403
