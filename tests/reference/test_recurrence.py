"""Recurring series: rrule expansion, instances, occurrence cancel and series cancel."""

from __future__ import annotations

from typing import Any

import pytest

from tests.reference._graph_client import GraphClient, quote_id

WINDOW = {"startDateTime": "2031-01-01T00:00:00", "endDateTime": "2032-12-31T00:00:00"}


def _series(
    graph: GraphClient,
    subject: str,
    pattern: dict[str, Any],
    recurrence_range: dict[str, Any],
    start: str = "2031-06-02T09:00:00",
) -> dict[str, Any]:
    hour_later = start[:11] + f"{int(start[11:13]) + 1:02d}" + start[13:]
    return graph.create_event(
        subject=subject,
        start={"dateTime": start, "timeZone": "UTC"},
        end={"dateTime": hour_later, "timeZone": "UTC"},
        recurrence={"pattern": pattern, "range": recurrence_range},
    )


def _daily(graph: GraphClient, subject: str, occurrences: int) -> dict[str, Any]:
    """A daily series of `occurrences` events from 2031-06-02."""
    numbered = {"type": "numbered", "startDate": "2031-06-02", "numberOfOccurrences": occurrences}
    return _series(graph, subject, {"type": "daily", "interval": 1}, numbered)


def _instances(graph: GraphClient, master_id: str, role: str = "organizer") -> list[dict[str, Any]]:
    answer = graph.request(
        "GET", f"/me/events/{quote_id(master_id)}/instances", role, params={**WINDOW, "$top": "500"}
    )
    assert answer.status_code == 200, answer.text
    return list(answer.json()["value"])


