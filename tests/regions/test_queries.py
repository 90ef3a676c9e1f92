"""Query counts of the portal's list pages are pinned and do not grow with the number of rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import RegionFactory, UserFactory
from tests.queries import LOGGED_IN
from tests.regions.factories import (
    ColleagueFactory,
    ColleagueInvitationFactory,
    ProxyApplicationFactory,
)

pytestmark = pytest.mark.django_db

# Every logged-in page: the user, their groups and the session saved (tests.queries).
REQUEST = LOGGED_IN
# The navigation (cached per request): the user's regions with their roles, asked of
# everyone but agency staff, who act for no region.
NAV = 1
AGENCY_NAV = 0


@pytest.mark.parametrize("count", [2, 12])
def test_officer_queue_query_count_is_constant(
    client, login, officer, count, django_assert_num_queries
):
    for _ in range(count):
        ProxyApplicationFactory(region=RegionFactory())
    ProxyApplicationFactory(region=RegionFactory(), rejected=True)  # filtered away
    login(client, officer)
    # The first request notes in the session that the second factor was seen (saved once).
    client.get(reverse("regions:review_list"))
    # + 1 count for the paginator, + 1 the page of applications with region and applicant joined
    with django_assert_num_queries(REQUEST + AGENCY_NAV + 2):
        response = client.get(reverse("regions:review_list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == count


@pytest.mark.parametrize("count", [1, 8])
def test_all_statuses_queue_query_count_is_constant(
    client, login, auditor, count, django_assert_num_queries
):
    for _ in range(count):
        ProxyApplicationFactory(region=RegionFactory(), completion_requested=True)
    login(client, auditor)
    client.get(reverse("regions:review_list"))  # the second factor noted, as above
    with django_assert_num_queries(REQUEST + AGENCY_NAV + 2):  # count + page, as above
        response = client.get(reverse("regions:review_list") + "?status=alla")
    assert len(response.context["page"].object_list) == count


@pytest.mark.parametrize("count", [1, 6])
def test_colleague_list_query_count_is_constant(
    client, login, region, proxy, count, django_assert_num_queries
):
    for _ in range(count):
        ColleagueFactory(region=region, user=UserFactory())
        ColleagueInvitationFactory(region=region, invited_by=proxy)
    login(client, proxy)
    # + 1 the proxy's region, + 1 colleagues with their users and invitations,
    # + 1 open invitations with who sent them
    with django_assert_num_queries(REQUEST + NAV + 3):
        response = client.get(reverse("regions:colleague_list"))
    assert len(response.context["colleagues"]) == count


@pytest.mark.parametrize("count", [1, 5])
def test_applicants_list_query_count_is_constant(client, login, count, django_assert_num_queries):
    applicant = UserFactory()
    for _ in range(count):
        ProxyApplicationFactory(region=RegionFactory(), applicant=applicant, rejected=True)
    login(client, applicant)
    # + 1 applications with regions, + 1 their documents, + 1 their events (prefetched)
    with django_assert_num_queries(REQUEST + NAV + 3):
        response = client.get(reverse("regions:application_list"))
    assert response.status_code == 200


def test_the_queue_is_paged_with_the_shared_pager_keeping_the_filter(client, login, auditor):
    for _ in range(52):
        ProxyApplicationFactory(region=RegionFactory(), completion_requested=True)
    login(client, auditor)
    url = reverse("regions:review_list")
    first = client.get(url + "?status=alla")
    assert len(first.context["page"].object_list) == 50
    html = first.content.decode()
    pager = html.split('<nav aria-label="Sidor">', 1)[1].split("</nav>", 1)[0]
    assert 'aria-current="page"' in pager
    assert 'href="/handlaggning/ombudsansokningar/?status=alla&amp;sida=2"' in pager
    second = client.get(url + "?status=alla&sida=2")
    assert len(second.context["page"].object_list) == 2
    assert client.get(url + "?status=alla&sida=x").context["page"].number == 1
