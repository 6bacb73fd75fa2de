"""The mutant matrix: the suite verifies everything on the correct server and fails each fault on exactly
the checks of the requirements whose sentence it violates; every check is failed by some row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conformance.reference.faults import DEFINITIONS, FAULTS
from tests._inner_run import InnerRun, fold_outcomes, parse_run
from tests.cases._check_report import sibling_check, unexplained_overlaps, unfailed_checks
from tests.cases._row_expectations import (
    ROW_DEFINITIONS,
    SPARED,
    SWITCHES,
    requirement_of,
    route_family,
    row_actions,
    row_problems,
    row_switches,
)
from tests.cases.mutants import (
    CLEAN,
    EXPECTED,
    GAPS,
    ROWS,
    catalog_levels,
    checks_of,
    doc_sole_detectors,
    format_analysis,
    format_matrix,
    format_mismatches,
    mismatches,
    run_matrix,
)

# doc requirements that are not the only failing doc requirement of any fault of INTERFACES §3, with the fault
# that would make them so (asked of the server helper). The test below fails when this list goes stale.
NO_SOLE_DETECTOR_YET: dict[str, str] = {}


def _words(text: str) -> str:
    return " ".join(text.split())


def test_matrix_rows_turn_on_every_server_fault_switch_exactly_once() -> None:
    switched = [switch for row in ROWS for switch in row_switches(row)]
    assert sorted(switched) == sorted(map(str, FAULTS)) and not set(EXPECTED) & set(GAPS), (
        f"faults without a row: {sorted(set(map(str, FAULTS)) - set(switched))}; rows for unknown faults: "
        f"{sorted(set(switched) - set(map(str, FAULTS)))}; twice: "
        f"{sorted({switch for switch in switched if switched.count(switch) > 1})}"
    )


def test_a_combined_row_breaks_and_blocks_what_its_switches_do_one_by_one() -> None:
    for row, switches in SWITCHES.items():
        definitions = [DEFINITIONS[switch] for switch in switches]
        assert len(switches) > 1 and len({route_family(s, DEFINITIONS[s]) for s in switches}) == 1, row
        assert EXPECTED[row] == frozenset().union(*(definition.breaks for definition in definitions)), row
        assert ROW_DEFINITIONS[row].blocks == frozenset().union(*(d.blocks for d in definitions)), row
        assert set(row_actions(row)) == {action for d in definitions for action in d.actions}, row


def test_gap_rows_name_only_catalog_requirements() -> None:
    catalog_ids = set(catalog_levels())
    for gap, definition in GAPS.items():
        named = definition.breaks | definition.blocks
        assert named <= catalog_ids, f"{gap}: unknown requirement ids {sorted(named - catalog_ids)}"


def test_each_fault_expects_only_requirements_whose_sentence_it_cites() -> None:
    """A row's expected failures are the requirements its fault cites, each with words of its sentence."""
    from conformance.spec.catalog import load_catalog

    catalog = load_catalog()
    wrong: list[str] = []
    for fault, definition in DEFINITIONS.items():
        if not definition.gap and not definition.violates:
            wrong.append(f"{fault}: cites no requirement sentence")
        for requirement_id, words in definition.violates.items():
            if requirement_id not in catalog:
                wrong.append(f"{fault}: {requirement_id} is not in the catalog")
            elif len(words.strip()) < 8 or _words(words) not in _words(catalog[requirement_id].sentence):
                wrong.append(f"{fault}: {requirement_id}'s sentence does not say {words!r}")
        row = next((row for row in ROWS if str(fault) in row_switches(row)), str(fault))
        expected = EXPECTED.get(row, GAPS[row].breaks if row in GAPS else frozenset())
        cited = frozenset(definition.violates)
        if not cited <= expected or (row == str(fault) and expected != cited):
            wrong.append(f"{fault}: expects {sorted(expected)}, cites {sorted(definition.violates)}")
    assert not wrong, "\n".join(wrong)


