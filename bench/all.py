"""`make bench`: every benchmark in order, then one table of the targets.

    python -m bench.all                            # 7 to 17 minutes on 2 cores (README)
    python -m bench.all --compare /work/wt-old     # pages and rush of that code first (~12 min)
    python -m bench.all --quick                    # smaller: a smoke run of the same scripts

In this order: pages, deadline_rush, run_scale (each makes its scratch PostgreSQL databases in
child processes, bench.common) and engine_scale (in its own process, its table as it prints it).
With ``--compare DIR`` the pages and the deadline rush run DIR's application code (another
checkout, e.g. the code before a change) with this bench first, then this tree's, and print
both in one table; the engine and the whole run are this tree's only. The targets are this
tree's. Needs the local PostgreSQL (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379,
databases 14 and 15, emptied).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

from bench import common, deadline_rush, pages, run_scale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--compare", type=Path, help="another checkout, for pages and rush")
    parser.add_argument("--skip", nargs="+", default=[],
                        choices=["engine", "run", "pages", "rush"])  # fmt: skip
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(f"# atgrant benchmarks, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"this tree {common.describe(common.ROOT)}"
          + (f", compared with {args.compare} ({common.describe(args.compare)})"
             if args.compare else ""))  # fmt: skip
    print(common.machine(), flush=True)
    verdicts = []
    timings = []
    sizes = ["--sizes", "21", "300"] if args.quick else []
    compare = ["--compare", str(args.compare)] if args.compare else []
    if "pages" not in args.skip:
        t = time.perf_counter()
        verdicts += pages.main(
            [*sizes, "--history", "2", "--requests", "10", *compare] if args.quick else compare
        )
        timings.append(f"pages {time.perf_counter() - t:.0f} s")
    if "rush" not in args.skip:
        t = time.perf_counter()
        verdicts += deadline_rush.main(
            ["--seconds", "10", "--search-seconds", "10", "--regions", "200",
             "--ladder", "10", "20", "50", "75", *compare]
            if args.quick
            else compare
        )  # fmt: skip
        timings.append(f"deadline rush {time.perf_counter() - t:.0f} s")
    if "run" not in args.skip:
        t = time.perf_counter()
        verdicts += run_scale.main(sizes)
        timings.append(f"whole run {time.perf_counter() - t:.0f} s")
    if "engine" not in args.skip:
        print("\n## Engine scale\n", flush=True)
        t = time.perf_counter()
        engine = subprocess.run(
            [sys.executable, "-m", "bench.engine_scale", *(["--quick"] if args.quick else [])],
            cwd=common.ROOT,
            check=False,
        )
        timings.append(f"engine {time.perf_counter() - t:.0f} s")
        verdicts.append(
            ["engine: amounts identical to the Fraction reference", "", engine.returncode == 0]
        )
    print(f"\n## Targets ({time.perf_counter() - started:.0f} s in all: {', '.join(timings)}; "
          f"{common.machine()})\n")  # fmt: skip
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
