"""The admin's pages answer for every registered model: list, add, change or view, for a draft
round and a round past its draft, for a superuser and for an officer who may use the admin.

The add page of a grant round answered 500: the draft-only rule asked the inlines'
``has_add_permission`` without the parent they take.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from submissions.models import GrantRound, RoundBaseline, RoundStatus
from tests.factories import GrantRoundFactory, RoundBaselineFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    user = UserFactory(email="admin@example.se")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def staff_officer(officer):
    """An officer allowed into the admin, with the project's model permissions (as the demo's)."""
    officer.is_staff = True
    officer.save()
    officer.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["regions", "submissions", "allocation", "audit"]
        )
    )
    return officer


@pytest.fixture
def rounds(region):
    draft = GrantRoundFactory(slug="at-2025", year=2025, draft=True)
    opened = GrantRoundFactory(slug="at-2024", year=2024)
    for grant_round in (draft, opened):
        RoundBaselineFactory(round=grant_round, region=region)
    return draft, opened


@pytest.mark.parametrize("who", ["superuser", "staff_officer"])
def test_the_grant_round_add_and_change_pages_answer(client, login, request, rounds, who):
    login(client, request.getfixturevalue(who))
    draft, opened = rounds
    add = client.get(reverse("admin:submissions_grantround_add"))
    assert add.status_code == 200
    # A new round is a draft: its inline takes baselines. Budgets and blocks are the model's
    # (the model editor): no budget columns, no staircase rows.
    assert 'name="baselines-TOTAL_FORMS"' in add.content.decode()
    assert 'name="steps-TOTAL_FORMS"' not in add.content.decode()
    assert 'name="block1_budget"' not in add.content.decode()
    change = client.get(reverse("admin:submissions_grantround_change", args=[draft.pk]))
    assert change.status_code == 200
    assert 'name="_save"' in change.content.decode()
    view = client.get(reverse("admin:submissions_grantround_change", args=[opened.pk]))
    assert view.status_code == 200
    html = view.content.decode()
    # An open round is shown, not edited: no save button, no inline forms to add.
    assert 'name="_save"' not in html and 'name="baselines-0-plan_text"' not in html
    assert client.get(reverse("admin:submissions_roundbaseline_add")).status_code == 200
    baseline = RoundBaseline.objects.get(round=opened)
    page = client.get(reverse("admin:submissions_roundbaseline_change", args=[baseline.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    baseline = RoundBaseline.objects.get(round=draft)
    page = client.get(reverse("admin:submissions_roundbaseline_change", args=[baseline.pk]))
    assert page.status_code == 200 and 'name="_save"' in page.content.decode()


def test_a_round_added_in_the_admin_is_a_draft_with_its_plans_parsed(
    client, login, superuser, region
):
    login(client, superuser)
    data = {
        "name": "AT-bidraget 2026",
        "year": "2026",
        "slug": "at-2026",
        "opens_at_0": "2026-04-15",
        "opens_at_1": "00:00:00",
        "deadline_0": "",
        "deadline_1": "",
        "population_date": "2025-11-01",
        "model": "{}",
        "appealable": "on",
        "reminder_days": "14,3",
        "baselines-TOTAL_FORMS": "1",
        "baselines-INITIAL_FORMS": "0",
        "baselines-0-region": str(region.pk),
        "baselines-0-population": "160000",
        "baselines-0-plan_text": "84–89",
    }
    response = client.post(reverse("admin:submissions_grantround_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    created = GrantRound.objects.get(slug="at-2026")
    assert created.status == RoundStatus.DRAFT
    # No model is made up for it: the officer writes it in the model editor.
    assert created.model == {} and created.total_budget == 0
    baseline = created.baselines.get()
    assert (baseline.plan_low, baseline.plan_high) == (Decimal(84), Decimal(89))
    data["slug"], data["baselines-0-plan_text"] = "at-2026b", "89-84"
    response = client.post(reverse("admin:submissions_grantround_add"), data)
    assert response.status_code == 200
    assert "baklänges" in response.content.decode()
    assert not GrantRound.objects.filter(slug="at-2026b").exists()


def test_every_admin_page_of_the_project_answers(client, login, superuser, rounds):
    """List, add and the first row's change page of every registered model: 200, or 403
    where the admin is read-only. Never a 500."""
    login(client, superuser)
    for model, _model_admin in admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert client.get(reverse(f"{info}_changelist")).status_code == 200, info
        assert client.get(reverse(f"{info}_add")).status_code in (200, 403), info
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            assert client.get(reverse(f"{info}_change", args=[row.pk])).status_code == 200, info


def test_the_round_list_shows_the_budget_of_the_rounds_model(client, login, superuser):
    from atgrant.templatetags.atgrant_format import kr

    GrantRoundFactory(slug="at-2024", year=2024, block1_budget=1_000, block2_budget=2_500)
    GrantRoundFactory(slug="at-2026", year=2026, draft=True, model={})
    login(client, superuser)
    html = client.get(reverse("admin:submissions_grantround_changelist")).content.decode()
    assert kr(3_500) in html and kr(0) in html
    assert kr(63_000_000 + 160_000_000) not in html
