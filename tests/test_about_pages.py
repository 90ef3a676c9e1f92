"""The accessibility statement (tillgänglighetsredogörelse) and the contact page, linked from
every page's footer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from atgrant.env import ImproperlyConfiguredEnv, env_date

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _agency(settings):
    settings.ATGRANT_AGENCY_NAME = "Socialstyrelsen"
    settings.ATGRANT_AGENCY_EMAIL = "registrator@socialstyrelsen.se"
    settings.ATGRANT_AGENCY_PHONE = "075-247 30 00"
    settings.ATGRANT_ACCESSIBILITY_STATUS = "partial"
    settings.ATGRANT_ACCESSIBILITY_ASSESSED = dt.date(2026, 10, 15)
    settings.ATGRANT_ACCESSIBILITY_UPDATED = dt.date(2026, 11, 2)


def _page(client, name: str) -> str:
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode().replace("\u00a0", " ")


def test_the_statement_has_what_digg_requires(client):
    page = _page(client, "accessibility")
    assert "Socialstyrelsen står bakom e-tjänsten" in page  # the agency and the service
    assert "delvis förenlig med lagen" in page  # the compliance status
    assert 'id="shortcomings"' in page and "PDF/UA" in page  # known shortcomings, reasons
    assert 'id="disproportionate-burden"' in page
    assert "15 oktober 2026" in page  # the assessment
    assert "2 november 2026" in page  # the last update
    assert "axe mot WCAG 2.1 nivå AA" in page  # the method
    assert 'href="mailto:registrator@socialstyrelsen.se"' in page  # feedback
    assert 'href="https://www.digg.se/tdosanmalan"' in page  # DIGG's report form


@pytest.mark.parametrize(
    ("status", "text"),
    [("full", "helt förenlig"), ("partial", "delvis förenlig"), ("none", "inte förenlig")],
)
def test_the_compliance_status_is_a_setting(client, settings, status, text):
    settings.ATGRANT_ACCESSIBILITY_STATUS = status
    assert text in _page(client, "accessibility")


def test_the_contact_page_gives_the_agencys_contact(client):
    page = _page(client, "contact")
    assert "registrator@socialstyrelsen.se" in page
    assert 'href="tel:0752473000"' in page
    assert reverse("accessibility") in page


@pytest.mark.parametrize("name", ["home", "account_login", "allocation_read:public_lists"])
def test_every_pages_footer_links_both(client, name):
    page = _page(client, name)
    footer = page[page.index('<footer class="site-footer') :]
    assert f'href="{reverse("accessibility")}"' in footer
    assert f'href="{reverse("contact")}"' in footer


def test_a_logged_in_pages_footer_links_both(client, login, officer):
    login(client, officer)
    page = _page(client, "allocation:rounds")
    footer = page[page.index('<footer class="site-footer') :]
    assert f'href="{reverse("accessibility")}"' in footer


def test_a_bad_date_setting_stops_the_start(monkeypatch):
    monkeypatch.setenv("ATGRANT_ACCESSIBILITY_ASSESSED", "15/10/2026")
    with pytest.raises(ImproperlyConfiguredEnv, match="ATGRANT_ACCESSIBILITY_ASSESSED"):
        env_date("ATGRANT_ACCESSIBILITY_ASSESSED", "2026-01-01")
    monkeypatch.setenv("ATGRANT_ACCESSIBILITY_ASSESSED", "2026-10-15")
    assert env_date("ATGRANT_ACCESSIBILITY_ASSESSED", "2026-01-01") == dt.date(2026, 10, 15)
