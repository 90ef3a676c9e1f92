"""Delivering decisions: every region through its proxy and its official mailbox, one record
per decision and recipient, e-mails after commit, failures recorded and retried, resend."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from allocation.models import Decision
from allocation.services import decisions as decision_services
from audit.models import AuditEvent
from registry import tasks
from registry.models import DecisionDelivery, DeliveryStatus, RecipientKind
from tests.allocation.factories import (  # noqa: F401 - eager_celery is a fixture
    eager_celery,
    issued,
    reported_round,
    run_done,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

MAILBOX = "registrator@regionblekinge.se"


@pytest.fixture
def mailbox(region):
    region.registry_email = MAILBOX
    region.save()
    return MAILBOX


def _deliveries(region) -> dict[str, DecisionDelivery]:
    return {
        d.recipient_kind: d
        for d in DecisionDelivery.objects.filter(decision__region=region, decision__replaces=None)
    }


def test_region_without_proxy_gets_its_decision_through_its_official_mailbox(
    officer, region, mailbox, mailoutbox, django_capture_on_commit_callbacks
):
    grant_round = reported_round(regions=[region])
    issued(grant_round, officer, django_capture_on_commit_callbacks)
    [message] = mailoutbox  # the factory regions have neither proxy nor mailbox
    assert message.to == [MAILBOX]
    assert "Till registrator, Region Blekinge" in message.body
    [(name, content, mimetype)] = message.attachments
    decision = Decision.objects.get(region=region)
    assert name == f"beslut-{decision.reference}.pdf"
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")
    delivery = _deliveries(region)[RecipientKind.REGISTRY]
    assert (delivery.status, delivery.attempts, delivery.email) == ("sent", 1, MAILBOX)
    assert delivery.sent_at is not None and delivery.last_error == ""


@pytest.mark.usefixtures("quick_letters")
def test_proxy_and_official_mailbox_each_get_the_decision_once(
    officer, region, proxy, mailbox, mailoutbox, django_capture_on_commit_callbacks
):
    grant_round = reported_round(regions=[region])
    issued(grant_round, officer, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([proxy.email, MAILBOX])
    proxy_mail = next(m for m in mailoutbox if m.to == [proxy.email])
    assert "/beslut/AT2024-10-B1/" in proxy_mail.body
    assert set(_deliveries(region)) == {RecipientKind.PROXY, RecipientKind.REGISTRY}


@pytest.mark.usefixtures("quick_letters")
def test_the_same_address_as_proxy_and_mailbox_gets_one_email(
    officer, region, proxy, mailoutbox, django_capture_on_commit_callbacks
):
    region.registry_email = proxy.email.upper()
    region.save()
    issued(reported_round(regions=[region]), officer, django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [[proxy.email]]
    assert list(_deliveries(region)) == [RecipientKind.PROXY]


@pytest.mark.usefixtures("quick_letters")
def test_emails_are_queued_only_after_commit(
    officer, region, mailbox, mailoutbox, django_capture_on_commit_callbacks
):
    grant_round = reported_round(regions=[region])
    run = run_done(grant_round, officer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decision_services.decisions_issue(run=run, by=officer)
    assert mailoutbox == []
    assert DecisionDelivery.objects.get().status == DeliveryStatus.QUEUED
    for callback in callbacks:
        callback()
    assert [m.to for m in mailoutbox] == [[MAILBOX]]
    assert DecisionDelivery.objects.get().status == DeliveryStatus.SENT


@pytest.mark.usefixtures("quick_letters")
def test_a_failing_smtp_send_is_recorded_and_retried_until_sent(
    officer, region, mailbox, flaky_smtp, django_capture_on_commit_callbacks
):
    flaky_smtp[MAILBOX] = 2
    issued(reported_round(regions=[region]), officer, django_capture_on_commit_callbacks)
    delivery = _deliveries(region)[RecipientKind.REGISTRY]
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 3
    assert delivery.last_error == ""


@pytest.mark.usefixtures("quick_letters")
def test_a_send_that_keeps_failing_ends_failed_with_its_error(
    officer, region, mailbox, flaky_smtp, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks, "MAX_ATTEMPTS", 3)
    flaky_smtp[MAILBOX] = -1
    issued(reported_round(regions=[region]), officer, django_capture_on_commit_callbacks)
    delivery = _deliveries(region)[RecipientKind.REGISTRY]
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 3  # the first try and two retries
    assert delivery.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"


def test_a_failed_attempt_is_queued_again_with_backoff(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks, "delivery_attempt", lambda **kw: (DeliveryStatus.RETRYING, 2))
    monkeypatch.setattr(
        tasks.deliver_decision, "apply_async", lambda args, **kw: calls.append((args, kw))
    )
    assert tasks.deliver_decision.run(5) == DeliveryStatus.RETRYING
    assert calls == [((5,), {"countdown": 60})]
    assert [tasks.backoff(n) for n in (1, 2, 3, 7, 20)] == [30, 60, 120, 1920, 3600]


def test_a_sent_delivery_is_not_sent_again(officer, region, mailbox, mailoutbox, quick_letters,
                                           django_capture_on_commit_callbacks):  # fmt: skip
    issued(reported_round(regions=[region]), officer, django_capture_on_commit_callbacks)
    delivery = DecisionDelivery.objects.get()
    assert tasks.deliver_decision.run(delivery.pk) == DeliveryStatus.SENT
    assert len(mailoutbox) == 1


@pytest.mark.usefixtures("quick_letters")
def test_reconsideration_is_delivered_too(
    officer, region, mailbox, mailoutbox, django_capture_on_commit_callbacks
):
    issued(reported_round(regions=[region]), officer, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        new = decision_services.decision_reconsider(
            decision=Decision.objects.get(region=region),
            by=officer,
            amounts={"block1": 1, "block2": 2},
            reason="Rättelse",
        )
    [message] = mailoutbox
    assert message.to == [MAILBOX]
    assert "Omprövat beslut" in message.subject
    assert DecisionDelivery.objects.get(decision=new).status == DeliveryStatus.SENT


# --- the officer's view ------------------------------------------------------------------------


def _issue_through_page(client, grant_round, capture):  # noqa: ANN001, ANN202
    url = reverse("allocation:decisions_issue", args=[grant_round.slug, 1])
    with capture(execute=True):  # the confirmation step's second POST issues
        return client.post(url, {"confirm": "1"})


@pytest.mark.usefixtures("quick_letters")
def test_the_success_message_counts_emails_and_regions_without_an_address(
    client, login, officer, region, proxy, mailbox, django_capture_on_commit_callbacks
):
    grant_round = reported_round(regions=[region])
    run_done(grant_round, officer, django_capture_on_commit_callbacks)
    login(client, officer)
    response = _issue_through_page(client, grant_round, django_capture_on_commit_callbacks)
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == (
        "4 beslut är fattade. 2 e-postmeddelanden till 1 region är köade för utskick. "
        "3 regioner har varken ombud eller registratur med e-post och har inte fått "
        "beslutet; se Utskick av beslut."
    )
    assert "ombuden har fått e-post" not in message


@pytest.mark.usefixtures("quick_letters")
def test_round_page_lists_what_was_not_delivered_and_the_officer_resends_it(
    client, login, officer, region, mailbox, flaky_smtp, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    monkeypatch.setattr(tasks, "MAX_ATTEMPTS", 1)
    flaky_smtp[MAILBOX] = 1
    grant_round = reported_round(regions=[region])
    issued(grant_round, officer, django_capture_on_commit_callbacks)
    login(client, officer)
    page = client.get(reverse("allocation:round", args=[grant_round.slug])).content.decode()
    assert "E-post som inte har skickats" in page
    assert "SMTPServerDisconnected" in page
    assert "Region Alfa (AT2024-21-B1)" in page  # no proxy, no mailbox
    # The mailbox of Alfa is filled in; the resend adds its delivery and retries Blekinge's.
    alfa = Decision.objects.get(region__short_name="Alfa").region
    alfa.registry_email = "registrator@alfa.example.se"
    alfa.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:resend", args=[grant_round.slug]))
    assert response.status_code == 302
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == "2 e-postmeddelanden är köade för utskick igen."
    statuses = dict(DecisionDelivery.objects.values_list("email", "status"))
    assert statuses == {MAILBOX: "sent", "registrator@alfa.example.se": "sent"}
    assert AuditEvent.objects.filter(action="registry.deliveries_resent", actor=officer).exists()


def test_auditors_see_deliveries_but_cannot_resend(
    client, login, auditor, officer, region, quick_letters, django_capture_on_commit_callbacks
):
    grant_round = reported_round(regions=[region])
    issued(grant_round, officer, django_capture_on_commit_callbacks)
    login(client, auditor)
    page = client.get(reverse("allocation:round", args=[grant_round.slug])).content.decode()
    assert "Utskick av beslut" in page
    assert reverse("registry:resend", args=[grant_round.slug]) not in page
    response = client.post(reverse("registry:resend", args=[grant_round.slug]))
    assert response.status_code == 403


@pytest.mark.usefixtures("quick_letters")
def test_round_deliveries_selector_query_count(
    officer, region, proxy, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from registry.selectors import round_deliveries

    grant_round = reported_round(regions=[region])
    issued(grant_round, officer, django_capture_on_commit_callbacks)
    # 1 counts by status, 2 undelivered with decision and region, 3 decisions without any
    with django_assert_num_queries(3):
        status = round_deliveries(grant_round=grant_round)
        [d.region.name for d in status.unreachable]
    assert (status.total, status.sent) == (1, 1)
    assert [d.region.short_name for d in status.unreachable] == ["Alfa", "Beta", "Gamma"]
    assert not status.complete


@pytest.mark.usefixtures("quick_letters")
def test_a_delivery_left_sending_by_a_dead_worker_is_taken_again_later(
    officer, region, mailbox, mailoutbox, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    grant_round = reported_round(regions=[region])
    run = run_done(grant_round, officer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        decision_services.decisions_issue(run=run, by=officer)
    delivery = DecisionDelivery.objects.get()
    started = timezone.now() - dt.timedelta(minutes=2)
    DecisionDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, last_attempt_at=started
    )
    assert tasks.deliver_decision.run(delivery.pk) == DeliveryStatus.SENDING  # maybe still busy
    assert mailoutbox == []
    DecisionDelivery.objects.filter(pk=delivery.pk).update(
        last_attempt_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert tasks.deliver_decision.run(delivery.pk) == DeliveryStatus.SENT
    assert [m.to for m in mailoutbox] == [[MAILBOX]]
