"""Prerequisite records of run-wide arranging reach the running item; an unanswered request fails or stops."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.errors import TargetUnreachable
from conformance.reference.serve import ReferenceServer
from conformance.target.client import Graph
from conformance.target.config import TargetConfig, load_target_file
from conformance.target.listing import complete_listing
from conformance.target.prerequisites import (
    EVENT_READ,
    ODATA_FILTER,
    PREREQUISITE_PROPERTY,
    PrerequisiteFailed,
    PrerequisiteLog,
    Record,
    records_to,
    unanswered_fails,
)
from conformance.target.provision import Provisioner
from tests._gaps import ERROR_BODY, Gaps, statuses

pytest_plugins = ["pytester"]


def cancelled_and_presumed_gone(provisioner: Provisioner, graph: Graph, count: int) -> None:
    for _ in range(count):
        event = provisioner.event(attendees=0)
        assert graph.as_("organizer").post(f"{event.path}/cancel", json={}).status_code == 202
        provisioner.presumed_gone(event)


def test_a_refused_filter_met_by_a_sinkless_provisioners_cleanup_lands_on_the_running_sink(
    graph: Graph, gaps: Gaps
) -> None:
    provisioner = Provisioner(graph, "gc-routing-1", "run-wide")  # like the Schemathesis cases' supply
    cancelled_and_presumed_gone(provisioner, graph, 2)
    gaps.add("GET", r"/me/calendar/events$", 400, ERROR_BODY, query="$filter")
    running: list[Record] = []
    with records_to(running.append):
        provisioner.cleanup()
    assert (ODATA_FILTER, "fallback") in statuses(running)
    refused = next(record for record in running if record["id"] == ODATA_FILTER)
    assert refused["exchange"]["status"] == 400 and "filtered on the client" in refused["fallback"]


def test_without_a_running_sink_a_sinkless_provisioner_records_nothing(graph: Graph, gaps: Gaps) -> None:
    provisioner = Provisioner(graph, "gc-routing-2", "run-wide")
    cancelled_and_presumed_gone(provisioner, graph, 2)
    gaps.add("GET", r"/me/calendar/events$", 400, ERROR_BODY, query="$filter")
    elsewhere: list[Record] = []
    with records_to(elsewhere.append):
        pass
    provisioner.cleanup()  # nothing to hand the records to, and nothing fails
    assert elsewhere == []


def test_a_case_listing_with_a_refused_filter_records_the_fallback_on_its_item(
    graph: Graph, gaps: Gaps
) -> None:
    gaps.add("GET", r"/me/events$", 501, ERROR_BODY, query="$filter")
    running: list[Record] = []
    params = {"$filter": "startswith(subject,'[gc gc-routing-3]')", "$top": "5"}
    with records_to(running.append):
        listed = complete_listing(graph.as_("organizer"), "/me/events", params, max_pages=2)
    assert listed is not None  # read again without $filter
    assert statuses(running) == [(ODATA_FILTER, "fallback")]
    assert running[0]["exchange"]["status"] == 501


def test_a_log_with_its_own_sink_keeps_its_records_and_failures_are_left_to_their_catcher() -> None:
    own: list[Record] = []
    running: list[Record] = []
    with records_to(running.append):
        PrerequisiteLog(own.append).ok(EVENT_READ, "read back")
        failure = PrerequisiteLog().failed(EVENT_READ, "HTTP 404")
        PrerequisiteLog().fallback(ODATA_FILTER, "HTTP 400: $filter refused", "the unfiltered listing")
    assert statuses(own) == [(EVENT_READ, "ok")]
    assert statuses(running) == [(ODATA_FILTER, "fallback")]
    assert not failure.recorded and failure.record["status"] == "failed"  # the plugin records it


def test_an_unanswered_request_fails_the_prerequisite_while_the_target_answers_a_probe(
    reference_target: Path,
) -> None:
    target = load_target_file(reference_target, environ={})
    records: list[Record] = []
    expected = "prerequisite EVENT-READ failed: GET /me/events/x: gone"
    with pytest.raises(PrerequisiteFailed, match=expected) as caught:
        with unanswered_fails(PrerequisiteLog(records.append), EVENT_READ, target):
            raise TargetUnreachable("GET /me/events/x: gone")
    assert isinstance(caught.value.__cause__, TargetUnreachable)
    assert statuses(records) == [(EVENT_READ, "failed")]


def test_an_unanswered_request_stops_arranging_when_the_probe_goes_unanswered_too(tmp_path: Path) -> None:
    with ReferenceServer() as server:
        target: TargetConfig = load_target_file(server.write_target(tmp_path / "target.yaml"), environ={})
    records: list[Record] = []
    with pytest.raises(TargetUnreachable, match="does not answer"):  # the server has stopped
        with unanswered_fails(PrerequisiteLog(records.append), EVENT_READ, target):
            raise TargetUnreachable("GET /me/events/x: gone")
    assert records == []


RUN_WIDE_CONFTEST = f"""
import pytest
from conformance.target.prerequisites import PrerequisiteLog

@pytest.fixture(scope="session")
def run_wide():
    log = PrerequisiteLog()
    log.ok("EVENT-CREATE", "created (POST /me/events -> HTTP 201)")
    yield
    log.fallback("{ODATA_FILTER}", "HTTP 400: $filter refused", "the unfiltered listing")
"""


def test_the_plugin_puts_run_wide_records_on_the_item_running_then_the_last_teardown_too(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(RUN_WIDE_CONFTEST)
    two_tests = "def test_first(run_wide):\n    pass\n\n\ndef test_second(run_wide):\n    pass\n"
    pytester.makepyfile(test_two=two_tests)
    result = pytester.inline_run("-p", "no:randomly", "-p", "no:cacheprovider", "--graph-conformance")
    result.assertoutcome(passed=2)
    carried = {
        (report.nodeid.rsplit("::", 1)[-1], report.when, str(value["id"]), str(value["status"]))
        for report in result.getreports("pytest_runtest_logreport")
        for name, value in report.user_properties
        if name == PREREQUISITE_PROPERTY and isinstance(value, dict)
    }
    assert ("test_first", "setup", "EVENT-CREATE", "ok") in carried
    assert ("test_second", "teardown", ODATA_FILTER, "fallback") in carried
    assert not any(test == "test_first" and prereq == ODATA_FILTER for test, _, prereq, _ in carried)
