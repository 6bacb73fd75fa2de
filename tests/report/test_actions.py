"""Reports per action: each action's verdict (and the common requirements'), the unselected not-applicable."""

from __future__ import annotations

from typing import Any

from conformance.outcomes import FAIL, NOT_APPLICABLE, NOT_VERIFIED, PASS
from conformance.report.certification import build_certification, validate_certification
from conformance.report.gate import certification_problems
from conformance.report.markdown import render_markdown
from conformance.report.model import CaseResult, RequirementInfo, build_verdicts
from conformance.report.plugin import action_line
from conformance.report.verify import _check_actions
from tests.report._runs import run_of

CATALOG = {
    "CANCEL-202-EMPTY": RequirementInfo("CANCEL-202-EMPTY", action="cancel"),
    "ACCEPT-202-EMPTY": RequirementInfo("ACCEPT-202-EMPTY", action="accept"),
    "ACCEPT-SENDS-RESPONSE": RequirementInfo("ACCEPT-SENDS-RESPONSE", action="accept"),
    "FORWARD-202-EMPTY": RequirementInfo("FORWARD-202-EMPTY", action="forward"),
    "GRAPH-ERROR-ENVELOPE": RequirementInfo("GRAPH-ERROR-ENVELOPE", level="graph", action="common"),
}
SKIPPED = "not-applicable: action forward is not selected for this run (actions: cancel, accept)"
CASES = [
    CaseResult("t::cancel", ["CANCEL-202-EMPTY"], PASS),
    CaseResult("t::accept", ["ACCEPT-202-EMPTY"], PASS),
    CaseResult("t::forward", ["FORWARD-202-EMPTY"], NOT_APPLICABLE, SKIPPED),
    CaseResult("t::envelope", ["GRAPH-ERROR-ENVELOPE"], FAIL),
]
DIGESTS: dict[str, Any] = {"catalog": {"file": "requirements.yaml", "sha256": None},
                           "openapi": {"file": "event-cancel.yaml", "sha256": None}}


def _run(cases: list[CaseResult] = CASES, **fields: Any) -> Any:
    run = run_of(CATALOG, cases, actions=["cancel", "accept"], **fields)
    run.verdicts = build_verdicts(CATALOG, cases, actions=["cancel", "accept"])
    return run


def test_a_requirement_of_an_unselected_action_is_not_applicable_even_without_a_case() -> None:
    verdicts = {v.requirement.id: v.verdict for v in build_verdicts(CATALOG, [], actions=["cancel"])}
    assert verdicts == {"CANCEL-202-EMPTY": NOT_VERIFIED, "ACCEPT-202-EMPTY": NOT_APPLICABLE,
                        "ACCEPT-SENDS-RESPONSE": NOT_APPLICABLE, "FORWARD-202-EMPTY": NOT_APPLICABLE,
                        "GRAPH-ERROR-ENVELOPE": NOT_VERIFIED}
    every = {v.requirement.id: v.verdict for v in build_verdicts(CATALOG, [])}
    assert set(every.values()) == {NOT_VERIFIED}  # no selection known: every action is checked


def test_a_common_requirement_probed_only_on_unselected_routes_is_not_verified() -> None:
    skipped = "not-applicable: action cancel is not selected for this run (actions: accept)"
    cases = [CaseResult("t::probe", ["GRAPH-ERROR-ENVELOPE"], NOT_APPLICABLE, skipped)]
    verdicts = {v.requirement.id: v.verdict for v in build_verdicts(CATALOG, cases, actions=["accept"])}
    assert verdicts["GRAPH-ERROR-ENVELOPE"] == NOT_VERIFIED
    assert verdicts["CANCEL-202-EMPTY"] == NOT_APPLICABLE


def test_each_action_gets_the_verdict_of_its_requirements_and_common_comes_last() -> None:
    entries = [(entry.action, entry.verdict, entry.selected) for entry in _run().by_action]
    assert entries == [("cancel", PASS, True), ("accept", NOT_VERIFIED, True),
                       ("forward", NOT_APPLICABLE, False), ("common", FAIL, True)]


def test_the_summary_has_one_line_per_action_and_one_overall() -> None:
    text = render_markdown(_run())
    assert "| `cancel` | ✅ pass | 1 | 0 | 0 | 0 |" in text
    assert "| `accept` | ❔ not-verified | 1 | 0 | 1 | 0 |" in text
    assert "| `forward` | ➖ not-applicable (not selected) | 0 | 0 | 0 | 1 |" in text
    assert "| `common` | ❌ fail | 0 | 1 | 0 | 0 |" in text
    assert "| **overall** | ✅ conformant | 2 | 1 | 1 | 1 |" in text  # no gate computed in this run
    line = action_line(_run())
    assert line.startswith("cancel pass (1 pass) · accept not-verified (1 pass, 1 not-verified) · ")


def test_certification_json_carries_the_verdict_of_each_action_and_verify_recomputes_it() -> None:
    document = build_certification(_run(), DIGESTS)
    assert validate_certification(document) == []
    assert document["target"]["actions"] == ["cancel", "accept"]
    assert [(entry["action"], entry["verdict"]) for entry in document["actions"]] == [
        ("cancel", PASS), ("accept", NOT_VERIFIED), ("forward", NOT_APPLICABLE), ("common", FAIL)]
    assert _check_actions(document) == []
    document["actions"][1]["verdict"] = PASS  # a hand-edited per-action verdict
    assert _check_actions(document) == [
        "action accept: certification.json records pass {'pass': 1, 'fail': 0, 'not-verified': 1, "
        "'not-applicable': 0}, but its requirements give not-verified {'pass': 1, 'fail': 0, "
        "'not-verified': 1, 'not-applicable': 0}"]


def test_a_certification_leaves_out_the_actions_the_product_does_not_implement() -> None:
    cases = [CaseResult("t::cancel", ["CANCEL-202-EMPTY"], PASS),
             CaseResult("t::accept", ["ACCEPT-202-EMPTY", "ACCEPT-SENDS-RESPONSE"], PASS),
             CaseResult("t::forward", ["FORWARD-202-EMPTY"], NOT_APPLICABLE, SKIPPED)]
    assert certification_problems(_run(cases, certify=True)) == []
    everything = run_of(CATALOG, cases, certify=True)  # all actions selected: forward's n/a is a problem
    assert certification_problems(everything) == [
        "FORWARD-202-EMPTY: not-applicable, but profile 'core' cannot be declared unsupported"]
