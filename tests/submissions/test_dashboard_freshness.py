"""The region dashboard kept in memory (atgrant.pagecache.personal_page): served again only
while the user's version (submissions.freshness, counters kept by triggers) and the page's
time still hold."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from atgrant.auth import load_user
from atgrant.pagecache import forget_local_pages
from regions.models import Colleague, ProxyAppointment, Region
from regions.roles import OFFICERS_GROUP
from submissions import freshness, selectors
from submissions.models import (
    STOCKHOLM,
    DeadlineExtension,
    GrantRound,
    Report,
    RoundBaseline,
    RoundStatus,
    StaircaseStep,
)
from submissions.selectors import time_left_text
from submissions.services import ReportData, deadline_extension_grant, report_save_draft
from tests.factories import UserFactory
from tests.submissions.factories import (
    BEFORE_DEADLINE,
    LAST_SECOND,
    NEXT_DAY,
    baseline,
    frozen,
    round_2024,
    submitted,
)

pytestmark = pytest.mark.django_db
URL = reverse("submissions:dashboard")


@pytest.fixture
def grant_round(region, other_region):
    grant_round = round_2024()
    baseline(grant_round, region)
    baseline(grant_round, other_region, plan="20", low="20", high="20")
    return grant_round


def version(user) -> str:
    """The user's version as a request reads it (with the user)."""
    return load_user(user.pk)._atgrant_version


def extend(grant_round, region, officer, *, day: int = 8):
    """An officer's extension of the region's deadline to `day` November."""
    with frozen(BEFORE_DEADLINE):
        deadline_extension_grant(
            grant_round=grant_round,
            region=region,
            until=dt.datetime(2024, 11, day, tzinfo=STOCKHOLM),
            reason="Sjukdom",
            by=officer,
        )


def rendered(response) -> bool:
    return bool(response.templates)


def main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


# --- what the version covers ----------------------------------------------------------------


def _tables(sql: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r'(?:FROM|JOIN)\s+"?(\w+)"?', sql, re.IGNORECASE)}


def test_the_dashboard_reads_only_tables_whose_writes_are_counted(
    client, login, grant_round, region, proxy, officer
):
    """Every table the page is built from has change counters: a new read of another table
    must come with its triggers (migration 0002_change_counters) and a place in TABLES."""
    from django.test.utils import CaptureQueriesContext

    past = round_2024(slug="at-2023", closed=True)
    submitted(past, region, proxy)
    submitted(grant_round, region, proxy)
    extend(grant_round, region, officer)
    Colleague.objects.create(region=region, user=UserFactory())
    login(client, proxy)
    client.get(reverse("home"))
    forget_local_pages()
    with frozen(BEFORE_DEADLINE), CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert rendered(response) and "Tidigare omgångar" in response.content.decode()
    read = set().union(*(_tables(q["sql"]) for q in queries.captured_queries))
    assert "submissions_reportversion" in read and "submissions_deadlineextension" in read
    assert read - {"django_session", freshness.COUNTERS} <= freshness.TABLES


def test_each_counted_table_has_its_triggers():
    with connection.cursor() as cursor:
        for table in sorted(freshness.TABLES):
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
                    "AND NOT tgisinternal",
                    [table],
                )
            else:
                cursor.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                    [table],
                )
            names = {row[0] for row in cursor.fetchall()}
            for event in ("insert", "update", "delete"):
                assert f"atgrant_count_{table}_{event}" in names, (table, event)


def _report(grant_round, region):
    return Report.objects.get_or_create(round=grant_round, region=region)[0]


