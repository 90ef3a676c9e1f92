"""Unusual figures are warned about and must be confirmed; nothing is refused for being unusual
(issue 15, item 12)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from submissions.models import STOCKHOLM, Report, ReportVersion
from submissions.plausibility import LIMITS, Limit, Limits, Previous, unusual_figures
from submissions.selectors import previous_posts, round_report_rows
from submissions.services import ReportData, UnusualFigures, report_submit
from tests.allocation.factories import eager_celery  # noqa: F401 - a fixture
from tests.factories import GrantRoundFactory, RegionFactory
from tests.submissions.factories import BEFORE_DEADLINE, baseline, frozen, round_2024, submitted

# --- the rule ----------------------------------------------------------------------------------


def test_415_posts_against_a_plan_of_280_is_unusual():
    (warning,) = unusual_figures(filled=415, started=None, planned=Decimal(280))
    assert warning == "415 AT-tjänster är 135 fler än planeringsunderlaget (280)."


def test_far_below_the_plan_is_unusual_too():
    (warning,) = unusual_figures(filled=200, started=None, planned=Decimal(280))
    assert "80 färre än planeringsunderlaget (280)" in warning


@pytest.mark.parametrize(
    ("filled", "started", "planned"),
    [
        (31, 30, Decimal(28)),  # Blekinge in the README: 3 over the plan
        (97, 95, Decimal("86.5")),  # Östergötland: 10.5 over, 12 % of the plan
        (16, None, Decimal(16)),
        (26, None, Decimal(16)),  # 10 posts more on a small plan: not more than 10
        (None, None, Decimal(16)),
    ],
)
def test_ordinary_figures_give_no_warning(filled, started, planned):
    assert unusual_figures(filled=filled, started=started, planned=planned) == []


def test_both_the_share_and_the_posts_must_be_exceeded():
    # 27 on a plan of 16 is 11 more (above 10 posts, and above 25 % = 4): unusual.
    assert unusual_figures(filled=27, started=None, planned=Decimal(16))
    # 345 on 280 is 65 more: above 10 posts but not above 25 % (70).
    assert not unusual_figures(filled=345, started=None, planned=Decimal(280))


def test_filled_and_started_far_apart_is_unusual():
    (warning,) = unusual_figures(filled=90, started=40, planned=None)
    assert warning == "Tillsatta (90) och påbörjade (40) AT-tjänster skiljer sig med 50."
    assert not unusual_figures(filled=90, started=84, planned=None)


def test_a_large_jump_against_the_previous_round_is_unusual():
    previous = Previous(round_name="AT-bidraget 2023", posts=280)
    (warning,) = unusual_figures(filled=400, started=None, planned=None, previous=previous)
    assert warning == (
        "400 AT-tjänster är 120 fler än det regionen rapporterade för AT-bidraget 2023 (280)."
    )
    assert not unusual_figures(filled=290, started=None, planned=None, previous=previous)


def test_the_thresholds_are_settings_of_the_rule():
    strict = Limits(plan=Limit(share=Fraction(1, 20), posts=1))
    assert unusual_figures(filled=31, started=None, planned=Decimal(28), limits=strict)
    assert LIMITS.plan.share == Fraction(1, 4) and LIMITS.plan.posts == 10


# --- the service and the pages -------------------------------------------------------------------

FORM = {
    "filled_posts": "415",
    "started_posts": "410",
    "contact_name": "Kim Kontakt",
    "contact_email": "kim@stockholm.example.se",
}


@pytest.fixture
def grant_round(region):
    grant_round = round_2024()
    baseline(grant_round, region, plan="280", low="280", high="280")
    return grant_round


def _data(filled=415, started=410) -> ReportData:
    return ReportData(
        filled_posts=filled,
        started_posts=started,
        contact_name="Kim Kontakt",
        contact_email="kim@stockholm.example.se",
    )


@pytest.mark.django_db
def test_unusual_figures_are_not_submitted_unconfirmed_and_nothing_is_written(
    grant_round, region, proxy
):
    with frozen(BEFORE_DEADLINE), pytest.raises(UnusualFigures) as caught:
        report_submit(grant_round=grant_round, region=region, data=_data(), revision=0, by=proxy)
    assert "135 fler än planeringsunderlaget" in caught.value.warnings[0]
    assert not Report.objects.exists() and not ReportVersion.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_celery")
def test_confirmed_unusual_figures_are_accepted_and_the_confirmation_audited(
    grant_round, region, proxy
):
    with frozen(BEFORE_DEADLINE):
        version = report_submit(
            grant_round=grant_round,
            region=region,
            data=_data(),
            revision=0,
            by=proxy,
            confirm_unusual=True,
        )
    assert version.posts == 415
    event = AuditEvent.objects.get(action="report.submitted")
    assert event.after["unusual_confirmed"] == [
        "415 AT-tjänster är 135 fler än planeringsunderlaget (280)."
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_celery")
def test_a_jump_against_the_regions_previous_round_is_checked(region, proxy):
    earlier = GrantRoundFactory(
        slug="at-2023",
        year=2023,
        name="AT-bidraget 2023",
        opens_at=dt.datetime(2023, 4, 15, tzinfo=STOCKHOLM),
        closed=True,
    )
    submitted(earlier, region, proxy, filled=100, started=100)
    grant_round = round_2024()
    baseline(grant_round, region, plan="140", low="140", high="140")
    with frozen(BEFORE_DEADLINE), pytest.raises(UnusualFigures) as caught:
        report_submit(
            grant_round=grant_round,
            region=region,
            data=_data(filled=150, started=148),
            revision=0,
            by=proxy,
        )
    assert caught.value.warnings == [
        "150 AT-tjänster är 50 fler än det regionen rapporterade för AT-bidraget 2023 (100)."
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_celery")
def test_the_review_page_warns_and_asks_for_a_tick_before_submitting(
    client, login, grant_round, region, proxy
):
    login(client, proxy)
    edit = reverse("submissions:report_edit", args=[grant_round.slug, region.code])
    submit = reverse("submissions:report_submit", args=[grant_round.slug, region.code])
    with frozen(BEFORE_DEADLINE):
        review = client.post(edit, {**FORM, "revision": "0", "action": "review"})
        html = review.content.decode()
        assert "415 AT-tjänster är 135 fler än planeringsunderlaget (280)." in html
        assert 'name="confirm_unusual"' in html
        unticked = client.post(submit, {**FORM, "revision": "0"})
        assert unticked.status_code == 400
        assert "Kryssa i rutan" in unticked.content.decode()
        assert not ReportVersion.objects.exists() and mail.outbox == []
        ticked = client.post(submit, {**FORM, "revision": "0", "confirm_unusual": "1"})
    assert ticked.status_code == 302
    assert ReportVersion.objects.get().filled_posts == 415


@pytest.mark.django_db
def test_ordinary_figures_need_no_tick(client, login, grant_round, region, proxy):
    login(client, proxy)
    edit = reverse("submissions:report_edit", args=[grant_round.slug, region.code])
    with frozen(BEFORE_DEADLINE):
        review = client.post(
            edit,
            {
                **FORM,
                "filled_posts": "290",
                "started_posts": "288",
                "revision": "0",
                "action": "review",
            },
        )
    assert 'name="confirm_unusual"' not in review.content.decode()


@pytest.mark.django_db
def test_the_officers_table_compares_with_the_same_previous_figures_as_the_review(
    region, other_region, proxy
):
    """Each region's latest version of its latest earlier round (not a draft round, not a later
    year): the table's one query for all regions agrees with previous_posts region by region."""
    third = RegionFactory(code="99", name="Region Tredje")

    def earlier(year, *, status="decided"):
        return GrantRoundFactory(
            slug=f"at-{year}-{status}",
            year=year,
            name=f"AT-bidraget {year} ({status})",
            opens_at=dt.datetime(year, 4, 15, tzinfo=STOCKHOLM),
            status=status,
        )

    r2022, r2023 = earlier(2022), earlier(2023)
    submitted(r2022, region, proxy, filled=50, started=40)
    submitted(r2022, other_region, proxy, filled=70, started=72)
    report = submitted(r2023, region, proxy, filled=100, started=100)
    ReportVersion.objects.create(
        report=report,
        number=2,
        reference="AT2023-X-0002",
        filled_posts=120,
        started_posts=None,
        contact_name="Kim Kontakt",
        contact_email="kim@region.example.se",
        submitted_at=BEFORE_DEADLINE,
        submitted_by=proxy,
    )
    submitted(earlier(2023, status="draft"), other_region, proxy, filled=999, started=999)
    grant_round = round_2024()
    submitted(earlier(2025), third, proxy, filled=5, started=5)

    rows = {row.region.pk: row.previous for row in round_report_rows(grant_round)}

    assert rows[region.pk] == Previous(round_name=r2023.name, posts=120)
    assert rows[other_region.pk] == Previous(round_name=r2022.name, posts=72)
    assert rows[third.pk] is None
    for each in (region, other_region, third):
        assert previous_posts(grant_round=grant_round, region=each) == rows[each.pk]
