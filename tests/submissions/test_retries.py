"""A request sent again after it took effect (a double click, a form resent after a lost
answer) leads to its result; a change by someone else in between stays a conflict."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from submissions.models import Report, ReportVersion
from tests.allocation.factories import eager_celery  # noqa: F401 - a fixture
from tests.submissions.factories import BEFORE_DEADLINE, baseline, frozen, round_2024

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

FORM = {
    "filled_posts": "90",
    "started_posts": "93",
    "contact_name": "Kim Kontakt",
    "contact_email": "kim@blekinge.example.se",
    "contact_phone": "0455-123 45",
    "comment": "Enligt HR-systemet.",
    "revision": "0",
}


@pytest.fixture
def grant_round(region):
    grant_round = round_2024()
    baseline(grant_round, region)
    return grant_round


def _edit(grant_round, region):
    return reverse("submissions:report_edit", args=[grant_round.slug, region.code])


def _submit(grant_round, region):
    return reverse("submissions:report_submit", args=[grant_round.slug, region.code])


def _receipt(grant_round, region, number):
    return reverse("submissions:receipt", args=[grant_round.slug, region.code, number])


def test_a_repeated_identical_submit_leads_to_its_receipt(
    client, login, grant_round, region, proxy, django_capture_on_commit_callbacks
):
    login(client, proxy)
    with frozen(BEFORE_DEADLINE), django_capture_on_commit_callbacks(execute=True):
        first = client.post(_submit(grant_round, region), FORM)
        again = client.post(_submit(grant_round, region), FORM, follow=True)
    assert first.status_code == 302
    assert first["Location"] == _receipt(grant_round, region, 1)
    assert again.redirect_chain[-1] == (_receipt(grant_round, region, 1), 302)
    html = again.content.decode()
    assert "har ändrats av" not in html
    assert "Rapporten är inskickad" in html
    assert ReportVersion.objects.count() == 1
    assert AuditEvent.objects.filter(action="report.submitted").count() == 1
    assert len(mail.outbox) == 1  # one receipt


def test_a_repeated_identical_draft_save_is_saved_once(
    client, login, grant_round, region, colleague
):
    login(client, colleague)
    with frozen(BEFORE_DEADLINE):
        client.post(_edit(grant_round, region), FORM)
        again = client.post(_edit(grant_round, region), FORM, follow=True)
    assert again.status_code == 200
    html = again.content.decode()
    assert "Utkastet är sparat" in html
    assert "har ändrats av" not in html
    assert Report.objects.get().revision == 1
    assert AuditEvent.objects.filter(action="report.draft_saved").count() == 1


def test_reviewing_again_what_one_just_saved_goes_to_the_confirmation(
    client, login, grant_round, region, proxy
):
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        client.post(_edit(grant_round, region), FORM)  # saved at revision 1
        review = client.post(_edit(grant_round, region), {**FORM, "action": "review"})
    assert review.status_code == 200
    assert [t.name for t in review.templates][0] == "submissions/confirm.html"
    assert review.context["form"]["revision"].value() == "1"


def test_a_stale_submit_after_a_draft_of_the_same_values_submits_them(
    client, login, grant_round, region, proxy
):
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        client.post(_edit(grant_round, region), FORM)  # a draft, revision 1
        response = client.post(_submit(grant_round, region), FORM)  # from revision 0
    assert response.status_code == 302
    version = ReportVersion.objects.get()
    assert (version.filled_posts, version.started_posts) == (90, 93)


def test_a_change_by_someone_else_in_between_stays_a_conflict(
    client, login, grant_round, region, proxy, colleague
):
    login(client, colleague)
    with frozen(BEFORE_DEADLINE):
        client.post(_edit(grant_round, region), FORM)
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        response = client.post(_submit(grant_round, region), FORM)
    assert response.status_code == 409
    assert "har ändrats av kollega@blekinge.example.se" in response.content.decode()
    assert not ReportVersion.objects.exists()


def test_a_retry_with_other_values_is_a_conflict(client, login, grant_round, region, proxy):
    login(client, proxy)
    with frozen(BEFORE_DEADLINE):
        client.post(_submit(grant_round, region), FORM)
        response = client.post(_submit(grant_round, region), {**FORM, "filled_posts": "91"})
    assert response.status_code == 409
    assert ReportVersion.objects.count() == 1
    assert Report.objects.get().filled_posts == 90
