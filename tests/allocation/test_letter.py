"""The decision letter as PDF: who may fetch it, and what it says."""

from __future__ import annotations

import io

import pypdf
import pytest
from django.urls import reverse

from tests.allocation.read_factories import (
    FAST_HASHERS,
    FOUR,
    HALLAND_DEDUCTION,
    LEGAL_BASIS,
    closed_round,
    decide,
    reconsider,
)

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def decisions(officer, region, other_region):
    return decide(closed_round(FOUR, submitted_by=officer), officer, deductions=HALLAND_DEDUCTION)


def letter_url(decision) -> str:
    return reverse(
        "allocation_read:region_decision_letter", kwargs={"reference": decision.reference}
    )


def pdf_text(response) -> str:
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace(NBSP, " ").split())


def test_anonymous_is_sent_to_login(client, decisions):
    response = client.get(letter_url(decisions["Blekinge"]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_proxy_of_another_region_gets_404(client, login, decisions, other_proxy):
    login(client, other_proxy)
    assert client.get(letter_url(decisions["Blekinge"])).status_code == 404


@pytest.mark.parametrize("role", ["proxy", "colleague", "officer", "auditor"])
def test_allowed_roles_get_a_pdf(client, login, decisions, role, request):
    login(client, request.getfixturevalue(role))
    response = client.get(letter_url(decisions["Blekinge"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="beslut-AT2024-10-B1.pdf"' in response["Content-Disposition"]


def test_letter_holds_agency_region_amounts_basis_and_payment(
    client, login, decisions, proxy, settings
):
    settings.ATGRANT_AGENCY_NAME = "Socialstyrelsen"
    decision = decisions["Blekinge"]
    login(client, proxy)
    text = pdf_text(client.get(letter_url(decision)))
    assert "Socialstyrelsen" in text
    assert "Region Blekinge" in text
    assert "Statsbidrag för AT-tjänster 2024" in text
    assert "Redovisa antal AT-tjänster 11 997 022 kr" in text
    assert "45 009 161 kr" in text
    assert "Totalt 57 006 183 kr" in text
    assert "beviljas 57 006 183 kr i statsbidrag" in text
    assert " ".join(LEGAL_BASIS.split()) in text
    assert "Utbetalning förväntas ske i december 2024." in text
    assert "10 december 2024" in text
    assert "AT2024-10-B1" in text
    # How the amount was computed: the same explanation as on the decision page.
    assert "55 − 50 = 5" in text
    assert "når steget för minst 5, som ger 7 500 000 kr" in text


def test_reconsideration_letter_names_the_replaced_decision(
    client, login, decisions, officer, proxy
):
    old = decisions["Blekinge"]
    new = reconsider(
        old,
        officer,
        block1=old.block_amounts()["block1"],
        block2=old.block_amounts()["block2"] - 1_000_000,
    )
    login(client, proxy)
    text = pdf_text(client.get(letter_url(new)))
    assert f"Detta beslut ersätter beslut {old.reference}" in text
    assert "Regionen visade att en tjänst hade räknats två gånger." in text
    assert "Totalt 56 006 183 kr" in text
    assert "Beslutsdatum 15 januari 2025" in text
    assert "Utbetalning förväntas ske i december 2025." in text
