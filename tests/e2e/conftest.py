"""Browser tests: the system Chromium driven by Playwright against pytest-django's live server.

Every page a journey visits is checked with axe-core (WCAG 2.1 A and AA); see support.py.
Skipped, with the reason, when /usr/bin/chromium is missing (`.ci/run` installs it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls of the fixtures and
# of the live server's thread are still plain synchronous code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("ATGRANT_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):  # noqa: ANN001, ANN201
    here = Path(__file__).parent
    skip = pytest.mark.skip(
        reason=f"browser tests need the system Chromium at {CHROMIUM} (apt install chromium)"
    )
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)
            if not CHROMIUM.exists():
                item.add_marker(skip)


@pytest.fixture(scope="module")
def browser():
    # Per module, not per session: Playwright's sync API refuses to start while another
    # instance runs, and other parts of the suite start their own for a test.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _e2e_settings(settings, transactional_db):
    from django.core.cache import cache

    from atgrant.celery import app

    # The live server speaks plain HTTP; cookies marked Secure (production-like CI) would be lost.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Runs requested through the pages are computed in-process (no worker in the test).
    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    # Rate limits, the lockout and the TOTP replay guard live in the cache.
    cache.clear()
    yield
    cache.clear()
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def web(browser, live_server, request):
    """`web(name)`: a fresh browser context (one person) on the live server; see support.Web."""
    from tests.e2e.support import AxeLog, Web

    log = AxeLog(request.node.name)
    contexts = []

    def open_as(name: str) -> Web:
        context = browser.new_context(
            locale="sv-SE",
            timezone_id="Europe/Stockholm",
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
            reduced_motion="reduce",  # charts drawn at once: stable screenshots
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return Web(context.new_page(), base_url=live_server.url, name=name, axe=log)

    yield open_as
    for context in contexts:
        context.close()
    log.write_report()


@pytest.fixture
def open_round(transactional_db):
    """The 21 regions and the 2024 round, open, its deadline two weeks ahead (the real clock)."""
    import datetime as dt

    from django.core.management import call_command

    from submissions.models import STOCKHOLM, GrantRound

    deadline = dt.datetime.now(tz=STOCKHOLM).date() + dt.timedelta(days=14)
    call_command("load_round_2024", deadline=deadline, verbosity=0)
    return GrantRound.objects.get(slug="at-2024")


@pytest.fixture
def open_round_with_reports(open_round):
    """The open 2024 round with the demo's reports (18 regions have submitted)."""
    from submissions.demo import create_demo_reports

    create_demo_reports(grant_round=open_round)
    return open_round
