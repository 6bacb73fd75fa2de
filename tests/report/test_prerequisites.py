"""Prerequisites table, per-requirement case counts and the footprint in every report."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from bs4 import BeautifulSoup

from conformance.report.certification import validate_certification
from conformance.report.model import CaseResult
from conformance.report.prerequisites import blocked_by, prerequisite_rows
from tests.report._inner_project import KNOWN_JWT, KNOWN_SECRETS, InnerProject, certification_of, run_dir_of

pytest_plugins = ["pytester"]

ROWS = [
    ("TEST-ROUTES", "doc", "core", "POST /me/events/{id}/cancel"),
    ("TEST-CALENDAR", "doc", "core", "POST /me/calendars/{id}/events/{id}/cancel"),
    ("TEST-NOTICE", "graph", "core", "Attendees get a cancellation message."),
]

CASES = """
import pytest

PROPERTY = "graph_conformance_prerequisite"

def _record(prerequisite_id, status, detail, fallback="", fix="", exchange=None):
    return {"id": prerequisite_id, "title": prerequisite_id.lower(), "status": status, "detail": detail,
            "fallback": fallback, "fix": fix, "exchange": exchange}

REFUSED = {
    "method": "POST", "url": "http://127.0.0.1:9/v1.0/me/events", "identity": "organizer",
    "request_headers": {"Authorization": "Bearer " + TOKEN}, "request_body": '{"subject": "x"}',
    "status": 200, "response_headers": {}, "response_body": '{"no": "id"}', "request_id": "rid-create",
    "elapsed_ms": 3.0,
}

@pytest.mark.requirement("TEST-ROUTES")
@pytest.mark.parametrize("route", ["a", "b", "c"])
def test_route(request, record, route):
    if route == "c":
        request.node.user_properties.append(
            (PROPERTY, _record("EVENT-CREATE", "failed", "POST /me/events answered 200 without an id; "
             "token " + TOKEN, fix="answer 201 with the event's id", exchange=REFUSED)))
        pytest.skip("not-verified: prerequisite EVENT-CREATE failed: no id")
    request.node.user_properties.append((PROPERTY, _record("EVENT-CREATE", "ok", "created")))
    record("POST", "/me/events", 201, body={"attendees": [{"emailAddress": {"address": "a@x"}}]},
           response_body='{"id": "ev-' + route + '"}')
    record("POST", "/me/events/ev-" + route + "/cancel", 202, body={"comment": "off"})

@pytest.mark.requirement("TEST-CALENDAR")
def test_calendar(request, record):
    request.node.user_properties.append(
        (PROPERTY, _record("CALENDAR-CREATE", "fallback", "POST /me/calendars answered 501",
                           fallback="the default calendar (GET /me/calendar)")))
    request.node.user_properties.append((PROPERTY, _record("EVENT-CREATE", "ok", "created")))

@pytest.mark.requirement("TEST-NOTICE")
def test_notice(request):
    request.node.user_properties.append((PROPERTY, _record("MAILBOX-MESSAGES", "ok", "listed")))
"""

ALL_BLOCKED = """
import pytest

@pytest.mark.requirement("TEST-ROUTES")
def test_one():
    pytest.skip("not-verified: prerequisite EVENT-CREATE failed: no id")

@pytest.mark.requirement("TEST-CALENDAR")
def test_two():
    pytest.skip("not-verified: prerequisite EVENT-CREATE failed: no id")
