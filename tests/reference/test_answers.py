"""accept, tentativelyAccept and decline over real HTTP: status, the copy's and the organizer's view, the
response message, proposals, body validation and the asynchronous switches."""

from __future__ import annotations

import time
from typing import Any

import pytest

from conformance.reference.serve import ReferenceServer
from tests.reference._graph_client import GraphClient, quote_id

ANSWERS = [
    ("accept", "accepted", "meetingAccepted", "Accepted"),
    ("tentativelyAccept", "tentativelyAccepted", "meetingTenativelyAccepted", "Tentative"),
    ("decline", "declined", "meetingDeclined", "Declined"),
]
SLOT = {
    "start": {"dateTime": "2031-05-06T10:00:00", "timeZone": "UTC"},
    "end": {"dateTime": "2031-05-06T11:00:00", "timeZone": "UTC"},
}


def _meeting(graph: GraphClient, subject: str, **extra: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the organizer's event, the attendee's copy)."""
    event = graph.create_event(subject=subject, **extra)
    return event, graph.attendee_copy("attendee", event["iCalUId"])


def _answer(graph: GraphClient, copy: dict[str, Any], action: str, **kwargs: Any) -> Any:
    return graph.request("POST", f"/me/events/{quote_id(copy['id'])}/{action}", "attendee", **kwargs)


def _organizer_entry(graph: GraphClient, event: dict[str, Any], role: str = "attendee") -> dict[str, Any]:
    address = graph.identity(role)["user_principal_name"]
    attendees = graph.request("GET", f"/me/events/{quote_id(event['id'])}").json()["attendees"]
    return dict(next(item for item in attendees if item["emailAddress"]["address"] == address))


@pytest.mark.parametrize(("action", "response", "message_type", "prefix"), ANSWERS)
def test_answer_records_and_tells_the_organizer(
    graph: GraphClient, unique_subject: str, action: str, response: str, message_type: str, prefix: str
) -> None:
    event, copy = _meeting(graph, unique_subject)
    answer = _answer(graph, copy, action, json={"comment": "See you there", "sendResponse": True})
    assert answer.status_code == 202 and answer.content == b""
    status = graph.attendee_copy("attendee", event["iCalUId"])["responseStatus"]
    assert status["response"] == response and status["time"] != "0001-01-01T00:00:00Z"
    assert _organizer_entry(graph, event)["status"]["response"] == response
    (message,) = graph.messages("organizer", unique_subject)
    assert message["@odata.type"] == "#microsoft.graph.eventMessageResponse"
    assert message["meetingMessageType"] == message_type and message["responseType"] == response
    assert message["subject"] == f"{prefix}: {unique_subject}"
    assert message["body"]["content"] == "See you there"
    assert message["from"]["emailAddress"]["address"] == graph.identity("attendee")["user_principal_name"]
    assert event["id"] in message["event@odata.navigationLink"]


@pytest.mark.parametrize("body", [None, {}, {"comment": "x"}, {"sendResponse": None}])
def test_send_response_defaults_to_true(graph: GraphClient, unique_subject: str, body: Any) -> None:
    event, copy = _meeting(graph, unique_subject)
    kwargs = {} if body is None else {"json": body}
    assert _answer(graph, copy, "accept", **kwargs).status_code == 202
    assert [item["meetingMessageType"] for item in graph.messages("organizer", unique_subject)] == [
        "meetingAccepted"
    ]
    assert _organizer_entry(graph, event)["status"]["response"] == "accepted"


def test_send_response_false_sends_nothing_yet_records_the_copy(
    graph: GraphClient, unique_subject: str
) -> None:
    event, copy = _meeting(graph, unique_subject)
    assert _answer(graph, copy, "decline", json={"sendResponse": False}).status_code == 202
    assert graph.messages("organizer", unique_subject) == []
    assert graph.attendee_copy("attendee", event["iCalUId"])["responseStatus"]["response"] == "declined"
    assert _organizer_entry(graph, event)["status"]["response"] == "none"


@pytest.mark.parametrize("action", ["tentativelyAccept", "decline"])
def test_a_proposal_reaches_the_organizer(graph: GraphClient, unique_subject: str, action: str) -> None:
    event, copy = _meeting(graph, unique_subject)
    pascal = {"Start": {"DateTime": "2031-05-06T10:00:00", "TimeZone": "UTC"}, "End": SLOT["end"]}
    answer = _answer(graph, copy, action, json={"comment": "Later?", "proposedNewTime": pascal})
    assert answer.status_code == 202
    (message,) = graph.messages("organizer", unique_subject)
    assert message["subject"] == f"New Time Proposed: {unique_subject}"
    expected = {
        "start": {"dateTime": "2031-05-06T10:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2031-05-06T11:00:00.0000000", "timeZone": "UTC"},
    }
    assert message["proposedNewTime"] == expected
    assert _organizer_entry(graph, event)["proposedNewTime"] == expected


@pytest.mark.parametrize("action", ["tentativelyAccept", "decline"])
def test_proposal_refused_when_not_allowed_or_without_response(
    graph: GraphClient, unique_subject: str, action: str
) -> None:
    _, refusing = _meeting(graph, unique_subject, allowNewTimeProposals=False)
    answer = _answer(graph, refusing, action, json={"proposedNewTime": SLOT})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "ErrorInvalidRequest"
    event, copy = _meeting(graph, unique_subject + " b")
    answer = _answer(graph, copy, action, json={"proposedNewTime": SLOT, "sendResponse": False})
    assert answer.status_code == 400
    assert graph.attendee_copy("attendee", event["iCalUId"])["responseStatus"]["response"] == "notResponded"
    assert graph.messages("organizer", unique_subject) == []


def test_events_allow_new_time_proposals_by_default(graph: GraphClient, unique_subject: str) -> None:
    assert graph.create_event(subject=unique_subject)["allowNewTimeProposals"] is True
    assert (
        graph.create_event(subject=unique_subject, allowNewTimeProposals=False)["allowNewTimeProposals"]
        is False
    )


@pytest.mark.parametrize(
    "body",
    [
        {"comment": 42},
        {"sendResponse": "true"},
        {"sendResponse": 1},
        {"reason": "x"},
        {"proposedNewTime": SLOT},  # accept declares no proposedNewTime
        [1],
    ],
    ids=["comment-number", "send-string", "send-number", "unknown", "accept-proposal", "array"],
)
def test_wrong_bodies_are_refused_and_change_nothing(
    graph: GraphClient, unique_subject: str, body: Any
) -> None:
    event, copy = _meeting(graph, unique_subject)
    answer = _answer(graph, copy, "accept", json=body)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "RequestBodyRead"
    assert graph.attendee_copy("attendee", event["iCalUId"])["responseStatus"]["response"] == "notResponded"


@pytest.mark.parametrize(
    "slot",
    [{"start": SLOT["start"]}, {"start": SLOT["start"], "end": "x"}, {**SLOT, "when": 1}, "2031-05-06"],
    ids=["no-end", "end-string", "unknown-member", "string"],
)
def test_malformed_proposals_are_refused(graph: GraphClient, unique_subject: str, slot: Any) -> None:
    _, copy = _meeting(graph, unique_subject)
    assert _answer(graph, copy, "decline", json={"proposedNewTime": slot}).status_code == 400


def test_malformed_json_and_wrong_content_type(graph: GraphClient, unique_subject: str) -> None:
    _, copy = _meeting(graph, unique_subject)
    headers = {"Content-Type": "application/json"}
    assert _answer(graph, copy, "accept", data=b"{not json", headers=headers).status_code == 400
    assert (
        _answer(graph, copy, "accept", data=b"{}", headers={"Content-Type": "text/plain"}).status_code == 415
    )


def test_the_organizer_cannot_answer_their_own_meeting(graph: GraphClient, unique_subject: str) -> None:
    event, _ = _meeting(graph, unique_subject)
    answer = graph.request("POST", f"/me/events/{quote_id(event['id'])}/accept", json={})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "ErrorInvalidRequest"


def test_a_cancelled_meeting_cannot_be_answered(graph: GraphClient, unique_subject: str) -> None:
    event, copy = _meeting(graph, unique_subject)
    assert graph.request("POST", f"/me/events/{quote_id(event['id'])}/cancel").status_code == 202
    assert _answer(graph, copy, "accept").status_code == 400


def test_permissions_and_identities(graph: GraphClient, unique_subject: str) -> None:
    _, copy = _meeting(graph, unique_subject)
    attendee_id = graph.user_id("attendee")
    path = f"/users/{attendee_id}/events/{quote_id(copy['id'])}/accept"
    assert graph.request("POST", path, None).status_code == 401
    assert graph.request("POST", path, "organizer").status_code == 403  # another user's mailbox
    assert graph.request("POST", path, "application", json={}).status_code == 202
    assert graph.request("POST", f"/me/events/{quote_id(copy['id'])}/accept", "organizer").status_code == 404


def test_readonly_token_is_refused(graph: GraphClient, unique_subject: str) -> None:
    event = graph.create_event(subject=unique_subject, attendees=("attendee",))
    copy = graph.attendee_copy("attendee", event["iCalUId"])
    # the readonly identity is the organizer's mailbox with Calendars.Read: answering anything is refused
    answer = graph.request("POST", f"/me/events/{quote_id(copy['id'])}/accept", "readonly")
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "ErrorAccessDenied"


def test_answers_honour_the_apply_and_message_delays() -> None:
    with ReferenceServer(apply_delay_ms=400, message_delay_ms=800) as server:
        graph = GraphClient(server)
        event = graph.create_event(subject="gc-test delayed answer")
        time.sleep(0.9)  # the invitation's copy shows after the message delay
        copy = graph.attendee_copy("attendee", event["iCalUId"])
        assert _answer(graph, copy, "accept", json={"comment": "later"}).status_code == 202
        assert (
            graph.attendee_copy("attendee", event["iCalUId"])["responseStatus"]["response"] == "notResponded"
        )
        time.sleep(0.6)
        assert graph.attendee_copy("attendee", event["iCalUId"])["responseStatus"]["response"] == "accepted"
        assert graph.messages("organizer", "gc-test delayed answer") == []
        time.sleep(0.9)
        assert len(graph.messages("organizer", "gc-test delayed answer")) == 1
