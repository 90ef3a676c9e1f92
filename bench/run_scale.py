"""The whole run on PostgreSQL: close, preview, run and issue, for 21 and 2 000 regions.

Targets (issue 7): the number of SQL queries of each step is the same for 21 and 2 000 regions
(bulk writes), and 2 000 regions take under 5 seconds in total.

    .venv/bin/python -m bench.run_scale              # 21 and 2 000 regions
    .venv/bin/python -m bench.run_scale --sizes 21 300

Each size gets its own scratch database (bench.common); the officer closes the current round
after its deadline (submissions.closing.round_close), previews (allocation.snapshot.preview),
requests a run and executes it directly (allocation_run_request + allocation_run_execute, as the
Celery task does), and issues the decisions (decisions_issue; the decision e-mails go to the
locmem backend inside the measured step, as they are sent on commit). Seconds are wall-clock
time of each service call; queries are counted with CaptureQueriesContext.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from unittest import mock

from bench import common

STEPS = ("close", "preview", "run", "issue")  # the target; "e-mails" (worker) shown apart
EMAILED = 5  # decisions whose delivery (letter with its annex of every region, e-mail) is timed


def measure(n: int, history: int) -> dict[str, tuple[float, int]]:
    with common.BenchDatabase():
        from registry import tasks

        # The earlier rounds' deliveries (a letter each, the worker's) are not the run measured.
        with mock.patch.object(tasks.deliver_decision, "delay_on_commit", lambda pk: None):
            world = common.generate(n, history=history)
        from django.core import mail

        allocation_run_execute, allocation_run_request, decisions_issue = common.run_services()
        from allocation.snapshot import preview
        from submissions.closing import round_close

        officer, grant_round = world.officer, world.current
        figures: dict[str, tuple[float, int]] = {}
        state: dict[str, object] = {}

        def step(name: str, call) -> None:  # noqa: ANN001
            profile = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
            with common.capture_queries() as queries:
                start = time.perf_counter()
                if profile:
                    profile.enable()
                state[name] = call()
                if profile:
                    profile.disable()
                seconds = time.perf_counter() - start
            if profile:  # BENCH_PROFILE=1: where each step spends its time, on stderr
                print(f"--- {name}", file=sys.stderr)
                pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
            figures[name] = (seconds, len(queries))

        mail.outbox = []
        step("close", lambda: round_close(grant_round=grant_round, by=officer))
        step("preview", lambda: preview(grant_round))
        assert state["preview"].ok, state["preview"].error

        def run():  # noqa: ANN202
            requested = allocation_run_request(grant_round=grant_round, by=officer)
            return allocation_run_execute(run_id=requested.pk)

        step("run", run)
        assert state["run"].status == "done", state["run"].error
        # The decision e-mails (each with its letter) are a Celery task per delivery queued on
        # commit: timed apart, as the worker's, for the first EMAILED (a letter takes a few
        # seconds of the worker's time at 2 000 regions, whose annex lists every region).
        queued: list[int] = []
        with mock.patch.object(tasks.deliver_decision, "delay_on_commit", queued.append):
            step("issue", lambda: decisions_issue(run=state["run"], by=officer))
        assert len(state["issue"]) == n
        sample = queued[:EMAILED]
        step("e-mails", lambda: [tasks.deliver_decision(pk) for pk in sample])
        figures["e-mails"] = (figures["e-mails"][0], figures["e-mails"][1], len(sample))
        assert len(mail.outbox) == len(sample), len(mail.outbox)
        return figures


def main(argv: list[str] | None = None) -> list[list[object]]:
    """Print the table; returns [target, figure, met] rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[21, 2000])
    parser.add_argument("--history", type=int, default=1, help="decided rounds before (default 1)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size, JSON out
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one, args.history)))
        return []
    results = {
        n: common.in_subprocess("bench.run_scale", "--one", str(n), "--history", str(args.history))
        for n in args.sizes
    }
    rows = []
    for n, figures in results.items():
        total = sum(figures[s][0] for s in STEPS)
        rows.append(
            [f"{n:,}".replace(",", " ")]
            + [f"{figures[s][0]:.2f} s / {figures[s][1]} q" for s in STEPS]
            + [f"{total:.2f} s", f"{sum(figures[s][1] for s in STEPS)} q"]
            + ["{:.2f} s / {} q ({})".format(*figures["e-mails"])]
        )
    counts = {n: [results[n][s][1] for s in STEPS] for n in results}
    same = len({tuple(c) for c in counts.values()}) == 1
    largest = max(results)
    total_largest = sum(results[largest][s][0] for s in STEPS)
    print("\n## Whole run (close, preview, run, issue) on PostgreSQL\n")
    print(common.machine())
    print()
    print(
        common.table(
            [
                "regions",
                *[f"{s} (s / queries)" for s in STEPS],
                "total s",
                "total queries",
                "e-mails, worker (s / queries (deliveries))",
            ],
            rows,
        )
    )
    print()
    verdicts = [
        ["whole run: same queries at every size", f"{counts}", same],
        [f"whole run: {largest} regions < 5 s", f"{total_largest:.2f} s", total_largest < 5],
    ]
    for target, figure, met in verdicts:
        print(f"- {target}: {'yes' if met else 'NO'} ({figure})")
    return verdicts


if __name__ == "__main__":
    main()
