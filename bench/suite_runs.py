"""Benchmarks (a), (b) and (e): the full default run and its footprint; a 50 ms-latency server, serial and
with -n 4; servers whose cancels are never applied, or applied 5 s late, beside the correct one."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conformance.reference.serve import ReferenceServer
from conformance.target.config import default_effect_bound
from conformance.target.polling import Effect

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RUN_TARGET_S = 30.0
PARALLEL_SPEEDUP_TARGET = 2.5
LATENCY_MS = 50
EMBEDDED_REQUESTS_TARGET = 1000  # issue 13: the embedded default run sends at most 1,000 requests
INERT_CANCEL_FAULT = "event-left-in-place"  # 202, but nothing changes: every effect is awaited in vain
INERT_BOUNDS = 1.2  # ... costs at most this many of the largest default effect bound, for the whole run
APPLY_DELAY_MS = 5000  # a server applying every cancel this long after its 202 ...
LATE_EXTRA_S = 10.0  # ... costs at most this much more than the correct server


@dataclass
class SuiteRun:
    """One timed child run of the suite and what it reported."""

    wall_s: float
    exit_code: int
    requests: int | None
    cases: int
    longest_chain: int  # requests of the test with the most (they depend on each other: one after another)
    longest_test: str
    footprint: dict[str, Any]  # certification.json's footprint: requests, events, cancels, messages, peak

    def footprint_line(self) -> str:
        """`769 requests, 151 events, 264 meeting messages (131 invitations + 133 notices), peak 218/s`."""
        found = self.footprint
        if not found:
            return "no footprint in the report"
        messages = found.get("meeting_messages", {})
        peak = found.get("peak_requests_per_second", {})
        return (f"{found.get('requests')} requests, {found.get('events_created')} events created, "
                f"{found.get('cancels_sent')} cancels ({found.get('cancels_2xx')} 2xx), "
                f"{messages.get('total')} meeting messages ({messages.get('invitations')} invitations + "
                f"{messages.get('notices')} notices), peak {peak.get('requests')} requests/s per mailbox "
                f"({peak.get('mailbox')})")


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def run_suite(args: list[str], work: Path, name: str) -> SuiteRun:
    """Run `pytest --pyargs conformance.cases ARGS` in a child process; time it and read its reports."""
    reports_dir, chain_file = work / f"reports-{name}", work / f"chains-{name}.jsonl"
    command = [sys.executable, "-m", "pytest", "--pyargs", "conformance.cases", "-q",
               "-p", "no:cacheprovider", "-p", "bench._chain_probe", "--chain-file", str(chain_file),
               "--reports-dir", str(reports_dir),
               *args]
    started = time.monotonic()
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False, timeout=1800)
    wall_s = time.monotonic() - started
    if done.returncode not in (0, 1):
        print(f"    [{name}] exit {done.returncode}: {done.stdout[-1500:]}{done.stderr[-1500:]}",
              file=sys.stderr)
    certification = _certification(reports_dir)
    summary = certification.get("summary", {})
    chains = [json.loads(line) for line in chain_file.read_text().splitlines()] if chain_file.exists() else []
    longest: dict[str, Any] = max(chains, key=lambda chain: chain["requests"],
                                  default={"nodeid": "?", "requests": 0})
    return SuiteRun(wall_s, done.returncode, summary.get("requests"), int(summary.get("cases") or 0),
                    int(longest["requests"]), str(longest["nodeid"]), certification.get("footprint") or {})


def _certification(reports_dir: Path) -> dict[str, Any]:
    found = sorted(reports_dir.glob("*/certification.json"), key=lambda path: path.stat().st_mtime)
    return json.loads(found[-1].read_text(encoding="utf-8")) if found else {}


def bench_default_run(work: Path) -> bool:
    """(a) The full default run (embedded server, hand-written + Schemathesis): wall time and requests."""
    run = run_suite([], work, "default")
    ok = run.exit_code == 0 and run.wall_s < DEFAULT_RUN_TARGET_S
    print(f"(a) full default run: {run.wall_s:.1f} s wall, {run.requests} requests, {run.cases} cases, "
          f"exit {run.exit_code}; target < {DEFAULT_RUN_TARGET_S:.0f} s -> {verdict(ok)}")
    sent = int(run.footprint.get("requests") or 0)
    within = 0 < sent <= EMBEDDED_REQUESTS_TARGET
    print(f"    footprint: {run.footprint_line()}; target <= {EMBEDDED_REQUESTS_TARGET} requests -> "
          f"{verdict(within)}")
    return ok and within


def bench_latency_runs(work: Path) -> bool:
    """(b) At 50 ms latency: serial, -n 4, and the lower bound (longest dependent chain x 50 ms)."""
    with ReferenceServer(latency_ms=LATENCY_MS) as server:
        target_file = work / "target-50ms.yaml"
        target_file.write_text(yaml.safe_dump(server.target_document(), sort_keys=False), encoding="utf-8")
        serial = run_suite(["--target", str(target_file)], work, "serial")
        parallel = run_suite(["--target", str(target_file), "-n", "4"], work, "parallel")
    speedup = serial.wall_s / parallel.wall_s if parallel.wall_s else 0.0
    bound_s = serial.longest_chain * LATENCY_MS / 1000
    ok = speedup >= PARALLEL_SPEEDUP_TARGET and serial.exit_code == 0 and parallel.exit_code == 0
    print(f"(b) {LATENCY_MS} ms latency: serial {serial.wall_s:.1f} s ({serial.requests} requests, "
          f"exit {serial.exit_code}); -n 4 {parallel.wall_s:.1f} s (exit {parallel.exit_code})")
    print(f"    speedup {speedup:.2f}x; target >= {PARALLEL_SPEEDUP_TARGET}x -> {verdict(ok)}")
    print(f"    lower bound: longest dependent chain {serial.longest_chain} requests x {LATENCY_MS} ms = "
          f"{bound_s:.1f} s ({serial.longest_test})")
    return ok


def bench_late_effects(work: Path) -> bool:
    """(e) Serial, default effect bounds: the correct server; one whose cancels are accepted but never applied
    (at most the correct run + 1.2x the largest default bound: one bound for the run, not one per case); one
    applying every cancel 5 s after its 202 (every requirement passes, at most the correct run + 10 s)."""
    runs: dict[str, SuiteRun] = {}
    passes: dict[str, bool] = {}
    for name, options in (("correct", {}), ("inert", {"faults": (INERT_CANCEL_FAULT,)}),
                          ("apply-5s", {"apply_delay_ms": APPLY_DELAY_MS})):
        with ReferenceServer(**options) as server:  # type: ignore[arg-type]
            target_file = work / f"target-{name}.yaml"
            document = yaml.safe_dump(server.target_document(), sort_keys=False)
            target_file.write_text(document, encoding="utf-8")
            runs[name] = run_suite(["--target", str(target_file)], work, name)
            passes[name] = _all_pass(work / f"reports-{name}")
    correct, inert, late = runs["correct"], runs["inert"], runs["apply-5s"]
    largest = max(default_effect_bound(effect, remote=False) for effect in Effect)
    inert_limit, late_limit = correct.wall_s + INERT_BOUNDS * largest, correct.wall_s + LATE_EXTRA_S
    inert_ok = inert.exit_code == 1 and inert.wall_s <= inert_limit
    late_ok = late.exit_code == 0 and passes["apply-5s"] and late.wall_s <= late_limit
    print(f"(e) correct server: {correct.wall_s:.1f} s (exit {correct.exit_code}, "
          f"{correct.requests} requests)")
    print(f"    cancels accepted but never applied (--fault {INERT_CANCEL_FAULT}): {inert.wall_s:.1f} s "
          f"(exit {inert.exit_code}, {inert.requests} requests); target <= correct + {INERT_BOUNDS:g} x the "
          f"largest default bound ({largest:.0f} s) = {inert_limit:.1f} s -> {verdict(inert_ok)}")
    print(f"    every cancel applied {APPLY_DELAY_MS / 1000:g} s after its 202 (--apply-delay-ms "
          f"{APPLY_DELAY_MS}): {late.wall_s:.1f} s (exit {late.exit_code}, every requirement passes: "
          f"{passes['apply-5s']}); target <= correct + {LATE_EXTRA_S:.0f} s = {late_limit:.1f} s -> "
          f"{verdict(late_ok)}")
    return correct.exit_code == 0 and inert_ok and late_ok


def _all_pass(reports_dir: Path) -> bool:
    """Whether the run's certification.json has every requirement passing."""
    requirements = _certification(reports_dir).get("requirements", [])
    return bool(requirements) and all(entry.get("verdict") == "pass" for entry in requirements)


BENCHES = {"a": bench_default_run, "b": bench_latency_runs, "e": bench_late_effects}


def main(argv: list[str] | None = None) -> int:
    """Run (a), (b) and (e), or those named, in a scratch directory; exit 1 when a target is missed."""
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(prog="python -m bench.suite_runs", description=main.__doc__)
    parser.add_argument("benches", nargs="*", metavar="a|b|e", help="which to run (default: all three)")
    names = parser.parse_args(argv).benches or list(BENCHES)
    unknown = [name for name in names if name not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
    with tempfile.TemporaryDirectory(prefix="gc-bench-") as work_dir:
        work = Path(work_dir)
        results = [BENCHES[name](work) for name in names]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
