"""Pages: queries per page and throughput under gunicorn, 21 and 2 000 regions, 10 rounds.

Targets (issue 7): a constant number of queries per page whatever the size (pinned by
tests/bench/test_query_counts_scale.py and the pages' own tests); under gunicorn on
PostgreSQL at 20 concurrent users, the region dashboard and the public list serve at least
40 % of the requests per second of a bare Django view measured in the same run, with a p95
latency under 100 ms.

    .venv/bin/python -m bench.pages                       # 21 and 2 000 regions
    .venv/bin/python -m bench.pages --sizes 21 --seconds 3 --rounds 2

Per size, in a fresh process and scratch database (bench.common): N regions with their
proxies, 10 decided rounds (each closed, run and issued through the services) and the open
2024 round with every region's report. Pages: the dashboard of a region's proxy
(submissions:dashboard; each process keeps each user's page while it holds,
atgrant.pagecache.personal_page), the same rendered on every request ("dashboard_rendered":
with a query string, which is never served from memory; what a page costs after each write),
the officer's report table of the 2024 round (submissions:round_reports), the auditor's
history (allocation_read:audit_index) and the public list of the latest decided round
(allocation_read:public_list, anonymous), and the bare view /bench/bare/ (bench/urls.py), also
requested with the proxies' sessions (the cost of being logged in, which every page but the
public list pays). Queries: Django's test client in the bench process (the second request of
each page, so that caches warmed by the first do not count).
Throughput: gunicorn (bench.settings, DEBUG off, 3 sync workers, 127.0.0.1 only, a free
port) and wrk (2 threads, 20 connections, loopback only); logged-in pages use 20 sessions
(one per simulated user; the dashboard: 20 different proxies), made through the ORM with the
authentication records a real login with TOTP leaves (bench.common.session_cookie), each sent
with its own CSRF cookie as a browser that has logged in sends it. Sessions are read from the
cache (each gunicorn worker's local memory here, Redis in production) and renewed at most
once a minute (atgrant.sessions), so the query counts hold no session query. The public
list's visitors get the whole page from the cache (atgrant.pagecache).
Ratios: wrk, gunicorn and PostgreSQL share the machine's cores, and what else runs on it
moves the requests per second of runs a minute apart by 10-40 %. So each page is measured in
``--rounds`` rounds, each a run of the bare view and then of the page; a page's ratio is the
median of its rounds' ratios (page / the bare view just before), its req/s and p50 the
medians, its p95 the highest of its rounds'.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request

from bench import common

PAGES = (
    "bare",
    "bare_logged_in",
    "dashboard",
    "dashboard_rendered",
    "round_reports",
    "audit_index",
    "public_list",
)
USERS = 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _urls(world) -> dict[str, tuple[str, list[str]]]:  # noqa: ANN001
    """page -> (path, session keys)."""
    from django.urls import reverse

    proxies = world.proxies[:USERS]
    return {
        "bare": ("/bench/bare/", []),
        # The same view for the dashboard's proxies: what being logged in costs any page
        # (the session, the user, the second-factor check of the user's groups).
        "bare_logged_in": ("/bench/bare/", [common.session_cookie(p) for p in proxies]),
        "dashboard": (
            reverse("submissions:dashboard"),
            [common.session_cookie(p) for p in proxies],
        ),
        # The same page rendered on every request: a query string is never served from memory.
        "dashboard_rendered": (
            reverse("submissions:dashboard") + "?bench=rendered",
            [common.session_cookie(p) for p in proxies],
        ),
        "round_reports": (
            reverse("submissions:round_reports", args=[world.current.slug]),
            [common.session_cookie(world.officer) for _ in range(USERS)],
        ),
        "audit_index": (
            reverse("allocation_read:audit_index"),
            [common.session_cookie(world.auditor) for _ in range(USERS)],
        ),
        "public_list": (
            reverse("allocation_read:public_list", args=[world.history[-1].slug]),
            [],
        ),
    }


def _query_counts(urls: dict[str, tuple[str, list[str]]]) -> dict[str, int]:
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    counts = {}
    for page, (path, cookies) in urls.items():
        client = Client()
        if cookies:
            client.cookies["sessionid"] = cookies[0]
        first = client.get(path)
        assert first.status_code == 200, (page, first.status_code)
        with common.capture_queries() as queries:
            assert client.get(path).status_code == 200
        counts[page] = len(queries)
    return counts


def _wait_up(port: int, proc: subprocess.Popen) -> None:
    for _ in range(120):
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare/", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer")


def _check(port: int, path: str, cookies: list[str]) -> None:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")  # noqa: S310
    if cookies:
        request.add_header("Cookie", _cookie_header(cookies[0]))
    opener = urllib.request.build_opener(_NoRedirect)
    with opener.open(request, timeout=30) as response:
        assert response.status == 200, (path, response.status)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


def _cookie_header(session_key: str) -> str:
    """What a logged-in user's browser sends: the session and the CSRF cookie it was given
    with the login page (a secret of its own per user; the pages' forms mask it anew)."""
    secret = hashlib.sha256(session_key.encode()).hexdigest()[:32]
    return f"sessionid={session_key}; csrftoken={secret}"


def _wrk(port: int, path: str, cookies: list[str], seconds: int) -> dict:
    env = {**os.environ, "BENCH_COOKIES": ",".join(_cookie_header(c) for c in cookies)}
    out = subprocess.run(
        [
            "wrk", "-t2", f"-c{USERS}", f"-d{seconds}s", "--timeout", "10s",
            "-s", str(common.ROOT / "bench" / "wrk_report.lua"),
            f"http://127.0.0.1:{port}{path}",
        ],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(x for x in out.stdout.splitlines() if x.startswith("BENCH_JSON "))
    figures = json.loads(line.removeprefix("BENCH_JSON "))
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _paired(port: int, urls: dict, page: str, seconds: int, rounds: int) -> dict:
    """``rounds`` runs of the bare view, each followed by one of ``page``."""
    bare_path, _ = urls["bare"]
    path, cookies = urls[page]
    bares, runs = [], []
    for _ in range(rounds):
        bares.append(_wrk(port, bare_path, [], seconds))
        runs.append(_wrk(port, path, cookies, seconds))
    ratios = [r["rps"] / b["rps"] for r, b in zip(runs, bares, strict=True)]
    return {
        "rps": _median([r["rps"] for r in runs]),
        "ratio": _median(ratios),
        "ratios": ratios,
        "bare_rps": [b["rps"] for b in bares],
        "p50_ms": _median([r["p50_ms"] for r in runs]),
        "p95_ms": max(r["p95_ms"] for r in runs),
        "non2xx": sum(r["non2xx"] for r in runs),
        "socket_errors": sum(r["socket_errors"] for r in runs),
    }


def measure(n: int, history: int, seconds: int, workers: int, rounds: int) -> dict:
    with common.BenchDatabase() as database:
        from unittest import mock

        from registry import tasks

        with mock.patch.object(tasks.deliver_decision, "delay_on_commit", lambda pk: None):
            world = common.generate(n, history=history)
        urls = _urls(world)
        counts = _query_counts(urls)
        from django.db import connections

        connections.close_all()
        port = _free_port()
        env = {**os.environ, **common.bench_env(database.url)}
        log = tempfile.TemporaryFile()  # the app's log lines (a pipe nobody reads would block)
        proc = subprocess.Popen(
            [
                str(common.ROOT / ".venv" / "bin" / "gunicorn"), "atgrant.wsgi",
                "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                "--timeout", "60", "--log-level", "warning",
            ],
            cwd=common.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        try:
            _wait_up(port, proc)
            throughput = {}
            for path, cookies in urls.values():
                _check(port, path, cookies)
                _wrk(port, path, cookies, 2)  # warm-up: every worker's connection and caches
            for page in urls:
                if page != "bare":
                    throughput[page] = _paired(port, urls, page, seconds, rounds)
            bares = [rps for t in throughput.values() for rps in t["bare_rps"]]
            throughput["bare"] = {
                "rps": _median(bares), "ratio": 1.0, "p50_ms": 0, "p95_ms": 0,
                "non2xx": 0, "socket_errors": 0, "runs": len(bares),
            }  # fmt: skip
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        return {"queries": counts, "throughput": throughput}


def _ratio_text(t: dict) -> str:
    """ "45 % (43–47)": the median of the rounds' ratios, and their range."""
    if "ratios" not in t:
        return "100 %"
    low, high = min(t["ratios"]), max(t["ratios"])
    return f"{100 * t['ratio']:.0f} % ({100 * low:.0f}–{100 * high:.0f})"


def main(argv: list[str] | None = None) -> list[list[object]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[21, 2000])
    parser.add_argument("--history", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration of each run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each page (and bare)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("bench.pages needs wrk (apt-get install wrk)")
    common_args = ["--history", str(args.history), "--seconds", str(args.seconds),
                   "--workers", str(args.workers), "--rounds", str(args.rounds)]  # fmt: skip
    if args.one:
        result = measure(args.one, args.history, args.seconds, args.workers, args.rounds)
        print(json.dumps(result))
        return []
    results = {
        n: common.in_subprocess("bench.pages", "--one", str(n), *common_args) for n in args.sizes
    }
    rows = []
    verdicts = []
    for n, result in results.items():
        for page in PAGES:
            t = result["throughput"][page]
            ratio = t["ratio"]
            rows.append(
                [
                    f"{n:,}".replace(",", " "),
                    page,
                    result["queries"][page],
                    f"{t['rps']:.0f}",
                    _ratio_text(t),
                    f"{t['p50_ms']:.0f}",
                    f"{t['p95_ms']:.0f}",
                    t["non2xx"] + t["socket_errors"],
                ]
            )
            if page in ("dashboard", "public_list"):
                verdicts.append(
                    [f"pages: {page}, {n} regions, ≥ 40 % of bare", f"{100 * ratio:.0f} %",
                     ratio >= 0.4]
                )  # fmt: skip
                verdicts.append(
                    [f"pages: {page}, {n} regions, p95 < 100 ms", f"{t['p95_ms']:.0f} ms",
                     t["p95_ms"] < 100]
                )  # fmt: skip
    same = {page: len({results[n]["queries"][page] for n in results}) == 1 for page in PAGES}
    print(f"\n## Pages ({args.history} decided rounds of history; wrk, {USERS} connections, "
          f"{args.rounds} rounds of {args.seconds} s a page, each after {args.seconds} s of the "
          f"bare view; gunicorn {args.workers} workers)\n")  # fmt: skip
    print(common.machine())
    print()
    print(
        common.table(
            ["regions", "page", "queries", "req/s", "of bare", "p50 ms", "p95 ms", "errors"],
            rows,
            right={0, 2, 3, 4, 5, 6, 7},
        )
    )
    print()
    counts = {p: sorted({results[n]["queries"][p] for n in results}) for p in PAGES}
    verdicts.insert(0, ["pages: same queries at every size", f"{counts}", all(same.values())])
    for target, figure, met in verdicts:
        print(f"- {target}: {'yes' if met else 'NO'} ({figure})")
    return verdicts


if __name__ == "__main__":
    main()
