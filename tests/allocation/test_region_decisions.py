"""The region's decision pages: who may see what, and the explanation each case shows."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.allocation.read_factories import (
    FAST_HASHERS,
    FOUR,
    NO_QUALIFIER,
    closed_round,
    decide,
    reconsider,
)
from tests.factories import UserFactory
from tests.queries import LOGGED_IN

NBSP = "\u00a0"
DEDUCTION_REASON = "Två tjänster låg till grund för 2023 års utbetalning"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def decisions(officer, region, other_region):
    grant_round = closed_round(FOUR, submitted_by=officer)
    return decide(grant_round, officer, deductions={"Halland": (2, DEDUCTION_REASON)})


def text_of(response) -> str:
    """The page's main content as plain text (tags dropped, spaces collapsed)."""
    html = response.content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).replace(NBSP, " ")


def detail_url(decision) -> str:
    return reverse("allocation_read:region_decision", kwargs={"reference": decision.reference})


LIST_URL = "allocation_read:region_decisions"


# --- permissions ----------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, decisions):
    for url in (reverse(LIST_URL), detail_url(decisions["Blekinge"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ["proxy", "colleague", "officer", "auditor"])
def test_region_people_and_agency_read_the_decision(client, login, decisions, role, request):
    login(client, request.getfixturevalue(role))
    assert client.get(reverse(LIST_URL)).status_code == 200
    assert client.get(detail_url(decisions["Blekinge"])).status_code == 200


def test_a_decision_shows_its_diarienummer_and_its_beslutsnummer(client, login, decisions, proxy):
    """One diarienummer per decision, the registry's; the decision's own number beside it."""
    from registry.models import RegistryEntry

    decision = decisions["Blekinge"]
    case = RegistryEntry.objects.get(
        object_id=decision.pk, description__contains=decision.reference
    )
    login(client, proxy)
    text = text_of(client.get(detail_url(decision)))
    assert f"Diarienummer {case.case_number} Beslutsnummer {decision.reference}" in text
    assert text.count("Diarienummer") == 1


def test_proxy_of_another_region_gets_404_for_this_regions_decision(
    client, login, decisions, other_proxy
):
    login(client, other_proxy)
    assert client.get(detail_url(decisions["Blekinge"])).status_code == 404
    # Its own region's decision it may read.
    assert client.get(detail_url(decisions["Gotland"])).status_code == 200


def test_list_shows_only_the_users_own_region(client, login, decisions, proxy):
    login(client, proxy)
    page = client.get(reverse(LIST_URL)).content.decode()
    assert decisions["Blekinge"].reference in page
    for other in ("Gotland", "Halland", "Jämtland"):
        assert decisions[other].reference not in page


def test_user_without_a_region_gets_404(client, login, decisions):
    login(client, UserFactory(email="nobody@example.se"))
    assert client.get(reverse(LIST_URL)).status_code == 404
    assert client.get(detail_url(decisions["Blekinge"])).status_code == 404


def test_unknown_reference_is_404(client, login, decisions, officer):
    login(client, officer)
    url = reverse("allocation_read:region_decision", kwargs={"reference": "AT2024-99-B1"})
    assert client.get(url).status_code == 404


def test_agency_list_shows_every_region_and_filters_by_region(client, login, decisions, auditor):
    login(client, auditor)
    page = client.get(reverse(LIST_URL)).content.decode()
    assert all(d.reference in page for d in decisions.values())
    halland = decisions["Halland"].region_id
    page = client.get(reverse(LIST_URL), {"region": halland}).content.decode()
    assert decisions["Halland"].reference in page
    assert decisions["Blekinge"].reference not in page


def test_list_query_count_is_constant(
    client, login, decisions, officer, proxy, django_assert_num_queries
):
    login(client, proxy)
    client.get(reverse(LIST_URL))  # warm caches that are not per request (content types)
    # LOGGED_IN, then 1 the user's regions with their roles, 2 the decisions with round,
    # region, replaces, replaced_by and decided_by joined.
    with django_assert_num_queries(LOGGED_IN + 2):
        assert client.get(reverse(LIST_URL)).status_code == 200
    reconsider(decisions["Blekinge"], officer, block1=1, block2=2)
    with django_assert_num_queries(LOGGED_IN + 2):  # one more decision, no more queries
        assert client.get(reverse(LIST_URL)).status_code == 200


# --- the explanation ------------------------------------------------------------------------


def test_step_case(client, login, decisions, proxy):
    login(client, proxy)
    text = text_of(client.get(detail_url(decisions["Blekinge"])))
    assert "Detta beslut gäller." in text
    assert "55 tillsatta och 54 påbörjade" in text
    assert "55 − 50 = 5" in text
    # any model's explanation, block by block: the step reached, the remainder part
    assert (
        "Regionen (utökning jämfört med planen: 5) når steget för minst 5, som ger 7 500 000 kr"
    ) in text
    # the 2024 model in words: no names, operators or step() from the model's code
    assert "utökning jämfört med planen minst 2: 3 000 000 kr; minst 3: 4 500 000 kr" in text
    assert "AT-tjänster som räknas · 100 000 / befolkning" in text
    assert "(rate)" not in text and "increase >=" not in text and "step(" not in text
    assert "dess del av resten 37 509 160,93 kronor" in text
    assert "avrundat 45 009 161 kr" in text
    assert "Redovisa antal AT-tjänster 11 997 022 kr" in text
    assert "Totalt 57 006 183 kr" in text
    assert "Beslutsdatum 10 december 2024" in text
    assert "Beslutat av officer@example.se" in text


def test_range_plan_case(client, login, decisions, other_proxy):
    login(client, other_proxy)
    text = text_of(client.get(detail_url(decisions["Gotland"])))
    assert "står 60–62. Eftersom det är ett spann används medelvärdet: 61" in text
    assert "63 tillsatta AT-tjänster och inga påbörjade" in text
    assert "når steget för minst 2, som ger 3 000 000 kr" in text


def test_no_step_case_with_deduction(client, login, decisions, officer):
    login(client, officer)
    text = text_of(client.get(detail_url(decisions["Halland"])))
    assert "2 tjänster har dragits av" in text
    assert f"Skäl: {DEDUCTION_REASON}." in text
    assert "Antal tjänster som räknas: 69 tjänster" in text
    assert "69 − 70 = −1" in text
    assert "Regionen uppfyller det inte och får därför inget ur blocket" in text
    assert "utökning jämfört med planen: −1" in text
    assert "Ytterligare utökning 0 kr" in text


def test_no_qualifier_case_says_block2_not_paid(client, login, officer, proxy, other_region):
    grant_round = closed_round(NO_QUALIFIER, submitted_by=officer)
    decisions = decide(grant_round, officer)
    login(client, proxy)
    text = text_of(client.get(detail_url(decisions["Blekinge"])))
    assert "betalas inte ut i denna omgång" in text
    assert "Ingen region uppfyllde villkoret att utökning jämfört med planen är minst" in text
    assert decisions["Blekinge"].block_amounts()["block2"] == 0


def test_reconsideration_marks_the_replaced_one_and_the_one_in_force(
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

    listing = client.get(reverse(LIST_URL)).content.decode()
    rows = {
        ref: row
        for row in listing.split("<tr>")[1:]
        for ref in (old.reference, new.reference)
        if f">{ref}</a></th>" in row
    }
    assert "Gäller" in rows[new.reference] and "Ersatt" not in rows[new.reference]
    assert f"Ersatt av {new.reference}" in rows[old.reference]
    assert f"Omprövning av {old.reference}" in rows[new.reference]

    old_text = text_of(client.get(detail_url(old)))
    assert "har ersatts av ett senare beslut" in old_text and new.reference in old_text
    new_text = text_of(client.get(detail_url(new)))
    assert "Detta beslut gäller." in new_text
    assert f"Detta beslut ersätter {old.reference}" in new_text
    assert "Skäl: Regionen visade att en tjänst hade räknats två gånger." in new_text
    assert "Totalt 56 006 183 kr" in new_text
    assert (
        "(Redovisa antal AT-tjänster 11 997 022 kr, Ytterligare utökning 45 009 161 kr, "
        "totalt 57 006 183 kr)" in new_text
    )
    # The typed amounts are stated as decided at the reconsideration, not as computed.
    assert (
        "bestämdes beloppen i stället till Redovisa antal AT-tjänster 11 997 022 kr, "
        "Ytterligare utökning 44 009 161 kr" in new_text
    )


def test_officer_entered_values_are_shown_with_their_reason(
    client, login, officer, proxy, other_region
):
    grant_round = closed_round(FOUR, submitted_by=officer)
    reason = "Regionen rättade antalet tillsatta tjänster per e-post den 4 november"
    decisions = decide(grant_round, officer, overrides={"Blekinge": (57, None, reason)})
    login(client, proxy)
    text = text_of(client.get(detail_url(decisions["Blekinge"])))
    assert "57 tillsatta AT-tjänster och inga påbörjade" in text
    assert "förts in av handläggaren" in text
    assert f"Skäl: {reason}." in text
    assert "57 − 50 = 7" in text
