"""The app behind PgBouncer in transaction mode, as .ci/run serves it: every request answers.

    python .ci/pgbouncer_check.py setup           # DATABASE_URL: PostgreSQL directly
    python .ci/pgbouncer_check.py load BASE_URL   # the app served through the pooler

``setup`` migrates, loads the regions and the 2024 round and gives PROXIES regions a proxy
who can log in. ``load`` logs each proxy in through the login form, then sends their pages
(the dashboard, the report form, decisions, colleagues) and the public pages in WAVES
concurrent waves, with a pause longer than PgBouncer's server_lifetime between them so that
every wave meets recycled server connections. Exits 1 naming each request that did not
answer 200 (or a login that did not land), 0 with a count when all did.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

PROXIES = 6
PASSWORD = "ci-pgbouncer-only-7319"  # noqa: S105 - a throwaway CI database
WAVES = 5
PAUSE = 2.0  # seconds: longer than server_lifetime = 1


def email(n: int) -> str:
    return f"ombud{n}@ci.atgrant.example"


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atgrant.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from regions.models import ProxyAppointment, Region

    call_command("migrate", "--no-input", verbosity=0)
    call_command("load_round_2024", verbosity=0)
    for n, region in enumerate(Region.objects.order_by("code")[:PROXIES]):
        user = get_user_model().objects.create_user(email(n), email(n), PASSWORD)
        ProxyAppointment.objects.create(region=region, user=user)
    print(f"setup: {PROXIES} proxies")


class Browser:
    """One person's cookies, over plain HTTP to the pooled app."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")
        request.add_header("Referer", self.base + path)
        return self._open(request)

    def _open(self, request: urllib.request.Request) -> tuple[int, str, str]:
        try:
            with self.opener.open(request, timeout=30) as response:  # noqa: S310 - loopback
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, request.full_url, error.read().decode(errors="replace")

    def log_in(self, n: int) -> str | None:
        status, _, html = self.get("/konto/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if status != 200 or token is None:
            return f"login page: {status}"
        fields = {"csrfmiddlewaretoken": token.group(1), "login": email(n), "password": PASSWORD}
        status, url, _ = self.post("/konto/login/", fields)
        if status != 200 or "/konto/login" in url:
            return f"login of {email(n)}: {status} at {url}"
        return None


def wait_for(base: str, seconds: int = 60) -> None:
    """Until the start page answers (gunicorn up); /healthz wants a worker and beat too."""
    for _ in range(seconds):
        try:
            if Browser(base).get("/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(1)


def load(base: str) -> int:
    wait_for(base)
    browsers = [Browser(base) for _ in range(PROXIES)]
    failures = [problem for n, b in enumerate(browsers) if (problem := b.log_in(n))]
    status, _, html = browsers[0].get("/min-region/")
    report = re.search(r'href="(/inrapportering/[^"]+/)"', html)
    pages = ["/min-region/", "/beslut/", "/kollegor/", "/", "/fordelningslistor/"]
    if report:
        pages.append(report.group(1))
    else:
        failures.append(f"dashboard without a report link: {status}")
    requests = 0
    with ThreadPoolExecutor(max_workers=PROXIES * 2) as pool:
        for wave in range(WAVES):
            # Only the first browser's region has that report page; the others get their own
            # dashboard's pages.
            jobs = [
                (wave, path, pool.submit(browser.get, path))
                for n, browser in enumerate(browsers)
                for path in (pages if n == 0 else pages[:5])
            ]
            for wave_number, path, job in jobs:
                requests += 1
                code, _, _ = job.result()
                if code != 200:
                    failures.append(f"wave {wave_number + 1}: {path} answered {code}")
            time.sleep(PAUSE)
    for failure in failures:
        print("FAILED", failure, file=sys.stderr)
    print(f"{requests} requests in {WAVES} waves, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["setup"]:
        setup()
    elif sys.argv[1:2] == ["load"] and len(sys.argv) == 3:
        sys.exit(load(sys.argv[2].rstrip("/")))
    else:
        sys.exit(__doc__)
