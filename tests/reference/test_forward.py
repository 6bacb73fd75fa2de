"""forward over real HTTP: the recipients' meeting requests, the organizer's notice and copy, permissions."""

from __future__ import annotations

import time
from typing import Any

import pytest

from conformance.reference.serve import ReferenceServer
from tests.reference._graph_client import GraphClient, quote_id


def _to(graph: GraphClient, *roles: str) -> list[dict[str, Any]]:
    return [{"emailAddress": {"address": graph.identity(role)["user_principal_name"]}} for role in roles]


def _attendees(graph: GraphClient, event: dict[str, Any]) -> list[str]:
    answer = graph.request("GET", f"/me/events/{quote_id(event['id'])}")
    return [item["emailAddress"]["address"] for item in answer.json()["attendees"]]


def test_an_attendees_forward_reaches_the_recipient_and_the_organizer(
    graph: GraphClient, unique_subject: str
) -> None:
    event = graph.create_event(subject=unique_subject)
    copy = graph.attendee_copy("attendee", event["iCalUId"])
    body = {"ToRecipients": _to(graph, "attendee2"), "Comment": "Join us"}
    answer = graph.request("POST", f"/me/events/{quote_id(copy['id'])}/forward", "attendee", json=body)
    assert answer.status_code == 202 and answer.content == b""
    (request,) = graph.messages("attendee2", unique_subject)
    assert request["meetingMessageType"] == "meetingRequest" and request["body"]["content"] == "Join us"
    assert request["subject"] == f"FW: {unique_subject}"
    recipient_copy = graph.attendee_copy("attendee2", event["iCalUId"])
    assert recipient_copy["id"] in request["event@odata.navigationLink"]
    (notice,) = graph.messages("organizer", unique_subject)
    assert notice["subject"] == f"Meeting Forward Notification: {unique_subject}"
    assert notice["@odata.type"] == "#microsoft.graph.eventMessage"
    assert graph.identity("attendee2")["user_principal_name"] in _attendees(graph, event)


def test_the_organizers_forward_sends_the_request_only(graph: GraphClient, unique_subject: str) -> None:
    event = graph.create_event(subject=unique_subject)
    body = {"ToRecipients": _to(graph, "attendee2"), "Comment": ""}
    assert graph.request("POST", f"/me/events/{quote_id(event['id'])}/forward", json=body).status_code == 202
    for role in ("attendee2",):
        assert [item["meetingMessageType"] for item in graph.messages(role, unique_subject)] == [
            "meetingRequest"
        ]
    assert graph.messages("organizer", unique_subject) == []
    assert len(_attendees(graph, event)) == 1


def test_calendars_read_is_enough_and_no_calendar_permission_is_refused(
    graph: GraphClient, unique_subject: str
) -> None:
    event = graph.create_event(subject=unique_subject)
    path = f"/me/events/{quote_id(event['id'])}/forward"
    body = {"ToRecipients": _to(graph, "attendee2")}
    assert graph.request("POST", path, "readonly", json=body).status_code == 202
    assert graph.request("POST", path, None, json=body).status_code == 401
    users_path = f"/users/{graph.user_id('organizer')}/events/{quote_id(event['id'])}/forward"
    assert graph.request("POST", users_path, "application", json=body).status_code == 202


def test_group_events_can_be_forwarded(graph: GraphClient, unique_subject: str) -> None:
    group = f"/groups/{graph.identity('group')['group_id']}"
    event = graph.create_event(path=f"{group}/events", subject=unique_subject, attendees=())
    body = {"ToRecipients": _to(graph, "attendee2")}
    for container in ("events", "calendar/events"):
        path = f"{group}/{container}/{quote_id(event['id'])}/forward"
        assert graph.request("POST", path, json=body).status_code == 202
    assert len(graph.messages("attendee2", unique_subject)) == 2


@pytest.mark.parametrize(
    "body",
    [
        {"ToRecipients": "megan@contoso.test"},
        {"ToRecipients": [{"address": "x@contoso.test"}]},
        {"ToRecipients": [{"emailAddress": {"address": 7}}]},
        {"Comment": 5},
        {"comment": "lowercase is the same parameter", "cc": []},
    ],
    ids=["recipients-string", "no-emailaddress", "address-number", "comment-number", "unknown"],
)
def test_wrong_bodies_are_refused(graph: GraphClient, unique_subject: str, body: Any) -> None:
    event = graph.create_event(subject=unique_subject)
    answer = graph.request("POST", f"/me/events/{quote_id(event['id'])}/forward", json=body)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "RequestBodyRead"


def test_unknown_recipients_and_no_recipients_are_accepted(graph: GraphClient, unique_subject: str) -> None:
    event = graph.create_event(subject=unique_subject)
    path = f"/me/events/{quote_id(event['id'])}/forward"
    outside = {"ToRecipients": [{"emailAddress": {"address": "dana@fabrikam.example", "name": "Dana"}}]}
    assert graph.request("POST", path, json=outside).status_code == 202
    assert graph.request("POST", path, json={}).status_code == 202


def test_forward_honours_the_apply_and_message_delays() -> None:
    with ReferenceServer(apply_delay_ms=300, message_delay_ms=600) as server:
        graph = GraphClient(server)
        event = graph.create_event(subject="gc-test delayed forward", attendees=())
        body = {"ToRecipients": _to(graph, "attendee2")}
        assert (
            graph.request("POST", f"/me/events/{quote_id(event['id'])}/forward", json=body).status_code == 202
        )
        time.sleep(0.5)
        assert graph.messages("attendee2", "gc-test delayed forward") == []
        time.sleep(0.7)
        assert len(graph.messages("attendee2", "gc-test delayed forward")) == 1
