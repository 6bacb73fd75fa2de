"""Folding pytest's phase reports into one case outcome (fail wins; a skip is not-verified or n/a), no run."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest
from _pytest.reports import TestReport

from conformance._stash import EXCHANGES_KEY
from conformance.outcomes import FAIL, NOT_APPLICABLE, NOT_VERIFIED, PASS
from conformance.report import collect
from conformance.report.collect import FOOTPRINT_PROPERTY, REPORT_ATTRIBUTE, ResultCollector
from conformance.target.exchange import Exchange
from conformance.target.footprint import Footprint
from conformance.target.polling import EFFECT_PROPERTY
from conformance.target.prerequisites import PREREQUISITE_PROPERTY

NODE = "tests/t.py::test_a"
ANNOTATION = {"requirements": ["CANCEL-202-EMPTY", "GRAPH-ERROR-ENVELOPE"], "exchanges": [{"status": 202}]}


def report(
    outcome: str = "passed", when: str = "call", longrepr: Any = None, *, nodeid: str = NODE,
    annotation: Any = ANNOTATION, duration: float = 0.5, properties: list[tuple[str, object]] | None = None,
    **extra: Any,
) -> TestReport:
    """A phase report as the collector gets it (annotated by the report plugin unless `annotation=None`)."""
    if annotation is not None:
        extra[REPORT_ATTRIBUTE] = annotation
    return TestReport(nodeid, ("t.py", 1, "test_a"), {}, outcome, longrepr, when,  # type: ignore[arg-type]
                      duration=duration, user_properties=properties or [], **extra)


def collector() -> ResultCollector:
    return ResultCollector(cast(pytest.Config, SimpleNamespace()))


def fold(*reports: TestReport) -> Any:
    """The single case the reports make."""
    results = collector()
    for phase in reports:
        results.pytest_runtest_logreport(phase)
    [case] = results.results()
    return case


def test_a_case_passing_every_phase_passes_and_sums_its_durations() -> None:
    case = fold(report(when="setup", duration=0.25), report(), report(when="teardown", duration=0.25))
    assert (case.outcome, case.phase, case.message) == (PASS, "call", "")
    assert case.requirement_ids == ["CANCEL-202-EMPTY", "GRAPH-ERROR-ENVELOPE"]
    assert case.duration_s == 1.0
    assert case.exchanges == [{"status": 202}] * 3


def test_a_failing_call_fails_the_case_with_its_message() -> None:
    case = fold(report(when="setup"), report("failed", longrepr="boom"), report(when="teardown"))
    assert (case.outcome, case.phase, case.message) == (FAIL, "call", "boom")


def test_a_failing_setup_or_teardown_fails_the_case_and_says_where() -> None:
    assert fold(report("failed", "setup", "no fixture")).message == "error in setup: no fixture"
    late = fold(report(), report("failed", "teardown", "cleanup broke"))
    assert (late.outcome, late.phase, late.message) == (FAIL, "teardown", "error in teardown: cleanup broke")


def test_fail_wins_over_a_later_skip_and_keeps_its_message() -> None:
    skipped = ("t.py", 3, "Skipped: not-verified: later")
    case = fold(report("failed", longrepr="first"), report("skipped", "teardown", skipped))
    assert (case.outcome, case.phase, case.message) == (FAIL, "call", "first")


def test_a_skip_is_not_verified_unless_it_says_not_applicable() -> None:
    verified = fold(report("skipped", "setup", ("t.py", 3, "Skipped: not-verified: no identity")))
    assert (verified.outcome, verified.phase, verified.message) == (NOT_VERIFIED, "setup", "no identity")
    applicable = fold(report("skipped", longrepr=("t.py", 3, "Skipped: not-applicable: groups")))
    assert (applicable.outcome, applicable.phase, applicable.message) == (NOT_APPLICABLE, "call", "groups")


def test_a_passing_phase_after_a_skip_does_not_turn_it_into_a_pass() -> None:
    case = fold(report("skipped", "setup", ("t.py", 3, "Skipped: not-verified: x")), report(when="teardown"))
    assert (case.outcome, case.phase) == (NOT_VERIFIED, "setup")


def test_an_unexpected_pass_of_an_xfail_is_a_failure() -> None:
    case = fold(report("skipped", longrepr=("t.py", 3, "xfail"), wasxfail="reason"))
    assert case.outcome == FAIL


def test_a_subtests_skip_neither_decides_the_case_nor_adds_time() -> None:
    sub = report("skipped", longrepr=("t.py", 3, "Skipped: not-verified: one route"), context="route",
                 duration=5.0)
    case = fold(report(), sub)
    assert (case.outcome, case.duration_s) == (PASS, 0.5)
    failing_sub = fold(report(), report("failed", longrepr="route broke", context="route", duration=5.0))
    assert (failing_sub.outcome, failing_sub.duration_s) == (FAIL, 0.5)


def test_a_failing_test_outside_the_conformance_cases_is_kept_apart() -> None:
    results = collector()
    results.pytest_runtest_logreport(report(annotation=None, nodeid="tests/x.py::ok"))
    results.pytest_runtest_logreport(report("failed", longrepr="x", annotation=None,
                                            nodeid="tests/x.py::bad"))
    assert results.other_failures == ["tests/x.py::bad"] and results.results() == []


def test_a_later_phase_without_annotation_still_folds_into_its_case() -> None:
    case = fold(report(when="setup"), report("failed", longrepr="late", annotation=None))
    assert (case.outcome, case.message) == (FAIL, "late")
    assert case.exchanges == [{"status": 202}]


def test_the_run_info_of_the_first_worker_report_is_kept() -> None:
    results = collector()
    results.pytest_runtest_logreport(report(annotation={**ANNOTATION, "run_info": {"run_id": "gc-1"}}))
    results.pytest_runtest_logreport(report(nodeid="t::b", annotation={**ANNOTATION,
                                                                       "run_info": {"run_id": "x"}}))
    results.pytest_runtest_logreport(report(nodeid="t::c", annotation={**ANNOTATION, "run_info": "junk"}))
    assert results.worker_run_info == {"run_id": "gc-1"}


def test_a_case_keeps_its_worker_prerequisites_and_footprint() -> None:
    record = {"id": "EVENT-CREATE", "status": "ok", "detail": "token=abc.def.ghi"}
    footprint = Footprint(requests=3, cancels_sent=1)
    properties = [
        (PREREQUISITE_PROPERTY, record), ("other", 1), (FOOTPRINT_PROPERTY, footprint.as_property())
    ]
    gateway = SimpleNamespace(gateway=SimpleNamespace(id="gw1"))
    case = fold(report(properties=properties, node=gateway), report(when="teardown"))
    assert case.worker == "gw1"
    assert [entry["id"] for entry in case.prerequisites] == ["EVENT-CREATE"]
    assert case.footprint.requests == 3 and case.footprint.cancels_sent == 1
    results = collector()
    results.pytest_runtest_logreport(report(properties=properties))
    results.pytest_runtest_logreport(report(nodeid="t::b", properties=properties))
    assert results.footprint().requests == 6


def test_exchanges_that_are_not_records_are_dropped() -> None:
    case = fold(report(annotation={"requirements": ["R"], "exchanges": [{"status": 1}, "junk", 3]}))
    assert case.exchanges == [{"status": 1}]


# --- the helpers ------------------------------------------------------------------------------------------

def test_requirement_ids_come_from_every_marker_in_order_without_duplicates() -> None:
    markers = [SimpleNamespace(args=("A", "B")), SimpleNamespace(args=("B", "C"))]
    asked: list[str] = []

    def iter_markers(name: str) -> list[Any]:
        asked.append(name)
        return markers

    item = cast(pytest.Item, SimpleNamespace(iter_markers=iter_markers))
    assert collect.requirement_ids_of(item) == ["A", "B", "C"]
    assert asked == ["requirement"]


def test_each_report_takes_only_the_exchanges_new_since_the_last() -> None:
    item = cast(pytest.Item, SimpleNamespace(stash=pytest.Stash()))
    assert collect._new_exchanges(item) == []
    one, two, three = (Exchange("GET", f"https://graph.example/v1.0/me/events/{n}") for n in (1, 2, 3))
    item.stash[EXCHANGES_KEY] = [one, two]
    assert collect._new_exchanges(item) == [one, two]
    item.stash[EXCHANGES_KEY].append(three)
    assert collect._new_exchanges(item) == [three]
    assert collect._new_exchanges(item) == []


def test_a_user_property_is_replaced_not_repeated() -> None:
    properties: list[tuple[str, object]] = [("a", 1), ("b", 2), ("a", 3)]
    collect._set_property(properties, "a", 4)
    assert properties == [("b", 2), ("a", 4)]
    assert collect._property(properties, "a") == 4 and collect._property(properties, "z") is None
    assert collect._property([("a", 1), ("a", 2)], "a") == 2


def test_a_message_is_the_skip_reason_the_exception_or_the_text_bounded_and_redacted() -> None:
    skipped = report("skipped", longrepr=("t.py", 3, "Skipped: why"))
    assert collect._message_of(skipped) == "why"  # the outcome column says it was skipped
    reason = report("skipped", longrepr=("t.py", 3, "Skipped: not-verified: prerequisite EVENT-READ failed"))
    assert collect._message_of(reason) == "prerequisite EVENT-READ failed"
    # only the leading words go: a reason that quotes an outcome later keeps it
    quoted = ("t.py", 3, "Skipped: not-applicable: see not-verified: x")
    assert collect._message_of(report("skipped", longrepr=quoted)) == "see not-verified: x"
    crash = SimpleNamespace(reprcrash=SimpleNamespace(message="AssertionError: no", path="/a.py", lineno=7))
    assert collect._message_of(report("failed", longrepr=crash)) == "no\n(at /a.py:7)"  # no class name
    vague = SimpleNamespace(reprcrash=SimpleNamespace(message="AssertionError: no"))
    assert collect._message_of(report("failed", longrepr=vague)) == "no\n(at ?:?)"
    assert collect._message_of(report("failed",
                                      longrepr="Bearer abc.def.ghi leaked")) == "Bearer [REDACTED] leaked"
    assert collect._message_of(report("failed", longrepr="")) == ""
    long = collect._message_of(report("failed", longrepr="x" * 4010))
    assert long == "x" * 4000 + "... [10 more characters]"
    assert collect._message_of(report("failed", longrepr="y" * 4000)) == "y" * 4000


def test_the_worker_is_the_gateway_id_or_none() -> None:
    assert collect._worker_of(report(node=SimpleNamespace(gateway=SimpleNamespace(id="gw3")))) == "gw3"
    assert collect._worker_of(report(node=SimpleNamespace(gateway=SimpleNamespace(id=None)))) == ""
    assert collect._worker_of(report()) == ""


def test_a_case_is_named_by_its_node_and_a_phase_without_time_adds_none() -> None:
    case = fold(report(duration=0.0), report(when="teardown", duration=0.0))
    assert case.nodeid == NODE and case.duration_s == 0.0
    bare = fold(report(annotation={"exchanges": []}))
    assert bare.requirement_ids == []


def test_a_fresh_collector_has_no_run_info_case_or_failure() -> None:
    results = collector()
    assert (results.worker_run_info, results.results(), results.other_failures) == ({}, [], [])
    assert results.footprint().requests == 0


def test_only_a_skips_reason_is_read_from_a_location_tuple() -> None:
    failed = report("failed", longrepr=("t.py", 3, "not a skip reason"))
    assert collect._message_of(failed) == "('t.py', 3, 'not a skip reason')"
    no_message = SimpleNamespace(reprcrash=SimpleNamespace(message="", path="/a.py", lineno=7))
    assert "(at /a.py:7)" not in collect._message_of(report("failed", longrepr=no_message))


def test_the_report_hook_annotates_a_conformance_item_with_its_ids_exchanges_and_footprint() -> None:
    exchange = {"method": "POST", "url": "http://h/v1.0/me/events/E1/cancel", "status": 202,
                "identity": "organizer", "sent_at": 1.0}
    item = SimpleNamespace(
        iter_markers=lambda name: [SimpleNamespace(args=("CANCEL-202-EMPTY",))],
        config=SimpleNamespace(stash=pytest.Stash()), stash=pytest.Stash(), user_properties=[],
    )
    item.stash[EXCHANGES_KEY] = [exchange]
    results = collector()
    hook = results.pytest_runtest_makereport(cast(pytest.Item, item), cast(pytest.CallInfo[None], None))
    next(hook)
    phase = report(annotation=None)
    with pytest.raises(StopIteration) as done:
        hook.send(phase)
    assert done.value.value is phase
    annotation = getattr(phase, REPORT_ATTRIBUTE)
    assert annotation["requirements"] == ["CANCEL-202-EMPTY"] and len(annotation["exchanges"]) == 1
    carried = collect._property(phase.user_properties, FOOTPRINT_PROPERTY)
    assert isinstance(carried, dict) and carried["requests"] == 1 and carried["cancels_sent"] == 1


def test_a_case_keeps_its_effect_records_only() -> None:
    waits = [{"kind": "notice", "bound_s": 30.0}, {"kind": "notice", "seen": 1, "latency_s": 0.2}]
    properties: list[tuple[str, object]] = [
        (EFFECT_PROPERTY, waits[0]), ("other", {"kind": "x"}), (EFFECT_PROPERTY, "not a record"),
        (EFFECT_PROPERTY, waits[1]),
    ]
    assert fold(report(properties=properties)).effects == waits
    assert fold(report()).effects == []
