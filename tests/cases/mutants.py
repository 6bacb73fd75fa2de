"""The mutant matrix: each reference-server fault, the requirements it must fail, and the runs that show it.

`python -m tests.cases.mutants` runs the suite once against the correct server and once per fault (and per gap
switch), prints the fault x requirement matrix and the sole-detector analysis (which `doc` requirement alone
catches which fault); `--only 'gap-*'` runs some rows; `--expected-only` prints the analysis of the expected
map without running anything.
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conformance.reference.faults import DEFINITIONS, STATE_FREE, FaultDefinition
from tests._inner_run import MATRIX_SELECT_PLUGIN, REPO_ROOT, InnerRun, reference_target, run_suite

CLEAN = "(none)"  # the correct server
MATRIX_ST_EXAMPLES = 1  # Schemathesis examples per operation in matrix runs (deterministic phases add more)
MATRIX_WORKERS = 3  # concurrent inner runs; the machine has 2 cores
# the reference server delivers at once (no --message-delay-ms): a missing effect need not be awaited for 30 s
# faults that act on application tokens: their Schemathesis cases also run where the application calls
ST_EXTRA_FAMILIES: dict[str, tuple[str, ...]] = {
    "app-token-refused": ("users-events", "groups-events"),
    "app-token-refused-groups": ("groups-events",),
    "app-token-refused-users": ("users-events",),
    "app-token-on-me": ("users-events",),
}
MATRIX_TARGET_OVERRIDES = {"polling": {"timeout_s": 2.0, "interval_s": 0.1}}

# fault -> the requirements a correct suite must fail on a server with only that fault (and no others): the
# server's own fault definitions say which requirements each switch breaks (conformance/reference/faults.py)
EXPECTED: dict[str, frozenset[str]] = {
    str(name): definition.breaks for name, definition in DEFINITIONS.items() if not definition.gap
}
# gap switches (a half-built server): no requirement fails but their `breaks`, those that depend on the gap
# may be not-verified, every other passes, and the report names the gap's prerequisites
GAPS: dict[str, FaultDefinition] = {str(name): definition for name, definition in DEFINITIONS.items()
                                    if definition.gap}
ROWS: tuple[str, ...] = (*EXPECTED, *GAPS)
# per-row target overrides: a row whose server never answers some requests gets short read timeouts
ROW_TARGET_OVERRIDES: dict[str, dict[str, object]] = {
    "gap-hang-malformed-json": {"timeouts": {"connect": 5, "read": 10}},
}
NO_PREREQUISITES_TABLE = "the report has no prerequisites table: whether it names the gap is not checked"


def expected_failing(fault: str) -> frozenset[str]:
    """The requirement ids that must fail on this row (none on the clean server)."""
    if fault == CLEAN:
        return frozenset()
    return GAPS[fault].breaks if fault in GAPS else EXPECTED[fault]


def allowed_not_verified(fault: str, catalog_ids: Iterable[str]) -> frozenset[str]:
    """Gap rows: the requirement ids that may end not-verified (the static mock: all but the state-free)."""
    definition = GAPS.get(fault)
    if definition is None:
        return frozenset()
    if definition.static:
        return frozenset(catalog_ids) - frozenset(STATE_FREE) - definition.breaks
    return definition.blocks


def gap_problems(fault: str, run: InnerRun) -> list[str]:
    """A gap row's problems besides its failing set: a requirement that should pass, an unnamed gap."""
    definition = GAPS.get(fault)
    if definition is None or not run.verdicts:
        return []
    may_skip = allowed_not_verified(fault, run.verdicts)
    problems = [f"{rid}: {verdict}, expected pass" for rid, verdict in run.verdicts.items()
                if rid not in definition.breaks and verdict != "pass"
                and not (verdict == "not-verified" and rid in may_skip)]
    table = run.certification.get("prerequisites")
    if table is None:
        return problems
    named = {row.get("id") for row in table if row.get("failed") or row.get("fallbacks")}
    problems += [f"the report does not name prerequisite {prerequisite} (no failed or fallback record)"
                 for prerequisite in sorted(definition.prerequisites - named)]
    return problems


def expected_exit(fault: str) -> int:
    """1 where a requirement must fail, else 0."""
    return 1 if expected_failing(fault) else 0


def schemathesis_families(fault: str) -> list[str]:
    """Route families whose Schemathesis cases run for `fault` ([] = all, on the clean server).

    A fault acts alike on every route family, except that /users and /groups cases send the application's
    token, and route-missing-* faults act on their own family only.
    """
    if fault == CLEAN:
        return []
    families = {"me-events", *ST_EXTRA_FAMILIES.get(fault, ())}
    if fault.startswith("route-missing-"):
        families.add(fault.removeprefix("route-missing-"))
    return sorted(families)


def run_fault(fault: str, work_dir: Path, *, st_examples: int = MATRIX_ST_EXAMPLES,
              all_st_families: bool = False) -> InnerRun:
    """Run the suite once against a fresh reference server with this one fault (CLEAN: no fault)."""
    name = "clean" if fault == CLEAN else fault
    faults = () if fault == CLEAN else (fault,)
    families = [] if all_st_families else schemathesis_families(fault)
    selection = ["-p", MATRIX_SELECT_PLUGIN, "--matrix-st-families", ",".join(families)] if families else []
    overrides = {**MATRIX_TARGET_OVERRIDES, **ROW_TARGET_OVERRIDES.get(fault, {})}
    with reference_target(work_dir, name=name, faults=faults, target_overrides=overrides) as (
        _server, target_file,
    ):
        examples = st_examples if schemathesis_cases_present() else None
        reports_dir = work_dir / f"reports-{name}"
        return run_suite(target_file, reports_dir, st_examples=examples, extra_args=selection)


