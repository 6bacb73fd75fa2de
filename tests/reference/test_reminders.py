"""snoozeReminder, dismissReminder and reminderView over real HTTP."""

from __future__ import annotations

import time
from typing import Any

import pytest

from conformance.reference.serve import ReferenceServer
from tests.reference._graph_client import GraphClient, quote_id

DAY = "reminderView(startDateTime='2031-05-05T00:00:00',endDateTime='2031-05-06T00:00:00')"
SNOOZE = {"newReminderTime": {"dateTime": "2031-05-05T09:55:00", "timeZone": "UTC"}}


def _reminders(
    graph: GraphClient, subject: str, role: str = "organizer", view: str = DAY
) -> list[dict[str, Any]]:
    answer = graph.request("GET", f"/me/{view}", role)
    assert answer.status_code == 200, answer.text
    return [item for item in answer.json()["value"] if item["eventSubject"] == subject]


def test_reminder_view_lists_a_reminder_at_start_minus_its_minutes(
    graph: GraphClient, unique_subject: str
) -> None:
    event = graph.create_event(subject=unique_subject, reminderMinutesBeforeStart=30, isReminderOn=True)
    (reminder,) = _reminders(graph, unique_subject)
    assert reminder["eventId"] == event["id"]
    assert reminder["reminderFireTime"] == {"dateTime": "2031-05-05T09:30:00.0000000", "timeZone": "UTC"}
    assert reminder["eventStartTime"]["dateTime"].startswith("2031-05-05T10:00:00")
    assert set(reminder) >= {"changeKey", "eventEndTime", "eventLocation", "eventWebLink"}
    users_view = f"/users/{graph.user_id('organizer')}/{DAY}"
    assert graph.request("GET", users_view, "application").status_code == 200
    assert _reminders(graph, unique_subject, "attendee")  # the attendee's copy has its reminder too


def test_reminder_view_leaves_out_other_windows_and_reminders_off(
    graph: GraphClient, unique_subject: str
) -> None:
    graph.create_event(subject=unique_subject, isReminderOn=False)
    assert _reminders(graph, unique_subject) == []
    graph.create_event(subject=unique_subject + " on")
    later = "reminderView(startDateTime='2031-06-01T00:00:00',endDateTime='2031-06-02T00:00:00')"
    assert _reminders(graph, unique_subject + " on", view=later) == []


def test_snooze_moves_the_fire_time(graph: GraphClient, unique_subject: str) -> None:
    event = graph.create_event(subject=unique_subject)
    answer = graph.request("POST", f"/me/events/{quote_id(event['id'])}/snoozeReminder", json=SNOOZE)
    assert answer.status_code == 200 and answer.content == b""
    (reminder,) = _reminders(graph, unique_subject)
    assert reminder["reminderFireTime"] == {"dateTime": "2031-05-05T09:55:00.0000000", "timeZone": "UTC"}


def test_snooze_converts_its_time_zone(graph: GraphClient, unique_subject: str) -> None:
    event = graph.create_event(subject=unique_subject)
    body = {"newReminderTime": {"dateTime": "2031-05-05T11:50:00", "timeZone": "Europe/Paris"}}
    assert (
        graph.request("POST", f"/me/events/{quote_id(event['id'])}/snoozeReminder", json=body).status_code
        == 200
    )
    assert (
        _reminders(graph, unique_subject)[0]["reminderFireTime"]["dateTime"] == "2031-05-05T09:50:00.0000000"
    )


def test_dismiss_removes_the_reminder(graph: GraphClient, unique_subject: str) -> None:
    event = graph.create_event(subject=unique_subject)
    assert _reminders(graph, unique_subject)
    answer = graph.request("POST", f"/me/events/{quote_id(event['id'])}/dismissReminder")
    assert answer.status_code == 200 and answer.content == b""
    assert _reminders(graph, unique_subject) == []


def test_series_occurrences_have_their_own_reminders(graph: GraphClient, unique_subject: str) -> None:
    recurrence = {
        "pattern": {"type": "daily", "interval": 1},
        "range": {"type": "numbered", "startDate": "2031-05-05", "numberOfOccurrences": 3},
    }
    graph.create_event(subject=unique_subject, recurrence=recurrence)
    view = "reminderView(startDateTime='2031-05-05T00:00:00',endDateTime='2031-05-08T00:00:00')"
    reminders = _reminders(graph, unique_subject, view=view)
    assert len(reminders) == 3
    first = reminders[0]["eventId"]
    assert graph.request("POST", f"/me/events/{quote_id(first)}/dismissReminder").status_code == 200
    assert [item["eventId"] for item in _reminders(graph, unique_subject, view=view)] == [
        item["eventId"] for item in reminders[1:]
    ]


@pytest.mark.parametrize(
    "body",
    [
        None,
        {},
        {"newReminderTime": "2031-05-05T09:55:00"},
        {"newReminderTime": {"dateTime": "soon"}},
        {**SNOOZE, "extra": 1},
        {"newReminderTime": {"dateTime": "2031-05-05T09:55:00", "timeZone": "Mars/Base"}},
    ],
    ids=["no-body", "empty", "string", "bad-datetime", "unknown", "bad-zone"],
)
def test_snooze_refuses_bad_bodies(graph: GraphClient, unique_subject: str, body: Any) -> None:
    event = graph.create_event(subject=unique_subject)
    kwargs = {} if body is None else {"json": body}
    answer = graph.request("POST", f"/me/events/{quote_id(event['id'])}/snoozeReminder", **kwargs)
    assert answer.status_code == 400
    assert _reminders(graph, unique_subject)[0]["reminderFireTime"]["dateTime"].startswith("2031-05-05T09:45")


def test_dismiss_refuses_parameters(graph: GraphClient, unique_subject: str) -> None:
    event = graph.create_event(subject=unique_subject)
    path = f"/me/events/{quote_id(event['id'])}/dismissReminder"
    assert graph.request("POST", path, json={"x": 1}).status_code == 400
    assert graph.request("POST", path, json={}).status_code == 200


def test_reminder_permissions(graph: GraphClient, unique_subject: str) -> None:
    event = graph.create_event(subject=unique_subject)
    for action, body in (("snoozeReminder", SNOOZE), ("dismissReminder", None)):
        path = f"/me/events/{quote_id(event['id'])}/{action}"
        assert graph.request("POST", path, None, json=body).status_code == 401
        assert graph.request("POST", path, "readonly", json=body).status_code == 403
    assert graph.request("GET", f"/me/{DAY}", None).status_code == 401
    assert graph.request("GET", f"/me/{DAY}", "readonly").status_code == 200


def test_reminder_view_needs_its_window(graph: GraphClient) -> None:
    for view in ("reminderView(startDateTime='2031-05-05T00:00:00')", "reminderView()", "reminderView"):
        answer = graph.request("GET", f"/me/{view}")
        assert answer.status_code == 400, view
    assert graph.request("POST", f"/me/{DAY}").status_code == 405
    encoded = DAY.replace("'", "%27")
    assert graph.request("GET", f"/me/{encoded}").status_code == 200


def test_reminders_honour_the_apply_delay() -> None:
    with ReferenceServer(apply_delay_ms=400) as server:
        graph = GraphClient(server)
        event = graph.create_event(subject="gc-test delayed reminder")
        assert graph.request("POST", f"/me/events/{quote_id(event['id'])}/dismissReminder").status_code == 200
        assert _reminders(graph, "gc-test delayed reminder")
        time.sleep(0.6)
        assert _reminders(graph, "gc-test delayed reminder") == []
