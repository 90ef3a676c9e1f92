"""Each region's official mailbox: filled in by the loader, edited in the admin with audit."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.models import AuditEvent
from conftest import login_as
from regions.management.commands import load_round_2024 as loader
from regions.models import Region

pytestmark = pytest.mark.django_db


def _load() -> None:
    call_command("load_round_2024", stdout=StringIO())


def test_loader_gives_every_region_its_registrator_address():
    _load()
    mailboxes = dict(Region.objects.values_list("short_name", "registry_email"))
    assert len(mailboxes) == 21
    assert mailboxes["Blekinge"] == "registrator@regionblekinge.se"
    assert all(address.startswith("registrator@") for address in mailboxes.values())
    assert len(set(mailboxes.values())) == 21


def test_loader_keeps_an_address_corrected_in_the_admin():
    _load()
    Region.objects.filter(code="10").update(registry_email="diarium@regionblekinge.se")
    _load()
    assert Region.objects.get(code="10").registry_email == "diarium@regionblekinge.se"


def test_loader_refuses_a_bad_address(tmp_path, monkeypatch):
    text = loader.DATA_FILE.read_text(encoding="utf-8").replace(
        "registrator@regionblekinge.se", "registrator at blekinge"
    )
    bad = tmp_path / "regions.csv"
    bad.write_text(text, encoding="utf-8")
    monkeypatch.setattr(loader, "DATA_FILE", bad)
    with pytest.raises(CommandError, match="line 10"):
        _load()
    assert not Region.objects.exists()


def test_admin_edit_of_the_mailbox_is_audited(client, officer, region):
    officer.is_staff = officer.is_superuser = True
    officer.save()
    login_as(client, officer)
    url = reverse("admin:regions_region_change", args=[region.pk])
    data = {"code": "10", "name": region.name, "short_name": region.short_name}
    response = client.post(url, {**data, "registry_email": " Registrator@RegionBlekinge.se "})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="region.changed")
    assert event.actor == officer
    assert event.before == {"registry_email": ""}
    assert event.after == {"registry_email": "registrator@regionblekinge.se"}
    assert event.region_id == region.pk
    response = client.post(url, {**data, "registry_email": "inte en adress"})
    assert response.status_code == 200  # the form again, with the field's error
    assert AuditEvent.objects.filter(action="region.changed").count() == 1
    assert Region.objects.get(pk=region.pk).registry_email == "registrator@regionblekinge.se"


def test_demo_documents_are_registered_like_real_ones(settings):
    settings.ATGRANT_EMBEDDED = True  # `make run`'s configuration, where the demo is allowed
    settings.DEBUG = True
    from registry.models import DocumentKind, RegistryEntry
    from submissions.models import ReportVersion

    call_command("load_round_2024", "--demo", stdout=StringIO())
    versions = set(ReportVersion.objects.values_list("pk", flat=True))
    registered = set(
        RegistryEntry.objects.filter(kind=DocumentKind.REPORT_VERSION).values_list(
            "object_id", flat=True
        )
    )
    assert versions and registered == versions
    assert RegistryEntry.objects.filter(kind=DocumentKind.PROXY_APPLICATION).count() == 1
