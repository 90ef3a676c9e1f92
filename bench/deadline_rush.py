"""Deadline rush, open loop: proxies' sessions at a fixed arrival rate, over HTTP, with Celery.

Targets (issue 16): at a fixed arrival rate of 50 requests/s for 60 s, no error and no lost or
doubled version (versions numbered contiguously per report, one per successful submit, a
receipt mailed for each); p50/p95/p99 of the latency; the highest rate that still holds a p95
under 250 ms.

    python -m bench.deadline_rush                          # 50 req/s for 60 s, then the search
    python -m bench.deadline_rush --seconds 20 --search-seconds 10 --ladder 20 50 75
    python -m bench.deadline_rush --compare /work/wt-old    # that code first, then this one

What runs (per code, in a fresh process and scratch database, bench.common): PostgreSQL with
``--regions`` regions, each with its proxy (a password login; the Argon2id hasher
as in production, atgrant/hashers.py) and the open 2024 round, its deadline three hours ahead,
every report empty; gunicorn as in production (3 sync workers, gunicorn.conf.py,
bench.settings) and a real Celery worker (prefork, concurrency 2, as docker-compose's) on
Redis; the worker renders each receipt (the PDF) and mails it through bench.mail, which counts it.

The load: one proxy session is ten requests, as a browser makes them: the login page, the login
(POST), its redirect (/start/), the dashboard, the report form, saving a draft (POST), the form
again (its redirect), review (POST), submit (POST) and the receipt: one submission in ten
requests. Each session is a different region's proxy, from its own loopback address
(127.0.0.2-251: allauth limits logins per address). Open loop: ``rate`` simulated users, each
a thread that sends one request a second whatever has answered (user j at ``t0 + m + j /
rate``), sessions back to back; user j starts its first session at second j % 10, so that
after a ramp of 10 s every second has ``rate`` requests with the same mix (a tenth logins, a
tenth submissions...). The ramp is sent and checked but not measured; the sessions still open
at the end are cut. A request that needs an earlier answer of its own session (a cookie, a CSRF
token, the form's revision) goes out when that answer is in if it is late, and its latency is
counted from its due time all the same (no coordinated omission). Latency: from the due time
to the last byte of the answer, on a new loopback connection (a sync worker closes it after
each answer). An error is any other status than the expected one (200, or the redirect of a
login or a POST), a refused write (409) or a failed connection.

The search: after the 60 s at 50 req/s (the rate of the target), steps of ``--search-seconds``
(10 s measured, after their own 10 s ramp) go up the ``--ladder`` while p95 < 250 ms holds, or
down it until it holds, each after the worker has mailed every receipt of the step before. Two
criteria, both reported: the p95 of every request (the target), and the p95 of every request
but the login's POST, whose password hash is deliberately slow (before atgrant/hashers.py,
Django's PBKDF2 at 1 000 000 iterations took ~0.4 s of CPU, alone longer than 250 ms).
After the last step every report's versions are checked against the client's successful
submits.
"""

from __future__ import annotations

import argparse
import html
import http.client
import http.cookies
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench import common

P95_LIMIT_MS = 250.0
TARGET_RATE = 50
SESSION = 10  # requests of one proxy session
PASSWORD = "bench-password-42"  # noqa: S105 - bench.common.generate's
LADDER = [5, 10, 20, 50, 75, 100, 150, 200, 300]
STEPS = ("login page", "login", "start", "dashboard", "form", "save draft", "form again",
         "review", "submit", "receipt")  # fmt: skip

_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def _inputs(page: str) -> dict[str, str]:
    """name -> value of the page's input elements (hidden ones included)."""
    found = {}
    for tag in _INPUT.findall(page):
        attrs = dict(_ATTR.findall(tag))
        if "name" in attrs:
            found[attrs["name"]] = html.unescape(attrs.get("value", ""))
    return found


class Refused(Exception):
    """An answer the session did not expect (status, or a page without its form)."""


class Browser:
    """One proxy's session: cookies, from its own loopback address."""

    def __init__(self, port: int, address: str) -> None:
        self.port = port
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        headers = {"Host": f"127.0.0.1:{self.port}", "Accept-Language": "sv"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=600, source_address=(self.address, 0)
        )
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", errors="replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                jar = http.cookies.SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            location = response.headers.get("Location", "")
        finally:
            conn.close()
        return response.status, text, urlsplit(location).path if location else ""


