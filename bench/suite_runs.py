"""Benchmarks (a) and (b): the full default run, and runs against a 50 ms-latency server, serial and with -n 4."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conformance.reference.serve import ReferenceServer

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RUN_TARGET_S = 30.0
PARALLEL_SPEEDUP_TARGET = 2.5
LATENCY_MS = 50


@dataclass
class SuiteRun:
    """One timed child run of the suite and what its certification.json says."""

    wall_s: float
    exit_code: int
    requests: int | None
    longest_case_requests: int
    cases: int


def run_suite(args: list[str], reports_dir: Path) -> SuiteRun:
    """Run `pytest --pyargs conformance.cases ARGS` in a child process and time it."""
    command = [sys.executable, "-m", "pytest", "--pyargs", "conformance.cases", "-q", "-p", "no:cacheprovider",
               "--reports-dir", str(reports_dir), *args]
    started = time.monotonic()
    completed = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False, timeout=1800)
    wall_s = time.monotonic() - started
    certification = _certification(reports_dir)
    longest = 0
    for requirement in certification.get("requirements", []):
        for case in requirement.get("cases", []):
            longest = max(longest, int(case.get("request_count") or len(case.get("exchanges", []))))
    if completed.returncode not in (0, 1):
        print(completed.stdout[-2000:], completed.stderr[-2000:], file=sys.stderr)
    summary = certification.get("summary", {})
    return SuiteRun(wall_s, completed.returncode, summary.get("requests"), longest, int(summary.get("cases") or 0))


def _certification(reports_dir: Path) -> dict[str, Any]:
    found = sorted(reports_dir.glob("*/certification.json"), key=lambda path: path.stat().st_mtime)
    return json.loads(found[-1].read_text(encoding="utf-8")) if found else {}


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def bench_default_run(work: Path) -> bool:
    """(a) The full default run (embedded server, hand-written + Schemathesis): wall time and requests."""
    run = run_suite([], work / "a")
    ok = run.exit_code == 0 and run.wall_s < DEFAULT_RUN_TARGET_S
    print(f"(a) full default run: {run.wall_s:6.1f} s, {run.requests} requests, {run.cases} cases, "
          f"exit {run.exit_code}; target < {DEFAULT_RUN_TARGET_S:.0f} s -> {verdict(ok)}")
    return ok


def bench_latency_runs(work: Path) -> bool:
    """(b) Against the reference server at 50 ms latency: serial, -n 4, and the dependent-chain lower bound."""
    with ReferenceServer(latency_ms=LATENCY_MS) as server:
        target_file = work / "target-50ms.yaml"
        target_file.write_text(yaml.safe_dump(server.target_document(), sort_keys=False), encoding="utf-8")
        serial = run_suite(["--target", str(target_file)], work / "b-serial")
        parallel = run_suite(["--target", str(target_file), "-n", "4"], work / "b-parallel")
    speedup = serial.wall_s / parallel.wall_s if parallel.wall_s else 0.0
    bound_s = serial.longest_case_requests * LATENCY_MS / 1000
    ok = speedup >= PARALLEL_SPEEDUP_TARGET and serial.exit_code == 0 and parallel.exit_code == 0
    print(f"(b) {LATENCY_MS} ms latency: serial {serial.wall_s:6.1f} s ({serial.requests} requests, exit "
          f"{serial.exit_code}), -n 4 {parallel.wall_s:6.1f} s (exit {parallel.exit_code}); speedup {speedup:.2f}x, "
          f"target >= {PARALLEL_SPEEDUP_TARGET}x -> {verdict(ok)}")
    print(f"    lower bound: longest chain of dependent requests (the longest case) = "
          f"{serial.longest_case_requests} x {LATENCY_MS} ms = {bound_s:.1f} s; -n 4 is {parallel.wall_s / bound_s:.1f}x "
          f"that bound" if bound_s else "    lower bound: no per-case request counts in certification.json")
    return ok


def main() -> int:
    """Run (a) and (b); exit 1 when a target is missed."""
    with tempfile.TemporaryDirectory(prefix="gc-bench-") as work_dir:
        work = Path(work_dir)
        results = [bench_default_run(work), bench_latency_runs(work)]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
