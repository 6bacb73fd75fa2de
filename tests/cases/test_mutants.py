"""The mutant matrix: the suite passes the correct server and fails each fault on exactly its requirements."""

from __future__ import annotations

from pathlib import Path

from conformance.reference.faults import FAULTS
from tests.cases.mutants import (
    CLEAN,
    EXPECTED,
    GAPS,
    ROWS,
    catalog_levels,
    doc_sole_detectors,
    expected_exit,
    format_analysis,
    format_matrix,
    format_mismatches,
    mismatches,
    run_fault,
    run_matrix,
)

# doc requirements that are not the only failing doc requirement of any fault of INTERFACES §3, with the fault
# that would make them so (asked of the server helper). The test below fails when this list goes stale.
NO_SOLE_DETECTOR_YET: dict[str, str] = {}


def test_matrix_rows_are_exactly_the_server_fault_switches() -> None:
    assert set(ROWS) == set(FAULTS) and not set(EXPECTED) & set(GAPS), (
        f"faults without a row: {sorted(set(FAULTS) - set(ROWS))}; rows for unknown faults: "
        f"{sorted(set(ROWS) - set(FAULTS))}"
    )


def test_gap_rows_name_only_catalog_requirements() -> None:
    catalog_ids = set(catalog_levels())
    for gap, definition in GAPS.items():
        named = definition.breaks | definition.blocks
        assert named <= catalog_ids, f"{gap}: unknown requirement ids {sorted(named - catalog_ids)}"


def test_expected_map_names_only_catalog_requirements() -> None:
    catalog_ids = set(catalog_levels())
    unknown = {fault: sorted(ids - catalog_ids) for fault, ids in EXPECTED.items() if ids - catalog_ids}
    assert not unknown, f"expected requirement ids missing from the catalog: {unknown}"
    assert all(EXPECTED.values()), "every fault must be expected to fail at least one requirement"


def test_every_doc_requirement_is_the_only_doc_detector_of_a_fault_or_a_named_gap() -> None:
    levels = catalog_levels()
    doc_ids = [rid for rid, level in levels.items() if level == "doc"]
    detectors = doc_sole_detectors(EXPECTED, doc_ids)
    without = {rid for rid in doc_ids if not detectors.get(rid)}
    assert without == set(NO_SOLE_DETECTOR_YET), (
        f"doc requirements without a sole-detector fault: {sorted(without)}; the known gaps are "
        f"{sorted(NO_SOLE_DETECTOR_YET)}\n{format_analysis(EXPECTED, levels)}"
    )


def test_suite_passes_the_correct_server_and_fails_each_fault_on_exactly_its_requirements(
    tmp_path: Path,
) -> None:
    runs = run_matrix(list(ROWS), tmp_path)
    levels = catalog_levels()
    matrix = format_matrix(runs, levels)
    print(matrix)
    clean = runs[CLEAN]
    assert clean.exit_code == 0 and not clean.failing, (
        f"the correct server failed {sorted(clean.failing)} (exit {clean.exit_code})\n"
        f"{format_mismatches({CLEAN: clean})}\n{clean.tail()}"
    )
    crashed = {fault: run.exit_code for fault, run in runs.items()
               if fault != CLEAN and run.exit_code != expected_exit(fault)}
    assert not crashed, f"runs that did not end with their expected exit (1: a failure): {crashed}\n{matrix}"
    differing = sorted(mismatches(runs))  # names only: the runs' repr would bury the message
    assert not differing, f"{format_mismatches(runs)}\n\n{matrix}"


def test_a_target_refusing_attendee_less_cancels_is_named_and_fails_nothing(tmp_path: Path) -> None:
    gap = "gap-no-cancel-without-attendees"
    run = run_fault(gap, tmp_path)
    assert run.exit_code == 0 and not run.failing, format_mismatches({gap: run})
    not_verified = {rid for rid, verdict in run.verdicts.items() if verdict == "not-verified"}
    assert not_verified and not_verified <= GAPS[gap].blocks, format_mismatches({gap: run})
    table = {row["id"]: row for row in run.certification["prerequisites"]}
    named = table["CANCEL-WITHOUT-ATTENDEES"]
    # the generated cases' valid-body and ignored_auth families name it too, not only the hand-written cases
    assert named["failed"] and {"CANCEL-COMMENT-STRING", "CANCEL-AUTH-REQUIRED"} <= set(named["blocked"])