def session_steps(browser: Browser, email: str, slug: str, code: str, n: int):  # noqa: ANN201
    """The ten requests of one session, as a generator: each ``yield`` is one request sent and
    answered (it raises Refused on an unexpected answer); the last value is whether it
    submitted."""
    form_path = f"/inrapportering/{slug}/{code}/"

    def expect(answer: tuple[int, str, str], status: int, what: str) -> tuple[int, str, str]:
        if answer[0] != status:
            raise Refused(f"{what}: {answer[0]}")
        return answer

    _, page, _ = expect(browser.request("GET", "/konto/login/"), 200, "login page")
    yield
    token = _inputs(page).get("csrfmiddlewaretoken", "")
    _, _, start = expect(
        browser.request(
            "POST", "/konto/login/",
            {"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD},
        ),
        302, "login",
    )  # fmt: skip
    yield
    _, _, dashboard = expect(browser.request("GET", start or "/start/"), 302, "start")
    yield
    expect(browser.request("GET", dashboard), 200, "dashboard")
    yield
    _, page, _ = expect(browser.request("GET", form_path), 200, "report form")
    yield
    fields = _inputs(page)
    data = {
        "csrfmiddlewaretoken": fields.get("csrfmiddlewaretoken", ""),
        "filled_posts": str(40 + n % 60),
        "started_posts": str(41 + n % 60),
        "contact_name": "Kim Kontakt",
        "contact_email": f"kim@{code}.example.se",
        "contact_phone": "",
        "comment": "",
        "revision": fields.get("revision", ""),
    }
    expect(browser.request("POST", form_path, {**data, "action": "save"}), 302, "save draft")
    yield
    _, page, _ = expect(browser.request("GET", form_path), 200, "report form again")
    yield
    fields = _inputs(page)
    data.update(csrfmiddlewaretoken=fields["csrfmiddlewaretoken"], revision=fields["revision"])
    _, page, _ = expect(
        browser.request("POST", form_path, {**data, "action": "review"}), 200, "review"
    )
    yield
    confirm = _inputs(page)
    if "revision" not in confirm:
        raise Refused("review: no confirmation form")
    if 'name="confirm_unusual"' in page:
        confirm["confirm_unusual"] = "1"  # the proxy confirms figures far from the plan
    _, _, receipt = expect(
        browser.request("POST", f"{form_path}skicka-in/", confirm), 302, "submit"
    )
    if "/kvittens/" not in receipt:
        raise Refused(f"submit: redirected to {receipt}")
    yield "submitted"
    expect(browser.request("GET", receipt), 200, "receipt")
    yield


def run_step(port: int, rate: int, seconds: int, people: list[tuple[str, str]], slug: str,
             offset: int, ramp: int = SESSION) -> dict:  # fmt: skip
    """``rate`` requests a second (open loop) for ``ramp`` + ``seconds`` s, measured over the
    last ``seconds``; ``people``: (e-mail, region code) of every proxy, used from ``offset`` on,
    one session each.

    ``rate`` users, user j sending at ``t0 + m + j / rate`` for m = 0, 1, ... (one request a
    second each). User j starts its first session at m = j % 10 and runs sessions back to
    back, so that from m = ``ramp`` on every second has ``rate`` requests and the same mix
    (a tenth of them logins, a tenth submissions...); the sessions still open at the end are
    cut there. The ramp's requests are sent and checked but not in the latencies."""
    users = rate
    total = ramp + seconds
    latencies: list[float] = []
    others: list[float] = []  # the latencies of every request but the login (POST)
    errors: list[str] = []
    submitted: list[str] = []  # region codes
    late: list[float] = []  # how late requests went out (waiting for their session's answer)
    service: list[list[float]] = [[] for _ in range(SESSION)]  # sent -> answered, per request
    sessions = [0] * users
    lock = threading.Lock()
    t0 = time.perf_counter() + 1.0

    def user(j: int) -> None:
        address = f"127.0.0.{2 + j % 250}"
        m = j % SESSION
        while m < total:
            index = (offset + sessions[j] * users + j) % len(people)
            email, code = people[index]
            steps = session_steps(Browser(port, address), email, slug, code, offset + j)
            sessions[j] += 1
            for k in range(SESSION):
                if m >= total:
                    break  # the end: the session is cut
                due = t0 + m + j / rate
                m += 1
                now = time.perf_counter()
                if due > now:
                    time.sleep(due - now)
                sent = time.perf_counter()
                try:
                    outcome = next(steps)
                except Refused as refused:
                    outcome, error = None, str(refused)
                except OSError as exc:
                    outcome, error = None, f"{type(exc).__name__}: {exc}"
                else:
                    error = None
                done = time.perf_counter()
                with lock:
                    if m - 1 >= ramp:
                        latencies.append(done - due)
                        if STEPS[k] != "login":
                            others.append(done - due)
                        service[k].append(done - sent)
                        late.append(max(0.0, sent - due))
                    if error:
                        errors.append(f"{code}: {error}")
                    if outcome == "submitted":
                        submitted.append(code)
                if error:  # the session cannot go on: its other requests count as errors
                    cut = min(SESSION - 1 - k, total - m)
                    with lock:
                        errors.extend(["(session abandoned)"] * cut)
                    m += cut
                    break

    threads = [threading.Thread(target=user, args=(j,), daemon=True) for j in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - t0
    ms = sorted(1000 * x for x in latencies)
    others_ms = sorted(1000 * x for x in others)

    def pct(p: float, values: list[float] = ms) -> float:
        return values[min(len(values) - 1, int(p / 100 * len(values)))] if values else float("nan")

    return {
        "rate": rate,
        "seconds": seconds,
        "ramp": ramp,
        "requests": len(latencies),
        "expected": users * seconds,
        "sessions": sum(sessions),
        "elapsed_s": elapsed,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "others_p50_ms": pct(50, others_ms),
        "others_p95_ms": pct(95, others_ms),
        "others_p99_ms": pct(99, others_ms),
        "max_ms": ms[-1] if ms else float("nan"),
        "late_p95_ms": sorted(1000 * x for x in late)[int(0.95 * (len(late) - 1))] if late else 0,
        "errors": len(errors),
        "error_samples": sorted(set(e for e in errors if "abandoned" not in e))[:8],
        "submits": len(submitted),
        "submitted": submitted,
        # median time from sending to the answer, per request of the session
        "service_ms": {
            STEPS[k]: 1000 * statistics.median(t) if t else None for k, t in enumerate(service)
        },
        "sessions_used": users * max(sessions),
    }


def _mails(mail_log: Path) -> int:
    try:
        return sum(1 for _ in mail_log.open(encoding="utf-8"))
    except FileNotFoundError:
        return 0


def _wait_mails(mail_log: Path, expected: int, timeout: float) -> tuple[int, float]:
    """(receipts mailed, seconds waited) once ``expected`` are in, or at the timeout."""
    start = time.perf_counter()
    while _mails(mail_log) < expected and time.perf_counter() - start < timeout:
        time.sleep(0.2)
    return _mails(mail_log), time.perf_counter() - start


def _world(regions: int) -> tuple[list[tuple[str, str]], str]:
    from django.utils import timezone

    # Every report empty: submitted versions are append-only (none is ever deleted).
    world = common.generate(regions, history=0, reported=False)
    grant_round = world.current
    grant_round.deadline = timezone.now() + __import__("datetime").timedelta(hours=3)
    grant_round.save(update_fields=["deadline"])
    people = [(p.email, r.code) for p, r in zip(world.proxies, world.regions, strict=True)]
    return people, grant_round.slug


def _versions_check(submitted: dict[str, int]) -> dict:
    """Every report's versions against the client's successful submits."""
    from submissions.models import ReportVersion

    numbers: dict[str, list[int]] = {}
    references = []
    for code, number, reference in ReportVersion.objects.values_list(
        "report__region__code", "number", "reference"
    ):
        numbers.setdefault(code, []).append(number)
        references.append(reference)
    contiguous = all(sorted(ns) == list(range(1, len(ns) + 1)) for ns in numbers.values())
    lost = sum(max(0, k - len(numbers.get(code, []))) for code, k in submitted.items())
    extra = sum(max(0, len(ns) - submitted.get(code, 0)) for code, ns in numbers.items())
    return {
        "versions": len(references),
        "contiguous": contiguous,
        "lost": lost,
        "doubled": extra,
        "references_unique": len(set(references)) == len(references),
    }


def measure(args: argparse.Namespace) -> dict:
    with common.BenchDatabase() as database:
        from unittest import mock

        from submissions import tasks

        with mock.patch.object(tasks.send_receipt, "delay", lambda version_id: None):
            people, slug = _world(args.regions)
        from django.db import connections

        connections.close_all()
        common.redis_flush()
        mail_log = Path(tempfile.mkdtemp(prefix="atgrant-bench-mail-")) / "mails.log"
        submitted: dict[str, int] = {}
        steps = []
        offset = 0
        with (
            common.celery_worker(database.url, mail_log),
            common.served(database.url, workers=args.workers) as port,
        ):

            def step(rate: int, seconds: int) -> dict:
                nonlocal offset
                result = run_step(port, rate, seconds, people, slug, offset)
                offset += result.pop("sessions_used")
                for code in result.pop("submitted"):
                    submitted[code] = submitted.get(code, 0) + 1
                expected = sum(submitted.values())
                mailed, waited = _wait_mails(mail_log, expected, args.mail_timeout)
                result.update(receipts=mailed, receipts_expected=expected, drain_s=waited)
                ok = result["errors"] == 0
                result["held"] = ok and result["p95_ms"] < P95_LIMIT_MS
                result["held_others"] = ok and result["others_p95_ms"] < P95_LIMIT_MS
                print(f"  rush {rate}/s x {result['seconds']} s: p95 {result['p95_ms']:.0f} ms, "
                      f"without the login {result['others_p95_ms']:.0f} ms, "
                      f"errors {result['errors']}, receipts {mailed}/{expected}",
                      file=sys.stderr, flush=True)  # fmt: skip
                steps.append(result)
                return result

            # Warm-up, not counted: a session per worker, one after another (each worker's
            # first requests load templates and connect).
            for _ in range(args.workers + 1):
                email, code = people[offset]
                for outcome in session_steps(Browser(port, "127.0.0.1"), email, slug, code, 0):
                    if outcome == "submitted":
                        submitted[code] = submitted.get(code, 0) + 1
                offset += 1
            _wait_mails(mail_log, sum(submitted.values()), args.mail_timeout)
            main = step(args.rate, args.seconds)
            # Up while a criterion holds, or down until both hold (or the ladder ends): every
            # request's p95 (the target), and the p95 of every request but the login's POST
            # (the password hash alone is ~0.4 s of CPU, a tenth of the requests).
            ladder = sorted(set(args.ladder))
            if main["held"] or main["held_others"]:
                for rate in [r for r in ladder if r > args.rate]:
                    result = step(rate, args.search_seconds)
                    if not (result["held"] or result["held_others"]):
                        break
            if not (main["held"] and main["held_others"]):
                for rate in reversed([r for r in ladder if r < args.rate]):
                    result = step(rate, args.search_seconds)
                    if result["held"] and result["held_others"]:
                        break
        integrity = _versions_check(submitted)
        common.redis_flush()
        held = [s["rate"] for s in steps if s["held"]]
        held_others = [s["rate"] for s in steps if s["held_others"]]
        return {
            "steps": steps,
            "integrity": integrity,
            "submits": sum(submitted.values()),
            "receipts": _mails(mail_log),
            "highest_rate": max(held) if held else None,
            "highest_rate_others": max(held_others) if held_others else None,
            "regions": args.regions,
        }


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=int, default=TARGET_RATE, help="requests a second (target)")
    p.add_argument("--seconds", type=int, default=60, help="duration at --rate")
    p.add_argument("--ladder", type=int, nargs="+", default=LADDER, help="rates of the search")
    p.add_argument("--search-seconds", type=int, default=10, help="duration of a search step")
    p.add_argument("--regions", type=int, default=600, help="proxies (one session each)")
    p.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    p.add_argument("--mail-timeout", type=float, default=180, help="s to wait for receipts")
    p.add_argument("--compare", type=Path, help="another checkout: measured first")
    p.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    return p


def _child_args(args: argparse.Namespace) -> list[str]:
    return [
        "--one", "--rate", str(args.rate), "--seconds", str(args.seconds),
        "--ladder", *map(str, args.ladder), "--search-seconds", str(args.search_seconds),
        "--regions", str(args.regions), "--workers", str(args.workers),
        "--mail-timeout", str(args.mail_timeout),
    ]  # fmt: skip


def report(args: argparse.Namespace, results: dict[str, dict]) -> list[list[object]]:
    print(f"\n## Deadline rush, open loop ({args.rate} req/s for {args.seconds} s, then steps of "
          f"{args.search_seconds} s; sessions of {SESSION} requests, one submission each; "
          f"gunicorn {args.workers} sync workers, Celery worker, PostgreSQL, Redis)\n")  # fmt: skip
    print(common.machine())
    print(common.codes_line(args.compare))
    print()
    rows = []
    for code, r in results.items():
        for s in r["steps"]:
            rows.append([
                code, s["rate"], s["seconds"], s["requests"], s["submits"],
                f"{s['p50_ms']:.0f}", f"{s['p95_ms']:.0f}", f"{s['p99_ms']:.0f}",
                f"{s['max_ms']:.0f}", f"{s['others_p95_ms']:.0f}", s["errors"],
                f"{s['receipts']}/{s['receipts_expected']}", f"{s['drain_s']:.0f}",
                "yes" if s["held"] else "no", "yes" if s["held_others"] else "no",
            ])  # fmt: skip
    print(common.table(
        ["code", "req/s", "s", "requests", "submits", "p50 ms", "p95 ms", "p99 ms", "max ms",
         "p95 ms but login", "errors", "receipts mailed (of submits, so far)",
         "receipts' wait s", "p95 < 250 ms, no error", "p95 but login < 250 ms"],
        rows, right=set(range(1, 15)),
    ))  # fmt: skip
    print()
    print(f"Median time from sending to the answer of each request of a session, at "
          f"{args.rate} req/s (ms; the latency above also counts waiting for the session's "
          "earlier answer):\n")  # fmt: skip
    print(common.table(
        ["code", *STEPS],
        [[code, *(f"{r['steps'][0]['service_ms'][k]:.0f}"
                  if r["steps"][0]["service_ms"][k] is not None else "–" for k in STEPS)]
         for code, r in results.items()],
    ))  # fmt: skip
    print()
    verdicts = []
    for code, r in results.items():
        i = r["integrity"]
        main = r["steps"][0]
        errors = sum(s["errors"] for s in r["steps"])
        print(f"- {code}: versions {i['versions']} for {r['submits']} successful submits "
              f"(lost {i['lost']}, doubled {i['doubled']}, contiguous "
              f"{'yes' if i['contiguous'] else 'NO'}, references unique "
              f"{'yes' if i['references_unique'] else 'NO'}); receipts mailed {r['receipts']}; "
              f"highest rate with p95 < 250 ms: {r['highest_rate']} req/s; without the login's "
              f"POST: {r['highest_rate_others']} req/s")  # fmt: skip
        for s in r["steps"]:
            for sample in s["error_samples"]:
                print(f"  - {s['rate']}/s: {sample}")
        verdicts = [  # the last code's (this tree's)
            [f"deadline rush ({code}): {args.rate} req/s x {args.seconds} s, no error",
             f"{main['errors']} errors ({errors} in all steps)", errors == 0],
            [f"deadline rush ({code}): no lost or doubled version, receipts mailed",
             f"{i['versions']} versions / {r['submits']} submits, lost {i['lost']}, doubled "
             f"{i['doubled']}, {r['receipts']} receipts",
             i["lost"] == 0 and i["doubled"] == 0 and i["contiguous"]
             and i["references_unique"] and i["versions"] == r["submits"] == r["receipts"]],
            [f"deadline rush ({code}): {args.rate} req/s, p95 < 250 ms",
             f"p50 {main['p50_ms']:.0f} / p95 {main['p95_ms']:.0f} / p99 "
             f"{main['p99_ms']:.0f} ms", main["p95_ms"] < P95_LIMIT_MS],
            [f"deadline rush ({code}): highest rate with p95 < 250 ms",
             f"{r['highest_rate']} req/s (without the login's POST: "
             f"{r['highest_rate_others']} req/s)",
             bool(r["highest_rate"]) and r["highest_rate"] >= args.rate],
        ]  # fmt: skip
    for target, figure, met in verdicts:
        print(f"- {target}: {'yes' if met else 'NO'} ({figure})")
    return verdicts


def main(argv: list[str] | None = None) -> list[list[object]]:
    args = parser().parse_args(argv)
    if args.one:
        print(json.dumps(measure(args)))
        return []
    results = {}
    if args.compare:
        label = "before"
        results[label] = common.in_subprocess(
            "bench.deadline_rush", *_child_args(args), code=args.compare
        )
    label = "now"
    results[label] = common.in_subprocess("bench.deadline_rush", *_child_args(args))
    return report(args, results)


if __name__ == "__main__":
    main()
