"""The prerequisite catalog, its records, and PrerequisiteFailed."""

from __future__ import annotations

import pytest

from conformance.errors import ConformanceError
from conformance.target import prerequisites as prereq
from conformance.target.prerequisites import (
    CATALOG,
    PrerequisiteFailed,
    PrerequisiteLog,
    make_record,
    status_line,
)

AGREED_IDS = (
    "IDENTITY-TOKENS", "EVENT-CREATE", "EVENT-READ", "CALENDAR-CREATE", "CALENDAR-GROUP-CREATE",
    "GROUP-EVENT-CREATE", "ATTENDEE-COPY", "SERIES-CREATE", "INSTANCES", "MAILBOX-MESSAGES", "DELETED-ITEMS",
    "ODATA-FILTER", "ODATA-PAGING",
)
RECORD_KEYS = {"id", "title", "status", "detail", "fallback", "fix", "exchange"}


def test_catalog_holds_every_agreed_id_with_title_what_is_tried_and_fix() -> None:
    assert set(AGREED_IDS) <= set(CATALOG)
    for prerequisite_id, entry in CATALOG.items():
        assert entry.id == prerequisite_id
        assert prerequisite_id == prerequisite_id.upper() and " " not in prerequisite_id
        assert entry.title and entry.tried and entry.fix, prerequisite_id


def test_fallbacks_are_named_where_the_suite_has_one() -> None:
    with_fallback = {entry.id for entry in CATALOG.values() if entry.fallback}
    assert {"CALENDAR-CREATE", "CALENDAR-GROUP-CREATE", "ODATA-FILTER"} <= with_fallback
    assert "GET /me/calendar" in CATALOG["CALENDAR-CREATE"].fallback
    assert "GET /me/calendarGroups" in CATALOG["CALENDAR-GROUP-CREATE"].fallback


def test_a_record_has_the_agreed_keys_and_the_fix_only_when_something_is_wrong() -> None:
    worked = make_record("EVENT-CREATE", "ok", "created")
    refused = make_record("EVENT-CREATE", "failed", "POST /me/events -> HTTP 403\n  denied")
    assert set(worked) == set(refused) == RECORD_KEYS
    assert worked["fix"] == "" and refused["fix"] == CATALOG["EVENT-CREATE"].fix
    assert refused["detail"] == "POST /me/events -> HTTP 403 denied"  # one line


def test_unknown_ids_and_statuses_are_refused() -> None:
    with pytest.raises(KeyError, match="not a prerequisite id"):
        make_record("NO-SUCH-THING", "ok", "")
    with pytest.raises(ValueError, match="not one of"):
        make_record("EVENT-CREATE", "skipped", "")


def test_prerequisite_failed_carries_a_failed_record_and_the_agreed_message() -> None:
    exchange = {"method": "POST", "url": "http://h/v1.0/me/events", "status": 500}
    error = PrerequisiteFailed("EVENT-CREATE", "POST /me/events -> HTTP 500", exchange=exchange)
    assert isinstance(error, ConformanceError)
    assert str(error) == "prerequisite EVENT-CREATE failed: POST /me/events -> HTTP 500"
    assert error.record["status"] == "failed" and error.record["exchange"] == exchange
    assert error.prerequisite_id == "EVENT-CREATE" and not error.recorded


def test_the_log_hands_each_ok_once_and_every_failure_marked_recorded() -> None:
    sink: list[prereq.Record] = []
    log = PrerequisiteLog(sink.append)
    log.ok("EVENT-CREATE", "created")
    log.ok("EVENT-CREATE", "created again")
    log.fallback("CALENDAR-CREATE", "refused", "the default calendar")
    error = log.failed("INSTANCES", "GET .../instances -> HTTP 501")
    assert [(record["id"], record["status"]) for record in sink] == [
        ("EVENT-CREATE", "ok"), ("CALENDAR-CREATE", "fallback"), ("INSTANCES", "failed")
    ]
    assert error.recorded and sink[-1] is error.record
    assert not PrerequisiteLog().failed("INSTANCES", "x").recorded  # no sink: the plugin records it


def test_status_line_names_method_path_status_and_graph_error_code_without_query_or_long_ids() -> None:
    exchange = {
        "method": "GET",
        "url": "http://127.0.0.1:1/v1.0/me/events/AAAAbgX2gB7ADUtv%2B%2F%2B%2FRZ023F11/instances?$top=5",
        "status": 501,
        "response_body": '{"error": {"code": "NotImplemented", "message": "no"}}',
    }
    assert status_line(exchange) == "GET /v1.0/me/events/AAAAbgX2.../instances -> HTTP 501 NotImplemented"
