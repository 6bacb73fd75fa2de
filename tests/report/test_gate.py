"""The gate and the exit code, without a pytest run: failures, baselines, certification, an incomplete run."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.errors import TargetConfigError
from conformance.outcomes import FAIL, NOT_APPLICABLE, NOT_VERIFIED, PASS, ExitCode
from conformance.report.baseline import KnownFailure, apply_baseline, load_baseline
from conformance.report.gate import certification_problems, exit_code, gate_problems
from conformance.report.model import CaseResult, RequirementInfo, RunResult
from tests.report._runs import run_of

CATALOG = {
    "DOC-PASS": RequirementInfo("DOC-PASS", level="doc"),
    "DOC-FAIL": RequirementInfo("DOC-FAIL", level="doc"),
    "DOC-NV": RequirementInfo("DOC-NV", level="doc"),
    "DOC-NA-CORE": RequirementInfo("DOC-NA-CORE", level="doc", profile="core"),
    "DOC-NA-GROUPS": RequirementInfo("DOC-NA-GROUPS", level="doc", profile="groups"),
    "GRAPH-FAIL": RequirementInfo("GRAPH-FAIL", level="graph"),
    "GRAPH-NV": RequirementInfo("GRAPH-NV", level="graph"),
}
OUTCOMES = {"DOC-PASS": PASS, "DOC-FAIL": FAIL, "DOC-NV": NOT_VERIFIED, "DOC-NA-CORE": NOT_APPLICABLE,
            "DOC-NA-GROUPS": NOT_APPLICABLE, "GRAPH-FAIL": FAIL, "GRAPH-NV": NOT_VERIFIED}


def run(outcomes: dict[str, str], *, certify: bool = False) -> RunResult:
    """A run of one case per requirement with the given outcomes."""
    catalog = {rid: CATALOG[rid] for rid in outcomes}
    cases = [CaseResult(f"t::{rid}", [rid], outcome) for rid, outcome in outcomes.items()]
    return run_of(catalog, cases, certify=certify)


# --- a certification run ------------------------------------------------------------------------------------

def test_certification_needs_every_doc_requirement_to_pass() -> None:
    assert certification_problems(run(OUTCOMES, certify=True)) == [
        "DOC-FAIL: fail (a documented requirement)",
        "DOC-NV: not-verified (a documented requirement)",
        "DOC-NA-CORE: not-applicable, but profile 'core' cannot be declared unsupported",
    ]
    assert certification_problems(run({"DOC-PASS": PASS, "DOC-NA-GROUPS": NOT_APPLICABLE,
                                       "GRAPH-FAIL": FAIL, "GRAPH-NV": NOT_VERIFIED}, certify=True)) == []


def test_a_graph_requirement_listed_first_does_not_hide_the_doc_ones_after_it() -> None:
    subject = run({"GRAPH-FAIL": FAIL, "DOC-FAIL": FAIL, "GRAPH-NV": NOT_VERIFIED, "DOC-NV": NOT_VERIFIED},
                  certify=True)
    assert certification_problems(subject) == ["DOC-FAIL: fail (a documented requirement)",
                                               "DOC-NV: not-verified (a documented requirement)"]


def test_a_certification_is_gated_on_its_doc_requirements_only() -> None:
    certified = run({"DOC-PASS": PASS, "GRAPH-FAIL": FAIL}, certify=True)
    assert gate_problems(certified, None, None) == []
    failed = run({"DOC-NV": NOT_VERIFIED, "GRAPH-FAIL": FAIL}, certify=True)
    known = [KnownFailure("DOC-NV", "tracked", "https://x.example/1")]
    assert gate_problems(failed, known, "b.yaml") == ["DOC-NV: not-verified (a documented requirement)"]


# --- a conformance run --------------------------------------------------------------------------------------

def test_any_failing_requirement_turns_the_gate_red_whatever_its_level() -> None:
    assert gate_problems(run(OUTCOMES), None, None) == ["DOC-FAIL: fails", "GRAPH-FAIL: fails"]
    assert gate_problems(run(OUTCOMES), [], None) == ["DOC-FAIL: fails", "GRAPH-FAIL: fails"]


def test_not_verified_and_not_applicable_keep_a_conformance_gate_green() -> None:
    green = run({"DOC-PASS": PASS, "DOC-NV": NOT_VERIFIED, "DOC-NA-CORE": NOT_APPLICABLE})
    assert gate_problems(green, None, None) == []
    assert green.headline == "conformant so far: no requirement fails, 1 of 3 not verified"


def test_an_incomplete_run_and_failing_other_tests_turn_the_gate_red() -> None:
    green = run({"DOC-PASS": PASS})
    assert gate_problems(green, None, None, "", []) == []
    assert gate_problems(green, None, None, "http://x does not answer") == [
        "the target stopped answering; the run is incomplete: http://x does not answer"]
    assert gate_problems(green, None, None, other_failures=["tests/a.py::one", "tests/b.py::two"]) == [
        "2 failing test(s) outside the conformance cases, e.g. tests/a.py::one"]
    both = gate_problems(run({"DOC-FAIL": FAIL}), None, None, "gone", ["x::y"])
    assert both == ["DOC-FAIL: fails", "the target stopped answering; the run is incomplete: gone",
                    "1 failing test(s) outside the conformance cases, e.g. x::y"]


# --- the known-failures baseline ----------------------------------------------------------------------------

KNOWN = [KnownFailure("DOC-FAIL", "comments are not delivered", "https://tracker.example/1"),
         KnownFailure("DOC-PASS", "was broken", "https://tracker.example/2"),
         KnownFailure("DOC-NV", "unknown", "https://tracker.example/3")]


def test_a_listed_failure_keeps_the_gate_green_and_a_fixed_one_is_stale() -> None:
    outcomes = {"DOC-FAIL": FAIL, "DOC-PASS": PASS, "DOC-NV": NOT_VERIFIED, "GRAPH-FAIL": FAIL}
    subject = run(outcomes)
    assert gate_problems(subject, KNOWN, "baseline.yaml") == [
        "DOC-PASS: passes now but is listed in the baseline baseline.yaml (stale baseline: remove the entry)",
        "GRAPH-FAIL: fails (not in the baseline)",
    ]
    marked = {v.requirement.id: (v.baseline_reason, v.baseline_link) for v in subject.verdicts}
    assert marked == {"DOC-FAIL": ("comments are not delivered", "https://tracker.example/1"),
                      "DOC-PASS": ("", ""), "DOC-NV": ("", ""), "GRAPH-FAIL": ("", "")}


def test_a_baseline_without_its_path_is_not_applied() -> None:
    assert gate_problems(run({"DOC-FAIL": FAIL}), KNOWN, None) == ["DOC-FAIL: fails"]
    assert gate_problems(run({"DOC-FAIL": FAIL}), KNOWN, "") == ["DOC-FAIL: fails"]


def test_apply_baseline_judges_each_verdict_once() -> None:
    subject = run({"DOC-FAIL": FAIL, "DOC-NA-CORE": NOT_APPLICABLE})
    known = [KnownFailure("DOC-NA-CORE", "n/a", "https://t.example/4")]
    assert apply_baseline(subject.verdicts, known, "b.yaml") == ["DOC-FAIL: fails (not in the baseline)"]


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "baseline.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_baseline_file_is_read_into_known_failures(tmp_path: Path) -> None:
    path = write(tmp_path, "known_failures:\n  - requirement: DOC-FAIL\n    reason: '  not yet  '\n"
                           "    link: https://tracker.example/1\n  - requirement: GRAPH-FAIL\n"
                           "    reason: later\n    link: http://t.example/2\n")
    assert load_baseline(path, CATALOG) == [KnownFailure("DOC-FAIL", "not yet", "https://tracker.example/1"),
                                           KnownFailure("GRAPH-FAIL", "later", "http://t.example/2")]
    assert load_baseline(write(tmp_path, "known_failures: []\n"), CATALOG) == []


BAD_BASELINES = {
    "unreadable-yaml": ("known_failures: [", r"cannot be read \(while parsing"),
    "not-a-mapping": ("- a\n", r"\['a'\] is not of type 'object'\. Expected the form \(YAML\): "
                               r"\{known_failures: \[\{requirement: CANCEL-COMMENT-DELIVERED"),
    "no-reason": ("known_failures:\n  - {requirement: DOC-FAIL, link: 'https://t.example/1'}\n",
                  r"entry 1 \(DOC-FAIL\): 'reason' is a required property\."),
    "bad-link": ("known_failures:\n  - {requirement: DOC-FAIL, reason: why, link: 'ftp://x'}\n",
                 r"entry 1 \(DOC-FAIL\) field 'link': 'ftp://x' does not match"),
    "entry-not-a-mapping": ("known_failures:\n  - {requirement: DOC-FAIL, reason: why, link: 'https://t.e/1'}\n"
                            "  - DOC-PASS\n", r"entry 2 \(\?\): 'DOC-PASS' is not of type 'object'"),
    "nameless-entry": ("known_failures:\n  - {reason: why, link: 'https://t.e/1'}\n",
                       r"entry 1 \(\?\): 'requirement' is a required property"),
    "unknown-id": ("known_failures:\n  - {requirement: NO-SUCH, reason: why, link: 'https://t.e/1'}\n",
                   r"entry 1 \(NO-SUCH\): no such requirement in the catalog; remove the entry or fix the "
                   r"id$"),
    "listed-twice": ("known_failures:\n  - {requirement: DOC-FAIL, reason: why, link: 'https://t.e/1'}\n"
                     "  - {requirement: DOC-PASS, reason: why, link: 'https://t.e/1'}\n"
                     "  - {requirement: DOC-FAIL, reason: again, link: 'https://t.e/2'}\n",
                     r"entry 3 \(DOC-FAIL\): listed twice; keep one entry per requirement$"),
}


@pytest.mark.parametrize(("text", "message"), BAD_BASELINES.values(), ids=BAD_BASELINES.keys())
def test_a_bad_baseline_names_the_entry_and_the_fix(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(TargetConfigError, match=f"^--baseline {path}: .*{message}"):
        load_baseline(path, CATALOG)


def test_a_missing_baseline_file_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(TargetConfigError, match=r"^--baseline .*nothing\.yaml: cannot be read \("):
        load_baseline(str(tmp_path / "nothing.yaml"), CATALOG)


def test_at_most_five_schema_errors_are_named(tmp_path: Path) -> None:
    entries = "".join(f"  - {{requirement: DOC-FAIL, link: 'https://t.e/{n}'}}\n" for n in range(7))
    with pytest.raises(TargetConfigError) as caught:
        load_baseline(write(tmp_path, "known_failures:\n" + entries), CATALOG)
    assert str(caught.value).count("'reason' is a required property") == 5
    assert "required property; entry 2 (DOC-FAIL)" in str(caught.value)


def test_without_a_catalog_any_id_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "known_failures:\n  - {requirement: NO-SUCH, reason: why, link: 'https://t.e/1'}\n")
    assert load_baseline(path, {}) == [KnownFailure("NO-SUCH", "why", "https://t.e/1")]


# --- the exit code ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("status", "problems", "expected"),
    [
        (0, [], ExitCode.CONFORMANT),
        (1, [], ExitCode.CONFORMANT),
        (0, ["DOC-FAIL: fails"], ExitCode.NOT_CONFORMANT),
        (1, ["DOC-FAIL: fails"], ExitCode.NOT_CONFORMANT),
        (ExitCode.USAGE, [], ExitCode.USAGE),
        (ExitCode.TARGET_UNREACHABLE, ["incomplete"], ExitCode.TARGET_UNREACHABLE),
        (ExitCode.NO_TESTS, [], ExitCode.CONFORMANT),
    ],
)
def test_usage_and_unreachable_win_else_the_gate_decides(
    status: int, problems: list[str], expected: int
) -> None:
    code = exit_code(int(status), problems)
    assert code == expected and type(code) is int
