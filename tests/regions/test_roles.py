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


def test_regions_of_lists_each_region_once_by_name_with_the_users_roles(
    django_assert_num_queries,
):
    from regions.roles import regions_of

    user = UserFactory()
    kalmar, blekinge, gotland, dalarna, skane = (
        RegionFactory(short_name=name)
        for name in ("Kalmar", "Blekinge", "Gotland", "Dalarna", "Skåne")
    )
    ProxyAppointment.objects.create(region=kalmar, user=user)
    Colleague.objects.create(region=kalmar, user=user)  # proxy and colleague: listed once
    Colleague.objects.create(region=blekinge, user=user)
    Colleague.objects.create(region=blekinge, user=user, removed_at="2024-01-01T00:00Z")
    Colleague.objects.create(region=gotland, user=user, removed_at="2024-01-01T00:00Z")
    ProxyAppointment.objects.create(region=dalarna, user=user, ended_at="2024-01-01T00:00Z")
    ProxyAppointment.objects.create(region=skane, user=UserFactory())  # someone else's
    with django_assert_num_queries(1):
        regions = regions_of(user)
        assert regions_of(user) is regions  # cached on the user for the request
    assert [(r.short_name, r.as_proxy, r.as_colleague) for r in regions] == [
        ("Blekinge", False, True),
        ("Kalmar", True, True),
    ]
    assert all(isinstance(r.as_proxy, bool) for r in regions)
    assert is_proxy_of(user, kalmar) and not is_proxy_of(user, blekinge)
    assert is_colleague_of(user, blekinge) and not is_member_of(user, gotland)
    assert not is_member_of(user, dalarna) and not is_member_of(user, skane)
    assert regions_of(UserFactory()) == []


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
