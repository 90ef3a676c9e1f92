"""Shared setup of the database benchmarks: a scratch PostgreSQL database with synthetic data.

``BenchDatabase`` creates ``atgrant_bench_<pid>`` on the local PostgreSQL (127.0.0.1:5432,
user postgres; ``BENCH_PG`` overrides the server URL without a database), points Django at it
(``DATABASE_URL``, before ``django.setup()``), migrates it, and drops it at the end.

Synthetic regions: the real schema allows only two-digit county codes (21 regions; the check
constraint stops at 99). To measure 2 000 regions the scratch database widens
``regions_region.code`` to 8 characters and drops that check constraint; every synthetic
region gets a four-digit code (``1000 + i``), so references stay unique and no prefix is
another's. Nothing else in the schema changes.

``generate()`` creates N regions with their proxies, an officer and an auditor (each with a
TOTP authenticator), ``history`` decided rounds (2014, 2015, ...; each closed, run and issued
through the real services) and the current round (2024): open, past its deadline, with a
baseline and a submitted report (one version) for every region.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import platform
import random
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
SECRET = "bench-only-secret-key-not-used-anywhere-else-0123456789abcdef"  # noqa: S105
SEED = 20241101

STEPS = [
    (2, 3_000_000),
    (3, 4_500_000),
    (5, 7_500_000),
    (7, 10_500_000),
    (10, 20_000_000),
    (15, 30_000_000),
]


def bench_env(database_url: str) -> dict[str, str]:
    """The environment of a bench process (and of its gunicorn): PostgreSQL, no Redis."""
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
    }


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


class BenchDatabase:
    """Context manager: a migrated scratch database, Django set up on it; dropped on exit."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name or f"atgrant_bench_{os.getpid()}"
        self.url = f"{PG_SERVER}/{self.name}"

    def __enter__(self) -> BenchDatabase:
        _admin(f'DROP DATABASE IF EXISTS "{self.name}"')
        _admin(f'CREATE DATABASE "{self.name}"')
        os.environ.update(bench_env(self.url))
        os.environ.pop("REDIS_URL", None)
        sys.path.insert(0, str(code_root()))
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        logging.disable(logging.WARNING)  # the bench prints tables, not the app's log lines
        call_command("migrate", verbosity=0, interactive=False)
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE regions_region ALTER COLUMN code TYPE varchar(8)")
            cursor.execute(
                "ALTER TABLE regions_region DROP CONSTRAINT IF EXISTS region_code_two_digits"
            )
        return self

    def __exit__(self, *exc: object) -> None:
        from django.db import connections

        connections.close_all()
        _admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@dataclass
class World:
    officer: object
    auditor: object
    regions: list = field(default_factory=list)
    proxies: list = field(default_factory=list)
    current: object = None
    history: list = field(default_factory=list)


def _agency_user(email: str, group: str, password_hash: str):  # noqa: ANN202
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create(username=email, email=email, password=password_hash)
    user.groups.add(Group.objects.get_or_create(name=group)[0])
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "bench"})
    return user


def make_round(year: int, *, deadline: dt.datetime | None = None):  # noqa: ANN201
    from submissions.models import STOCKHOLM, GrantRound, RoundStatus

    fields = {
        "name": f"AT-bidraget {year}",
        "year": year,
        "slug": f"at-{year}",
        "opens_at": dt.datetime(year, 4, 15, tzinfo=STOCKHOLM),
        "deadline": deadline,
        "status": RoundStatus.OPEN,
        "population_date": dt.date(year - 1, 11, 1),
        # One bench officer both presents and decides (the decision record's rule).
        "single_officer_allowed": True,
    }
    budgets = (3_000_000 * 21, 160_000_000)
    # Code from before the decision record or models were data (--compare): its own fields.
    known = {field.name for field in GrantRound._meta.get_fields()}
    fields = {name: value for name, value in fields.items() if name in known}
    if "model" not in known:
        return _make_round_with_columns(fields, budgets)
    from allocation.allocmodel import model_2024

    # What runs, and the round's budgets: RULES.md's 2024 model.
    model = model_2024(*budgets, STEPS, name=f"AT-tjänster {year}")
    return GrantRound.objects.create(**fields, model=model.to_json())


