"""What counts is the submitted version, drafts are labelled, and every page says what state
the round is really in (issue 15, items 10 and 17)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from submissions.closing import round_close
from submissions.models import STOCKHOLM, GrantRound, Report, RoundStatus
from submissions.selectors import report_card, with_report_counts
from submissions.services import ReportData, deadline_extension_grant, report_save_draft
from tests.allocation.factories import eager_celery  # noqa: F401 - a fixture
from tests.factories import ReportVersionFactory
from tests.submissions.factories import (
    BEFORE_DEADLINE,
    NEXT_DAY,
    baseline,
    frozen,
    round_2024,
    submitted,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def grant_round(region, other_region):
    grant_round = round_2024()
    baseline(grant_round, region, plan="84-89", low="84", high="89")
    baseline(grant_round, other_region, plan="20", low="20", high="20")
    return grant_round


def edit_url(grant_round, region):
    return reverse("submissions:report_edit", args=[grant_round.slug, region.code])


def main(response) -> str:
    html = response.content.decode()
    assert "<main" in html, (response.status_code, response.headers, html[:300])
    return html[html.index("<main") : html.index("</main>")]


def draft(grant_round, region, by, *, filled, started=30, revision):
    """A colleague's (or the proxy's) saved draft, not submitted."""
    data = ReportData(
        filled_posts=filled,
        started_posts=started,
        contact_name="Kim Kontakt",
        contact_email="kim@region.example.se",
    )
    with frozen(BEFORE_DEADLINE):
        return report_save_draft(
            grant_round=grant_round, region=region, data=data, revision=revision, by=by
        )


# --- item 10: the submitted version counts, drafts are labelled -------------------------------


def test_officer_sees_the_submitted_version_as_the_report_and_the_draft_labelled(
    client, login, grant_round, region, proxy, colleague, officer
):
    submitted(grant_round, region, proxy, filled=32, started=30, number=2)
    draft(grant_round, region, colleague, filled=33, revision=2)
    login(client, officer)
    with frozen(BEFORE_DEADLINE):
        page = main(client.get(edit_url(grant_round, region)))
    counts, drafted = page.split('id="draft-heading"')
    assert "Inskickade uppgifter (version 2, gäller)" in counts
    assert '<dd class="col-sm-8">32</dd>' in counts
    assert '<dd class="col-sm-8">33</dd>' not in counts
    assert "Ändringar som inte är inskickade" in drafted
    assert '<dd class="col-sm-8">33</dd>' in drafted
    assert "kollega@blekinge.example.se" in drafted  # who saved it


def test_the_forecast_comes_from_the_submitted_version_and_a_drafts_is_labelled(
    client, login, grant_round, region, proxy
):
    # Plan 84-89 counts as 86.5: 90 reaches the step of 3 (4 500 000), 95 that of 7.
    submitted(grant_round, region, proxy, filled=90, started=None, number=1)
    draft(grant_round, region, proxy, filled=95, started=None, revision=1)
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        page = main(client.get(reverse("submissions:dashboard")))
    forecast = page[page.index("Prognos enligt omgångens fördelningsmodell") :]
    counted, drafted = forecast.split("Enligt ändringar som inte är inskickade")
    assert "Enligt inskickad version 1, som gäller" in counted
    assert "4\u00a0500\u00a0000\u00a0kr" in counted and "10\u00a0500\u00a0000" not in counted
    assert "10\u00a0500\u00a0000\u00a0kr" in drafted
    assert "Utkast" in page


def test_a_draft_never_submitted_gives_only_a_labelled_forecast(grant_round, region, proxy):
    draft(grant_round, region, proxy, filled=95, revision=0)
    card = report_card(grant_round=grant_round, region=region, now=BEFORE_DEADLINE)
    assert card.model_forecast is None
    assert card.draft_model_forecast is not None
    assert dict(card.draft_model_forecast.values)["posts"] == 95


def test_the_officers_table_and_overview_flag_drafts(
    client, login, grant_round, region, other_region, proxy, colleague, officer
):
    submitted(grant_round, region, proxy, filled=32, started=30, number=2)
    draft(grant_round, region, colleague, filled=33, revision=2)
    Report.objects.create(round=grant_round, region=other_region, revision=1, filled_posts=5)
    login(client, officer)
    table = main(client.get(reverse("submissions:round_reports", args=[grant_round.slug])))
    assert "Utkast: ändringar inte inskickade" in table  # Blekinge: version 2 counts
    assert "Utkast, inte inskickat" in table  # Gotland: never submitted
    assert "2 regioner har ändringar som inte är inskickade" in table
    reminders = reverse("allocation:round", args=[grant_round.slug]) + "#gaps"
    assert f'href="{reminders}"' in table
    assert 'data-label="Tillsatta">32</td>' in table
    assert 'data-label="Tillsatta">33</td>' not in table
    overview = main(client.get(reverse("submissions:rounds")))
    assert '<span class="badge text-bg-warning">2</span>' in overview


@pytest.mark.parametrize(
    ("report", "version", "unsent"),
    [
        ({"filled_posts": 32, "started_posts": None}, {"filled_posts": 32}, False),
        ({"filled_posts": 33, "started_posts": None}, {"filled_posts": 32}, True),
        ({"filled_posts": 32, "started_posts": 1}, {"filled_posts": 32}, True),
        ({"filled_posts": 32, "comment": "Ändrad"}, {"filled_posts": 32}, True),
        ({"filled_posts": None, "started_posts": 7}, {"started_posts": 7}, False),
    ],
)
def test_the_sql_and_the_python_rule_for_unsent_changes_agree(
    grant_round, region, report, version, unsent
):
    row = Report.objects.create(
        round=grant_round,
        region=region,
        revision=1,
        **{"started_posts": None, "contact_name": "K", "contact_email": "k@r.se", **report},
    )
    ReportVersionFactory(
        report=row,
        number=1,
        contact_name="K",
        contact_email="k@r.se",
        comment="",
        **{"filled_posts": None, "started_posts": None, **version},
    )
    assert row.differs_from(row.versions.get()) is unsent
    assert Report.objects.with_unsent_changes().get(pk=row.pk).unsent_changes is unsent
    # The same rule counted from the round (the officer's table, the rounds' overview).
    assert with_report_counts(GrantRound.objects).get(pk=grant_round.pk).unsent_count == unsent


def test_an_untouched_report_has_no_unsent_changes(grant_round, region):
    row = Report.objects.create(round=grant_round, region=region)
    assert not row.differs_from(None)
    assert not Report.objects.with_unsent_changes().get(pk=row.pk).unsent_changes


# --- item 17: messages follow the round's real state -----------------------------------------


def test_a_plain_get_after_the_deadline_does_not_say_nothing_was_saved(
    client, login, grant_round, region, proxy
):
    submitted(grant_round, region, proxy, filled=90, started=92)
    login(client, proxy)
    with frozen(NEXT_DAY):
        page = main(client.get(edit_url(grant_round, region)))
        assert "Sista dag för inrapportering har passerat" in page
        assert "inte sparats" not in page
        refused = client.post(
            edit_url(grant_round, region),
            {"filled_posts": "91", "revision": "1", "action": "save"},
        )
        review = client.post(
            edit_url(grant_round, region),
            {
                "filled_posts": "91",
                "contact_name": "Kim",
                "contact_email": "kim@region.se",
                "revision": "1",
                "action": "review",
            },
        )
    assert "Uppgifterna har inte sparats" in main(refused)
    assert "Uppgifterna har inte skickats in" in main(review)
    assert "Dina uppgifter, som inte sparades" in main(review)


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (RoundStatus.CLOSED, "Omgången är stängd och väntar på beslut"),
        (RoundStatus.ALLOCATED, "Omgången är stängd och väntar på beslut"),
        (RoundStatus.DECIDED, "Omgången är beslutad"),
    ],
)
def test_a_locked_report_says_the_rounds_state_and_offers_no_forecast(
    client, login, grant_round, region, proxy, status, says
):
    submitted(grant_round, region, proxy, filled=90, started=92)
    GrantRound.objects.filter(pk=grant_round.pk).update(status=status)
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        page = main(client.get(edit_url(grant_round, region)))
    assert says in page
    assert "inte sparats" not in page and "förlängd svarstid" not in page
    assert 'id="forecast-' not in page and "Nästa steg" not in page


def test_a_report_past_its_deadline_offers_no_forecast_while_the_round_is_open(
    client, login, grant_round, region, proxy
):
    submitted(grant_round, region, proxy, filled=90, started=92)
    login(client, proxy)
    with frozen(NEXT_DAY):
        assert 'id="forecast-' not in main(client.get(edit_url(grant_round, region)))
        dashboard = main(client.get(reverse("submissions:dashboard")))
    assert 'id="forecast-' not in dashboard


def test_the_dashboard_groups_rounds_by_their_real_state(client, login, grant_round, region, proxy):
    submitted(grant_round, region, proxy, filled=90, started=92)
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        page = main(client.get(reverse("submissions:dashboard")))
    opened = page[page.index("Öppna omgångar") :]
    assert "AT-bidraget 2024" in opened and "Öppna rapporten" in opened
    assert "Stängda omgångar" not in page
    # Past the deadline, not yet closed by the scheduled task: no longer open for the region.
    login(client, proxy)  # a session idle for two weeks has ended (atgrant.sessions)
    with frozen(NEXT_DAY):
        page = main(client.get(reverse("submissions:dashboard")))
    opened, closed = page.split("Stängda omgångar – beslut väntas", 1)
    assert "AT-bidraget 2024" not in opened
    assert "Ingen omgång är öppen för inrapportering just nu." in opened
    assert "AT-bidraget 2024" in closed and "beslut fattas när omgången har stängts" in closed
    with frozen(NEXT_DAY):
        round_close(grant_round=grant_round, by=_officer())
        page = main(client.get(reverse("submissions:dashboard")))
    opened, closed = page.split("Stängda omgångar – beslut väntas", 1)
    assert "AT-bidraget 2024" not in opened and "AT-bidraget 2024" in closed
    assert 'data-label="Status">Stängd</td>' in closed


def _officer():
    from django.contrib.auth.models import Group

    from regions.roles import OFFICERS_GROUP
    from tests.factories import UserFactory

    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=OFFICERS_GROUP)[0])
    return user


def test_an_extension_ended_by_closing_is_no_longer_shown(
    client, login, grant_round, region, proxy, officer
):
    submitted(grant_round, region, proxy, filled=90, started=92)
    with frozen(BEFORE_DEADLINE):
        deadline_extension_grant(
            grant_round=grant_round,
            region=region,
            until=dt.datetime(2024, 11, 20, 23, 59, 59, tzinfo=STOCKHOLM),
            reason="Systembyte",
            by=officer,
        )
    login(client, proxy)
    with frozen(NEXT_DAY):
        page = main(client.get(edit_url(grant_round, region)))
        assert "förlängd svarstid: Systembyte" in page and "20 november 2024" in page
        round_close(grant_round=grant_round, by=officer, end_extensions=True)
        page = main(client.get(edit_url(grant_round, region)))
        dashboard = main(client.get(reverse("submissions:dashboard")))
    assert "förlängd svarstid" not in page and "20 november 2024" not in page
    assert "Omgången stängdes" in page and "2 november 2024 kl. 00:00" in page
    assert "förlängd svarstid" not in dashboard
    grant_round.refresh_from_db()
    assert grant_round.closed_at == NEXT_DAY


def test_a_receipt_says_whether_its_version_counts(client, login, grant_round, region, proxy):
    submitted(grant_round, region, proxy, filled=32, started=30, number=2)
    login(client, proxy)

    def receipt(number):
        url = reverse("submissions:receipt", args=[grant_round.slug, region.code, number])
        page = main(client.get(url))
        return page[page.index('id="receipt-state"') :]

    assert "version 2 är den senast inskickade och den som gäller" in receipt(1)
    assert "kan ändras och skickas in igen" in receipt(2)
    GrantRound.objects.filter(pk=grant_round.pk).update(status=RoundStatus.CLOSED)
    latest = receipt(2)
    assert "Omgången är stängd" in latest and "kan ändras och skickas in igen" not in latest


def test_the_admins_report_list_marks_drafts(client, login, grant_round, region, proxy, colleague):
    from tests.factories import UserFactory

    submitted(grant_round, region, proxy, filled=32, started=30, number=2)
    draft(grant_round, region, colleague, filled=33, revision=2)
    admin = UserFactory(email="admin@example.se")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    login(client, admin)
    page = client.get(reverse("admin:submissions_report_changelist"))
    html = page.content.decode()
    assert "utkast, inte inskickat" in html.lower() and "arbetskopia" in html
    assert 'alt="True"' in html


def test_the_officers_table_shows_the_unusual_figures_the_proxy_confirmed(
    client, login, grant_round, region, other_region, proxy, officer
):
    submitted(grant_round, region, proxy, filled=90, started=92)  # plan 84-89: ordinary
    submitted(grant_round, other_region, proxy, filled=60, started=None)  # plan 20
    login(client, officer)
    table = main(client.get(reverse("submissions:round_reports", args=[grant_round.slug])))
    blekinge, gotland = table.split(">Region Gotland<", 1)  # by name: Blekinge's row first
    assert "60 AT-tjänster är 40 fler än planeringsunderlaget (20)." in gotland
    assert "Ovanliga uppgifter" not in blekinge
    csv_text = client.get(
        reverse("submissions:round_reports_csv", args=[grant_round.slug])
    ).content.decode()
    assert "60 AT-tjänster är 40 fler än planeringsunderlaget (20)." in csv_text


def test_the_start_page_says_each_rounds_real_state(client, grant_round):
    closed = round_2024(slug="at-2023", closed=True)
    GrantRound.objects.filter(pk=closed.pk).update(name="AT-bidraget 2023")
    decided = round_2024(slug="at-2022", decided=True)
    GrantRound.objects.filter(pk=decided.pk).update(name="AT-bidraget 2022")

    def line(page: str, name: str) -> str:
        return page[page.index(name) :].split("</li>", 1)[0]

    with frozen(BEFORE_DEADLINE):
        page = main(client.get(reverse("home")))
    assert "öppen för inrapportering till 1 november 2024" in line(page, "AT-bidraget 2024")
    with frozen(NEXT_DAY):
        page = main(client.get(reverse("home")))
    now_open = line(page, "AT-bidraget 2024")
    assert "sista dag har passerat" in now_open and "öppen" not in now_open
    assert "stängd, beslut väntas" in line(page, "AT-bidraget 2023")
    link = reverse("allocation_read:public_list", kwargs={"slug": "at-2022"})
    assert f'href="{link}"' in line(page, "AT-bidraget 2022")
