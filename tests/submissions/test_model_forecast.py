"""The forecast under any model: the round's model run on every region's current reports."""

from __future__ import annotations

import re
from fractions import Fraction

from allocation.engine import RegionInput
from submissions.forecast import compute_model_forecast
from tests.allocation.format2_factories import three_block_result

MODEL = three_block_result()["model"]


def _inputs() -> list[RegionInput]:
    def row(name, population, low, high, filled, started):  # noqa: ANN001, ANN202
        return RegionInput(name, population, Fraction(low), Fraction(high), filled, started, 0)

    return [
        row("Blekinge", 159_000, 50, 50, 55, 54),
        row("Gotland", 61_000, 60, 62, 63, None),
        row("Halland", 340_000, 70, 70, 70, 71),
        row("Jämtland", 132_000, 30, 32, None, 31),
    ]


def test_the_regions_values_its_blocks_and_the_next_step():
    forecast = compute_model_forecast(MODEL, _inputs(), "Halland")
    assert forecast.error == ""
    values = dict(forecast.values)
    assert values["posts"] == 71 and values["increase"] == 1
    assert values["rate"] == Fraction(71 * 100_000, 340_000)
    assert dict(forecast.totals)["national_rate"] == Fraction(220 * 100_000, 692_000)
    assert [b.id for b in forecast.eligible_blocks] == ["improve"]
    improve = forecast.blocks[2]
    assert improve.step == (Fraction(1), 3_000_000)
    nxt = improve.next_step
    assert (nxt.value, nxt.current, nxt.threshold, nxt.payout) == ("increase", 1, 5, 6_000_000)
    assert nxt.posts_to_next == 4
    assert forecast.blocks[0].next_step is None  # a share block has no step


def test_a_region_below_the_first_step_is_told_the_first_threshold():
    forecast = compute_model_forecast(MODEL, _inputs(), "Jämtland")
    improve = forecast.blocks[2]
    assert improve.eligible and improve.step is None
    assert (improve.next_step.threshold, improve.next_step.posts_to_next) == (1, 1)


def test_a_model_that_cannot_run_gives_a_swedish_message_not_an_error():
    bad = {**MODEL, "values": {**MODEL["values"], "rate": "posts / (population - population)"}}
    forecast = compute_model_forecast(bad, _inputs(), "Halland")
    assert forecast.error and not forecast.blocks


def test_without_totals_the_regions_own_numbers_give_the_whole_rounds_forecast():
    """The dashboard reads the other regions only for a model with totals (selectors)."""
    own_only = {**MODEL, "totals": {}}
    own_only["blocks"] = [
        {**block, "eligible": block["eligible"].replace("national_rate", "20")}
        if block.get("eligible")
        else block
        for block in MODEL["blocks"]
    ]
    inputs = _inputs()
    for row in inputs:
        alone = compute_model_forecast(own_only, [row], row.name)
        assert alone == compute_model_forecast(own_only, inputs, row.name)
        assert alone.totals == ()


def test_a_region_not_among_the_inputs_has_no_forecast():
    assert compute_model_forecast(MODEL, _inputs(), "Skåne") is None


# --- on the proxy's dashboard -----------------------------------------------------------------


def test_dashboard_forecast_under_a_three_block_model(client, login, region, other_region, proxy):
    from django.urls import reverse

    from submissions.models import GrantRound
    from tests.submissions.factories import BEFORE_DEADLINE, baseline, frozen, round_2024, submitted

    grant_round = round_2024()
    GrantRound.objects.filter(pk=grant_round.pk).update(model=MODEL)
    grant_round.refresh_from_db()
    baseline(grant_round, region, plan="84-89", low="84", high="89")
    baseline(grant_round, other_region, plan="20", low="20", high="20")
    submitted(grant_round, other_region, proxy, filled=30, started=None)
    submitted(grant_round, region, proxy, filled=90, started=92)
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        html = client.get(reverse("submissions:dashboard")).content.decode()
    section = html.split("Prognos enligt omgångens fördelningsmodell", 1)[1].split("</section>")[0]
    rows = re.findall(r'<tr data-block="(\w+)">', section)
    assert rows == ["good", "growth", "improve"]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)).replace("\u00a0", " ")
    assert "Utökning jämfört med planen 5,5" in text
    assert "alla regioner" in text  # national_rate, a total over every region
    assert "Gotland" not in html  # never another region's name
    assert (
        "(AT-tjänster per 100 000 invånare är minst AT-tjänster per 100 000 invånare i riket)"
        in (text)
    )
    assert "rate" not in text and ">=" not in text and "<code>" not in section
    # an amount in kronor never breaks inside on a phone
    assert '<span class="amount">124\u00a0000\u00a0000\u00a0kr</span>' in section


def test_the_forecast_names_what_a_step_and_the_next_step_count():
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("sv"):
        html = render_to_string(
            "submissions/includes/forecast_model.html",
            {"f": compute_model_forecast(MODEL, _inputs(), "Halland")},
        )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " ")
    assert "utökning jämfört med planen minst 1: 3 000 000 kr" in text
    assert "Nästa steg: utökning jämfört med planen minst 5 ger 6 000 000 kr" in text
    assert "AT-tjänster per 100 000 invånare är mindre än" in text
    code = re.compile(r"\b(posts|rate|increase|national_rate)\b|>=|<=|<code>")
    assert not code.findall(text), code.findall(text)


def test_a_round_without_a_model_says_no_forecast_can_be_shown(client, login, region, proxy):
    from django.urls import reverse

    from submissions.models import GrantRound
    from tests.submissions.factories import BEFORE_DEADLINE, baseline, frozen, round_2024, submitted

    grant_round = round_2024()
    GrantRound.objects.filter(pk=grant_round.pk).update(model={})
    baseline(grant_round, region)
    submitted(grant_round, region, proxy, filled=90, started=92)
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        html = client.get(reverse("submissions:dashboard")).content.decode()
    assert "ingen fördelningsmodell ännu, så ingen prognos kan visas" in html
    assert "Prognos enligt omgångens fördelningsmodell" not in html