def _make_round_with_columns(fields: dict, budgets: tuple[int, int]):  # noqa: ANN202
    """The same round for code from before models were data (``--compare`` with it): budgets
    in the round's columns and the staircase as rows."""
    from submissions.models import GrantRound, StaircaseStep  # type: ignore[attr-defined]

    grant_round = GrantRound.objects.create(
        **fields, block1_budget=budgets[0], block2_budget=budgets[1]
    )
    StaircaseStep.objects.bulk_create(
        StaircaseStep(round=grant_round, min_increase=Decimal(t), payout=p) for t, p in STEPS
    )
    return grant_round


def fill_round(grant_round, regions, proxies, rng: random.Random, *, versions: bool = True) -> None:  # noqa: ANN001
    """Baselines for every region and, with ``versions``, a submitted report of each."""
    from django.utils import timezone

    from submissions.models import Report, ReportVersion, RoundBaseline

    baselines, reports = [], []
    for region in regions:
        plan = rng.randint(5, 300)
        baselines.append(
            RoundBaseline(
                round=grant_round,
                region=region,
                population=rng.randint(20_000, 3_000_000),
                plan_text=str(plan),
                plan_low=Decimal(plan),
                plan_high=Decimal(plan),
            )
        )
        posts = max(0, plan + rng.randint(-5, 20))
        reports.append(
            Report(
                round=grant_round,
                region=region,
                filled_posts=posts,
                started_posts=posts + rng.randint(0, 2),
                contact_name="Kim Kontakt",
                contact_email=f"kontakt@{region.code}.example.se",
                revision=1 if versions else 0,
            )
        )
    RoundBaseline.objects.bulk_create(baselines, batch_size=1000)
    Report.objects.bulk_create(reports, batch_size=1000)
    if not versions:
        return
    now = min(timezone.now(), grant_round.deadline - dt.timedelta(days=1))
    created = ReportVersion.objects.bulk_create(
        [
            ReportVersion(
                report=report,
                number=1,
                reference=f"AT{grant_round.year}-{report.region.code}-0001",
                filled_posts=report.filled_posts,
                started_posts=report.started_posts,
                contact_name=report.contact_name,
                contact_email=report.contact_email,
                submitted_at=now,
                submitted_by=proxy,
            )
            for report, proxy in zip(reports, proxies, strict=True)
        ],
        batch_size=1000,
    )
    # What ReportVersion.save does one by one (bulk_create skips it), in code that has it
    # (--compare may measure code from before Report.latest_version).
    if any(f.name == "latest_version" for f in Report._meta.concrete_fields):
        for report, version in zip(reports, created, strict=True):
            report.latest_version = version
        Report.objects.bulk_update(reports, ["latest_version"], batch_size=1000)


def run_services():  # noqa: ANN201
    """(allocation_run_execute, allocation_run_request, decisions_issue), wherever the code
    under test keeps them (``allocation.services`` was one module before issue 16)."""
    try:
        from allocation.services.decisions import decisions_issue
        from allocation.services.runs import allocation_run_execute, allocation_run_request
    except ImportError:  # the code before issue 16 (BENCH_CODE)
        from allocation.services import (  # type: ignore[no-redef]
            allocation_run_execute,
            allocation_run_request,
            decisions_issue,
        )
    return allocation_run_execute, allocation_run_request, decisions_issue


def decide(grant_round, officer) -> None:  # noqa: ANN001
    """Close, run and issue a round through the services (as the officer would)."""
    allocation_run_execute, allocation_run_request, decisions_issue = run_services()
    from submissions.closing import round_close

    round_close(grant_round=grant_round, by=officer)
    run = allocation_run_request(grant_round=grant_round, by=officer)
    run = allocation_run_execute(run_id=run.pk)
    decisions_issue(run=run, by=officer)


def _code(i: int, n: int) -> str:
    """Two digits (10..98) while they suffice (the real schema, e.g. SQLite in tests), else
    four (the bench's widened column)."""
    return f"{10 + i}" if n <= 89 else f"{1000 + i}"


