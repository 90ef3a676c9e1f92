"""Bad input through the pages: a field error or a clear 400, nothing written, never a 500.

PostgreSQL refuses a NUL character and text longer than its column with an error (a 500);
SQLite stores both. So these tests look at what the page answers and that nothing was
written, not at what the database would have done.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from regions.models import ColleagueInvitation
from submissions.models import Report
from tests.allocation.factories import eager_celery  # noqa: F401 - a fixture
from tests.factories import PASSWORD
from tests.submissions.factories import BEFORE_DEADLINE, baseline, frozen, round_2024

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

# 255 characters: one more than an e-mail column holds, fewer than Django's form allows (320).
LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".seeeeee"
assert len(LONG_EMAIL) == 255

REPORT = {
    "filled_posts": "90",
    "started_posts": "93",
    "contact_name": "Kim Kontakt",
    "contact_email": "kim@blekinge.example.se",
    "contact_phone": "0455-123 45",
    "comment": "",
    "revision": "0",
}


@pytest.fixture
def grant_round(region):
    grant_round = round_2024()
    baseline(grant_round, region)
    return grant_round


def _edit(grant_round, region):
    return reverse("submissions:report_edit", args=[grant_round.slug, region.code])


def test_report_with_a_too_long_contact_email_is_a_field_error(
    client, login, grant_round, region, proxy
):
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        response = client.post(_edit(grant_round, region), {**REPORT, "contact_email": LONG_EMAIL})
    assert response.status_code == 200
    assert response.context["form"].has_error("contact_email")
    assert not Report.objects.exists()


@pytest.mark.parametrize("field", ["contact_name", "contact_phone", "comment"])
def test_report_with_a_nul_character_is_a_field_error(
    client, login, grant_round, region, proxy, field
):
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        response = client.post(_edit(grant_round, region), {**REPORT, field: "Kim\x00"})
    assert response.status_code == 200
    assert response.context["form"].has_error(field)
    assert not Report.objects.exists()


@pytest.mark.parametrize("revision", [str(2**31), str(2**63), "9" * 40])
def test_report_with_a_revision_beyond_the_column_is_a_field_error(
    client, login, grant_round, region, proxy, revision
):
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        response = client.post(_edit(grant_round, region), {**REPORT, "revision": revision})
    assert response.status_code == 200
    assert response.context["form"].has_error("revision")
    assert not Report.objects.exists()


def test_invitation_with_a_too_long_email_is_a_field_error(client, login, proxy):
    login(client, proxy)
    response = client.post(reverse("regions:colleague_invite"), {"email": LONG_EMAIL})
    assert response.status_code == 400
    assert response.context["form"].has_error("email")
    assert not ColleagueInvitation.objects.exists()


def test_signup_with_a_too_long_email_is_a_field_error(client):
    response = client.post(
        reverse("account_signup"),
        {"email": LONG_EMAIL, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "högst 254 tecken" in response.content.decode()
    assert not get_user_model().objects.filter(email__iexact=LONG_EMAIL).exists()


def test_extension_with_a_nul_in_the_region_is_a_field_error(client, login, grant_round, officer):
    login(client, officer)
    response = client.post(
        reverse("submissions:extension_grant", args=[grant_round.slug]),
        {"region": "Blek\x00inge", "until_date": "2024-11-15", "reason": "Sjukdom"},
    )
    assert response.status_code == 400
    assert response.context["form"].has_error("region", "null_characters_not_allowed")
    assert not grant_round.extensions.exists()


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_history_filter_with_a_nul_in_the_region_is_a_field_error(
    client, login, request, region, role
):
    login(client, request.getfixturevalue(role))
    response = client.get(reverse("allocation_read:audit_index"), {"region": "Ble\x00"})
    assert response.status_code == 200
    assert response.context["form"].has_error("region", "null_characters_not_allowed")
    assert 'aria-invalid="true"' in response.content.decode()


@pytest.mark.parametrize("value", ["\x00", "1\x00", "²", "9" * 30, "Blekinge"])
def test_decisions_region_filter_refuses_what_is_not_a_region(
    client, login, officer, region, value
):
    login(client, officer)
    response = client.get(reverse("allocation_read:region_decisions"), {"region": value})
    assert response.status_code == 200
    assert response.context["filter_form"].has_error("region")
    assert 'id="id_region-error"' in response.content.decode()
    assert not response.context["decisions"]


def test_decisions_region_filter_with_a_region_narrows_the_list(client, login, officer, region):
    login(client, officer)
    response = client.get(reverse("allocation_read:region_decisions"), {"region": region.pk})
    assert response.status_code == 200
    assert not response.context["filter_form"].errors


@pytest.mark.parametrize("page", ["²", "1\x00", "9" * 40])
def test_a_page_number_that_is_not_one_still_answers(client, login, grant_round, officer, page):
    login(client, officer)
    url = reverse("submissions:extension_grant", args=[grant_round.slug])
    response = client.post(
        f"{url}?page={page}", {"region": "Blekinge", "until_date": "2024-11-15", "reason": "X"}
    )
    assert response.status_code in (302, 400)


@pytest.mark.parametrize(
    "url",
    [
        "/inbjudan/abc%00def/",
        "/beslut/AT2024%00/",
        "/inrapportering/at-2024/1%000/",
    ],
)
def test_a_nul_in_the_address_is_a_clear_400(client, login, proxy, grant_round, url):
    login(client, proxy)
    response = client.get(url)
    assert response.status_code == 400
    assert "Adressen innehåller ett tecken som inte är tillåtet" in response.content.decode()


@pytest.mark.parametrize("query", ["q=%00", "status=sub%00mitted", "region__id__exact=%00"])
def test_a_nul_in_the_admins_query_is_a_clear_400(client, login, query):
    from tests.factories import UserFactory

    admin_user = UserFactory(email="admin@example.se")
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    login(client, admin_user)
    response = client.get(f"/admin/regions/proxyapplication/?{query}")
    assert response.status_code == 400
    assert "Adressen innehåller ett tecken som inte är tillåtet" in response.content.decode()


def test_reconsideration_beyond_the_amount_column_is_a_form_error():
    import datetime as dt

    from django.contrib.auth import get_user_model

    from allocation.forms import ReconsiderForm
    from allocation.reconsideration import ModelBlock
    from submissions.models import GrantRound

    context = {
        # budgets as large as a column holds; a round and an officer the record rules read
        "blocks": [ModelBlock("block1", "Block 1", 2**62), ModelBlock("block2", "Block 2", 2**62)],
        "grant_round": GrantRound(
            single_officer_allowed=True, deadline=dt.datetime(2024, 11, 1, tzinfo=dt.UTC)
        ),
        "decided_by": get_user_model()(pk=1),
    }
    typed = {"method": ReconsiderForm.MANUAL, "reason": "Fel"}
    too_big = ReconsiderForm({**typed, "block1": str(2**63), "block2": "0"}, **context)
    assert too_big.has_error("block1")
    summed = ReconsiderForm({**typed, "block1": str(2**62), "block2": str(2**62)}, **context)
    assert not summed.is_valid()
    assert "högst" in " ".join(summed.non_field_errors())


def test_a_failed_login_with_a_long_address_is_counted_within_the_column(client):
    from axes.models import AccessAttempt, AccessBase

    long_login = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".se"
    assert 255 < len(long_login) <= 320  # what the login form lets through
    response = client.post(reverse("account_login"), {"login": long_login, "password": "fel"})
    assert response.status_code == 200
    limit = AccessBase._meta.get_field("username").max_length
    assert all(len(a.username) <= limit for a in AccessAttempt.objects.all())
    assert AccessAttempt.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"date_to": "9999-12-31"},
        {"date_from": "0001-01-01"},
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
        {"round": "9" * 30},
        {"actor": "x" * 300},
    ],
)
def test_history_filter_at_the_edges_answers(client, login, auditor, query):
    login(client, auditor)
    response = client.get(reverse("allocation_read:audit_index"), query)
    assert response.status_code == 200


def test_an_integer_beyond_any_column_in_the_address_is_not_found(client, login, auditor):
    login(client, auditor)
    response = client.get(reverse("allocation_read:audit_run", args=[10**30]))
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "value"), [("year", 32767), ("population_date", "0001-01-01")])
def test_a_rounds_dates_stay_within_the_calendar_the_code_can_count(name, value):
    import datetime as dt

    from django.core.exceptions import ValidationError

    from submissions.models import GrantRound

    field = GrantRound._meta.get_field(name)
    value = dt.date.fromisoformat(value) if isinstance(value, str) else value
    with pytest.raises(ValidationError):
        field.run_validators(value)


def test_adding_a_too_long_address_to_an_account_is_a_field_error(proxy):
    from allauth.account.forms import AddEmailForm

    form = AddEmailForm(user=proxy, data={"email": LONG_EMAIL})
    assert not form.is_valid()
    assert "högst 254 tecken" in " ".join(form.errors["email"])


def test_a_cookie_with_a_nul_is_dropped_before_the_session_reads_it(client, login, proxy):
    login(client, proxy)
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "sessionid" not in response.wsgi_request.COOKIES
    assert not response.wsgi_request.user.is_authenticated


@pytest.mark.parametrize("name", ["audit_history_csv", "audit_history_xlsx"])
@pytest.mark.parametrize(
    "query", [{"date_to": "9999-12-31"}, {"region": "Ble\x00"}, {"round": "9" * 30}]
)
def test_the_history_export_with_bad_filters_answers(client, login, auditor, name, query):
    login(client, auditor)
    response = client.get(reverse(f"allocation_read:{name}"), query)
    assert response.status_code in (200, 302, 400)