@pytest.mark.parametrize(
    ("pattern", "recurrence_range", "expected_days"),
    [
        (
            {"type": "daily", "interval": 2},
            {"type": "numbered", "startDate": "2031-06-02", "numberOfOccurrences": 3},
            ["2031-06-02", "2031-06-04", "2031-06-06"],
        ),
        (
            {
                "type": "weekly",
                "interval": 1,
                "daysOfWeek": ["monday", "thursday"],
                "firstDayOfWeek": "sunday",
            },
            {"type": "endDate", "startDate": "2031-06-02", "endDate": "2031-06-12"},
            ["2031-06-02", "2031-06-05", "2031-06-09", "2031-06-12"],
        ),
        (
            {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 15},
            {"type": "numbered", "startDate": "2031-06-02", "numberOfOccurrences": 2},
            ["2031-06-15", "2031-07-15"],
        ),
        (
            {"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["friday"], "index": "last"},
            {"type": "numbered", "startDate": "2031-06-02", "numberOfOccurrences": 2},
            ["2031-06-27", "2031-07-25"],
        ),
        (
            {"type": "absoluteYearly", "interval": 1, "month": 7, "dayOfMonth": 4},
            {"type": "numbered", "startDate": "2031-06-02", "numberOfOccurrences": 2},
            ["2031-07-04", "2032-07-04"],
        ),
        (
            {
                "type": "relativeYearly",
                "interval": 1,
                "month": 11,
                "daysOfWeek": ["thursday"],
                "index": "fourth",
            },
            {"type": "numbered", "startDate": "2031-06-02", "numberOfOccurrences": 2},
            ["2031-11-27", "2032-11-25"],
        ),
        (
            {"type": "weekly", "interval": 52, "daysOfWeek": ["monday"]},
            {"type": "noEnd", "startDate": "2031-06-02"},
            ["2031-06-02", "2032-05-31"],
        ),
    ],
    ids=[
        "daily",
        "weekly-endDate",
        "absoluteMonthly",
        "relativeMonthly",
        "absoluteYearly",
        "relativeYearly",
        "noEnd",
    ],
)
def test_patterns_expand_like_graph(
    graph: GraphClient, pattern: dict[str, Any], recurrence_range: dict[str, Any], expected_days: list[str]
) -> None:
    master = _series(graph, "gc-test pattern", pattern, recurrence_range)
    assert master["type"] == "seriesMaster"
    instances = _instances(graph, master["id"])
    assert [item["start"]["dateTime"][:10] for item in instances] == expected_days
    assert {item["seriesMasterId"] for item in instances} == {master["id"]}
    assert {item["type"] for item in instances} == {"occurrence"}
    assert _instances(graph, master["id"]) == instances  # ids are stable


def test_occurrence_cancel_removes_only_that_occurrence(graph: GraphClient, unique_subject: str) -> None:
    master = _daily(graph, unique_subject, 3)
    first, second, third = _instances(graph, master["id"])
    occurrence = graph.request("GET", f"/me/events/{quote_id(second['id'])}")
    assert occurrence.status_code == 200 and occurrence.json()["seriesMasterId"] == master["id"]
    answer = graph.request(
        "POST", f"/me/events/{quote_id(second['id'])}/cancel", json={"comment": "skip one"}
    )
    assert answer.status_code == 202 and answer.content == b""
    assert [item["id"] for item in _instances(graph, master["id"])] == [first["id"], third["id"]]
    refreshed = graph.request("GET", f"/me/events/{quote_id(master['id'])}").json()
    assert refreshed["cancelledOccurrences"] == [f"OID.{master['id']}.2031-06-03"]
    assert graph.request("GET", f"/me/events/{quote_id(second['id'])}").status_code == 404
    assert graph.request("POST", f"/me/events/{quote_id(second['id'])}/cancel").status_code == 404
    (message,) = graph.messages("attendee", f"Canceled: {unique_subject}")
    assert message["meetingMessageType"] == "meetingCancelled" and message["body"]["content"] == "skip one"
    copy = graph.attendee_copy("attendee", master["iCalUId"])
    cancelled = [item for item in _instances(graph, copy["id"], "attendee") if item["isCancelled"]]
    assert [item["start"]["dateTime"][:10] for item in cancelled] == ["2031-06-03"]
    assert cancelled[0]["id"] in message["event@odata.navigationLink"]


def test_series_cancel_removes_the_series(graph: GraphClient, unique_subject: str) -> None:
    master = _daily(graph, unique_subject, 3)
    assert graph.request("POST", f"/me/events/{quote_id(master['id'])}/cancel").status_code == 202
    assert (
        graph.request("GET", f"/me/events/{quote_id(master['id'])}/instances", params=WINDOW).status_code
        == 404
    )
    view = graph.request(
        "GET", "/me/calendarView", params={**WINDOW, "$filter": f"subject eq '{unique_subject}'"}
    )
    assert view.json()["value"] == []
    assert graph.attendee_copy("attendee", master["iCalUId"])["isCancelled"] is True


def test_calendar_view_expands_series(graph: GraphClient, unique_subject: str) -> None:
    _daily(graph, unique_subject, 4)
    view = graph.request(
        "GET",
        "/me/calendarView",
        params={
            "startDateTime": "2031-06-03T00:00:00Z",
            "endDateTime": "2031-06-05T00:00:00Z",
            "$filter": f"subject eq '{unique_subject}'",
        },
    )
    assert [item["start"]["dateTime"][:10] for item in view.json()["value"]] == ["2031-06-03", "2031-06-04"]


def test_instances_need_a_window(graph: GraphClient) -> None:
    master = _daily(graph, "gc-test window", 2)
    answer = graph.request("GET", f"/me/events/{quote_id(master['id'])}/instances")
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "ErrorInvalidParameter"


def test_time_zones_convert_to_utc(graph: GraphClient) -> None:
    event = graph.create_event(
        start={"dateTime": "2031-01-10T09:00:00", "timeZone": "Pacific Standard Time"},
        end={"dateTime": "2031-01-10T10:00:00", "timeZone": "Pacific Standard Time"},
    )
    assert event["start"] == {"dateTime": "2031-01-10T17:00:00.0000000", "timeZone": "UTC"}
    assert event["originalStartTimeZone"] == "Pacific Standard Time"
