"""The decision letter as a Swedish agency decision: the record of förvaltningslagen 31-33 §§,
the annexed allocation list, the chain hash, PDF/A, and no text off the page."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from django.contrib.auth.models import Group

from allocation.letters import decision_letter_pdf
from allocation.models import ChainLink
from allocation.services.decisions import decision_reconsider, decisions_issue
from regions.roles import OFFICERS_GROUP
from registry.models import DocumentKind, RegistryEntry
from submissions.models import GrantRound
from tests.allocation.read_factories import (
    DECISION_DATE,
    FAST_HASHERS,
    FOUR,
    closed_round,
    run_round,
)
from tests.factories import UserFactory
from tests.pdf_bounds import pages_text, runs_off_page

pytestmark = pytest.mark.django_db

GOVERNMENT_DECISION = (
    "Regeringsbeslut den 22 mars 2024, S2024/00999, Uppdrag att fördela och betala ut medel "
    "för att öka antalet tjänster för allmäntjänstgöring"
)
LONG_URL = "https://www.example.se/" + "/".join(["ett-mycket-langt-adressled"] * 8)
LONG_WORD = "Prestationsbaseradestatsbidragsomgångsavräkningshandläggningsunderlagsgranskning" * 2


@pytest.fixture(autouse=True)
def _agency(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.ATGRANT_AGENCY_NAME = "Socialstyrelsen"
    settings.ATGRANT_AGENCY_ADDRESS = "106 30 Stockholm"
    settings.ATGRANT_AGENCY_EMAIL = "registrator@socialstyrelsen.se"
    settings.ATGRANT_AGENCY_PHONE = "075-247 30 00"
    settings.ATGRANT_APPEAL_COURT = "Förvaltningsrätten i Stockholm"


@pytest.fixture
def presenter(db):
    user = UserFactory(email="frida@example.se", first_name="Frida", last_name="Föredrag")
    user.groups.add(Group.objects.get_or_create(name=OFFICERS_GROUP)[0])
    return user


@pytest.fixture
def decider(db):
    user = UserFactory(email="beslutande@example.se", first_name="Bo", last_name="Beslut")
    user.groups.add(Group.objects.get_or_create(name=OFFICERS_GROUP)[0])
    return user


def _round(officer: object, **fields: object) -> GrantRound:
    grant_round = closed_round(FOUR, submitted_by=officer)
    fields = {"government_decision": GOVERNMENT_DECISION, "single_officer_allowed": False, **fields}
    GrantRound.objects.filter(pk=grant_round.pk).update(**fields)
    grant_round.refresh_from_db()
    return grant_round


def _issue(grant_round: GrantRound, presenter: object, decider: object) -> dict:
    run = run_round(grant_round, presenter)
    issued = decisions_issue(run=run, by=decider, decision_date=DECISION_DATE)
    return {d.region.short_name: d for d in issued}


def _text(pdf: bytes) -> str:
    return " ".join(pages_text(pdf))


def test_letter_records_date_both_officers_basis_appeal_reconsideration_and_contact(
    presenter, decider
):
    decision = _issue(_round(presenter), presenter, decider)["Blekinge"]
    text = _text(decision_letter_pdf(decision))
    assert "Beslutsdatum 10 december 2024" in text
    assert "Beslutet har fattats av Bo Beslut. Föredragande har varit Frida Föredrag." in text
    assert GOVERNMENT_DECISION in text
    assert "(S2024)" not in text
    # Appeal: in writing, to the agency, within three weeks of the announcement, what to
    # write, where it goes.
    assert "Beslutet kan överklagas hos Förvaltningsrätten i Stockholm." in text
    assert "skriftligt" in text
    assert "inom tre veckor från den dag då beslutet meddelades" in text
    # The decision is named by the registry's diarienummer and its own beslutsnummer, one of
    # each, as the diarium lists it.
    case = RegistryEntry.objects.get(object_id=decision.pk, kind=DocumentKind.DECISION).case_number
    assert f"Diarienummer {case} Beslutsnummer AT2024-10-B1" in text
    cite = f"diarienummer {case} och beslutsnummer AT2024-10-B1"
    assert f"({cite}), vilken ändring ni begär och varför" in text
    assert f"Ange {cite}, vad som är fel" in text
    assert f"Ange alltid {cite} när ni kontaktar oss om beslutet." in text
    assert "skickas överklagandet vidare till Förvaltningsrätten i Stockholm" in text
    assert "begära att Socialstyrelsen omprövar det" in text
    assert "registrator@socialstyrelsen.se" in text
    assert "075-247 30 00" in text
    assert "106 30 Stockholm" in text


def test_a_decision_that_may_not_be_appealed_says_so_and_why(presenter, decider):
    reason = "Enligt 10 § förordningen om statsbidrag får beslutet inte överklagas."
    grant_round = _round(presenter, appealable=False, no_appeal_reason=reason)
    text = _text(decision_letter_pdf(_issue(grant_round, presenter, decider)["Gotland"]))
    assert f"Beslutet får inte överklagas. {reason}" in text
    assert "kan överklagas hos" not in text


def test_letter_annexes_the_allocation_list_it_refers_to(presenter, decider):
    decisions = _issue(_round(presenter), presenter, decider)
    pages = pages_text(decision_letter_pdf(decisions["Halland"]))
    annex = next(page for page in pages if "Bilaga: Fördelningslista" in page)
    for decision in decisions.values():
        total = f"{decision.total:,} kr".replace(",", " ")
        assert re.search(rf"{decision.region.short_name}.*{total}", annex)
    assert "Summa 63 000 000 kr 160 000 000 kr 223 000 000 kr" in annex
    assert "60–62 medel 61" in annex  # the plan as written, with its mean
    assert "bilaga 2 till regeringens uppdrag" in annex


def test_a_reconsiderations_annex_shows_the_list_as_of_that_decision(presenter, decider):
    decisions = _issue(_round(presenter), presenter, decider)
    old = decisions["Blekinge"]
    new = decision_reconsider(
        decision=old,
        by=decider,
        amounts={**old.amounts, "block2": old.amounts["block2"] - 1_000},
        reason="Rättelse",
        presented_by=presenter,
    )
    annex = pages_text(decision_letter_pdf(new))[-1]
    assert "Blekinge † 159 000" in annex  # marked as reconsidered
    assert "Summa 63 000 000 kr 159 999 000 kr 222 999 000 kr" in annex  # with the new one
    # The original letter keeps the list as it was.
    assert "223 000 000 kr" in pages_text(decision_letter_pdf(old))[-1]


def test_letter_gives_the_decisions_place_and_hash_in_the_chain(presenter, decider):
    decision = _issue(_round(presenter), presenter, decider)["Jämtland"]
    link = ChainLink.objects.get(decision=decision)
    text = _text(decision_letter_pdf(decision)).replace(" ", "")
    assert f"post{link.position}" in text
    assert decision.chain_hash in text  # may be broken over lines; spaces removed


def test_letter_is_pdf_a_in_swedish(presenter, decider):
    pdf = decision_letter_pdf(_issue(_round(presenter), presenter, decider)["Blekinge"])
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    metadata = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in metadata
    assert root["/Lang"] == "sv"
    assert "/StructTreeRoot" in root  # tagged


def test_long_words_addresses_and_names_stay_on_the_page(presenter, settings):
    settings.ATGRANT_AGENCY_WEBSITE = LONG_URL
    decider = UserFactory(email=f"{'mycket.lang.adress.' * 5}@example.se", first_name="")
    decider.groups.add(Group.objects.get_or_create(name=OFFICERS_GROUP)[0])
    grant_round = _round(
        presenter,
        legal_basis=f"Anvisningarna finns på {LONG_URL}",
        appealable=False,
        no_appeal_reason=LONG_WORD,
    )
    run = run_round(grant_round, presenter)
    decision = decisions_issue(run=run, by=decider, decision_date=DECISION_DATE)[0]
    new = decision_reconsider(
        decision=decision,
        by=decider,
        amounts=decision.amounts,
        reason=f"{LONG_WORD} {LONG_URL}",
        presented_by=presenter,
    )
    pdf = decision_letter_pdf(new)
    assert runs_off_page(pdf) == []
    assert LONG_WORD[:40] in _text(pdf).replace(" ", "")


def test_the_page_check_finds_text_that_runs_off():
    """The check itself can fail: text that may not wrap runs off and is reported."""
    from weasyprint import HTML

    pdf = HTML(string=f'<p style="white-space: nowrap">{LONG_WORD}</p>').write_pdf()
    assert runs_off_page(pdf)