def schemathesis_cases_present() -> bool:
    """Whether the suite has its Schemathesis cases (and so the `--st-examples` option)."""
    return (REPO_ROOT / "conformance" / "cases" / "generated" / "test_schemathesis.py").exists()


def run_matrix(faults: Sequence[str], work_dir: Path, *, workers: int = MATRIX_WORKERS,
               st_examples: int = MATRIX_ST_EXAMPLES, all_st_families: bool = False,
               include_clean: bool = True) -> dict[str, InnerRun]:
    """The clean run (unless left out) plus one run per fault, `workers` at a time."""
    names = [CLEAN, *faults] if include_clean else list(faults)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        runs = pool.map(lambda fault: run_fault(fault, work_dir, st_examples=st_examples,
                                                all_st_families=all_st_families), names)
        return dict(zip(names, runs, strict=True))


def mismatches(runs: Mapping[str, InnerRun]) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """fault -> (expected, actual failing) wherever they differ or a gap row has other problems."""
    found: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
    for fault, run in runs.items():
        expected = expected_failing(fault)
        if run.failing != expected or gap_problems(fault, run) or not run.verdicts:
            found[fault] = (expected, run.failing)
    return found


def sole_detectors(failing_by_fault: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """requirement id -> the faults it alone detects (the fault fails exactly that requirement)."""
    detectors: dict[str, list[str]] = {}
    for fault, failing in failing_by_fault.items():
        failing_set = set(failing)
        if len(failing_set) == 1:
            detectors.setdefault(next(iter(failing_set)), []).append(fault)
    return detectors


def doc_sole_detectors(failing_by_fault: Mapping[str, Iterable[str]],
                       doc_ids: Iterable[str]) -> dict[str, list[str]]:
    """doc requirement id -> the faults where it is the only failing `doc` requirement (graph may fail)."""
    doc = set(doc_ids)
    only_doc = {fault: set(failing) & doc for fault, failing in failing_by_fault.items()}
    return sole_detectors({fault: failing for fault, failing in only_doc.items() if failing})


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
    for fault, run in runs.items():
        expected = expected_failing(fault)
        cells = "".join(_cell(run.verdicts.get(rid, "?"), rid in expected) for rid in requirement_ids)
        status = "MISMATCH" if fault in mismatches({fault: run}) else "ok"
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
    """One paragraph per fault whose failing set differs from the expected one, naming the failing cases."""
    lines: list[str] = []
    for fault, (expected, actual) in mismatches(runs).items():
        run = runs[fault]
        lines.append(f"{fault}: exit {run.exit_code}")
        if expected - actual:
            lines.append(f"  not caught:        {', '.join(sorted(expected - actual))}")
        for rid in sorted(actual - expected):
            cases = run.failing_cases.get(rid, ["?"])
            more = f" (+{len(cases) - 1} more)" if len(cases) > 1 else ""
            lines.append(f"  failed unexpected: {rid} by {cases[0]}{more}")
            message = run.messages.get(cases[0], "").strip().splitlines()
            if message:
                lines.append(f"                     {message[0][:200]}")
        lines += [f"  gap row:           {problem}" for problem in gap_problems(fault, run)
                  if problem.split(":")[0] not in actual - expected]
        if fault in GAPS and run.verdicts and "prerequisites" not in run.certification:
            lines.append(f"  note:              {NO_PREREQUISITES_TABLE}")
        if not run.verdicts:
            lines.append(f"  no certification.json; output tail:\n{run.tail()}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the matrix (running the suite per fault) and the sole-detector analysis; 1 on any mismatch."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--faults", help="comma-separated fault names (default: every fault and gap)")
    parser.add_argument("--only", metavar="PATTERNS",
                        help="comma-separated rows or shell patterns (e.g. 'gap-*'); the clean run only if "
                             "'clean' is among them")
    parser.add_argument("--workers", type=int, default=MATRIX_WORKERS)
    parser.add_argument("--st-examples", type=int, default=MATRIX_ST_EXAMPLES)
    parser.add_argument("--all-st-families", action="store_true",
                        help="run the Schemathesis cases of every route family for every fault (slow)")
    parser.add_argument("--expected-only", action="store_true", help="analyse the expected map; run nothing")
    args = parser.parse_args(argv)
    levels = catalog_levels()
    if args.expected_only:
        print(format_analysis(EXPECTED, levels))
        return 0
    faults = args.faults.split(",") if args.faults else list(ROWS)
    include_clean = True
    if args.only:
        patterns = [pattern.strip() for pattern in args.only.split(",") if pattern.strip()]
        include_clean = any(fnmatch.fnmatch("clean", pattern) for pattern in patterns)
        faults = [fault for fault in faults if any(fnmatch.fnmatch(fault, pattern) for pattern in patterns)]
        if not faults and not include_clean:
            parser.error(f"--only {args.only}: matches no row; rows: clean, {', '.join(ROWS)}")
    unknown = [fault for fault in faults if fault not in ROWS]
    if unknown:
        parser.error(f"unknown fault(s) {', '.join(unknown)}; known: {', '.join(ROWS)}")
    with tempfile.TemporaryDirectory(prefix="gc-matrix-") as work_dir:
        runs = run_matrix(faults, Path(work_dir), workers=args.workers, st_examples=args.st_examples,
                          all_st_families=args.all_st_families, include_clean=include_clean)
    print(format_matrix(runs, levels))
    print()
    print(format_analysis({fault: run.failing for fault, run in runs.items() if fault in EXPECTED}, levels))
    problems = format_mismatches(runs)
    if problems:
        print("\nMismatches (expected vs actual):\n" + problems)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