"""


def _project(inner_project: InnerProject, source: str) -> pytest.Pytester:
    pytester = inner_project(failing=False, rows=ROWS)
    for path in pytester.path.glob("test_*.py"):
        path.unlink()
    pytester.makepyfile(test_arranged=f"TOKEN = {KNOWN_JWT!r}\n" + source)
    return pytester


def _case(outcome: str, requirement_id: str, *records: dict[str, Any]) -> CaseResult:
    return CaseResult(
        nodeid=f"t::{requirement_id}::{len(records)}",
        requirement_ids=[requirement_id],
        outcome=outcome,
        prerequisites=list(records),
    )


def _record(prerequisite_id: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"id": prerequisite_id, "title": "t", "status": status, "detail": f"{status} detail", **extra}


def test_rows_count_each_case_once_by_its_worst_record_and_name_what_was_blocked() -> None:
    exchange = {"method": "GET", "url": "http://h/v1.0/me/events/e/instances", "status": 501}
    rows = prerequisite_rows(
        [
            _case("pass", "R-1", _record("INSTANCES", "ok"), _record("EVENT-CREATE", "ok")),
            _case(
                "not-verified",
                "R-2",
                _record("INSTANCES", "ok"),
                _record("INSTANCES", "failed", exchange=exchange),
            ),
            _case(
                "fail", "R-3", _record("INSTANCES", "failed")
            ),  # failed arranging, yet failed: not "blocked"
            _case("pass", "R-4", _record("EVENT-CREATE", "fallback", fallback="201 expected, 200 accepted")),
            _case("pass", "R-5", _record("EVENT-CREATE", "fallback", fallback="201 expected, 200 accepted")),
            _case("pass", "R-6", _record("ZZ-UNKNOWN", "ok")),
        ]
    )
    assert [row.id for row in rows] == [
        "EVENT-CREATE",
        "INSTANCES",
        "ZZ-UNKNOWN",
    ]  # catalog order, then others
    event_create, instances, unknown = rows
    assert (event_create.worked, event_create.failed, event_create.fallbacks) == (1, 0, 2)
    assert event_create.fallbacks_used == ["201 expected, 200 accepted"]
    assert event_create.title == "create an event with attendees"  # the catalog's title wins
    assert (instances.worked, instances.failed, instances.blocked) == (1, 2, ["R-2"])
    assert instances.exchange is not None and instances.exchange["status"] == 501
    assert instances.curl.startswith("curl -i -X GET http://h/v1.0/me/events/e/instances")
    assert unknown.title == "t" and blocked_by(rows, "R-2") == ["INSTANCES"] and blocked_by(rows, "R-3") == []


def test_every_report_shows_case_counts_prerequisites_and_the_footprint(inner_project: InnerProject) -> None:
    pytester = _project(inner_project, CASES)
    result = pytester.runpytest()
    assert result.ret == 0, result.stdout.str()
    run_dir = run_dir_of(pytester.path)
    document = certification_of(pytester.path)
    assert validate_certification(document) == []
    routes = next(entry for entry in document["requirements"] if entry["id"] == "TEST-ROUTES")
    assert routes["verdict"] == "not-verified" and routes["blocked_by"] == ["EVENT-CREATE"]
    assert routes["case_counts"] == {"pass": 2, "fail": 0, "not-verified": 1, "not-applicable": 0}
    rows = {row["id"]: row for row in document["prerequisites"]}
    assert list(rows) == ["EVENT-CREATE", "CALENDAR-CREATE", "MAILBOX-MESSAGES"]
    assert (rows["EVENT-CREATE"]["worked"], rows["EVENT-CREATE"]["failed"]) == (3, 1)
    assert rows["EVENT-CREATE"]["blocked"] == ["TEST-ROUTES"]
    assert rows["EVENT-CREATE"]["exchange"]["request_id"] == "rid-create"
    assert rows["EVENT-CREATE"]["curl"].startswith("curl -i -X POST http://127.0.0.1:9/v1.0/me/events")
    assert rows["CALENDAR-CREATE"]["fallbacks_used"] == ["the default calendar (GET /me/calendar)"]
    footprint = document["footprint"]
    assert (footprint["requests"], footprint["events_created"], footprint["cancels_2xx"]) == (4, 2, 2)
    per_case = {case["nodeid"].rsplit("::", 1)[-1]: case["footprint"] for case in routes["cases"]}
    assert per_case["test_route[a]"] == {
        "requests": 2,
        "events_created": 1,
        "cancels_sent": 1,
        "cancels_2xx": 1,
        "invitations": 1,
        "notices": 1,
        "forwarded": 0,
        "responses": 0,
    }
    assert per_case["test_route[c]"]["requests"] == 0
    assert footprint["meeting_messages"] == {"total": 4, "invitations": 2, "notices": 2, "forwarded": 0,
                                             "responses": 0}

    summary = (run_dir / "summary.md").read_text(encoding="utf-8")
    assert (
        "| 2 pass, 1 not-verified |" in summary and "**Footprint:** 4 requests, 2 events created" in summary
    )
    assert "| `EVENT-CREATE` create an event with attendees | 3 | 1 | 0 | `TEST-ROUTES` |" in summary
    assert "Fix: answer 201 with the event's id" in summary

    junit = ET.parse(run_dir / "junit.xml").getroot()
    testcase = next(case for case in junit.iter("testcase") if case.get("name") == "TEST-ROUTES")
    properties = {prop.get("name"): prop.get("value") for prop in testcase.iter("property")}
    assert properties["cases.pass"] == "2" and properties["cases.not-verified"] == "1"
    assert properties["blocked-by"] == "EVENT-CREATE"
    suite = junit.find("testsuite")
    assert suite is not None
    suite_properties = {prop.get("name"): str(prop.get("value")) for prop in suite.iter("property")}
    assert suite_properties["footprint.meeting_messages"] == "4"
    assert suite_properties["prerequisite.EVENT-CREATE"].startswith("worked 3, failed 1, fallback 0")

    page = BeautifulSoup((run_dir / "index.html").read_text(encoding="utf-8"), "html.parser")
    table = page.find(id="prerequisites")
    assert table is not None and "TEST-ROUTES" in table.get_text()
    assert "footprint: 4 requests" in page.find(id="footprint").get_text()  # type: ignore[union-attr]
    assert "2 pass, 1 not-verified" in page.get_text()

    result.stdout.fnmatch_lines(
        [
            "*prerequisite EVENT-CREATE (create an event with attendees) failed in 1 case*",
            "*footprint: 4 requests, 2 events created, 2 cancels sent (2 2xx)*",
        ]
    )
    for path in run_dir.iterdir():
        text = path.read_text(encoding="utf-8")
        assert all(secret not in text for secret in KNOWN_SECRETS), path.name


def test_mostly_not_verified_runs_suggest_preflight_with_the_same_target(inner_project: InnerProject) -> None:
    pytester = _project(inner_project, ALL_BLOCKED)
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(
        ["*2 of 2 requirements that ran are not-verified*`graph-conformance preflight`*"]
    )
    mostly_passing = _project(inner_project, CASES).runpytest()
    assert "graph-conformance preflight" not in mostly_passing.stdout.str()


def test_xdist_workers_carry_prerequisites_and_footprint_to_the_controller(
    inner_project: InnerProject,
) -> None:
    pytester = _project(inner_project, CASES)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider", timeout=120)
    assert result.ret == 0, result.stdout.str()
    document = certification_of(pytester.path)
    assert document["footprint"]["requests"] == 4 and document["footprint"]["meeting_messages"]["total"] == 4
    rows = {row["id"]: row for row in document["prerequisites"]}
    assert (rows["EVENT-CREATE"]["worked"], rows["EVENT-CREATE"]["failed"]) == (3, 1)
