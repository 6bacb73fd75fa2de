"""The mutant matrix: each reference-server fault, the requirements it must fail, and the runs that show it.

`python tests/suite/mutants.py` runs the suite once against the correct server and once per fault, prints the
fault x requirement matrix and the sole-detector analysis (which `doc` requirement alone catches which fault);
`--expected-only` prints the analysis of the expected map without running anything.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _inner_run import REPO_ROOT, InnerRun, reference_target, run_suite  # noqa: E402

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

_ROUTE_FAMILIES = {
    "me-events": "CANCEL-ROUTE-ME-EVENTS",
    "users-events": "CANCEL-ROUTE-USERS-EVENTS",
    "groups-events": "CANCEL-ROUTE-GROUPS-EVENTS",
    "me-calendar-events": "CANCEL-ROUTE-ME-CALENDAR-EVENTS",
    "users-calendar-events": "CANCEL-ROUTE-USERS-CALENDAR-EVENTS",
    "groups-calendar-events": "CANCEL-ROUTE-GROUPS-CALENDAR-EVENTS",
    "me-calendars-events": "CANCEL-ROUTE-ME-CALENDARS-EVENTS",
    "users-calendars-events": "CANCEL-ROUTE-USERS-CALENDARS-EVENTS",
    "me-calendargroup-calendars-events": "CANCEL-ROUTE-ME-CALENDARGROUP-CALENDARS-EVENTS",
    "users-calendargroup-calendars-events": "CANCEL-ROUTE-USERS-CALENDARGROUP-CALENDARS-EVENTS",
    "me-calendargroups-calendars-events": "CANCEL-ROUTE-ME-CALENDARGROUPS-CALENDARS-EVENTS",
    "users-calendargroups-calendars-events": "CANCEL-ROUTE-USERS-CALENDARGROUPS-CALENDARS-EVENTS",
}

# fault -> the requirements a correct suite must fail on a server with only that fault (and no others).
EXPECTED: dict[str, frozenset[str]] = {name: frozenset(ids) for name, ids in {
    "status-200": {"CANCEL-202-EMPTY"},
    "status-204": {"CANCEL-202-EMPTY"},
    "body-on-202": {"CANCEL-202-EMPTY"},
    "attendee-allowed": {"CANCEL-ATTENDEE-400", "CANCEL-ATTENDEE-MESSAGE"},
    "attendee-403": {"CANCEL-ATTENDEE-400"},
    "attendee-message-paraphrased": {"CANCEL-ATTENDEE-MESSAGE"},
    "scopes-ignored": {"CANCEL-PERM-REQUIRED", "GRAPH-403-ACCESS-DENIED"},
    "readonly-401": {"GRAPH-403-ACCESS-DENIED"},
    "auth-ignored": {"CANCEL-AUTH-REQUIRED", "GRAPH-401-NO-TOKEN"},
    # Schemathesis' ignored_auth also re-sends each case with a bad token, which this fault accepts
    "invalid-token-accepted": {"GRAPH-401-INVALID-TOKEN", "CANCEL-AUTH-REQUIRED"},
    "app-token-on-me": {"GRAPH-400-ME-APP-TOKEN"},
    "app-token-refused": {"CANCEL-PERM-APPLICATION", "CANCEL-PERM-APPLICATION-GROUPS"},
    "app-token-refused-groups": {"CANCEL-PERM-APPLICATION-GROUPS"},
    "app-token-refused-users": {"CANCEL-PERM-APPLICATION"},
    "personal-refused": {"CANCEL-PERM-DELEGATED-PERSONAL"},
    # the organizer's .default token holds Mail.Send; only organizer_minimal (Calendars.ReadWrite) lacks it
    "scope-needs-mail-send": {"CANCEL-PERM-DELEGATED-WORK"},
    "content-type-strict": {"CANCEL-CONTENT-TYPE"},
    # the fault also refuses `"comment": ""` (a String too) and `null`
    "comment-required": {"CANCEL-COMMENT-OPTIONAL", "CANCEL-COMMENT-STRING", "GRAPH-COMMENT-DEFAULT-NOTICE",
                         "GRAPH-COMMENT-EMPTY-NO-NOTICE"},
    # no body / `{}` refused also fails the default-notice convention (graph level)
    "comment-required-body": {"CANCEL-COMMENT-OPTIONAL", "GRAPH-COMMENT-DEFAULT-NOTICE"},
    "comment-500-non-ascii": {"CANCEL-COMMENT-STRING", "GRAPH-NO-SERVER-ERROR"},
    "comment-500-long": {"CANCEL-COMMENT-STRING", "GRAPH-NO-SERVER-ERROR"},
    "comment-dropped": {"CANCEL-COMMENT-DELIVERED", "CANCEL-COMMENT-DELIVERED-PASCAL"},
    "comment-lowercase-only": {"CANCEL-COMMENT-DELIVERED-PASCAL"},
    "comment-pascal-only": {"CANCEL-COMMENT-DELIVERED", "GRAPH-COMMENT-EMPTY-NO-NOTICE"},
    "message-not-meeting-cancelled": {"CANCEL-SENDS-MESSAGE", "GRAPH-OCCURRENCE-NOTIFIES"},
    "no-cancellation-message": {"CANCEL-SENDS-MESSAGE", "CANCEL-COMMENT-DELIVERED",
                                "CANCEL-COMMENT-DELIVERED-PASCAL", "GRAPH-COMMENT-DEFAULT-NOTICE",
                                "GRAPH-OCCURRENCE-NOTIFIES"},
    "event-left-in-place": {"CANCEL-DELETED-ITEMS", "CANCEL-DELETED-ITEMS-FOLDER", "GRAPH-SECOND-CANCEL-4XX",
                            "CANCEL-OCCURRENCE", "GRAPH-CANCELLED-OCCURRENCES", "GRAPH-SERIES-CANCEL"},
    "not-in-deleted-items": {"CANCEL-DELETED-ITEMS-FOLDER"},
    # a cancelled master still listed keeps expanding its instances
    "event-still-listed": {"CANCEL-DELETED-ITEMS", "GRAPH-SERIES-CANCEL"},
    "attendee-copies-unmarked": {"GRAPH-ATTENDEE-COPY-CANCELLED"},
    "occurrence-cancels-series": {"CANCEL-OCCURRENCE"},
    "no-cancelled-occurrences": {"GRAPH-CANCELLED-OCCURRENCES"},
    "occurrence-no-notice": {"GRAPH-OCCURRENCE-NOTIFIES"},
    "series-master-only": {"GRAPH-SERIES-CANCEL"},
    "error-envelope-missing": {"GRAPH-ERROR-ENVELOPE", "CANCEL-ATTENDEE-MESSAGE", "GRAPH-401-NO-TOKEN",
                               "GRAPH-401-INVALID-TOKEN", "GRAPH-403-ACCESS-DENIED", "GRAPH-400-ME-APP-TOKEN",
                               "GRAPH-404-UNKNOWN-ID", "GRAPH-400-MALFORMED-ID"},
    "error-no-content-type": {"GRAPH-ERROR-ENVELOPE"},
    "unknown-id-400": {"GRAPH-404-UNKNOWN-ID"},
    "malformed-id-404": {"GRAPH-400-MALFORMED-ID"},
    "malformed-json-accepted": {"GRAPH-400-MALFORMED-JSON"},
    "lenient-body": {"GRAPH-400-COMMENT-TYPE"},
    "unknown-parameter-accepted": {"GRAPH-400-UNKNOWN-PARAMETER"},
    "empty-comment-sends-notice": {"GRAPH-COMMENT-EMPTY-NO-NOTICE"},
    "null-comment-no-notice": {"GRAPH-COMMENT-DEFAULT-NOTICE"},
    "second-cancel-202": {"GRAPH-SECOND-CANCEL-4XX"},
    "case-sensitive-segments": {"GRAPH-SEGMENTS-CASE-INSENSITIVE"},
    "other-methods-500": {"GRAPH-405-OTHER-METHODS", "GRAPH-NO-SERVER-ERROR"},
    **{f"route-missing-{family}": {requirement_id} for family, requirement_id in _ROUTE_FAMILIES.items()},
}.items()}


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
    selection = ["-p", "_matrix_select", "--matrix-st-families", ",".join(families)] if families else []
    with reference_target(work_dir, name=name, faults=faults, target_overrides=MATRIX_TARGET_OVERRIDES) as (
        _server, target_file,
    ):
        examples = st_examples if schemathesis_cases_present() else None
        reports_dir = work_dir / f"reports-{name}"
        return run_suite(target_file, reports_dir, st_examples=examples, extra_args=selection)


def schemathesis_cases_present() -> bool:
    """Whether the suite has its Schemathesis cases (and so the `--st-examples` option)."""
    return (REPO_ROOT / "conformance" / "cases" / "test_schemathesis.py").exists()


def run_matrix(faults: Sequence[str], work_dir: Path, *, workers: int = MATRIX_WORKERS,
               st_examples: int = MATRIX_ST_EXAMPLES, all_st_families: bool = False) -> dict[str, InnerRun]:
    """The clean run plus one run per fault, `workers` at a time."""
    names = [CLEAN, *faults]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        runs = pool.map(lambda fault: run_fault(fault, work_dir, st_examples=st_examples,
                                                all_st_families=all_st_families), names)
        return dict(zip(names, runs, strict=True))


def mismatches(runs: Mapping[str, InnerRun]) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """fault -> (expected, actual failing) wherever they differ (the clean run expects nothing)."""
    found: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
    for fault, run in runs.items():
        expected = frozenset() if fault == CLEAN else EXPECTED[fault]
        if run.failing != expected:
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
        expected = frozenset() if fault == CLEAN else EXPECTED.get(fault, frozenset())
        cells = "".join(_cell(run.verdicts.get(rid, "?"), rid in expected) for rid in requirement_ids)
        status = "ok" if run.failing == expected else "MISMATCH"
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
        if not run.verdicts:
            lines.append(f"  no certification.json; output tail:\n{run.tail()}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the matrix (running the suite per fault) and the sole-detector analysis; 1 on any mismatch."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--faults", help="comma-separated fault names (default: every fault)")
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
    faults = args.faults.split(",") if args.faults else list(EXPECTED)
    unknown = [fault for fault in faults if fault not in EXPECTED]
    if unknown:
        parser.error(f"unknown fault(s) {', '.join(unknown)}; known: {', '.join(EXPECTED)}")
    with tempfile.TemporaryDirectory(prefix="gc-matrix-") as work_dir:
        runs = run_matrix(faults, Path(work_dir), workers=args.workers, st_examples=args.st_examples,
                          all_st_families=args.all_st_families)
    print(format_matrix(runs, levels))
    print()
    print(format_analysis({fault: run.failing for fault, run in runs.items() if fault != CLEAN}, levels))
    problems = format_mismatches(runs)
    if problems:
        print("\nMismatches (expected vs actual):\n" + problems)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
