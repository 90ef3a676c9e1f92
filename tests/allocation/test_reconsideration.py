"""Reconsideration (omprövning): a new decision replaces one in force; both stay on record."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from allocation.models import ChainLink, Decision
from allocation.selectors import decisions_for_region, decisions_in_force
from allocation.services.decisions import decision_reconsider
from audit.models import AuditEvent
from tests.allocation.factories import (  # noqa: F401 - eager_celery is a fixture
    eager_celery,
    issued,
    reported_round,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def decided(officer, region, proxy, django_capture_on_commit_callbacks):
    grant_round = reported_round(regions=[region])
    decisions = issued(grant_round, officer, django_capture_on_commit_callbacks)
    return grant_round, next(d for d in decisions if d.region == region)


def test_reconsideration_replaces_the_decision_and_both_stay(
    decided, officer, region, proxy, mailoutbox, django_capture_on_commit_callbacks
):
    grant_round, original = decided
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        new = decision_reconsider(
            decision=original,
            by=officer,
            amounts={"block1": 1_000, "block2": 2_000},
            reason="Felräknad plan",
        )
    original.refresh_from_db()
    assert (new.amounts, new.total) == ({"block1": 1_000, "block2": 2_000}, 3_000)
    assert new.replaces == original
    assert new.reference == "AT2024-10-B2"
    assert new.reconsideration_reason == "Felräknad plan"
    assert new.explanation["reconsideration_reason"] == "Felräknad plan"
    assert new.explanation["replaces_reference"] == "AT2024-10-B1"
    assert new.explanation["posts"] == original.explanation["posts"]
    assert new.run_id == original.run_id
    assert new.in_force and not original.in_force
    assert Decision.objects.filter(region=region).count() == 2
    assert region.pk in {d.region_id for d in decisions_in_force(grant_round=grant_round)}
    assert (
        next(d for d in decisions_in_force(grant_round=grant_round) if d.region_id == region.pk)
        == new
    )
    assert [d.reference for d in decisions_for_region(region=region)] == [
        "AT2024-10-B2",
        "AT2024-10-B1",
    ]
    assert ChainLink.objects.order_by("-position").first().decision == new
    assert [m.to for m in mailoutbox] == [[proxy.email]]
    assert "AT2024-10-B1" in mailoutbox[0].body  # names the one it replaces
    event = AuditEvent.objects.get(action="allocation.decision_reconsidered")
    assert event.before["reference"] == "AT2024-10-B1"
    assert event.after["total"] == 3_000


def test_a_replaced_decision_cannot_be_reconsidered_again(decided, officer):
    _, original = decided
    new = decision_reconsider(
        decision=original, by=officer, amounts={"block1": 1, "block2": 2}, reason="a"
    )
    with pytest.raises(ValidationError, match="ersatts"):
        decision_reconsider(
            decision=original, by=officer, amounts={"block1": 3, "block2": 4}, reason="b"
        )
    third = decision_reconsider(
        decision=new, by=officer, amounts={"block1": 5, "block2": 6}, reason="c"
    )
    assert third.reference == "AT2024-10-B3"
    assert third.replaces == new


def test_reconsideration_needs_a_reason_and_an_officer(decided, officer, auditor):
    _, original = decided
    with pytest.raises(ValidationError):
        decision_reconsider(
            decision=original, by=officer, amounts={"block1": 1, "block2": 2}, reason="  "
        )
    with pytest.raises(ValidationError):
        decision_reconsider(
            decision=original, by=officer, amounts={"block1": -1, "block2": 2}, reason="x"
        )
    with pytest.raises(PermissionDenied):
        decision_reconsider(
            decision=original, by=auditor, amounts={"block1": 1, "block2": 2}, reason="x"
        )
    assert original.in_force


def test_the_same_reconsideration_sent_again_leads_to_it(decided, officer, mailoutbox):
    _, original = decided
    new = decision_reconsider(
        decision=original, by=officer, amounts={"block1": 1, "block2": 2}, reason="a"
    )
    again = decision_reconsider(
        decision=original, by=officer, amounts={"block1": 1, "block2": 2}, reason=" a "
    )
    assert again.pk == new.pk
    assert Decision.objects.filter(replaces=original).count() == 1
    assert AuditEvent.objects.filter(action="allocation.decision_reconsidered").count() == 1
