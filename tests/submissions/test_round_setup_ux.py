# ruff: noqa: F811 - the fixtures imported from test_round_setup are used as arguments
"""The preparation pages as an officer meets them: the error summary of a refused new round,
plans or opening; the checks linking to where each is fixed; a draft's name, dates and
reminders changed on its preparation page; a deadline already passed refused."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from submissions import setup
from submissions.models import STOCKHOLM, GrantRound, RoundStatus
from submissions.round_edit import round_update
from tests.submissions.factories import frozen
from tests.submissions.test_round_setup import (  # noqa: F401 - fixtures
    PREPARING,
    draft_2025,
    post_data,
    regions,
    round_2024,
)

pytestmark = pytest.mark.django_db


def summary(html: str) -> str:
    match = re.search(r'<div class="alert alert-danger error-summary".*?</div>', html, re.S)
    return match.group(0) if match else ""


def setup_url(slug: str = "at-2025") -> str:
    return reverse("submissions:round_setup", args=[slug])


def edit_url(slug: str = "at-2025") -> str:
    return reverse("submissions:round_edit", args=[slug])


def edit_data(**changes: str) -> dict[str, str]:
    data = {
        "name": "AT-bidraget 2025",
        "opens_on": "2025-04-15",
        "deadline_on": "2025-11-01",
        "population_date": "2024-11-01",
        "reminder_days": "21,7",
    }
    return {**data, **changes}


# --- 1. the error summary -------------------------------------------------------------------


def test_a_refused_new_round_starts_with_a_summary_linking_to_each_field(
    client, login, officer, round_2024
):
    login(client, officer)
    data = post_data(setup.copy_initial(round_2024))
    with frozen(PREPARING):
        refused = client.post(reverse("submissions:round_new"), {**data, "slug": "at-2024"})
    assert refused.status_code == 400
    box = summary(refused.content.decode())
    assert "Omgången skapades inte. Rätta felen nedan:" in box
    assert 'href="#id_slug"' in box and "Kortnamnet används redan" in box
    assert 'tabindex="-1"' in box


def test_refused_plans_start_with_a_summary(client, login, officer, draft_2025):
    login(client, officer)
    url = reverse("submissions:round_plans", args=["at-2025"])
    refused = client.post(url, {"plan_10": "inte ett tal"})
    assert refused.status_code == 400
    box = summary(refused.content.decode())
    assert "Planeringsunderlaget sparades inte." in box and 'href="#id_plan_10"' in box


def test_a_refused_opening_lists_the_failed_checks_at_the_top(client, login, officer, draft_2025):
    login(client, officer)
    with frozen(PREPARING):
        refused = client.post(reverse("submissions:round_open", args=["at-2025"]))
    assert refused.status_code == 400
    html = refused.content.decode()
    box = summary(html)
    assert "Omgången öppnades inte." in box
    assert 'href="#check-population"' in box and "Region Blekinge saknar befolkning." in box
    assert 'id="check-population"' in html


# --- 2. the checks link to where they are fixed ---------------------------------------------


def test_the_checks_link_to_the_pages_that_fix_them(client, login, officer, draft_2025):
    GrantRound.objects.filter(pk=draft_2025.pk).update(model={})
    login(client, officer)
    with frozen(PREPARING):
        html = client.get(setup_url()).content.decode()
    model_check = re.search(r'<li class="mb-2" data-check="model".*?</li>', html, re.S).group(0)
    assert reverse("allocation:round_model", args=["at-2025"]) in model_check
    plan_check = re.search(r'<li class="mb-2" data-check="plan".*?</li>', html, re.S).group(0)
    assert reverse("submissions:round_plans", args=["at-2025"]) in plan_check
    population = re.search(r'data-check="population".*?</li>', html, re.S).group(0)
    assert reverse("submissions:baseline_upload", args=["at-2025", "befolkning"]) in population


# --- 5. dates -------------------------------------------------------------------------------


def test_a_new_round_with_a_deadline_already_passed_is_refused_at_the_field(
    client, login, officer, round_2024
):
    login(client, officer)
    data = post_data(setup.copy_initial(round_2024))
    with frozen(dt.datetime(2025, 11, 2, 9, 0, tzinfo=STOCKHOLM)):
        refused = client.post(reverse("submissions:round_new"), data)
    assert refused.status_code == 400
    assert refused.context["form"].errors["deadline_on"] == ["Sista dag har redan passerat."]
    assert not GrantRound.objects.filter(slug="at-2025").exists()
    # The last day itself is still open.
    with frozen(dt.datetime(2025, 11, 1, 23, 0, tzinfo=STOCKHOLM)):
        assert client.post(reverse("submissions:round_new"), data).status_code == 302


def test_a_drafts_name_dates_and_reminders_are_changed_and_audited(
    client, login, officer, draft_2025
):
    login(client, officer)
    with frozen(PREPARING):
        page = client.get(setup_url()).content.decode()
        assert f'action="{edit_url()}"' in page and 'value="2025-11-01"' in page
        changed = client.post(
            edit_url(),
            edit_data(name="AT-bidraget 2025 (ny)", deadline_on="2025-11-15", reminder_days="7"),
        )
    assert changed.status_code == 302 and changed.url == setup_url()
    draft_2025.refresh_from_db()
    assert draft_2025.name == "AT-bidraget 2025 (ny)"
    assert draft_2025.deadline == dt.datetime(2025, 11, 15, 23, 59, 59, tzinfo=STOCKHOLM)
    assert draft_2025.reminder_days == "7"
    event = AuditEvent.objects.get(action="round.changed")
    assert event.actor == officer and event.round_id == draft_2025.pk
    assert event.before == {
        "round_name": "AT-bidraget 2025",
        "deadline": "2025-11-01T23:59:59+01:00",
        "reminder_days": "21,7",
    }
    assert event.after["deadline"] == "2025-11-15T23:59:59+01:00"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"deadline_on": "2025-04-01"}, "deadline_on", "Sista dag kan inte vara före"),
        ({"deadline_on": "2025-03-01"}, "deadline_on", "Sista dag har redan passerat."),
        ({"population_date": "2025-04-15"}, "population_date", "Befolkningsdatumet ska vara"),
        ({"reminder_days": "x"}, "reminder_days", ""),
        ({"name": ""}, "name", ""),
    ],
)
def test_a_bad_change_is_refused_at_its_field_and_nothing_written(
    client, login, officer, draft_2025, changes, field, message
):
    login(client, officer)
    with frozen(PREPARING):
        refused = client.post(edit_url(), edit_data(**changes))
    assert refused.status_code == 400
    errors = refused.context["edit_form"].errors[field]
    assert any(message in error for error in errors), errors
    assert f'href="#id_{field}"' in summary(refused.content.decode())
    before = GrantRound.objects.get(pk=draft_2025.pk)
    assert before.name == "AT-bidraget 2025" and before.reminder_days == "21,7"
    assert not AuditEvent.objects.filter(action="round.changed").exists()


def test_a_round_that_is_not_a_draft_cannot_be_changed(client, login, officer, auditor, round_2024):
    login(client, officer)
    with frozen(PREPARING):
        assert (
            f'action="{edit_url("at-2024")}"'
            not in client.get(setup_url("at-2024")).content.decode()
        )
        refused = client.post(edit_url("at-2024"), edit_data(name="Annat"))
    assert refused.status_code == 400
    assert "utkast" in summary(refused.content.decode())
    assert GrantRound.objects.get(slug="at-2024").name == "AT-bidraget 2024"
    assert round_2024.status == RoundStatus.DECIDED
    login(client, auditor)
    assert client.post(edit_url("at-2024"), edit_data()).status_code == 403
    with pytest.raises(ValidationError, match="utkast"):
        round_update(grant_round=round_2024, by=officer, **edit_data_of(round_2024))


def edit_data_of(grant_round: GrantRound) -> dict[str, object]:
    return {
        "name": "Annat",
        "opens_on": dt.date(2025, 4, 15),
        "deadline_on": dt.date(2025, 11, 1),
        "population_date": dt.date(2024, 11, 1),
        "reminder_days": "",
    }
