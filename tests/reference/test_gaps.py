"""Each gap switch (a half-built server) does what it says, and leaves everything else working."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.reference.faults import DEFINITIONS, Fault
from conformance.reference.serve import ReferenceServer
from tests.reference._action_probes import action_fault_enums
from tests.reference._graph_client import GraphClient, quote_id

SERIES = {
    "pattern": {"type": "daily", "interval": 1},
    "range": {"type": "numbered", "startDate": "2031-05-05", "numberOfOccurrences": 3},
}
WINDOW = {"startDateTime": "2031-05-01T00:00:00", "endDateTime": "2031-06-01T00:00:00"}
EVENT = {
    "subject": "gc-gap",
    "start": {"dateTime": "2031-05-05T10:00:00", "timeZone": "UTC"},
    "end": {"dateTime": "2031-05-05T10:30:00", "timeZone": "UTC"},
}


@pytest.fixture()
def gap_server(request: pytest.FixtureRequest) -> Iterator[GraphClient]:
    """A server with the gap named by the test's `gap` parameter."""
    with ReferenceServer(faults=[request.param]) as server:
        yield GraphClient(server)


def _gap(fault: Fault) -> Any:
    return pytest.mark.parametrize("gap_server", [fault], indirect=True, ids=[str(fault)])


def test_every_gap_switch_is_a_gap_definition() -> None:
    gaps = {str(name) for name, definition in DEFINITIONS.items() if definition.gap}
    names = [*Fault, *(member for enum in action_fault_enums() for member in enum)]
    assert gaps == {str(member) for member in names if member.startswith("gap-")}


@_gap(Fault.GAP_CREATE_200)
def test_gap_create_200_answers_creations_with_200_and_the_created_object(gap_server: GraphClient) -> None:
    created = gap_server.request("POST", "/me/events", json=EVENT)
    assert created.status_code == 200 and created.json()["subject"] == "gc-gap" and created.json()["id"]
    calendar = gap_server.request("POST", "/me/calendars", json={"name": "gc-gap calendar"})
    group = gap_server.request("POST", "/me/calendarGroups", json={"name": "gc-gap group"})
    assert (calendar.status_code, group.status_code) == (200, 200) and calendar.json()["id"]
    event_path = f"/me/events/{quote_id(created.json()['id'])}"
    assert gap_server.request("GET", event_path).json()["subject"] == "gc-gap"
    assert gap_server.request("POST", f"{event_path}/cancel").status_code == 202


@_gap(Fault.GAP_NO_INSTANCES)
def test_gap_no_instances_answers_501_while_series_work(gap_server: GraphClient) -> None:
    master = gap_server.create_event(recurrence=SERIES)
    answer = gap_server.request("GET", f"/me/events/{quote_id(master['id'])}/instances", params=WINDOW)
    assert answer.status_code == 501 and answer.json()["error"]["code"] == "NotImplemented"
    view = gap_server.request("GET", "/me/calendarView", params=WINDOW).json()["value"]
    assert len([item for item in view if item["subject"] == master["subject"]]) == 3


@_gap(Fault.GAP_HANG_MALFORMED_JSON)
def test_gap_hang_malformed_json_holds_only_non_json_bodies(gap_server: GraphClient) -> None:
    event = gap_server.create_event()
    path = f"/me/events/{quote_id(event['id'])}/cancel"
    with pytest.raises(Exception, match="[Tt]imed? ?out"):
        gap_server.session.post(
            gap_server.server.base_url + path,
            data=b"{nope",
            timeout=1.5,
            headers={
                "Authorization": f"Bearer {gap_server.token('organizer')}",
                "Content-Type": "application/json",
            },
        )
    for json_it_refuses in (b'{"comment": 1, "comment": 2}', b'{"comment": -3942086844969112305664}'):
        refused = gap_server.request("POST", path, data=json_it_refuses,
                                     headers={"Content-Type": "application/json"})
        assert refused.status_code == 400, "JSON the server refuses is answered, not held"
    assert gap_server.request("POST", path, json={"comment": "fine"}).status_code == 202
    assert gap_server.request("GET", "/me/events").status_code == 200


def test_gap_hang_malformed_json_lets_go_when_the_server_stops() -> None:
    server = ReferenceServer(faults=[Fault.GAP_HANG_MALFORMED_JSON])
    server.start()
    host, port = server.host, server.port
    with socket.create_connection((host, port), timeout=5) as connection:
        connection.sendall(
            b"POST /v1.0/me/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 5\r\n\r\n{nope"
        )
        time.sleep(0.3)
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 8, "stopping the server waited for the held request"


@_gap(Fault.GAP_STATIC)
def test_gap_static_stores_nothing_and_answers_canned_objects(gap_server: GraphClient) -> None:
    created = gap_server.request("POST", "/me/events", json=EVENT)
    assert created.status_code == 201 and created.json()["subject"] == "gc-gap"
    again = gap_server.request("POST", "/me/events", json=EVENT).json()
    assert again["id"] != created.json()["id"]
    first = gap_server.request("GET", f"/me/events/{quote_id(created.json()['id'])}").json()
    other = gap_server.request("GET", f"/me/events/{quote_id(again['id'])}").json()
    assert first == other and first["isCancelled"] is True and first["id"] != created.json()["id"]
    instances = f"/me/events/{quote_id(again['id'])}/instances"
    for path in ("/me/events", "/me/calendarView", "/me/messages", instances):
        listing = gap_server.request("GET", path, params=WINDOW).json()["value"]
        assert len(listing) == 1, (path, listing)
    assert gap_server.request("POST", "/me/events/AAMkAGUzYRgWAAA=/cancel").status_code == 202
    assert gap_server.request("POST", "/me/events/bad!id/cancel").status_code == 400
    assert gap_server.request("POST", f"/me/events/{quote_id(again['id'])}/cancel", None).status_code == 401
    assert gap_server.request("GET", "/me/events").json()["value"][0] == {
        key: value for key, value in first.items() if key != "@odata.context"
    }


