"""Deadline rush: 21 proxies submitting at once in the last minute before the deadline, 200 times.

Target (issue 7): no error, no lost or doubled version: each round of 21 concurrent submissions
yields exactly 21 new versions, version numbers are contiguous per report, references unique.

    .venv/bin/python -m bench.deadline_rush                 # 21 proxies x 200
    .venv/bin/python -m bench.deadline_rush --times 20

A scratch PostgreSQL database (bench.common) with 21 regions, their proxies and the open 2024
round (baselines, empty reports). The clock (django.utils.timezone.now) is fixed 30 seconds
before the round's deadline. 21 threads, each the proxy of one region with its own database
connection, wait at a barrier and then call submissions.services.report_submit at once
(the service path of the form's POST; the receipt's PDF and e-mail are a Celery task queued
after the commit, counted here, not run); 200 such rounds. Seconds per submit are each
call's wall-clock time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import threading
import time
from unittest import mock

from bench import common

PROXIES = 21


def measure(times: int) -> dict:
    with common.BenchDatabase():
        from django.db import connection

        from submissions import tasks
        from submissions.models import Report, ReportVersion
        from submissions.services import ReportData, report_submit

        world = World21.make()
        grant_round = world["round"]
        instant = grant_round.deadline - dt.timedelta(seconds=30)
        barrier = threading.Barrier(PROXIES)
        durations: list[float] = []
        errors: list[str] = []
        per_round = [0] * times
        lock = threading.Lock()
        receipts: list[int] = []  # the receipt task (PDF + e-mail) queued per submission

        def proxy_loop(region, proxy) -> None:  # noqa: ANN001
            revision = 0
            try:
                for i in range(times):
                    data = ReportData(
                        filled_posts=50 + i % 7,
                        started_posts=51 + i % 5,
                        contact_name="Kim Kontakt",
                        contact_email=f"kim@{region.code}.example.se",
                    )
                    barrier.wait(timeout=120)
                    start = time.perf_counter()
                    try:
                        version = report_submit(
                            grant_round=grant_round,
                            region=region,
                            data=data,
                            revision=revision,
                            by=proxy,
                            # the synthetic posts are far from the random plans
                            confirm_unusual=True,
                        )
                    except Exception as exc:  # noqa: BLE001 - every error is a finding
                        with lock:
                            errors.append(f"{region.code} #{i}: {type(exc).__name__}: {exc}")
                        continue
                    elapsed = time.perf_counter() - start
                    revision += 1
                    with lock:
                        durations.append(elapsed)
                        per_round[i] += 1
                    assert version.number == i + 1, (region.code, version.number, i)
            finally:
                connection.close()

        with (
            mock.patch("django.utils.timezone.now", return_value=instant),
            mock.patch.object(tasks.send_receipt, "delay", receipts.append),
        ):
            threads = [
                threading.Thread(target=proxy_loop, args=pair)
                for pair in zip(world["regions"], world["proxies"], strict=True)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            total = time.perf_counter() - started

        versions = list(ReportVersion.objects.values("report_id", "number", "reference"))
        numbers: dict[int, list[int]] = {}
        for v in versions:
            numbers.setdefault(v["report_id"], []).append(v["number"])
        contiguous = all(sorted(ns) == list(range(1, times + 1)) for ns in numbers.values())
        references_unique = len({v["reference"] for v in versions}) == len(versions)
        revisions_ok = all(r == times for r in Report.objects.values_list("revision", flat=True))
        durations.sort()
        return {
            "submissions": len(durations),
            "expected": PROXIES * times,
            "errors": errors[:10],
            "error_count": len(errors),
            "versions": len(versions),
            "reports": len(numbers),
            "every_round_21": all(count == PROXIES for count in per_round),
            "contiguous": contiguous,
            "references_unique": references_unique,
            "revisions_ok": revisions_ok,
            "receipts_queued": len(receipts),
            "total_s": total,
            "median_ms": 1000 * statistics.median(durations) if durations else None,
            "p95_ms": 1000 * durations[int(0.95 * (len(durations) - 1))] if durations else None,
            "max_ms": 1000 * durations[-1] if durations else None,
        }


class World21:
    @staticmethod
    def make() -> dict:
        """21 regions with their proxies and the open 2024 round (deadline ahead), no versions."""
        from django.utils import timezone

        world = common.generate(PROXIES, history=0)
        grant_round = world.current
        # The deadline an hour ahead of the real clock (the frozen clock is 30 s before it).
        grant_round.deadline = timezone.now() + dt.timedelta(hours=1)
        grant_round.save(update_fields=["deadline"])
        from submissions.models import Report, ReportVersion

        ReportVersion.objects.all().delete()
        Report.objects.update(revision=0)
        return {"round": grant_round, "regions": world.regions, "proxies": world.proxies}


def main(argv: list[str] | None = None) -> list[list[object]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=200)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.times)))
        return []
    r = common.in_subprocess("bench.deadline_rush", "--one", "--times", str(args.times))
    ok = (
        r["error_count"] == 0
        and r["submissions"] == r["expected"] == r["versions"]
        and r["every_round_21"]
        and r["contiguous"]
        and r["references_unique"]
        and r["revisions_ok"]
        and r["receipts_queued"] == r["submissions"]
    )
    print(f"\n## Deadline rush ({PROXIES} proxies at once, {args.times} times, PostgreSQL)\n")
    print(common.machine())
    print()
    row = [
        f"{PROXIES} × {args.times}",
        r["submissions"],
        r["error_count"],
        r["versions"],
        "yes" if r["every_round_21"] else "NO",
        "yes" if r["contiguous"] else "NO",
        "yes" if r["references_unique"] else "NO",
        f"{r['total_s']:.1f}",
        f"{r['median_ms']:.0f}",
        f"{r['p95_ms']:.0f}",
        f"{r['max_ms']:.0f}",
    ]
    print(
        common.table(
            [
                "submits",
                "ok",
                "errors",
                "versions",
                "21 per round",
                "numbers contiguous",
                "references unique",
                "total s",
                "median ms",
                "p95 ms",
                "max ms",
            ],
            [row],
        )  # fmt: skip
    )
    print()
    print(f"- no error, no lost or doubled version: {'yes' if ok else 'NO'}")
    for error in r["errors"]:
        print(f"  - {error}")
    figure = f"{r['submissions']} ok, {r['error_count']} errors, p95 {r['p95_ms']:.0f} ms"
    return [["deadline rush: no error, no lost or doubled version", figure, ok]]


if __name__ == "__main__":
    main()