def test_a_row_may_leave_what_it_may_block_either_way_but_nothing_else() -> None:
    from tests.cases._row_expectations import MAY_BLOCK, not_verified_problems

    for fault, may in MAY_BLOCK.items():
        assert fault in EXPECTED and all(reason.strip() for reason in may.values()), fault
        requirement = next(iter(may))
        for verdict in ("pass", "not-verified"):
            run = _run([(requirement, "t.py::test_x", verdict)], 1)
            assert not_verified_problems(fault, run) == [], (fault, verdict)
        other = _run([("GRAPH-ERROR-ENVELOPE", "t.py::test_y", "not-verified")], 1)
        assert not_verified_problems(fault, other) == [
            "GRAPH-ERROR-ENVELOPE: not-verified, which the row does not name"]


def test_spared_checks_are_of_requirements_their_fault_violates() -> None:
    for fault, spared in SPARED.items():
        assert fault in EXPECTED, f"SPARED names {fault!r}, which is no fault row"
        for check, reason in spared.items():
            assert requirement_of(check) in EXPECTED[fault] and reason.strip(), (fault, check)


def test_every_doc_requirement_is_the_only_doc_detector_of_a_fault_or_a_named_gap() -> None:
    """Judged per action: a fault of several actions (answer-*, proposal-*, reminder-*) that fails one
    requirement of each (ACCEPT-/TENTATIVE-/DECLINE-COMMENT-DELIVERED) detects each alone; a second failing
    doc requirement (another id once the action prefix is dropped) makes none of them a sole detector."""
    levels = catalog_levels()
    doc_ids = [rid for rid, level in levels.items() if level == "doc"]
    detectors = doc_sole_detectors(EXPECTED, doc_ids)
    without = {rid for rid in doc_ids if not detectors.get(rid)}
    assert without == set(NO_SOLE_DETECTOR_YET), (
        f"doc requirements without a sole-detector fault: {sorted(without)}; the known gaps are "
        f"{sorted(NO_SOLE_DETECTOR_YET)}\n{format_analysis(EXPECTED, levels)}"
    )


def test_sibling_actions_count_as_one_detector_but_a_second_requirement_does_not() -> None:
    siblings = {"answer-comment-dropped": {"ACCEPT-COMMENT-DELIVERED", "DECLINE-COMMENT-DELIVERED"},
                "answer-two": {"ACCEPT-202-EMPTY", "ACCEPT-COMMENT-DELIVERED"}}
    doc_ids = {"ACCEPT-COMMENT-DELIVERED", "DECLINE-COMMENT-DELIVERED", "ACCEPT-202-EMPTY"}
    assert doc_sole_detectors(siblings, doc_ids) == {"ACCEPT-COMMENT-DELIVERED": ["answer-comment-dropped"],
                                                     "DECLINE-COMMENT-DELIVERED": ["answer-comment-dropped"]}


def test_a_check_shared_only_with_its_siblings_is_alone_but_one_beside_another_check_is_not() -> None:
    accept, decline = ("ACCEPT-ATTENDEE-STATUS:test_accept_shows_on_the_attendee_copy",
                       "DECLINE-ATTENDEE-STATUS:test_decline_shows_on_the_attendee_copy")
    tentative = "TENTATIVE-ATTENDEE-STATUS:test_tentatively_accept_shows_on_the_attendee_copy"
    shared = "*-ATTENDEE-STATUS:test_*_shows_on_the_attendee_copy"
    assert sibling_check(accept) == sibling_check(tentative) == shared
    organizer = "GRAPH-{}-ORGANIZER-4XX:test_{}_by_the_organizer_is_refused"
    graph_ids = {sibling_check(organizer.format(prefix, name)) for prefix, name in (("ACCEPT", "accept"),
                                                                                    ("DECLINE", "decline"))}
    assert graph_ids == {"GRAPH-*-ORGANIZER-4XX:test_*_by_the_organizer_is_refused"}
    assert not unexplained_overlaps({"answer-status-unrecorded": {accept, decline, tentative}})
    beside = "ACCEPT-ATTENDEE-STATUS:test_status_and_body_conform"  # a second check of the requirement
    assert unexplained_overlaps({"answer-status-unrecorded": {accept, beside}}) == {
        accept: ["answer-status-unrecorded"], beside: ["answer-status-unrecorded"]}