def generate(n: int, *, history: int = 10, seed: int = SEED, reported: bool = True) -> World:
    """N regions, their proxies, an officer, an auditor, ``history`` decided rounds, round 2024."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from regions.models import ProxyAppointment, Region
    from regions.roles import AUDITORS_GROUP, OFFICERS_GROUP

    rng = random.Random(seed + n)
    password_hash = make_password("bench-password-42")
    world = World(
        officer=_agency_user("officer@bench.example.se", OFFICERS_GROUP, password_hash),
        auditor=_agency_user("auditor@bench.example.se", AUDITORS_GROUP, password_hash),
    )
    world.regions = Region.objects.bulk_create(
        [
            Region(code=_code(i, n), name=f"Region Syntet {i:04d}", short_name=f"Syntet {i:04d}")
            for i in range(n)
        ],
        batch_size=1000,
    )
    User = get_user_model()
    world.proxies = User.objects.bulk_create(
        [
            User(
                username=f"ombud{i}@bench.example.se",
                email=f"ombud{i}@bench.example.se",
                password=password_hash,
            )
            for i in range(n)
        ],
        batch_size=1000,
    )
    ProxyAppointment.objects.bulk_create(
        [
            ProxyAppointment(region=r, user=u)
            for r, u in zip(world.regions, world.proxies, strict=True)
        ],
        batch_size=1000,
    )
    for year in range(2024 - history, 2024):
        past = make_round(year)
        fill_round(past, world.regions, world.proxies, rng)
        decide(past, world.officer)
        world.history.append(past)
    world.current = make_round(2024)
    # ``reported``: every region's report of the open round submitted; else empty reports.
    fill_round(world.current, world.regions, world.proxies, rng, versions=reported)
    return world


def session_cookie(user) -> str:  # noqa: ANN001
    """A logged-in session for ``user`` (password + TOTP, as conftest.login_as records it)."""
    import time

    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.mfa.models import Authenticator
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    # The password backend of the code under test (Django's, or the code before issue 16's own).
    store[BACKEND_SESSION_KEY] = next(
        b for b in settings.AUTHENTICATION_BACKENDS if b.endswith(".ModelBackend")
    )
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    now = time.time()
    records = [{"method": "password", "at": now, "email": user.email}]
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is not None:
        records.append({"method": "mfa", "at": now, "id": totp.pk, "type": "totp"})
    store[AUTHENTICATION_METHODS_SESSION_KEY] = records
    store[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    store.create()
    return store.session_key


@contextlib.contextmanager
def capture_queries() -> Iterator[object]:
    """Every SQL query run inside, with the real (non-DEBUG) settings: ``len(ctx)`` after."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ctx = CaptureQueriesContext(connection)
    with ctx:
        yield ctx


def machine() -> str:
    """'2 cores (model), 23Gi memory, Python 3.11.7, load average 6.6'."""
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(["free", "-h"], capture_output=True, text=True, check=True).stdout
        memory = out.splitlines()[1].split()[1]
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} cores ({model}), {memory} memory, Python {platform.python_version()}, "
        f"load average {load:.1f}"
    )


