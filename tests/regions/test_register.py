"""The regions registry: officers edit it on their page, the admin too; every change audited;
the organisationsnummer checked by its form and Luhn check digit."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from regions.models import Region
from regions.validators import luhn_valid, normalise_organisation_number
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("232100-0081", "232100-0081"),
        ("2321000081", "232100-0081"),
        (" 232100-0016 ", "232100-0016"),
        ("", ""),
    ],
)
def test_an_organisation_number_is_stored_in_one_form(text, stored):
    assert normalise_organisation_number(text) == stored


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("232100-0082", "Kontrollsiffran"),  # one off
        ("232100-008", "tio siffror"),
        ("23210O-0081", "tio siffror"),
        ("19121212-1212", "tio siffror"),
        ("121212-1212", "juridisk person"),  # a personnummer's month, valid Luhn
    ],
)
def test_a_bad_organisation_number_is_refused_in_swedish(text, says):
    with pytest.raises(ValidationError, match=says):
        normalise_organisation_number(text)


def test_luhn():
    assert luhn_valid("2321000016") and luhn_valid("5560360793")
    assert not luhn_valid("2321000017") and not luhn_valid("5560360794")


def test_officer_edits_a_region_audited_with_errors_at_the_field(client, login, officer, region):
    login(client, officer)
    url = reverse("regions:register_edit", args=[region.pk])
    data = {
        "code": "10",
        "name": "Region Blekinge",
        "short_name": "Blekinge",
        "organisation_number": "232100-0082",
        "registry_email": "registrator@regionblekinge.se",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "Kontrollsiffran i 232100-0082 stämmer inte" in refused.content.decode()
    refused = client.post(url, {**data, "organisation_number": "", "code": "1O"})
    assert refused.status_code == 400
    assert not AuditEvent.objects.filter(action__startswith="region.").exists()

    saved = client.post(url, {**data, "organisation_number": "2321000081"})
    assert saved.status_code == 302
    region.refresh_from_db()
    assert region.organisation_number == "232100-0081"
    assert region.registry_email == "registrator@regionblekinge.se"
    event = AuditEvent.objects.get(action="region.changed")
    assert event.actor == officer and event.region_id == region.pk
    assert event.before == {"organisation_number": "", "registry_email": ""}
    assert event.after == {
        "organisation_number": "232100-0081",
        "registry_email": "registrator@regionblekinge.se",
    }
    page = client.get(reverse("regions:register_list")).content.decode()
    assert "232100-0081" in page and "registrator@regionblekinge.se" in page


def test_two_regions_cannot_share_an_organisation_number(client, login, officer, region):
    Region.objects.filter(pk=region.pk).update(organisation_number="232100-0081")
    login(client, officer)
    data = {
        "code": "09",
        "name": "Region Gotland",
        "short_name": "Gotland",
        "organisation_number": "232100-0081",
        "registry_email": "",
    }
    refused = client.post(reverse("regions:register_add"), data)
    assert refused.status_code == 400
    assert "En annan region har redan det organisationsnumret" in refused.content.decode()
    created = client.post(reverse("regions:register_add"), {**data, "organisation_number": ""})
    assert created.status_code == 302
    event = AuditEvent.objects.get(action="region.created")
    assert event.after["code"] == "09" and event.before is None


def test_the_registry_is_the_agencys(client, login, auditor, proxy):
    url = reverse("regions:register_list")
    login(client, proxy)
    assert client.get(url).status_code == 404
    login(client, auditor)
    page = client.get(url)
    assert page.status_code == 200 and "Lägg till region" not in page.content.decode()
    assert client.post(reverse("regions:register_add"), {"code": "30"}).status_code == 403
    assert client.get(reverse("regions:register_add")).status_code == 403


def test_an_auditor_reads_a_regions_record_from_the_list(client, login, auditor, region):
    region.organisation_number = "232100-0081"
    region.save()
    login(client, auditor)
    listing = client.get(reverse("regions:register_list")).content.decode()
    url = reverse("regions:register_edit", args=[region.pk])
    assert f'<a href="{url}">Region Blekinge</a>' in listing
    html = client.get(url).content.decode()
    assert "<form" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    record = html.split('id="region-record"', 1)[1].split("</dl>", 1)[0]
    for label, value in [
        ("Länskod", region.code),
        ("Officiellt namn", "Region Blekinge"),
        ("Organisationsnummer", "232100-0081"),
        ("Registraturens e-post", "Saknas"),
    ]:
        assert label in record and value in record
    assert client.post(url, {"code": "10", "name": "X"}).status_code == 403
    region.refresh_from_db()
    assert region.name == "Region Blekinge"


def test_admin_changes_and_deletes_are_audited(client, login, officer, region):
    officer.is_staff = True
    officer.save()
    officer.user_permissions.set(Permission.objects.filter(content_type__app_label="regions"))
    login(client, officer)
    url = reverse("admin:regions_region_change", args=[region.pk])
    data = {
        "code": "10",
        "name": region.name,
        "short_name": region.short_name,
        "organisation_number": "232100-0081",
        "registry_email": "",
    }
    assert client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(action="region.changed")
    assert event.before == {"organisation_number": ""}
    assert event.after == {"organisation_number": "232100-0081"}
    other = Region.objects.create(code="30", name="Region Test", short_name="Test")
    deleted = client.post(reverse("admin:regions_region_delete", args=[other.pk]), {"post": "yes"})
    assert deleted.status_code == 302 and not Region.objects.filter(pk=other.pk).exists()
    event = AuditEvent.objects.get(action="region.deleted")
    assert event.actor == officer and event.before["code"] == "30"


def test_a_superuser_who_is_no_officer_may_edit_in_the_admin(client, login, region):
    admin_user = UserFactory(email="admin@example.se", is_staff=True, is_superuser=True)
    login(client, admin_user)
    url = reverse("admin:regions_region_change", args=[region.pk])
    data = {"code": "10", "name": region.name, "short_name": "Blekinge län", "registry_email": ""}
    assert client.post(url, data).status_code == 302
    assert AuditEvent.objects.get(action="region.changed").actor == admin_user