def _run(cases: list[tuple[str, str, str]], exit_code: int = 0) -> InnerRun:
    """An InnerRun from (requirement id, node id, outcome) rows, folded as a child run's report is."""
    requirements: dict[str, list[dict[str, Any]]] = {}
    for requirement_id, nodeid, outcome in cases:
        requirements.setdefault(requirement_id, []).append({"nodeid": nodeid, "outcome": outcome})
    verdicts = {rid: fold_outcomes([case["outcome"] for case in found])
                for rid, found in requirements.items()}
    document = {"requirements": [{"id": rid, "verdict": verdicts[rid], "cases": found}
                                 for rid, found in requirements.items()]}
    return parse_run(exit_code, "", document, 0.0)


HAND_WRITTEN_202 = "conformance/cases/test_routes.py::test_cancel_route_answers_202_with_empty_body"
GENERATED_202 = "conformance/cases/generated/test_schemathesis.py::test_status_and_body_conform"


def test_skipped_hand_written_cases_turn_the_clean_row_red() -> None:
    """The 202 cases skipped (not-verified) on the correct server: the clean row names each of them."""
    run = _run([("CANCEL-202-EMPTY", f"{HAND_WRITTEN_202}[me-events]", "not-verified"),
                ("CANCEL-202-EMPTY", f"{GENERATED_202}[POST /me/events/{{event-id}}/cancel]", "pass")])
    problems = row_problems(CLEAN, run, run.checks)
    assert any("test_cancel_route_answers_202_with_empty_body" in problem for problem in problems), problems


def test_a_check_made_too_loose_fails_its_row_though_its_requirement_still_fails() -> None:
    """On body-on-202 the generated check still fails CANCEL-202-EMPTY; a hand-written 202 check that lets the
    body through is still named."""
    checks = ["CANCEL-202-EMPTY:test_cancel_route_answers_202_with_empty_body",
              "CANCEL-202-EMPTY:test_status_and_body_conform"]
    run = _run([("CANCEL-202-EMPTY", f"{HAND_WRITTEN_202}[me-events]", "pass"),
                ("CANCEL-202-EMPTY", f"{GENERATED_202}[POST /me/events/{{event-id}}/cancel]", "fail")], 1)
    assert run.failing == {"CANCEL-202-EMPTY"}
    assert row_problems("body-on-202", run, checks) == [f"check {checks[0]}: pass, expected fail"]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> dict[str, InnerRun]:
    """Every row of the matrix, run once for the tests below (the clean row first)."""
    runs = run_matrix(list(ROWS), Path(tmp_path_factory.mktemp("matrix")))
    print(format_matrix(runs, catalog_levels()))
    return runs


def test_the_clean_row_verifies_every_requirement_check_and_case(matrix: dict[str, InnerRun]) -> None:
    clean = matrix[CLEAN]
    assert clean.exit_code == 0 and CLEAN not in mismatches({CLEAN: clean}), (
        f"{format_mismatches({CLEAN: clean})}\n{clean.tail()}"
    )
    assert set(clean.verdicts) == set(catalog_levels()), "the clean row does not report every requirement"


def test_each_row_fails_exactly_its_checks_and_names_what_it_leaves_unverified(
    matrix: dict[str, InnerRun],
) -> None:
    differing = sorted(mismatches(matrix))  # names only: the runs' repr would bury the message
    assert not differing, f"{format_mismatches(matrix)}\n\n{format_matrix(matrix, catalog_levels())}"


def test_every_check_is_failed_by_a_row_and_a_shared_one_is_explained(matrix: dict[str, InnerRun]) -> None:
    checks = checks_of(matrix)
    failing = {fault: run.failing_checks for fault, run in matrix.items() if fault != CLEAN}
    assert not unfailed_checks(failing, checks), f"checks no row fails: {unfailed_checks(failing, checks)}"
    assert not unexplained_overlaps(failing), (
        f"checks never failed alone, on rows whose fault gives no `overlap`: {unexplained_overlaps(failing)}"
    )
    unknown = {check for spared in SPARED.values() for check in spared} - set(checks)
    assert not unknown, f"SPARED names checks the suite does not have: {sorted(unknown)}"


