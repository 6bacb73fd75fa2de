"""The cancel action over real HTTP: routes, status, attendee rule, comments, Deleted Items, errors."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.reference.faults import DEFINITIONS, ROUTE_FAMILIES, route_missing
from conformance.spec.routes import route_families
from tests.reference._graph_client import GraphClient, calendar_ids, family_paths, quote_id

ORGANIZER_ONLY = "Your request can't be completed. You need to be an organizer to cancel a meeting."
ROUTES = list(route_families())  # the catalog's route families (the server keeps its own list: see below)


@pytest.mark.parametrize("family", ROUTES)
def test_every_route_cancels_and_answers_202_empty(
    graph: GraphClient, family: str, unique_subject: str
) -> None:
    collection, cancel_template = family_paths(graph, family)
    event = graph.create_event(path=collection, subject=unique_subject)
    answer = graph.request("POST", cancel_template.format(id=quote_id(event["id"])), json={"comment": "bye"})
    assert answer.status_code == 202, answer.text
    assert answer.content == b"" and "content-type" not in answer.headers
    assert answer.headers["request-id"]
    assert graph.request("GET", f"{collection}/{quote_id(event['id'])}").status_code == 404
    assert graph.attendee_copy("attendee", event["iCalUId"])["isCancelled"] is True


def test_attendee_gets_400_with_the_page_message_and_nothing_changes(
    graph: GraphClient, unique_subject: str
) -> None:
    event = graph.create_event(subject=unique_subject)
    copy = graph.attendee_copy("attendee", event["iCalUId"])
    answer = graph.request(
        "POST", f"/me/events/{quote_id(copy['id'])}/cancel", "attendee", json={"comment": "x"}
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == ORGANIZER_ONLY
    assert graph.request("GET", f"/me/events/{quote_id(event['id'])}").json()["isCancelled"] is False
    assert graph.attendee_copy("attendee", event["iCalUId"])["isCancelled"] is False
    assert graph.messages("attendee", f"Canceled: {unique_subject}") == []


def test_cancel_notifies_every_attendee_with_the_comment(graph: GraphClient, unique_subject: str) -> None:
    event = graph.create_event(subject=unique_subject, attendees=("attendee", "attendee2"))
    answer = graph.request(
        "POST",
        f"/me/events/{quote_id(event['id'])}/cancel",
        json={"Comment": "Cancelling for this week due to all hands"},
    )
    assert answer.status_code == 202
    for role in ("attendee", "attendee2"):
        (message,) = graph.messages(role, f"Canceled: {unique_subject}")
        assert message["@odata.type"] == "#microsoft.graph.eventMessage"
        assert message["meetingMessageType"] == "meetingCancelled"
        assert message["subject"].startswith("Canceled:")
        assert message["body"]["content"] == "Cancelling for this week due to all hands"
        assert message["receivedDateTime"]
        copy = graph.attendee_copy(role, event["iCalUId"])
        assert copy["id"] in message["event@odata.navigationLink"]


@pytest.mark.parametrize(
    ("body", "notice"),
    [
        (None, "default"),
        ({}, "default"),
        ({"comment": None}, "default"),
        ({"comment": ""}, None),
        ({"comment": "Привет, 日本 ✓\nline two"}, "Привет, 日本 ✓\nline two"),
        ({"comment": "x" * 8000}, "x" * 8000),
    ],
    ids=["no-body", "empty-object", "null", "empty-string", "non-ascii", "8k"],
)
def test_comment_semantics(graph: GraphClient, unique_subject: str, body: object, notice: str | None) -> None:
    event = graph.create_event(subject=unique_subject)
    kwargs: dict[str, Any] = {} if body is None else {"json": body}
    assert graph.request("POST", f"/me/events/{quote_id(event['id'])}/cancel", **kwargs).status_code == 202
    messages = graph.messages("attendee", f"Canceled: {unique_subject}")
    if notice is None:
        assert messages == []
        return
    (message,) = messages
    if notice == "default":
        assert message["body"]["content"] == "This meeting has been canceled by the organizer."
    else:
        assert message["body"]["content"] == notice


def test_cancelled_event_is_listed_in_deleted_items(graph: GraphClient, unique_subject: str) -> None:
    event = graph.create_event(subject=unique_subject)
    assert graph.request("POST", f"/me/events/{quote_id(event['id'])}/cancel").status_code == 202
    assert [item["subject"] for item in graph.messages("organizer", unique_subject, "deleteditems")] == [
        unique_subject
    ]
    listed = graph.request("GET", "/me/events", params={"$filter": f"subject eq '{unique_subject}'"}).json()
    assert listed["value"] == []


def test_second_cancel_is_404(graph: GraphClient, unique_subject: str) -> None:
    event = graph.create_event(subject=unique_subject)
    path = f"/me/events/{quote_id(event['id'])}/cancel"
    assert graph.request("POST", path).status_code == 202
    second = graph.request("POST", path)
    assert second.status_code == 404 and second.json()["error"]["code"] == "ErrorItemNotFound"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"comment": 5}', "application/json"),
        (b'{"comment": {"a": 1}}', "application/json"),
        (b'{"comment": ["x"]}', "application/json"),
        (b'{"comment": true}', "application/json"),
        (b'{"reason": "x"}', "application/json"),
        (b'["comment"]', "application/json"),
        (b"null", "application/json"),
    ],
    ids=["not-json", "number", "object", "list", "bool", "unknown-parameter", "array-body", "json-null"],
)
def test_bad_bodies_get_400_and_change_nothing(graph: GraphClient, body: bytes, content_type: str) -> None:
    event = graph.create_event()
    answer = graph.request(
        "POST",
        f"/me/events/{quote_id(event['id'])}/cancel",
        data=body,
        headers={"Content-Type": content_type},
    )
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    assert graph.request("GET", f"/me/events/{quote_id(event['id'])}").status_code == 200


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8"])
def test_json_content_types_are_accepted(graph: GraphClient, content_type: str) -> None:
    event = graph.create_event()
    answer = graph.request(
        "POST",
        f"/me/events/{quote_id(event['id'])}/cancel",
        data=b'{"comment": "ok"}',
        headers={"Content-type": content_type},
    )
    assert answer.status_code == 202


def test_sdk_annotations_are_accepted(graph: GraphClient) -> None:
    annotation: dict[str, Any] = {"@odata.type": "#microsoft.graph.event"}
    event = graph.create_event(**annotation)
    answer = graph.request(
        "POST",
        f"/me/events/{quote_id(event['id'])}/cancel",
        json={"@odata.type": "#microsoft.graph.cancelPostRequestBody", "Comment": "sdk"},
    )
    assert answer.status_code == 202


@pytest.mark.parametrize(
    ("event_id", "status", "code"),
    [
        ("AAMkAGUzYRgWAAA=", 404, "ErrorItemNotFound"),
        ("not-an-id!!", 400, "ErrorInvalidIdMalformed"),
        ("x", 400, "ErrorInvalidIdMalformed"),
        ("..%2F..%2Fetc%2Fpasswd", 400, "ErrorInvalidIdMalformed"),
        ("AAAA%00BBBB", 400, "ErrorInvalidIdMalformed"),
    ],
    ids=["unknown", "malformed", "short", "traversal", "nul"],
)
def test_unknown_and_malformed_ids(graph: GraphClient, event_id: str, status: int, code: str) -> None:
    answer = graph.request("POST", f"/me/events/{event_id}/cancel")
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code
    assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}


def test_unencoded_slash_or_plus_in_id_is_malformed_not_500(graph: GraphClient) -> None:
    event = graph.create_event()
    assert "/" in event["id"] and "+" in event["id"] and "=" in event["id"]
    assert graph.request("POST", f"/me/events/{event['id']}/cancel").status_code == 400
    assert graph.request("GET", f"/me/events/{event['id'].replace('/', '%2F')}").status_code == 400


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "QUERY"])
def test_other_methods_on_cancel_get_405_with_allow(graph: GraphClient, method: str) -> None:
    event = graph.create_event()
    answer = graph.request(method, f"/me/events/{quote_id(event['id'])}/cancel")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"


@pytest.mark.parametrize("segment", ["calendarGroups", "calendargroups", "CALENDARGROUPS"])
def test_segments_are_case_insensitive(graph: GraphClient, segment: str) -> None:
    _, projects, in_projects = calendar_ids(graph)
    collection = f"/me/calendargroups/{quote_id(projects)}/calendars/{quote_id(in_projects)}/events"
    event = graph.create_event(path=collection)
    calendar_part = f"{quote_id(projects)}/Calendars/{quote_id(in_projects)}"
    path = f"/me/{segment}/{calendar_part}/Events/{quote_id(event['id'])}/Cancel"
    assert graph.request("POST", path).status_code == 202


def test_calendar_path_must_hold_the_event(graph: GraphClient) -> None:
    secondary, _, _ = calendar_ids(graph)
    event = graph.create_event()  # in the default calendar
    answer = graph.request(
        "POST", f"/me/calendars/{quote_id(secondary)}/events/{quote_id(event['id'])}/cancel"
    )
    assert answer.status_code == 404


def test_client_request_id_is_echoed(graph: GraphClient) -> None:
    answer = graph.request(
        "POST", "/me/events/AAMkAGUzYRgWAAA=/cancel", headers={"client-request-id": "abc-123"}
    )
    assert answer.json()["error"]["innerError"]["client-request-id"] == "abc-123"
    assert answer.headers["client-request-id"] == "abc-123"


def test_the_server_serves_exactly_the_catalog_route_families() -> None:
    catalog = route_families()
    assert list(ROUTE_FAMILIES) == list(catalog), "the server's route families differ from the catalog's"
    for family, requirement_id in catalog.items():
        assert DEFINITIONS[route_missing(family)].breaks == {requirement_id}, family
