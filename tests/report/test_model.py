"""Verdict aggregation: fail > not-verified > all not-applicable > pass; no case run is not-verified."""

from __future__ import annotations

import pytest

from conformance.report.collect import without_class_name
from conformance.report.markdown import render_markdown
from conformance.report.model import (
    FAIL,
    NOT_APPLICABLE,
    NOT_VERIFIED,
    PASS,
    CaseResult,
    RequirementInfo,
    aggregate_outcomes,
    build_verdicts,
    count_verdicts,
)
from tests.report._runs import run_of

AGGREGATION = {
    "one-fail-wins": ([PASS, NOT_VERIFIED, FAIL, NOT_APPLICABLE], FAIL),
    "not-verified-over-pass": ([PASS, NOT_VERIFIED], NOT_VERIFIED),
    "all-not-applicable": ([NOT_APPLICABLE, NOT_APPLICABLE], NOT_APPLICABLE),
    "pass-with-not-applicable": ([PASS, NOT_APPLICABLE], PASS),
    "all-pass": ([PASS, PASS], PASS),
    "nothing-ran": ([], NOT_VERIFIED),
}


@pytest.mark.parametrize("outcomes, expected", AGGREGATION.values(), ids=AGGREGATION.keys())
def test_aggregate_outcomes(outcomes: list[str], expected: str) -> None:
    assert aggregate_outcomes(outcomes) == expected


def test_build_verdicts_covers_the_catalog_in_order_and_unknown_ids_last() -> None:
    catalog = {
        "A-ONE": RequirementInfo("A-ONE", profile="core"),
        "B-GROUPS": RequirementInfo("B-GROUPS", profile="groups"),
        "C-NONE": RequirementInfo("C-NONE", profile="core"),
    }
    cases = [CaseResult("t::a", ["A-ONE", "Z-EXTRA"], PASS), CaseResult("t::a2", ["A-ONE"], FAIL)]
    verdicts = build_verdicts(catalog, cases, unsupported_profiles=["groups"])
    assert [(v.requirement.id, v.verdict) for v in verdicts] == [
        ("A-ONE", FAIL),
        ("B-GROUPS", NOT_APPLICABLE),
        ("C-NONE", NOT_VERIFIED),
        ("Z-EXTRA", PASS),
    ]
    assert verdicts[3].requirement.level == "unknown"
    assert count_verdicts(verdicts) == {PASS: 1, FAIL: 1, NOT_VERIFIED: 1, NOT_APPLICABLE: 1}


def _headline_of(*outcomes: str, gate_problems: list[str] | None = None) -> str:
    catalog = {f"R{index}": RequirementInfo(id=f"R{index}") for index in range(len(outcomes))}
    cases = [
        CaseResult(nodeid=f"t::{index}", requirement_ids=[f"R{index}"], outcome=outcome)
        for index, outcome in enumerate(outcomes)
    ]
    run = run_of(catalog, cases, gate_problems=gate_problems or [])
    return f"{run.headline} | {render_markdown(run).splitlines()[0]}"


def test_a_green_gate_says_how_much_of_it_was_not_verified() -> None:
    assert _headline_of("pass", "pass").startswith("conformant | ## graph-conformance: ✅ conformant")
    partly = _headline_of("pass", "not-verified", "not-verified")
    assert partly.startswith("conformant so far: no requirement fails, 2 of 3 not verified | ")
    assert "⚠️ conformant so far" in partly
    failing = _headline_of("fail", "pass", gate_problems=["R0 fails"])
    assert failing.startswith("NOT conformant | ## graph-conformance: ❌ NOT conformant")


def test_count_verdicts_counts_one_level_when_asked() -> None:
    catalog = {
        "D1": RequirementInfo("D1", level="doc"),
        "D2": RequirementInfo("D2", level="doc"),
        "G1": RequirementInfo("G1", level="graph"),
    }
    cases = [CaseResult("t::1", ["D1"], FAIL), CaseResult("t::2", ["D2"], PASS),
             CaseResult("t::3", ["G1"], FAIL)]
    verdicts = build_verdicts(catalog, cases)
    assert count_verdicts(verdicts, "doc") == {PASS: 1, FAIL: 1, NOT_VERIFIED: 0, NOT_APPLICABLE: 0}
    assert count_verdicts(verdicts, "graph") == {PASS: 0, FAIL: 1, NOT_VERIFIED: 0, NOT_APPLICABLE: 0}
    assert count_verdicts([], None) == {PASS: 0, FAIL: 0, NOT_VERIFIED: 0, NOT_APPLICABLE: 0}


def test_a_requirement_with_cases_takes_their_verdict_even_in_an_unsupported_profile() -> None:
    catalog = {"G": RequirementInfo("G", profile="groups"), "N": RequirementInfo("N", profile="groups")}
    cases = [CaseResult("t::g", ["G"], PASS)]
    verdicts = build_verdicts(catalog, cases, ["groups"])
    assert [(v.requirement.id, v.verdict, len(v.cases)) for v in verdicts] == [
        ("G", PASS, 1), ("N", NOT_APPLICABLE, 0)]
    assert [v.verdict for v in build_verdicts(catalog, [])] == [NOT_VERIFIED, NOT_VERIFIED]
    assert aggregate_outcomes(iter([PASS, FAIL])) == FAIL


def test_count_verdicts_counts_each_verdict_also_one_it_does_not_know() -> None:
    catalog = {name: RequirementInfo(name) for name in ("A", "B", "C")}
    cases = [CaseResult("t::a", ["A"], FAIL), CaseResult("t::b", ["B"], FAIL),
             CaseResult("t::c", ["C"], PASS)]
    verdicts = build_verdicts(catalog, cases)
    verdicts[2].verdict = "odd"
    assert count_verdicts(verdicts) == {PASS: 0, FAIL: 2, NOT_VERIFIED: 0, NOT_APPLICABLE: 0, "odd": 1}


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("conformance.errors.ConformanceFailure: [REQ-1] got HTTP 401", "[REQ-1] got HTTP 401"),
        ("AssertionError: assert 1 == 2", "assert 1 == 2"),
        ("[REQ-1] the notice reads 'Note: x'", "[REQ-1] the notice reads 'Note: x'"),
    ],
)
def test_report_texts_carry_no_python_class_names(text: str, shown: str) -> None:
    assert without_class_name(text) == shown