def test_a_target_refusing_attendee_less_cancels_is_named_and_fails_nothing(
    matrix: dict[str, InnerRun],
) -> None:
    gap = "gap-no-cancel-without-attendees"
    run = matrix[gap]
    assert run.exit_code == 0 and not run.failing, format_mismatches({gap: run})
    not_verified = {rid for rid, verdict in run.verdicts.items() if verdict == "not-verified"}
    assert not_verified and not_verified <= GAPS[gap].blocks, format_mismatches({gap: run})
    table = {row["id"]: row for row in run.certification["prerequisites"]}
    named = table["CANCEL-WITHOUT-ATTENDEES"]
    # the generated cases' valid-body and ignored_auth families name it too, not only the hand-written cases
    assert named["failed"] and {"CANCEL-COMMENT-STRING", "CANCEL-AUTH-REQUIRED"} <= set(named["blocked"])


ANSWER_COMMENT = "ACCEPT-COMMENT-DELIVERED:test_accept_comment_reaches_the_organizer"
CANCEL_COMMENT = "CANCEL-COMMENT-DELIVERED:test_comment_reaches_attendees"
ENVELOPE_PROBE = "GRAPH-ERROR-ENVELOPE:test_errors_carry_the_graph_error_envelope"


@pytest.fixture
def narrowed_row(monkeypatch: pytest.MonkeyPatch) -> str:
    """A fault of accept only (`FaultDefinition.actions`) breaking ACCEPT-COMMENT-DELIVERED."""
    from types import SimpleNamespace

    from tests.cases import _row_expectations as rows

    fault = "answer-comment-dropped-for-test"
    definition = SimpleNamespace(actions=("accept",), gap=False, static=False, blocks=frozenset(),
                                 breaks=frozenset({"ACCEPT-COMMENT-DELIVERED"}))
    monkeypatch.setitem(rows.ROW_DEFINITIONS, fault, definition)
    monkeypatch.setitem(rows.EXPECTED, fault, definition.breaks)
    catalog = {"ACCEPT-COMMENT-DELIVERED": SimpleNamespace(action="accept"),
               "CANCEL-COMMENT-DELIVERED": SimpleNamespace(action="cancel"),
               "GRAPH-ERROR-ENVELOPE": SimpleNamespace(action="common")}
    monkeypatch.setattr(rows, "load_catalog", lambda: catalog)
    return fault


def test_a_narrowed_row_is_judged_only_on_its_actions_checks(narrowed_row: str) -> None:
    """The cancel check and the common probe on cancel's routes are left out; accept's check must fail."""
    checks = [ANSWER_COMMENT, CANCEL_COMMENT, ENVELOPE_PROBE]
    run = _run([
        ("ACCEPT-COMMENT-DELIVERED", "t.py::test_accept_comment_reaches_the_organizer", "fail"),
        ("CANCEL-COMMENT-DELIVERED", "t.py::test_comment_reaches_attendees", "not-applicable"),
        ("GRAPH-ERROR-ENVELOPE", "t.py::test_errors_carry_the_graph_error_envelope", "not-applicable"),
    ], 1)
    run.verdicts["GRAPH-ERROR-ENVELOPE"] = "not-verified"  # common, probed only on cancel's routes
    assert row_problems(narrowed_row, run, checks) == []
    quiet = _run([("ACCEPT-COMMENT-DELIVERED", "t.py::test_accept_comment_reaches_the_organizer",
                   "not-applicable")])
    assert row_problems(narrowed_row, quiet, checks) == [
        "exit 0, expected 1", "ACCEPT-COMMENT-DELIVERED: not-applicable, expected fail",
        f"check {ANSWER_COMMENT}: not-applicable, expected fail"]
