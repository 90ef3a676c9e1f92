"""`make bench`: every benchmark in order, then one table of the targets.

    .venv/bin/python -m bench.all            # about 3-4 minutes on 2 quiet cores
    .venv/bin/python -m bench.all --quick    # smaller: a smoke run of the same scripts

engine_scale runs in its own process (its table as it prints it); run_scale, pages and
deadline_rush each make their scratch PostgreSQL databases in child processes (bench.common).
Needs the local PostgreSQL (127.0.0.1:5432, user postgres) and wrk.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import time

from bench import common, deadline_rush, pages, run_scale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(f"# atgrant benchmarks, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(common.machine(), flush=True)
    print("\n## Engine scale\n", flush=True)
    engine = subprocess.run(
        [sys.executable, "-m", "bench.engine_scale", *(["--quick"] if args.quick else [])],
        cwd=common.ROOT,
        check=False,
    )
    verdicts = [["engine: amounts identical to the Fraction reference", "", engine.returncode == 0]]
    sizes = ["--sizes", "21", "300"] if args.quick else []
    verdicts += run_scale.main(sizes)
    verdicts += pages.main(
        [*sizes, "--history", "2", "--seconds", "3", "--rounds", "1"] if args.quick else []
    )
    verdicts += deadline_rush.main(["--times", "20"] if args.quick else [])
    print(f"\n## Targets ({time.perf_counter() - started:.0f} s in all)\n")
    print(
        common.table(
            ["target", "figure", "met"],
            [[t, f, "yes" if met else "**no**"] for t, f, met in verdicts],
            right=set(),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
