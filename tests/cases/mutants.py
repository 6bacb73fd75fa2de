"""The mutant matrix: each reference-server fault, the checks it must fail, and the runs that show it.

`python -m tests.cases.mutants` runs the suite once against the correct server and once per fault (and per gap
switch), as users run it, and prints the fault x requirement matrix, which rows prove which check (a case
function judging a requirement, `REQUIREMENT-ID:test_function`) and the sole-detector analysis of the `doc`
requirements; `--only 'gap-*'` runs some rows (the clean row always runs: its checks are the ones rows are
judged against); `--expected-only` prints the requirement analysis of the expected map without running.

What the rows expect is in tests/cases/_row_expectations.py. Each child run is `pytest --pyargs
conformance.cases --target FILE` as a user types it, with two differences that cannot hide a check: a fixed
`--st-seed` (the same generated cases in every row, so a row's result does not depend on the draw), and a
2 s polling bound (the reference server applies effects at once; waiting less can only fail more checks).
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests._inner_run import InnerRun, reference_target, run_suite
from tests.cases._check_report import alone_in, format_check_report, sibling_requirement
from tests.cases._row_expectations import (
    CLEAN,
    EXPECTED,
    GAPS,
    ROWS,
    allowed_not_verified,
    expected_exit,
    expected_failing,
    gap_problems,
    row_actions,
    row_problems,
    row_switches,
)

__all__ = ["CLEAN", "EXPECTED", "GAPS", "ROWS", "allowed_not_verified", "expected_exit", "expected_failing",
           "gap_problems"]

MATRIX_WORKERS = 3  # concurrent inner runs; the machine has 2 cores
MATRIX_ST_SEED = 20261206  # every row generates the same Schemathesis cases
# the reference server delivers at once (no --message-delay-ms): a missing effect need not be awaited for 30 s
MATRIX_TARGET_OVERRIDES = {"polling": {"timeout_s": 2.0, "interval_s": 0.1}}
# per-row target overrides: a row whose server never answers some requests gets short read timeouts
ROW_TARGET_OVERRIDES: dict[str, dict[str, object]] = {
    "gap-hang-malformed-json": {"timeouts": {"connect": 5, "read": 5}},
}
NO_PREREQUISITES_TABLE = "the report has no prerequisites table: whether it names the gap is not checked"


def run_fault(fault: str, work_dir: Path, *, st_examples: int | None = None) -> InnerRun:
    """Run the suite once, as users run it, against a fresh reference server with this one fault."""
    name = "clean" if fault == CLEAN else fault
    faults = row_switches(fault)
    overrides = {**MATRIX_TARGET_OVERRIDES, **ROW_TARGET_OVERRIDES.get(fault, {})}
    with reference_target(work_dir, name=name, faults=faults, target_overrides=overrides) as (
        _server, target_file,
    ):
        reports_dir = work_dir / f"reports-{name}"
        narrowed = row_actions(fault)  # a fault of some actions: only they run (the clean row runs all)
        return run_suite(target_file, reports_dir, st_examples=st_examples,
                         extra_args=["--st-seed", str(MATRIX_ST_SEED),
                                     *(["--actions", ",".join(narrowed)] if narrowed else [])])


def run_matrix(faults: Sequence[str], work_dir: Path, *, workers: int = MATRIX_WORKERS,
               st_examples: int | None = None, include_clean: bool = True) -> dict[str, InnerRun]:
    """The clean run (unless left out) plus one run per fault, `workers` at a time."""
    names = [CLEAN, *faults] if include_clean else list(faults)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        runs = pool.map(lambda fault: run_fault(fault, work_dir, st_examples=st_examples), names)
        return dict(zip(names, runs, strict=True))


def checks_of(runs: Mapping[str, InnerRun]) -> list[str]:
    """The checks rows are judged against: the clean row's (else every check any run reported)."""
    if CLEAN in runs and runs[CLEAN].checks:
        return sorted(runs[CLEAN].checks)
    return sorted({check for run in runs.values() for check in run.checks})


def mismatches(runs: Mapping[str, InnerRun]) -> dict[str, list[str]]:
    """row -> its problems (failing checks or requirements not as stated, unnamed not-verified, ...)."""
    checks = checks_of(runs)
    found = {fault: row_problems(fault, run, checks) for fault, run in runs.items()}
    return {fault: problems for fault, problems in found.items() if problems}