# (what is written, whose pages it concerns): "proxy" is the proxy of `region`, "other" the
# proxy of `other_region`.
WRITES = {
    "report saved": (lambda w: _report(w.round, w.region).save(), {"proxy"}),
    "report, bulk UPDATE": (
        lambda w: Report.objects.filter(pk=_report(w.round, w.region).pk).update(comment="x"),
        {"proxy"},
    ),
    "report, SQL by hand": (
        lambda w: connection.cursor().execute(
            "UPDATE submissions_report SET comment = 'y' WHERE id = %s",
            [_report(w.round, w.region).pk],
        ),
        {"proxy"},
    ),
    "version submitted": (lambda w: submitted(w.round, w.region, w.proxy), {"proxy"}),
    "extension granted": (lambda w: extend(w.round, w.region, w.officer), {"proxy"}),
    "baseline changed": (
        lambda w: RoundBaseline.objects.filter(region=w.region).update(plan_text="85"),
        {"proxy"},
    ),
    "region renamed": (
        lambda w: Region.objects.filter(pk=w.region.pk).update(name="Region Blekinge län"),
        {"proxy"},
    ),
    "round moved on": (
        lambda w: GrantRound.objects.filter(pk=w.round.pk).update(status=RoundStatus.CLOSED),
        {"proxy", "other"},
    ),
    "staircase changed": (
        lambda w: StaircaseStep.objects.filter(round=w.round).first().delete(),
        {"proxy", "other"},
    ),
    "group renamed": (
        lambda w: Group.objects.filter(name=OFFICERS_GROUP).update(name="Handläggare 2"),
        {"proxy", "other"},
    ),
    "proxy's e-mail changed": (
        lambda w: type(w.proxy).objects.filter(pk=w.proxy.pk).update(email="ny@example.se"),
        {"proxy"},
    ),
    "proxy made officer": (
        lambda w: w.proxy.groups.add(Group.objects.get(name=OFFICERS_GROUP)),
        {"proxy"},
    ),
    "proxy's appointment ended": (
        lambda w: ProxyAppointment.objects.filter(user=w.proxy).update(ended_at=NEXT_DAY),
        {"proxy"},
    ),
    "proxy becomes colleague elsewhere": (
        lambda w: Colleague.objects.create(region=w.other_region, user=w.proxy),
        {"proxy", "other"},
    ),
    "extension deleted": (
        lambda w: DeadlineExtension.objects.filter(region=w.region).delete(),
        {"proxy"},
    ),
}


class _World:
    pass


@pytest.mark.parametrize("write", WRITES)
def test_a_write_changes_the_version_of_those_whose_dashboard_shows_it(
    write, grant_round, region, other_region, proxy, other_proxy, officer
):
    world = _World()
    world.round, world.region, world.other_region = grant_round, region, other_region
    world.proxy, world.officer = proxy, officer
    Group.objects.get_or_create(name=OFFICERS_GROUP)
    extend(grant_round, region, officer, day=5)
    before = {"proxy": version(proxy), "other": version(other_proxy)}
    action, concerned = WRITES[write]
    with frozen(BEFORE_DEADLINE):
        action(world)
    after = {"proxy": version(proxy), "other": version(other_proxy)}
    assert {who for who in before if before[who] != after[who]} == concerned


def test_a_user_read_otherwise_gets_the_same_version(grant_round, region, proxy):
    """A user not read by atgrant.auth (a service's `by`, a test's object): asked on demand."""
    submitted(grant_round, region, proxy)
    assert not hasattr(proxy, "_atgrant_version")
    assert freshness.user_version(proxy) == version(proxy)
    assert version(proxy) != "0:0"


def test_a_write_rolled_back_changes_nothing(grant_round, region, proxy):
    from django.db import transaction

    before = version(proxy)
    with pytest.raises(RuntimeError), transaction.atomic():
        Report.objects.create(round=grant_round, region=region)
        raise RuntimeError
    assert version(proxy) == before


# --- the page -------------------------------------------------------------------------------


def test_the_page_comes_from_memory_until_the_report_changes(
    client, login, grant_round, region, proxy, django_assert_num_queries
):
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        first = client.get(URL)
        with django_assert_num_queries(1):  # the user, with the version of their pages
            second = client.get(URL)
        assert rendered(first) and not rendered(second)
        assert main(second) == main(first)
        assert "Inte påbörjad" in main(second)
        report_save_draft(
            grant_round=grant_round,
            region=region,
            data=ReportData(filled_posts=90, started_posts=93),
            revision=0,
            by=proxy,
        )
        third = client.get(URL)
    assert rendered(third)
    assert "Utkast sparat, inte inskickat" in main(third)


def test_a_write_by_another_process_shows_at_once(
    client, login, grant_round, region, proxy, django_capture_on_commit_callbacks
):
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        assert "84–89" in main(client.get(URL))
        client.get(URL)
        # As an officer in the admin, or a script, would: straight to the database.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE submissions_roundbaseline SET plan_text = '70-75' WHERE region_id = %s",
                [region.pk],
            )
        page = client.get(URL)
    assert rendered(page) and "70–75" in main(page)


def test_each_user_and_language_has_their_own_page(
    client, login, grant_round, region, other_region, proxy, other_proxy
):
    with frozen(BEFORE_DEADLINE):
        login(client, proxy)
        client.get(URL)
        login(client, other_proxy)
        page = client.get(URL)
        assert rendered(page) and "Region Gotland" in main(page)
        assert "Region Blekinge" not in main(page)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        english = client.get(URL)
    assert rendered(english) and "My region" in english.content.decode()


