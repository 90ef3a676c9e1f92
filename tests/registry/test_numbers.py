"""Case numbers: the agency's pattern, serials per year, safe under concurrency."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, transaction

from registry.models import CaseSerial, Direction, DocumentKind, RegistryEntry
from registry.numbers import reserve_serials
from registry.pattern import format_case_number, pattern_problem
from registry.services import Registration, registry_register
from submissions.models import STOCKHOLM
from tests.allocation.factories import at
from tests.factories import RegionFactory

BASE_DIR = Path(__file__).resolve().parents[2]


def test_default_pattern_is_year_slash_five_digit_serial():
    assert format_case_number(2024, 7) == "2024/00007"
    assert format_case_number(2025, 123456) == "2025/123456"


@pytest.mark.parametrize(
    ("template", "ok"),
    [
        ("{year}/{serial:05d}", True),
        ("SoS {serial:04d}-{year}", True),
        ("{serial}", False),  # serials restart every year: numbers would repeat
        ("{year}", False),
        ("{year}/{nummer}", False),
        ("{year}/{serial:05d", False),
        ("{year}/{serial:040d}", False),  # longer than the column
    ],
)
def test_pattern_problem(template, ok):
    assert (pattern_problem(template) is None) is ok


def test_a_bad_pattern_setting_stops_the_start():
    env = {
        "PATH": os.environ.get("PATH", ""),
        "ATGRANT_VAR_DIR": os.environ.get("ATGRANT_VAR_DIR", str(BASE_DIR / "var")),
        "ATGRANT_REGISTRY_NUMBER_PATTERN": "{serial}",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import atgrant.settings"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "ATGRANT_REGISTRY_NUMBER_PATTERN '{serial}'" in result.stderr
    assert "numbers repeat" in result.stderr


def _register(region) -> RegistryEntry:
    return registry_register(
        registration=Registration(
            document=region,
            direction=Direction.INCOMING,
            kind=DocumentKind.PROXY_APPLICATION,
            party="x",
            description="y",
        ),
        by=None,
    )


@pytest.mark.django_db
def test_serials_follow_the_swedish_year_and_restart_each_year(settings):
    settings.ATGRANT_REGISTRY_NUMBER_PATTERN = "AT-{year}-{serial:03d}"
    numbers = []
    moments = [
        dt.datetime(2024, 12, 31, 23, 30, tzinfo=STOCKHOLM),
        # 23:30 UTC on 31 December is already 1 January in Stockholm
        dt.datetime(2024, 12, 31, 23, 30, tzinfo=dt.UTC),
        dt.datetime(2025, 1, 2, 9, 0, tzinfo=STOCKHOLM),
    ]
    for moment in moments:
        with at(moment):
            numbers.append(_register(RegionFactory()).case_number)
    assert numbers == ["AT-2024-001", "AT-2025-001", "AT-2025-002"]


@pytest.mark.django_db
def test_a_rolled_back_registration_gives_its_serial_back():
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        reserve_serials(2024, 3)
        raise Boom
    assert list(reserve_serials(2024, 2)) == [1, 2]
    assert CaseSerial.objects.get(year=2024).last == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_share_a_serial():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises all writers; the row lock is PostgreSQL's to prove")
    reserved: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(6)

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    serials = list(reserve_serials(2024, 2))
                with lock:
                    reserved.extend(serials)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(reserved) == list(range(1, 61))