@_gap(Fault.GAP_NO_FILTER)
def test_gap_no_filter_refuses_filter_while_plain_listings_work(gap_server: GraphClient) -> None:
    gap_server.create_event()
    refused = gap_server.request("GET", "/me/events", params={"$filter": "subject eq 'x'"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "ErrorInvalidUrlQueryFilter"
    assert gap_server.request("GET", "/me/events", params={"$top": "5"}).status_code == 200


@_gap(Fault.GAP_NO_CALENDAR_GROUPS)
def test_gap_no_calendar_groups_refuses_creation_only(gap_server: GraphClient) -> None:
    answer = gap_server.request("POST", "/me/calendarGroups", json={"name": "gc-gap"})
    assert answer.status_code == 501 and answer.json()["error"]["code"] == "NotImplemented"
    assert gap_server.request("GET", "/me/calendarGroups").status_code == 200
    assert gap_server.request("POST", "/me/calendars", json={"name": "gc-gap"}).status_code == 201


@_gap(Fault.GAP_NO_CALENDAR_CREATE)
def test_gap_no_calendar_create_refuses_calendar_creation_only(gap_server: GraphClient) -> None:
    assert gap_server.request("POST", "/me/calendars", json={"name": "gc-gap"}).status_code == 501
    assert gap_server.request("GET", "/me/calendar").status_code == 200
    assert gap_server.request("POST", "/me/calendarGroups", json={"name": "gc-gap"}).status_code == 201


@_gap(Fault.GAP_NO_MESSAGES)
def test_gap_no_messages_hides_the_mailbox_but_not_deleted_items(gap_server: GraphClient) -> None:
    for path in ("/me/messages", "/me/mailFolders/inbox/messages"):
        answer = gap_server.request("GET", path, "attendee")
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "ResourceNotFound"
    assert gap_server.request("GET", "/me/mailFolders/deleteditems/messages").status_code == 200


@_gap(Fault.GAP_NO_DELETED_ITEMS)
def test_gap_no_deleted_items_hides_that_folder_only(gap_server: GraphClient) -> None:
    assert gap_server.request("GET", "/me/mailFolders/deleteditems/messages").status_code == 404
    assert gap_server.request("GET", "/me/mailFolders/inbox/messages").status_code == 200


@_gap(Fault.GAP_BORN_CANCELLED)
def test_gap_born_cancelled_shows_new_events_cancelled(gap_server: GraphClient) -> None:
    event = gap_server.create_event()
    assert event["isCancelled"] is True
    assert gap_server.request("GET", f"/me/events/{quote_id(event['id'])}").json()["isCancelled"] is True
    assert gap_server.attendee_copy("attendee", event["iCalUId"])["isCancelled"] is True
    assert gap_server.request("POST", f"/me/events/{quote_id(event['id'])}/cancel").status_code == 202


@_gap(Fault.GAP_NO_ATTENDEE_COPIES)
def test_gap_no_attendee_copies_sends_messages_but_no_copy(
    gap_server: GraphClient, unique_subject: str
) -> None:
    event = gap_server.create_event(subject=unique_subject)
    copies = gap_server.request(
        "GET", "/me/events", "attendee", params={"$filter": f"iCalUId eq '{event['iCalUId']}'"}
    )
    assert copies.status_code == 200 and copies.json()["value"] == []
    assert [item["meetingMessageType"] for item in gap_server.messages("attendee", unique_subject)] == [
        "meetingRequest"
    ]
    cancel = gap_server.request(
        "POST", f"/me/events/{quote_id(event['id'])}/cancel", json={"comment": "gone"}
    )
    assert cancel.status_code == 202
    notices = gap_server.messages("attendee", f"Canceled: {unique_subject}")
    assert [(item["meetingMessageType"], item["body"]["content"]) for item in notices] == [
        ("meetingCancelled", "gone")
    ]


@_gap(Fault.GAP_NO_CANCEL_WITHOUT_ATTENDEES)
def test_gap_no_cancel_without_attendees_refuses_only_events_inviting_nobody(gap_server: GraphClient) -> None:
    lonely = gap_server.create_event(attendees=())
    lonely_path = f"/me/events/{quote_id(lonely['id'])}"
    refused = gap_server.request("POST", f"{lonely_path}/cancel", json={"comment": "gone"})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "ErrorInvalidRequest"
    assert "no attendees" in refused.json()["error"]["message"]
    assert gap_server.request("GET", lonely_path).json()["isCancelled"] is False
    series = gap_server.create_event(attendees=(), recurrence=SERIES)
    occurrences = gap_server.request(
        "GET", f"/me/events/{quote_id(series['id'])}/instances", params=WINDOW
    ).json()["value"]
    occurrence_cancel = f"/me/events/{quote_id(occurrences[0]['id'])}/cancel"
    assert gap_server.request("POST", occurrence_cancel).status_code == 400
    invited = gap_server.create_event()
    copy = gap_server.attendee_copy("attendee", invited["iCalUId"])
    by_attendee = gap_server.request("POST", f"/me/events/{quote_id(copy['id'])}/cancel", "attendee")
    assert by_attendee.status_code == 400 and "organizer" in by_attendee.json()["error"]["message"]
    invited_path = f"/me/events/{quote_id(invited['id'])}/cancel"
    assert gap_server.request("POST", invited_path, json={"comment": "gone"}).status_code == 202