def test_the_time_left_is_rendered_anew_when_its_minute_changes(client, login, grant_round, proxy):
    login(client, proxy)
    start = dt.datetime(2024, 11, 1, 23, 57, 30, tzinfo=STOCKHOLM)  # 2 min 29 s left
    with frozen(start):
        assert "0 d 0 tim 2 min kvar" in main(client.get(URL))
    with frozen(start + dt.timedelta(seconds=28)):  # 2 min 1 s left: the same text
        page = client.get(URL)
        assert not rendered(page) and "0 d 0 tim 2 min kvar" in main(page)
    with frozen(start + dt.timedelta(seconds=29, microseconds=1)):
        page = client.get(URL)
        assert rendered(page) and "0 d 0 tim 1 min kvar" in main(page)


def test_the_page_locks_at_the_deadline(client, login, grant_round, proxy):
    login(client, proxy)
    with frozen(LAST_SECOND):
        page = client.get(URL)
        assert "0 d 0 tim 0 min kvar" in main(page) and "Öppna rapporten" in main(page)
    with frozen(NEXT_DAY):
        page = client.get(URL)
        assert rendered(page)
        assert "Sista dag har passerat" in main(page) and "Visa rapporten" in main(page)
        assert not rendered(client.get(URL))  # past the deadline the page stays as it is


def test_a_waiting_message_is_shown_not_the_page_in_memory(client, login, grant_round, proxy):
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        client.get(URL)
        storage = CookieStorage(RequestFactory().get("/"))
        client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Sparat!")])
        page = client.get(URL)
        assert rendered(page) and "Sparat!" in main(page)
        assert "Sparat!" not in main(client.get(URL))  # shown once


def test_a_page_from_memory_carries_the_requests_own_csrf_token(
    login, grant_round, proxy, django_assert_num_queries
):
    client = Client(enforce_csrf_checks=True)
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        client.get(URL)
        page = client.get(URL)
    assert not rendered(page)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    logout = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert logout.status_code == 302
    assert client.get(URL).status_code == 302  # logged out: to the login page


def test_a_page_with_a_query_string_is_rendered(client, login, grant_round, proxy):
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        client.get(URL)
        assert rendered(client.get(URL, {"x": "1"}))


# --- until when the page holds, as far as time goes -----------------------------------------


class _Card:
    def __init__(self, deadline: dt.datetime) -> None:
        self.deadline = deadline


class _Board:
    def __init__(self, *deadlines: dt.datetime) -> None:
        self.open_cards = [_Card(d) for d in deadlines]


def _locked(deadline: dt.datetime, now: dt.datetime) -> bool:
    return GrantRound(deadline=deadline).deadline_passed(now)


@given(
    left=st.integers(min_value=-200_000_000, max_value=10_000_000_000),
    later=st.integers(min_value=0, max_value=10_000_000_000),
    microsecond=st.integers(min_value=0, max_value=999_999),
)
def test_within_its_time_a_page_says_what_a_new_one_would(left, later, microsecond):
    """For a deadline `left` microseconds after `now` and any moment `later` after it: if
    the page rendered at `now` still holds then, its time left and its lock are as a page
    rendered then would show."""
    deadline = dt.datetime(2024, 11, 1, 23, 59, 59, microsecond, tzinfo=dt.UTC)
    now = deadline - dt.timedelta(microseconds=left)
    then = now + dt.timedelta(microseconds=later)
    until = selectors.dashboard_stable_until([_Board(deadline)], now)
    if until is None or then < until:
        assert time_left_text(deadline, then) == time_left_text(deadline, now)
        assert _locked(deadline, then) == _locked(deadline, now)


def test_the_page_holds_until_the_earliest_of_its_cards_changes():
    now = dt.datetime(2024, 10, 1, 12, 0, 0, tzinfo=dt.UTC)
    soon = now + dt.timedelta(minutes=10, seconds=20)  # 10 min left until 10 min before it
    later = now + dt.timedelta(days=3, seconds=45)
    until = selectors.dashboard_stable_until([_Board(later), _Board(soon)], now)
    assert until == now + dt.timedelta(seconds=20)
    past = now - dt.timedelta(seconds=5)
    assert selectors.dashboard_stable_until([_Board(past)], now) is None
    assert selectors.dashboard_stable_until([], now) is None
