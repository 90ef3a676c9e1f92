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
        sys.path.insert(0, str(ROOT))
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
    from submissions.models import STOCKHOLM, GrantRound, RoundStatus, StaircaseStep

    grant_round = GrantRound.objects.create(
        name=f"AT-bidraget {year}",
        year=year,
        slug=f"at-{year}",
        opens_at=dt.datetime(year, 4, 15, tzinfo=STOCKHOLM),
        deadline=deadline,
        status=RoundStatus.OPEN,
        population_date=dt.date(year - 1, 11, 1),
        block1_budget=3_000_000 * 21,
        block2_budget=160_000_000,
        # One bench officer both presents and decides (the decision record's rule).
        single_officer_allowed=True,
    )
    StaircaseStep.objects.bulk_create(
        StaircaseStep(round=grant_round, min_increase=Decimal(m), payout=p) for m, p in STEPS
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
    ReportVersion.objects.bulk_create(
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


def decide(grant_round, officer) -> None:  # noqa: ANN001
    """Close, run and issue a round through the services (as the officer would)."""
    from allocation.services.decisions import decisions_issue
    from allocation.services.runs import allocation_run_execute, allocation_run_request
    from submissions.closing import round_close

    round_close(grant_round=grant_round, by=officer)
    run = allocation_run_request(grant_round=grant_round, by=officer)
    run = allocation_run_execute(run_id=run.pk)
    decisions_issue(run=run, by=officer)


def _code(i: int, n: int) -> str:
    """Two digits (10..98) while they suffice (the real schema, e.g. SQLite in tests), else
    four (the bench's widened column)."""
    return f"{10 + i}" if n <= 89 else f"{1000 + i}"


def generate(n: int, *, history: int = 10, seed: int = SEED) -> World:
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
    fill_round(world.current, world.regions, world.proxies, rng)
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
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
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


def in_subprocess(module: str, *args: str) -> dict:
    """Run ``python -m module --one ...`` (a fresh process: one scratch database each) and
    return the JSON object it prints on its last line."""
    out = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stdout[-4000:] + out.stderr[-8000:])
        raise SystemExit(f"{module} {' '.join(args)} failed ({out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])
