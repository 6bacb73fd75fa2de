"""`python -m bench`: run every benchmark and print its figures, target and PASS/MISS."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BENCHMARKS = (
    ("(a)+(b)+(e) suite runs", ["-m", "bench.suite_runs"]),
    ("(c) server throughput", [str(BENCH_DIR / "server_throughput.py")]),
    ("(d) Schemathesis rate", ["-m", "bench.schemathesis_rate"]),
    ("(f)+(g) hanging and throttled targets", ["-m", "bench.unreliable_targets"]),
)


def main() -> int:
    """Run each benchmark in its own process (one at a time: they measure the machine); 1 if any missed."""
    missed = []
    for title, args in BENCHMARKS:
        print(f"== {title}", flush=True)
        done = subprocess.run([sys.executable, *args], cwd=BENCH_DIR.parent, check=False)
        if done.returncode != 0:
            missed.append(title)
    print(f"== missed: {', '.join(missed)}" if missed else "== every target met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
