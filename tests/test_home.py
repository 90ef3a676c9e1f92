from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_sees_the_landing_page_with_login(client):
    page = client.get("/")
    assert page.status_code == 200
    assert reverse("account_login") in page.content.decode()


@pytest.mark.parametrize(
    ("role", "target"),
    [
        ("officer", "submissions:rounds"),
        ("auditor", "allocation_read:audit_index"),
        ("proxy", "submissions:dashboard"),
        ("colleague", "submissions:dashboard"),
    ],
)
def test_each_role_starts_on_its_own_page(client, login, request, role, target):
    login(client, request.getfixturevalue(role))
    response = client.get(reverse("start"))
    assert response.status_code == 302
    assert response["Location"] == reverse(target)


def test_a_user_of_no_region_starts_on_the_landing_page_with_the_way_to_apply(client, login):
    from tests.factories import UserFactory

    login(client, UserFactory())
    assert client.get(reverse("start"))["Location"] == reverse("home")
    assert reverse("regions:apply") in client.get("/").content.decode()


def test_start_needs_a_login(client):
    assert client.get(reverse("start"))["Location"].startswith(reverse("account_login"))


def test_logging_in_lands_on_the_roles_start(client, proxy):
    from tests.factories import PASSWORD

    response = client.post(reverse("account_login"), {"login": proxy.email, "password": PASSWORD})
    assert response["Location"] == reverse("start")


def test_favicon_is_linked_and_served(client):
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    home = client.get("/").content.decode()
    assert f'<link rel="icon" href="{static("favicon.ico")}"' in home
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.ico")
    assert finders.find("favicon.ico")


def test_the_login_page_offers_a_new_password_once_in_swedish(client):
    html = client.get(reverse("account_login")).content.decode()
    assert html.count(f'href="{reverse("account_reset_password")}"') == 1
    assert html.count("Glömt lösenordet?") == 1