def table(headers: list[str], rows: list[list[object]], right: set[int] | None = None) -> str:
    """A Markdown table; columns in ``right`` are right-aligned."""
    right = right if right is not None else set(range(1, len(headers)))
    align = ["---:" if i in right else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def code_root() -> Path:
    """The application code under test: ``BENCH_CODE`` (see bench/__init__.py), else this tree."""
    return Path(os.environ.get("BENCH_CODE") or ROOT)


def codes_line(compare: Path | None) -> str:
    """'before: 09d07a8 (/work/wt-old); now: 585ad63 (/work/wt-bench)' for the tables' legend."""
    now = f"now: {describe(ROOT)} ({ROOT})"
    return f"before: {describe(compare)} ({compare}); {now}" if compare else now


def describe(code: Path) -> str:
    """'09d07a8' (the code's commit, '+' if its tree has changes), or the directory."""
    try:
        out = subprocess.run(
            ["git", "-C", str(code), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(code), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return str(code)
    return out + ("+" if dirty else "")


# A process of the code under test with this bench: ``python -c LAUNCHER module args...`` in
# the code's directory imports this bench package first (which puts BENCH_CODE first on the
# path), then runs ``module`` as ``python -m`` would (gunicorn, celery).
LAUNCHER = (
    "import os, runpy, sys; sys.path.insert(0, os.environ['BENCH_ROOT']); import bench; "
    "sys.path.remove(os.environ['BENCH_ROOT']); sys.argv = sys.argv[1:]; "
    "runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)"
)


def launch(module: str, args: list[str], env: dict[str, str], **popen: object) -> subprocess.Popen:
    """Start ``python -m module args`` (gunicorn, celery) on the code under test."""
    code = code_root()
    full_env = {**os.environ, **env, "BENCH_CODE": str(code), "BENCH_ROOT": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, module, *args], cwd=code, env=full_env, **popen
    )


def in_subprocess(module: str, *args: str, code: Path | None = None) -> dict:
    """Run ``python -m module --one ...`` (a fresh process: one scratch database each) and
    return the JSON object it prints on its last line. ``code``: the application code to run
    (BENCH_CODE), by default this tree. The process runs in the code's directory (Celery's
    Django fix-up puts the working directory first on the path)."""
    code = Path(code).resolve() if code is not None else ROOT
    env = {**os.environ, "BENCH_CODE": str(code), "BENCH_ROOT": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", LAUNCHER, module, *args],
        cwd=code,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stdout[-4000:] + out.stderr[-8000:])
        raise SystemExit(f"{module} {' '.join(args)} failed ({out.returncode})")
    if out.stderr.strip():  # progress lines of the child
        sys.stderr.write(out.stderr[-4000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the served application: gunicorn and a Celery worker on the code under test ------------

REDIS_SERVER = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
# The bench's Redis databases: the broker (and the cache of the code before issue 16, which
# shared the broker's database) and the next one (the cache of the current code).
REDIS_DATABASES = (14, 15)


def redis_url() -> str:
    return f"{REDIS_SERVER}/{REDIS_DATABASES[0]}"


def redis_flush() -> None:
    """Empty the bench's Redis databases (sessions, cache, queues of an earlier run)."""
    import redis

    for database in REDIS_DATABASES:
        redis.Redis.from_url(f"{REDIS_SERVER}/{database}").flushdb()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    import signal

    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def served(database_url: str, *, workers: int = 3, extra: dict[str, str] | None = None):  # noqa: ANN201
    """gunicorn (as in production: sync workers, gunicorn.conf.py) on 127.0.0.1, a free port,
    the code under test with bench.settings on ``database_url`` and Redis; yields the port."""
    import tempfile
    import time
    import urllib.request

    port = free_port()
    env = {**bench_env(database_url), "REDIS_URL": redis_url(), **(extra or {})}
    log = tempfile.TemporaryFile()  # the app's log lines (a pipe nobody reads would block)
    proc = launch(
        "gunicorn",
        ["atgrant.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--timeout", "120", "--backlog", "4096", "--log-level", "warning"],
        env, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    try:
        for _ in range(240):
            if proc.poll() is not None:
                log.seek(0)
                sys.stderr.write(log.read().decode(errors="replace")[-4000:])
                raise SystemExit(f"gunicorn exited ({proc.returncode})")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare/", timeout=2):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.25)
        else:
            raise SystemExit("gunicorn did not answer")
        yield port
    finally:
        _stop(proc)


@contextlib.contextmanager
def celery_worker(database_url: str, mail_log: Path, *, concurrency: int = 2):  # noqa: ANN201
    """A real Celery worker (prefork, as docker-compose's: concurrency 2) of the code under
    test on the bench's Redis; its e-mails go to bench.mail (one line each in ``mail_log``)."""
    import tempfile
    import time

    env = {
        **bench_env(database_url),
        "REDIS_URL": redis_url(),
        "BENCH_MAIL_LOG": str(mail_log),
    }
    log = tempfile.TemporaryFile()
    proc = launch(
        "celery",
        ["-A", "atgrant", "worker", "--loglevel", "WARNING", "--concurrency", str(concurrency),
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        time.sleep(3)
        if proc.poll() is not None:
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace")[-4000:])
            raise SystemExit(f"celery worker exited ({proc.returncode})")
        yield proc
    finally:
        _stop(proc)