def sole_detectors(failing_by_fault: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """requirement id -> the faults it alone detects (the fault fails exactly that requirement)."""
    return alone_in(failing_by_fault)


def doc_sole_detectors(failing_by_fault: Mapping[str, Iterable[str]],
                       doc_ids: Iterable[str]) -> dict[str, list[str]]:
    """doc requirement id -> the faults where it is, per action, the only failing `doc` requirement."""
    doc = set(doc_ids)
    found: dict[str, list[str]] = {}
    for fault, failing in failing_by_fault.items():
        only_doc = set(failing) & doc
        if only_doc and len({sibling_requirement(rid) for rid in only_doc}) == 1:
            for rid in sorted(only_doc):
                found.setdefault(rid, []).append(fault)
    return found


def catalog_levels() -> dict[str, str]:
    """requirement id -> level, from the generated catalog (catalog order)."""
    from conformance.spec.catalog import load_catalog

    return {requirement_id: requirement.level for requirement_id, requirement in load_catalog().items()}


def format_analysis(failing_by_fault: Mapping[str, Iterable[str]], levels: Mapping[str, str]) -> str:
    """Which doc requirements are the sole detector of which faults, and which are of none."""
    doc_ids = [rid for rid, level in levels.items() if level == "doc"]
    strict = sole_detectors(failing_by_fault)
    among_doc = doc_sole_detectors(failing_by_fault, doc_ids)
    lines = ["Sole-detector analysis (doc requirements):"]
    for rid in doc_ids:
        if strict.get(rid):
            lines.append(f"  {rid:52} sole detector of {', '.join(strict[rid])}")
        elif among_doc.get(rid):
            lines.append(f"  {rid:52} only doc detector of {', '.join(among_doc[rid])} (+ graph checks)")
        else:
            lines.append(f"  {rid:52} NO FAULT that only it detects")
    return "\n".join(lines)


def format_matrix(runs: Mapping[str, InnerRun], levels: Mapping[str, str]) -> str:
    """The fault x requirement grid: X expected+failed, ! failed unexpectedly, - expected but missed."""
    requirement_ids = list(levels)
    width = max(len(fault) for fault in runs)
    legend = [f"  {index + 1:2}  {rid} ({levels[rid]})" for index, rid in enumerate(requirement_ids)]
    numbers = range(1, len(requirement_ids) + 1)
    tens = "".join(str(number // 10 % 10) if number % 10 == 0 else " " for number in numbers)
    ones = "".join(str(number % 10) for number in numbers)
    lines = [f"{'fault'.ljust(width)}  {tens}", f"{''.ljust(width)}  {ones}"]
    found = mismatches(runs)
    for fault, run in runs.items():
        expected = expected_failing(fault)
        cells = "".join(_cell(run.verdicts.get(rid, "?"), rid in expected) for rid in requirement_ids)
        status = "MISMATCH" if fault in found else "ok"
        if fault in GAPS and run.verdicts and "prerequisites" not in run.certification:
            status += " (gap naming not checked)"
        lines.append(f"{fault.ljust(width)}  {cells}  {status} (exit {run.exit_code}, {run.duration_s:.0f}s)")
    lines += ["", "cells: X failed as expected, ! failed unexpectedly, - expected to fail but passed,",
              "       . pass, n not-verified, a not-applicable, ? not reported", "columns:", *legend]
    return "\n".join(lines)


def _cell(verdict: str, expected: bool) -> str:
    if verdict == "fail":
        return "X" if expected else "!"
    if expected:
        return "-"
    return {"pass": ".", "not-verified": "n", "not-applicable": "a"}.get(verdict, "?")


def format_mismatches(runs: Mapping[str, InnerRun]) -> str:
    """One paragraph per row that is not as its fault's definition states, with the first failing message."""
    lines: list[str] = []
    for fault, problems in mismatches(runs).items():
        run = runs[fault]
        lines.append(f"{fault}: exit {run.exit_code}")
        lines += [f"  {problem}" for problem in problems]
        for rid in sorted(run.failing - expected_failing(fault)):
            cases = run.failing_cases.get(rid, ["?"])
            message = run.messages.get(cases[0], "").strip().splitlines()
            lines.append(f"  {rid} failed by {cases[0]}: {message[0][:200] if message else ''}")
        if fault in GAPS and run.verdicts and "prerequisites" not in run.certification:
            lines.append(f"  note: {NO_PREREQUISITES_TABLE}")
        if not run.verdicts:
            lines.append(f"  output tail:\n{run.tail()}")
    return "\n".join(lines)


def select_rows(only: str | None, faults: str | None) -> list[str]:
    """The fault rows `--faults` and `--only` name (every row by default); ValueError naming the unknown."""
    rows = faults.split(",") if faults else list(ROWS)
    unknown = [row for row in rows if row not in ROWS]
    if unknown:
        raise ValueError(f"unknown fault(s) {', '.join(unknown)}; known: {', '.join(ROWS)}")
    if only:
        patterns = [pattern.strip() for pattern in only.split(",") if pattern.strip()]
        rows = [row for row in rows if any(fnmatch.fnmatch(row, pattern) for pattern in patterns)]
        if not rows and not any(fnmatch.fnmatch("clean", pattern) for pattern in patterns):
            raise ValueError(f"--only {only}: matches no row; rows: clean, {', '.join(ROWS)}")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Print the matrix (running the suite per fault), the check report and the analysis; 1 on a mismatch."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--faults", help="comma-separated fault names (default: every fault and gap)")
    parser.add_argument("--only", metavar="PATTERNS",
                        help="comma-separated rows or shell patterns (e.g. 'gap-*'); clean always runs")
    parser.add_argument("--workers", type=int, default=MATRIX_WORKERS)
    parser.add_argument("--st-examples", type=int, default=None, help="default: the suite's own default")
    parser.add_argument("--expected-only", action="store_true", help="analyse the expected map; run nothing")
    args = parser.parse_args(argv)
    levels = catalog_levels()
    if args.expected_only:
        print(format_analysis(EXPECTED, levels))
        return 0
    try:
        faults = select_rows(args.only, args.faults)
    except ValueError as error:
        parser.error(str(error))
    with tempfile.TemporaryDirectory(prefix="gc-matrix-") as work_dir:
        runs = run_matrix(faults, Path(work_dir), workers=args.workers, st_examples=args.st_examples)
    print(format_matrix(runs, levels))
    print()
    failing_checks = {fault: run.failing_checks for fault, run in runs.items() if fault != CLEAN}
    if set(faults) == set(ROWS):
        print(format_check_report(failing_checks, checks_of(runs)))
        print()
    print(format_analysis({fault: run.failing for fault, run in runs.items() if fault in EXPECTED}, levels))
    problems = format_mismatches(runs)
    if problems:
        print("\nMismatches (expected vs actual):\n" + problems)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
