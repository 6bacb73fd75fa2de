"""Benchmarks (f) and (g): a target that never answers one kind of request, and throttled targets.

(f) hang: the correct server, then one whose cancels with a body that is not JSON are never answered
    (`--fault gap-hang-malformed-json`); target: exit 1, only GRAPH-400-MALFORMED-JSON fails, at most the
    correct run plus 2 read timeouts (the loopback default, 10 s each).
(g) throttled: every 3rd request answered 429 with `Retry-After: 1`, and every 4th 503 with `Retry-After: 2`
    (`serve --throttle-every N --throttle-status S --retry-after S`), serial and with -n 4; target: exit 0 (no
    false failure) in at most half of the time measured before (BEFORE_S).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from bench.suite_runs import SuiteRun, run_suite, verdict
from conformance.reference.serve import ReferenceServer
from conformance.target.config import LOOPBACK_READ_TIMEOUT_S

HANG_FAULT = "gap-hang-malformed-json"
HANG_FAILS = {"GRAPH-400-MALFORMED-JSON"}
HANG_TIMEOUTS = 2  # the target: at most the correct run plus this many read timeouts
# (every Nth request, status, Retry-After s) -> the serial run's time before (2026-12-06, 2 shared cores,
# commit 337c41b + the server switches): every request paid its own wait, holding its mailbox slot
THROTTLES: dict[str, tuple[int, int, float]] = {"429": (3, 429, 1.0), "503": (4, 503, 2.0)}
BEFORE_S = {"429": 410.9, "503": 557.8}
SPEEDUP_TARGET = 2.0


def _run_against(work: Path, name: str, extra: list[str], **server: Any) -> SuiteRun:
    """A suite run against a fresh ReferenceServer with `server` settings (its target file as written)."""
    with ReferenceServer(**server) as reference:
        target_file = work / f"target-{name}.yaml"
        target_file.write_text(yaml.safe_dump(reference.target_document(), sort_keys=False), encoding="utf-8")
        return run_suite(["--target", str(target_file), *extra], work, name)


def failing(work: Path, name: str) -> set[str]:
    """The requirement ids a run's certification.json reports failing."""
    found = sorted((work / f"reports-{name}").glob("*/certification.json"))
    if not found:
        return set()
    document = json.loads(found[-1].read_text(encoding="utf-8"))
    return {entry["id"] for entry in document.get("requirements", []) if entry.get("verdict") == "fail"}


def bench_hang(work: Path) -> bool:
    """(f) A server that never answers one kind of request, beside the correct one (serial)."""
    correct = _run_against(work, "hang-correct", [])
    hang = _run_against(work, "hang", [], faults=(HANG_FAULT,))
    fails = failing(work, "hang")
    bound_s = correct.wall_s + HANG_TIMEOUTS * LOOPBACK_READ_TIMEOUT_S
    ok = correct.exit_code == 0 and hang.exit_code == 1 and fails == HANG_FAILS and hang.wall_s <= bound_s
    print(f"(f) hang: --fault {HANG_FAULT}: {hang.wall_s:.1f} s (exit {hang.exit_code}, {hang.requests} "
          f"requests, failing {', '.join(sorted(fails)) or 'none'}) vs correct server {correct.wall_s:.1f} s "
          f"(exit {correct.exit_code}); +{hang.wall_s - correct.wall_s:.1f} s")
    print(f"    target: exit 1, only {', '.join(sorted(HANG_FAILS))} failing, <= correct + {HANG_TIMEOUTS} x "
          f"{LOOPBACK_READ_TIMEOUT_S:g} s read timeout = {bound_s:.1f} s -> {verdict(ok)}")
    return ok


def bench_throttled(work: Path, kinds: list[str], parallel: bool) -> bool:
    """(g) Throttled servers: every Nth request 429/503 with Retry-After; serial (and -n 4)."""
    results = []
    for kind in kinds:
        every, status, retry_after = THROTTLES[kind]
        for extra in ([], ["-n", "4"]) if parallel else ([],):
            name = f"throttled-{kind}{'-n4' if extra else ''}"
            run = _run_against(work, name, extra, throttle_every=every, throttle_status=status,
                               retry_after=retry_after)
            fails = failing(work, name)
            limit_s = BEFORE_S[kind] / SPEEDUP_TARGET
            ok = run.exit_code == 0 and not fails and run.wall_s <= limit_s
            mode = " with -n 4" if extra else " serial"
            print(f"(g) throttled{mode}: 1 request in {every} answered {status}, Retry-After {retry_after:g}:"
                  f" {run.wall_s:.1f} s (exit {run.exit_code}, {run.requests} requests, failing "
                  f"{', '.join(sorted(fails)) or 'none'}); before: {BEFORE_S[kind]:.1f} s serial")
            print(f"    target: exit 0 and <= {limit_s:.1f} s (half the serial time before) -> {verdict(ok)}")
            results.append(ok)
    return all(results)


def main(argv: list[str] | None = None) -> int:
    """Run (f) and (g) (or those named) in a scratch directory; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(prog="python -m bench.unreliable_targets", description=main.__doc__)
    parser.add_argument("benches", nargs="*", metavar="f|g", help="which to run (default: both)")
    parser.add_argument("--throttles", default="429,503", help="with g: 429, 503 or both (default)")
    parser.add_argument("--serial-only", action="store_true", help="with g: leave out the -n 4 runs")
    args = parser.parse_args(argv)
    names = args.benches or ["f", "g"]
    kinds = [kind.strip() for kind in args.throttles.split(",") if kind.strip()]
    if set(names) - {"f", "g"} or set(kinds) - set(THROTTLES):
        parser.error("benchmarks are f and g; --throttles takes 429 and/or 503")
    with tempfile.TemporaryDirectory(prefix="gc-bench-") as work_dir:
        work = Path(work_dir)
        results = []
        if "f" in names:
            results.append(bench_hang(work))
        if "g" in names:
            results.append(bench_throttled(work, kinds, parallel=not args.serial_only))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
