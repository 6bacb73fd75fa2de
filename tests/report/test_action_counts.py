"""Per-action verdicts count each level apart, and a run's selection decides which actions are selected."""

from __future__ import annotations

from conformance.outcomes import FAIL, NOT_APPLICABLE, NOT_VERIFIED, PASS
from conformance.report.model import (
    ActionVerdict,
    RequirementInfo,
    RequirementVerdict,
    action_verdicts,
    is_selected,
)

NONE = {PASS: 0, FAIL: 0, NOT_VERIFIED: 0, NOT_APPLICABLE: 0}


def _verdict(requirement_id: str, level: str, verdict: str, action: str = "accept") -> RequirementVerdict:
    return RequirementVerdict(RequirementInfo(requirement_id, level=level, action=action), verdict, [])


def test_an_actions_counts_keep_doc_graph_and_all_apart() -> None:
    verdicts = [_verdict("ACCEPT-202-EMPTY", "doc", PASS), _verdict("ACCEPT-SENDS-RESPONSE", "doc", PASS),
                _verdict("ACCEPT-ATTENDEE-STATUS", "graph", FAIL),
                _verdict("GRAPH-ACCEPT-ORGANIZER-4XX", "graph", NOT_VERIFIED)]
    [accept] = action_verdicts(verdicts, None)
    assert accept.counts == {"doc": {**NONE, PASS: 2}, "graph": {**NONE, FAIL: 1, NOT_VERIFIED: 1},
                             "all": {**NONE, PASS: 2, FAIL: 1, NOT_VERIFIED: 1}}
    assert accept.verdict == FAIL


def test_an_actions_certification_entry_names_its_fields() -> None:
    entry = ActionVerdict("decline", NOT_VERIFIED, False, {"doc": dict(NONE), "graph": dict(NONE)})
    assert entry.as_dict() == {"action": "decline", "selected": False, "verdict": NOT_VERIFIED,
                               "doc": NONE, "graph": NONE}


def test_only_the_chosen_actions_and_common_are_selected_common_needs_one_chosen() -> None:
    accept, common = RequirementInfo("A", action="accept"), RequirementInfo("G", action="common")
    assert is_selected(accept, None) and is_selected(common, None)
    assert is_selected(accept, ["accept"]) and not is_selected(accept, ["decline"])
    assert is_selected(common, ["decline"]) and not is_selected(common, [])
    assert is_selected(accept, iter(["cancel", "accept"]))  # any iterable, read once
    verdicts = [_verdict("ACCEPT-202-EMPTY", "doc", PASS), _verdict("G", "graph", PASS, "common")]
    assert [(e.action, e.selected) for e in action_verdicts(verdicts, iter(["decline"]))] == [
        ("accept", False), ("common", True)]
