"""The deadline as an .ics file (RFC 5545) from the region's dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from submissions.calendar import escape_text, fold
from submissions.models import STOCKHOLM
from submissions.services import deadline_extension_grant
from tests.submissions.factories import BEFORE_DEADLINE, baseline, frozen, round_2024


def test_long_lines_are_folded_at_75_octets_without_cutting_a_character():
    line = "SUMMARY:" + "Sista dag för inrapportering av AT-tjänster i Västra Götaland " * 4

    folded = fold(line)

    physical = folded.encode("utf-8").split(b"\r\n")
    assert len(physical) > 1
    assert all(len(part) <= 75 for part in physical)
    assert all(part.startswith(b" ") for part in physical[1:])
    for part in physical:
        part.decode("utf-8")  # no character split between two lines
    assert folded.replace("\r\n ", "") == line


def test_short_lines_are_not_folded():
    assert fold("VERSION:2.0") == "VERSION:2.0"


def test_text_values_are_escaped():
    assert escape_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"


def url(grant_round, region):
    return reverse("submissions:deadline_ics", args=[grant_round.slug, region.code])


def unfolded(response) -> list[str]:
    body = response.content.decode("utf-8")
    assert body.endswith("\r\n") and "\n" not in body.replace("\r\n", "")
    return body.replace("\r\n ", "").split("\r\n")[:-1]


@pytest.mark.django_db
def test_proxy_downloads_the_deadline(client, login, region, proxy):
    grant_round = round_2024()
    baseline(grant_round, region)
    login(client, proxy)

    with frozen(BEFORE_DEADLINE):
        response = client.get(url(grant_round, region))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="sista-dag-at-2024-10.ics"' in response["Content-Disposition"]
    lines = unfolded(response)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    event = lines[lines.index("BEGIN:VEVENT") : lines.index("BEGIN:VALARM")]
    fields = dict(line.split(":", 1) for line in event if ":" in line)
    assert "TRIGGER:-P3D" in lines  # the calendar's own alarm, three days ahead
    assert fields["UID"] == "sista-dag-at-2024-10@testserver"
    # 1 November 2024 23:59:59 in Stockholm is 22:59:59 UTC (winter time).
    assert fields["DTEND"] == "20241101T230000Z"
    assert fields["DTSTART"] == "20241101T205959Z"
    assert fields["DTSTAMP"] == "20241015T080000Z"
    assert fields["SUMMARY"] == "Sista dag för inrapportering: AT-bidraget 2024"
    assert "Region Blekinge rapporterar in" in fields["DESCRIPTION"]
    assert fields["URL"] == "http://testserver/inrapportering/at-2024/10/"


@pytest.mark.django_db
def test_an_extension_moves_the_event(client, login, region, proxy, officer):
    grant_round = round_2024()
    until = dt.datetime(2024, 11, 15, 12, 0, tzinfo=STOCKHOLM)
    deadline_extension_grant(
        grant_round=grant_round, region=region, until=until, reason="Sjukdom", by=officer
    )
    login(client, proxy)

    with frozen(BEFORE_DEADLINE):
        lines = unfolded(client.get(url(grant_round, region)))

    assert "DTEND:20241115T110001Z" in lines


@pytest.mark.django_db
def test_other_regions_and_draft_rounds_are_not_found(client, login, region, other_region, proxy):
    grant_round = round_2024()
    draft = round_2024(slug="draft", draft=True)
    login(client, proxy)

    assert client.get(url(grant_round, other_region)).status_code == 404
    assert client.get(url(draft, region)).status_code == 404


@pytest.mark.django_db
def test_dashboard_links_each_open_round_to_its_calendar_file(client, login, region, proxy):
    grant_round = round_2024()
    baseline(grant_round, region)
    login(client, proxy)

    with frozen(BEFORE_DEADLINE):
        page = client.get(reverse("submissions:dashboard")).content.decode()

    assert f'href="{url(grant_round, region)}"' in page
