"""Pages: each page's median server time for one user, at 21 and 2 000 regions, 10 rounds.

Targets (issue 16): for one user (sequential requests, one client), each page's median server
time is at most 25 ms at 21 regions and at most 60 ms at 2 000 regions; a constant number of
queries per page whatever the size (issue 7; pinned by tests/bench/test_query_counts_scale.py
and the pages' own tests). "Of bare" (the bare view's median / the page's) is information only.

    python -m bench.pages                                  # 21 and 2 000 regions
    python -m bench.pages --sizes 21 --requests 30 --history 2
    python -m bench.pages --compare /work/wt-old            # that code first, then this one

Per size, in a fresh process and scratch database (bench.common): N regions with their
proxies, 10 decided rounds (each closed, run and issued through the services) and the open
2024 round with every region's report. Pages: the dashboard of a region's proxy
(submissions:dashboard), the same with a query string ("dashboard, rendered": the code before
issue 16 kept each user's dashboard in each process's memory and never served a query string
from there, so this was its cost after each write; the current code renders both), the proxy's
report form (submissions:report_edit), the officer's report table of the 2024 round
(submissions:round_reports), the auditor's history (allocation_read:audit_index), the public
list of the latest decided round (allocation_read:public_list, not logged in), and the bare
view /bench/bare/ (bench/urls.py) without and with the proxy's session (what being logged in
costs every page but the public list).

Server time: the response time on loopback. gunicorn as in production (bench.settings, DEBUG
off, 3 sync workers, gunicorn.conf.py, 127.0.0.1 only) on PostgreSQL and Redis (sessions and
cache), one client in this process sending one request at a time: from opening the TCP
connection (a sync worker closes it after each response) to the last byte of the body. The
pages take turns (one request of each, ``--requests`` times over, after a warm-up of 3 per
worker), so that what else the machine does falls on all pages alike. Logged-in pages carry
one session each, made through the ORM with the records of a password + TOTP login
(bench.common.session_cookie), and the CSRF cookie a browser that logged in sends.
Queries: Django's test client in the bench process (the second request of each page).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import statistics
import sys
import time
from pathlib import Path

from bench import common

PAGES = (
    "bare",
    "bare_logged_in",
    "dashboard",
    "dashboard_rendered",
    "report_form",
    "round_reports",
    "audit_index",
    "public_list",
)
LABELS = {
    "bare": "bare view",
    "bare_logged_in": "bare view, logged in",
    "dashboard": "region dashboard",
    "dashboard_rendered": "region dashboard, rendered",
    "report_form": "report form",
    "round_reports": "officer's report table",
    "audit_index": "auditor's history",
    "public_list": "public list",
}
BASELINES = ("bare", "bare_logged_in")  # information, no target
TARGET_MS = {21: 25.0, 2000: 60.0}


def target_ms(n: int) -> float:
    """25 ms up to 21 regions, 60 ms at 2 000 (the larger target for any larger size)."""
    return TARGET_MS[21] if n <= 21 else TARGET_MS[2000]


def _urls(world) -> dict[str, tuple[str, str | None]]:  # noqa: ANN001
    """page -> (path, session key or None)."""
    from django.urls import reverse

    proxy, region = world.proxies[0], world.regions[0]
    return {
        "bare": ("/bench/bare/", None),
        "bare_logged_in": ("/bench/bare/", common.session_cookie(proxy)),
        "dashboard": (reverse("submissions:dashboard"), common.session_cookie(proxy)),
        "dashboard_rendered": (
            reverse("submissions:dashboard") + "?bench=rendered",
            common.session_cookie(proxy),
        ),
        "report_form": (
            reverse("submissions:report_edit", args=[world.current.slug, region.code]),
            common.session_cookie(proxy),
        ),
        "round_reports": (
            reverse("submissions:round_reports", args=[world.current.slug]),
            common.session_cookie(world.officer),
        ),
        "audit_index": (
            reverse("allocation_read:audit_index"),
            common.session_cookie(world.auditor),
        ),
        "public_list": (
            reverse("allocation_read:public_list", args=[world.history[-1].slug]),
            None,
        ),
    }


def _query_counts(urls: dict[str, tuple[str, str | None]]) -> dict[str, int]:
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    counts = {}
    for page, (path, session) in urls.items():
        client = Client()
        if session:
            client.cookies["sessionid"] = session
        first = client.get(path)
        assert first.status_code == 200, (page, first.status_code)
        with common.capture_queries() as queries:
            assert client.get(path).status_code == 200
        counts[page] = len(queries)
    return counts


def cookie_header(session_key: str) -> str:
    """What a logged-in user's browser sends: the session and the CSRF cookie it was given
    with the login page (a secret of its own per user; the pages' forms mask it anew)."""
    secret = hashlib.sha256(session_key.encode()).hexdigest()[:32]
    return f"sessionid={session_key}; csrftoken={secret}"


def timed_get(port: int, path: str, session: str | None) -> tuple[float, int, int]:
    """(seconds, status, body bytes) of one GET on a new loopback connection."""
    headers = {"Host": f"127.0.0.1:{port}", "Accept-Language": "sv"}
    if session:
        headers["Cookie"] = cookie_header(session)
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    return time.perf_counter() - start, response.status, len(body)


def measure(n: int, history: int, requests: int, workers: int) -> dict:
    with common.BenchDatabase() as database:
        from contextlib import ExitStack
        from unittest import mock

        from django.apps import apps

        started = time.perf_counter()
        with ExitStack() as stack:
            # The decisions' deliveries are not what the pages measure; code from before the
            # registry (--compare) has none.
            if apps.is_installed("registry"):
                from registry import tasks

                stack.enter_context(
                    mock.patch.object(tasks.deliver_decision, "delay_on_commit", lambda pk: None)
                )
            world = common.generate(n, history=history)
        print(f"  pages {n}: data in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        urls = _urls(world)
        counts = _query_counts(urls)
        from django.db import connections

        connections.close_all()
        common.redis_flush()
        times: dict[str, list[float]] = {page: [] for page in urls}
        sizes: dict[str, int] = {}
        with common.served(database.url, workers=workers) as port:
            for page, (path, session) in urls.items():
                for _ in range(3 * workers):  # warm-up: every worker's connection and caches
                    _, status, sizes[page] = timed_get(port, path, session)
                    assert status == 200, (page, path, status)
            errors = 0
            for _ in range(requests):
                for page, (path, session) in urls.items():
                    seconds, status, _ = timed_get(port, path, session)
                    errors += status != 200
                    times[page].append(seconds)
        common.redis_flush()
        return {
            "queries": counts,
            "bytes": sizes,
            "errors": errors,
            "median_ms": {p: 1000 * statistics.median(t) for p, t in times.items()},
            "p90_ms": {p: 1000 * statistics.quantiles(t, n=10)[-1] for p, t in times.items()},
        }


def run(args: argparse.Namespace, code: Path | None) -> dict[int, dict]:
    one_args = ["--history", str(args.history), "--requests", str(args.requests),
                "--workers", str(args.workers)]  # fmt: skip
    return {
        n: common.in_subprocess("bench.pages", "--one", str(n), *one_args, code=code)
        for n in args.sizes
    }


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[21, 2000])
    p.add_argument("--history", type=int, default=10)
    p.add_argument("--requests", type=int, default=60, help="requests of each page")
    p.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    p.add_argument("--compare", type=Path, help="another checkout: measured first, same table")
    p.add_argument("--one", type=int, help=argparse.SUPPRESS)
    return p


def report(args: argparse.Namespace, results: dict[str, dict[int, dict]]) -> list[list[object]]:
    """Print the table (one row per size and page, one column pair per code); verdicts for
    the last code (this tree)."""
    codes = list(results)
    print(f"\n## Pages: median server time for one user ({args.history} decided rounds of "
          f"history; {args.requests} requests a page, in turns; gunicorn {args.workers} sync "
          "workers, PostgreSQL, Redis)\n")  # fmt: skip
    print(common.machine())
    print(common.codes_line(args.compare))
    print()
    headers = ["regions", "page", "target"]
    for code in codes:
        headers += [f"{code}: queries", f"{code}: median ms", f"{code}: p90 ms", f"{code}: of bare"]
    rows = []
    sizes = list(results[codes[-1]])
    for n in sizes:
        for page in PAGES:
            row = [f"{n:,}".replace(",", " "), LABELS[page],
                   "–" if page in BASELINES else f"≤ {target_ms(n):.0f} ms"]  # fmt: skip
            for code in codes:
                r = results[code][n]
                median = r["median_ms"][page]
                share = r["median_ms"]["bare"] / median
                row += [r["queries"][page], f"{median:.1f}", f"{r['p90_ms'][page]:.1f}",
                        f"{100 * share:.0f} %"]  # fmt: skip
            rows.append(row)
    print(common.table(headers, rows, right=set(range(2, len(headers))) | {0}))
    print()
    last = results[codes[-1]]
    verdicts = []
    for n in sizes:
        r = last[n]
        worst = max((p for p in PAGES if p not in BASELINES), key=lambda p: r["median_ms"][p])
        for page in PAGES:
            if page in BASELINES:
                continue
            median = r["median_ms"][page]
            verdicts.append([f"pages ({codes[-1]}): {LABELS[page]}, {n} regions, median ≤ "
                             f"{target_ms(n):.0f} ms", f"{median:.1f} ms",
                             median <= target_ms(n)])  # fmt: skip
        print(f"- {n} regions ({codes[-1]}): slowest page {LABELS[worst]}, "
              f"{r['median_ms'][worst]:.1f} ms; errors {r['errors']}")  # fmt: skip
    counts = {p: sorted({last[n]["queries"][p] for n in sizes}) for p in PAGES}
    same = all(len(c) == 1 for c in counts.values())
    figure = ", ".join(f"{LABELS.get(p, p)} {'/'.join(map(str, c))}" for p, c in counts.items())
    verdicts.insert(0, [f"pages ({codes[-1]}): same queries at every size", figure, same])
    errors = sum(last[n]["errors"] for n in sizes)
    verdicts.append([f"pages ({codes[-1]}): every response 200", f"{errors} errors", errors == 0])
    for target, figure, met in verdicts:
        print(f"- {target}: {'yes' if met else 'NO'} ({figure})")
    return verdicts


def main(argv: list[str] | None = None) -> list[list[object]]:
    args = parser().parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one, args.history, args.requests, args.workers)))
        return []
    results: dict[str, dict[int, dict]] = {}
    if args.compare:
        results["before"] = run(args, args.compare)
    results["now"] = run(args, None)
    return report(args, results)


if __name__ == "__main__":
    main()
