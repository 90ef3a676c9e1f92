from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from regions.models import Colleague, ProxyAppointment
from regions.roles import is_agency_reader, is_colleague_of, is_member_of, is_officer, is_proxy_of
from tests.factories import RegionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_proxy_and_colleague_predicates_are_scoped_to_their_region():
    blekinge, gotland = RegionFactory(short_name="Blekinge"), RegionFactory(short_name="Gotland")
    proxy, colleague = UserFactory(), UserFactory()
    ProxyAppointment.objects.create(region=blekinge, user=proxy)
    Colleague.objects.create(region=blekinge, user=colleague)
    assert is_proxy_of(proxy, blekinge) and not is_proxy_of(proxy, gotland)
    assert is_colleague_of(colleague, blekinge) and not is_proxy_of(colleague, blekinge)
    assert is_member_of(colleague, blekinge) and not is_member_of(colleague, gotland)


def test_an_ended_appointment_gives_no_rights():
    region, user = RegionFactory(), UserFactory()
    ProxyAppointment.objects.create(region=region, user=user, ended_at="2024-01-01T00:00Z")
    assert not is_proxy_of(user, region)


def test_only_one_active_proxy_per_region():
    region = RegionFactory()
    ProxyAppointment.objects.create(region=region, user=UserFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        ProxyAppointment.objects.create(region=region, user=UserFactory())


def test_group_roles(officer, auditor):
    assert is_officer(officer) and not is_officer(auditor)
    assert is_agency_reader(auditor) and is_agency_reader(officer)
    assert not is_agency_reader(UserFactory())


def test_login_helper_records_a_recent_authentication(client, officer, login):
    login(client, officer)
    assert client.get("/").status_code == 200
    assert client.session["account_authentication_methods"][0]["method"] == "password"


def test_the_role_groups_exist_without_the_demo():
    from django.contrib.auth.models import Group

    from regions.roles import AUDITORS_GROUP, OFFICERS_GROUP

    assert set(Group.objects.values_list("name", flat=True)) >= {OFFICERS_GROUP, AUDITORS_GROUP}
