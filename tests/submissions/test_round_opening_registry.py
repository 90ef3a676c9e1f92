# ruff: noqa: F811 - the fixtures imported from test_round_setup are used as arguments
"""The e-mails that open a round are outgoing public documents: each is kept as it was sent
(registry.SentMessage) and registered in the diarium in the opening's transaction, one entry per
region with its recipients, region and round; an opening that is refused or fails registers
nothing, and a round opens (and registers) once. The diarium links each entry to the e-mail
as sent, for the agency's readers only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from audit.models import AuditEvent
from regions.models import ProxyAppointment
from registry.models import CaseSerial, Direction, DocumentKind, RegistryEntry, SentMessage
from submissions import setup
from submissions.models import GrantRound, RoundBaseline, RoundStatus
from tests.factories import UserFactory
from tests.submissions.factories import frozen
from tests.submissions.test_round_setup import (  # noqa: F401 - fixtures
    PREPARING,
    draft_2025,
    regions,
    round_2024,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready_2025(draft_2025, regions):
    """2025's draft with every region's population and plan, Blekinge with a proxy and
    Gotland with neither proxy nor official mailbox (it is sent nothing)."""
    RoundBaseline.objects.filter(round=draft_2025).update(
        population=200_000, plan_text="30", plan_low=30, plan_high=30
    )
    proxy = UserFactory(email="ombud@blekinge.example.se")
    ProxyAppointment.objects.create(region=regions["10"], user=proxy)
    regions["09"].registry_email = ""
    regions["09"].save()
    return draft_2025


def _codes(grant_round: GrantRound) -> set[str]:
    return set(
        RoundBaseline.objects.filter(round=grant_round).values_list("region__code", flat=True)
    )


def _open(grant_round: GrantRound, officer, capture) -> GrantRound:
    with frozen(PREPARING), capture(execute=True):
        return setup.round_open(grant_round=grant_round, by=officer)


def test_opening_registers_each_regions_email_as_sent(
    ready_2025, officer, django_capture_on_commit_callbacks
):
    _open(ready_2025, officer, django_capture_on_commit_callbacks)

    entries = list(RegistryEntry.objects.filter(kind=DocumentKind.ROUND_OPENING))
    assert len(entries) == len(mail.outbox) == 20  # 21 regions, Gotland has no address
    assert {e.region.code for e in entries} == {c for c in _codes(ready_2025) if c != "09"}
    assert all(e.direction == Direction.OUTGOING for e in entries)
    assert all(e.round_id == ready_2025.pk and e.registered_by == officer for e in entries)
    assert all(e.document_date == dt.date(2025, 3, 3) for e in entries)
    assert sorted(e.case_number for e in entries) == [f"2025/{n:05d}" for n in range(1, 21)]

    blekinge = RegistryEntry.objects.get(kind=DocumentKind.ROUND_OPENING, region__code="10")
    assert blekinge.party == (
        "Region Blekinge (ombud@blekinge.example.se, registrator@regionblekinge.se)"
    )
    assert blekinge.description == (
        "Meddelande om att AT-bidraget 2025 är öppen för inrapportering"
    )
    # The registered document is the e-mail that went out, word for word.
    notice = blekinge.document
    assert isinstance(notice, SentMessage) and notice.kind == DocumentKind.ROUND_OPENING
    assert (notice.round, notice.region.code, notice.application) == (ready_2025, "10", None)
    [sent] = [m for m in mail.outbox if "registrator@regionblekinge.se" in m.to]
    assert notice.recipients == sent.to
    assert (notice.subject, notice.body) == (sent.subject, sent.body)
    assert "Till Region Blekinge: AT-bidraget 2025 är öppen för inrapportering." in notice.body

    opened = AuditEvent.objects.get(action="round.opened")
    assert opened.after["case_numbers"]["10"] == blekinge.case_number
    assert "09" not in opened.after["case_numbers"] and "09" not in opened.after["recipients"]


def test_opening_again_registers_and_sends_nothing_more(
    ready_2025, officer, django_capture_on_commit_callbacks
):
    _open(ready_2025, officer, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="redan"):
        _open(ready_2025, officer, django_capture_on_commit_callbacks)
    assert RegistryEntry.objects.count() == SentMessage.objects.count() == 20
    assert CaseSerial.objects.get(year=2025).last == 20
    assert len(mail.outbox) == 20


def test_an_opening_refused_by_a_check_registers_nothing(
    draft_2025, officer, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError, match="saknar befolkning"):
        _open(draft_2025, officer, django_capture_on_commit_callbacks)
    draft_2025.refresh_from_db()
    assert draft_2025.status == RoundStatus.DRAFT
    assert not RegistryEntry.objects.exists() and not SentMessage.objects.exists()
    assert not CaseSerial.objects.filter(last__gt=0).exists()
    assert mail.outbox == []


def test_an_opening_whose_registration_fails_leaves_nothing_half_written(
    ready_2025, officer, django_capture_on_commit_callbacks
):
    # A case number already taken outside the serial (say, restored by hand): the registry's
    # unique number refuses the opening's first entry.
    RegistryEntry.objects.create(
        case_number="2025/00001",
        year=2025,
        serial=1,
        registered_at=PREPARING,
        document_date=PREPARING.date(),
        direction=Direction.INCOMING,
        kind=DocumentKind.REPORT_VERSION,
        party="P",
        description="D",
        content_type=ContentType.objects.get_for_model(GrantRound),
        object_id=ready_2025.pk,
    )
    with pytest.raises(IntegrityError):
        _open(ready_2025, officer, django_capture_on_commit_callbacks)
    ready_2025.refresh_from_db()
    assert ready_2025.status == RoundStatus.DRAFT
    assert not SentMessage.objects.exists()
    assert RegistryEntry.objects.count() == 1
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action__in=["round.status", "round.opened"]).exists()


def test_the_diarium_links_each_entry_to_the_email_as_sent(
    client,
    login,
    officer,
    auditor,
    ready_2025,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
):
    _open(ready_2025, officer, django_capture_on_commit_callbacks)
    notice = SentMessage.objects.get(region__code="10")
    url = reverse("registry:sent_message", args=[notice.pk])
    login(client, auditor)
    client.get(reverse("registry:list"))  # the session and the content types, once
    # 1 the user, 2 their groups, 3 years, 4 count, 5 page of entries with region, round and
    # user, 6 the page's sent e-mails (their ids: the link needs none of their text),
    # 7 the region field's datalist, 8-10 the session saved
    with django_assert_num_queries(10):
        page = client.get(reverse("registry:list"))
    assert len(page.context["rows"]) == 20
    listing = client.get(reverse("registry:list"), {"region": "10"})
    [row] = listing.context["rows"]
    assert row.link == url
    assert "Meddelande om öppnad omgång" in listing.content.decode()

    # 1 the user, 2 their groups, 3 the e-mail with its round and region, 4 its entry,
    # 5-7 the session saved
    with django_assert_num_queries(7):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Meddelande om öppnad omgång</h1>" in html
    assert row.entry.case_number in html
    assert "ombud@blekinge.example.se, registrator@regionblekinge.se" in html
    assert "Till Region Blekinge: AT-bidraget 2025 är öppen för inrapportering." in html
    # No such e-mail: nothing to read.
    missing = reverse("registry:sent_message", args=[notice.pk + 1000])
    assert client.get(missing).status_code == 404


def test_a_regions_people_do_not_read_the_notice_page(
    client, login, ready_2025, officer, django_capture_on_commit_callbacks
):
    _open(ready_2025, officer, django_capture_on_commit_callbacks)
    login(client, ProxyAppointment.objects.get(region__code="10").user)
    notice = SentMessage.objects.get(region__code="10")
    url = reverse("registry:sent_message", args=[notice.pk])
    assert client.get(url).status_code == 404
