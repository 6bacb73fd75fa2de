"""Every fault switch changes what it says: a probe observes the server with and without it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import jwt
import pytest

from conformance.reference.faults import FAULTS, ROUTE_FAMILIES
from conformance.reference.serve import ReferenceServer
from tests.reference.conftest import GraphClient, quote_id
from tests.reference.test_cancel import _paths

Probe = Callable[[GraphClient], Any]


def _cancel_status(role: str | None = "organizer", **kwargs: Any) -> Probe:
    def probe(graph: GraphClient) -> Any:
        event = graph.create_event(subject=f"gc-fault {uuid.uuid4().hex}")
        answer = graph.request("POST", f"/me/events/{quote_id(event['id'])}/cancel", role, **kwargs)
        return answer.status_code, answer.content

    return probe


def _cancel_on(path: str, role: str) -> Probe:
    def probe(graph: GraphClient) -> Any:
        owner = {
            "users": f"/users/{graph.user_id('organizer')}",
            "groups": f"/groups/{graph.identity('group')['group_id']}",
        }[path]
        event = graph.create_event(path=f"{owner}/events")
        return graph.request("POST", f"{owner}/events/{quote_id(event['id'])}/cancel", role).status_code

    return probe


def _attendee_cancel(graph: GraphClient) -> Any:
    event = graph.create_event()
    copy = graph.attendee_copy("attendee", event["iCalUId"])
    answer = graph.request("POST", f"/me/events/{quote_id(copy['id'])}/cancel", "attendee")
    return answer.status_code, answer.text.split('"innerError"')[0]


def _messages_after(**kwargs: Any) -> Probe:
    def probe(graph: GraphClient) -> Any:
        subject = f"gc-fault {uuid.uuid4().hex}"
        event = graph.create_event(subject=subject)
        graph.request("POST", f"/me/events/{quote_id(event['id'])}/cancel", **kwargs)
        return [
            (item["meetingMessageType"], item["body"]["content"])
            for item in graph.messages("attendee", subject)
            if item["subject"].startswith("Canceled:")
        ]

    return probe


def _after_cancel(observe: Callable[[GraphClient, dict[str, Any], str], Any]) -> Probe:
    def probe(graph: GraphClient) -> Any:
        subject = f"gc-fault {uuid.uuid4().hex}"
        event = graph.create_event(subject=subject)
        graph.request("POST", f"/me/events/{quote_id(event['id'])}/cancel")
        return observe(graph, event, subject)

    return probe


def _series_probe(
    cancel_occurrence: bool, observe: Callable[[GraphClient, dict[str, Any], str], Any]
) -> Probe:
    def probe(graph: GraphClient) -> Any:
        subject = f"gc-fault {uuid.uuid4().hex}"
        master = graph.create_event(
            subject=subject,
            recurrence={
                "pattern": {"type": "daily", "interval": 1},
                "range": {"type": "numbered", "startDate": "2031-05-05", "numberOfOccurrences": 3},
            },
        )
        window = {"startDateTime": "2031-05-01T00:00:00", "endDateTime": "2031-06-01T00:00:00"}
        instances = graph.request(
            "GET", f"/me/events/{quote_id(master['id'])}/instances", params=window
        ).json()
        target = instances["value"][1]["id"] if cancel_occurrence else master["id"]
        graph.request("POST", f"/me/events/{quote_id(target)}/cancel")
        return observe(graph, master, subject)

    return probe


def _instances_after(graph: GraphClient, master: dict[str, Any], subject: str) -> Any:
    window = {"startDateTime": "2031-05-01T00:00:00", "endDateTime": "2031-06-01T00:00:00"}
    answer = graph.request("GET", f"/me/events/{quote_id(master['id'])}/instances", params=window)
    return answer.status_code, len(answer.json().get("value", [])) if answer.status_code == 200 else None


def _error_shape(graph: GraphClient) -> Any:
    answer = graph.request("POST", "/me/events/AAMkAGUzYRgWAAA=/cancel")
    return answer.headers.get("content-type"), answer.text.startswith('{"error"')


def _invalid_token_statuses(graph: GraphClient) -> Any:
    forged = jwt.encode(
        {
            "oid": graph.user_id("organizer"),
            "scp": "Calendars.ReadWrite",
            "aud": "https://graph.microsoft.com",
        },
        "x" * 32,
        algorithm="HS256",
    )
    statuses = []
    for token in (forged, "not-a-valid-token"):
        answer = graph.request("GET", "/me/events", None, headers={"Authorization": f"Bearer {token}"})
        statuses.append(answer.status_code)
    return statuses


def _second_cancel(graph: GraphClient) -> Any:
    event = graph.create_event()
    path = f"/me/events/{quote_id(event['id'])}/cancel"
    graph.request("POST", path)
    return graph.request("POST", path).status_code


def _route_probe(family: str) -> Probe:
    def probe(graph: GraphClient) -> Any:
        collection, template = _paths(graph, family)
        event = graph.create_event(path=collection)
        return graph.request("POST", template.format(id=quote_id(event["id"]))).status_code

    return probe


def _case_probe(graph: GraphClient) -> Any:
    groups = graph.request("GET", "/me/calendarGroups").json()["value"]
    projects = next(item["id"] for item in groups if item["name"] == "Projects")
    calendar = graph.request("GET", f"/me/calendarGroups/{quote_id(projects)}/calendars").json()["value"][0][
        "id"
    ]
    collection = f"/me/calendarGroups/{quote_id(projects)}/calendars/{quote_id(calendar)}/events"
    event = graph.create_event(path=collection)
    return graph.request("POST", f"{collection}/{quote_id(event['id'])}/cancel").status_code


PROBES: dict[str, Probe] = {
    "status-200": _cancel_status(),
    "status-204": _cancel_status(),
    "body-on-202": _cancel_status(),
    "attendee-allowed": _attendee_cancel,
    "attendee-403": _attendee_cancel,
    "attendee-message-paraphrased": _attendee_cancel,
    "scopes-ignored": _cancel_status("readonly"),
    "readonly-401": _cancel_status("readonly"),
    "auth-ignored": _cancel_status(None),
    "invalid-token-accepted": _invalid_token_statuses,
    "app-token-on-me": lambda graph: graph.request("GET", "/me/events", "application").status_code,
    "app-token-refused": _cancel_on("users", "application"),
    "app-token-refused-groups": _cancel_on("groups", "application"),
    "app-token-refused-users": _cancel_on("users", "application"),
    "personal-refused": lambda graph: (
        graph.request(
            "POST", f"/me/events/{quote_id(graph.create_event('personal')['id'])}/cancel", "personal"
        ).status_code
    ),
    "scope-needs-mail-send": _cancel_status("organizer_minimal"),
    "content-type-strict": _cancel_status(
        data=b'{"comment": "x"}', headers={"Content-Type": "application/json; charset=utf-8"}
    ),
    "comment-required": _cancel_status(),
    "comment-required-body": _cancel_status(json={}),
    "comment-500-non-ascii": _cancel_status(json={"comment": "Grüße"}),
    "comment-500-long": _cancel_status(json={"comment": "x" * 1001}),
    "comment-dropped": _messages_after(json={"comment": "custom text"}),
    "comment-lowercase-only": _messages_after(json={"Comment": "custom text"}),
    "comment-pascal-only": _messages_after(json={"comment": "custom text"}),
    "message-not-meeting-cancelled": _messages_after(json={"comment": "x"}),
    "no-cancellation-message": _messages_after(json={"comment": "x"}),
    "event-left-in-place": _after_cancel(
        lambda graph, event, subject: graph.request("GET", f"/me/events/{quote_id(event['id'])}").status_code
    ),
    "not-in-deleted-items": _after_cancel(
        lambda graph, event, subject: len(graph.messages("organizer", subject, "deleteditems"))
    ),
    "event-still-listed": _after_cancel(
        lambda graph, event, subject: (
            graph.request("GET", f"/me/events/{quote_id(event['id'])}").status_code,
            len(graph.messages("organizer", subject, "deleteditems")),
        )
    ),
    "attendee-copies-unmarked": _after_cancel(
        lambda graph, event, subject: graph.attendee_copy("attendee", event["iCalUId"])["isCancelled"]
    ),
    "occurrence-cancels-series": _series_probe(True, _instances_after),
    "no-cancelled-occurrences": _series_probe(
        True,
        lambda graph, master, subject: (
            graph.request("GET", f"/me/events/{quote_id(master['id'])}").json()["cancelledOccurrences"] != []
        ),
    ),
    "occurrence-no-notice": _series_probe(
        True, lambda graph, master, subject: len(graph.messages("attendee", f"Canceled: {subject}"))
    ),
    "series-master-only": _series_probe(False, _instances_after),
    "error-envelope-missing": _error_shape,
    "error-no-content-type": _error_shape,
    "unknown-id-400": lambda graph: graph.request("POST", "/me/events/AAMkAGUzYRgWAAA=/cancel").status_code,
    "malformed-id-404": lambda graph: graph.request("POST", "/me/events/bad!id/cancel").status_code,
    "malformed-json-accepted": _cancel_status(data=b"{nope", headers={"Content-Type": "application/json"}),
    "lenient-body": _cancel_status(json={"comment": 42}),
    "unknown-parameter-accepted": _cancel_status(json={"reason": "x"}),
    "empty-comment-sends-notice": _messages_after(json={"comment": ""}),
    "null-comment-no-notice": _messages_after(json={"comment": None}),
    "second-cancel-202": _second_cancel,
    "case-sensitive-segments": _case_probe,
    "other-methods-500": lambda graph: graph.request("GET", "/me/events/AAMkAGUzYRgWAAA=/cancel").status_code,
    **{f"route-missing-{family}": _route_probe(family) for family in ROUTE_FAMILIES},
}


def test_every_fault_has_a_probe() -> None:
    assert set(PROBES) == set(FAULTS)


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_switch_changes_what_it_says(graph: GraphClient, fault: str) -> None:
    baseline = PROBES[fault](graph)
    with ReferenceServer(faults=[fault]) as faulty_server:
        faulty = PROBES[fault](GraphClient(faulty_server))
    assert faulty != baseline, f"{fault} ({FAULTS[fault]}) did not change: {baseline!r}"


def test_unknown_fault_names_are_refused() -> None:
    with pytest.raises(ValueError, match="valid names: app-token-on-me"):
        ReferenceServer(faults=["no-such-fault"])


def test_second_cancel_202_leaves_deleted_events_at_404() -> None:
    with ReferenceServer(faults=["second-cancel-202"]) as server:
        graph = GraphClient(server)
        deleted = graph.create_event()
        assert graph.request("DELETE", f"/me/events/{quote_id(deleted['id'])}").status_code == 204
        assert graph.request("POST", f"/me/events/{quote_id(deleted['id'])}/cancel").status_code == 404


def test_narrow_faults_spare_what_they_do_not_name() -> None:
    with ReferenceServer(faults=["comment-required-body"]) as server:
        graph = GraphClient(server)
        assert _cancel_status(json={"comment": ""})(graph)[0] == 202
        assert _cancel_status(json={"comment": None})(graph)[0] == 202
    with ReferenceServer(faults=["scope-needs-mail-send", "event-still-listed"]) as server:
        graph = GraphClient(server)
        assert _cancel_on("users", "application")(graph) == 202
        assert _cancel_status("organizer_minimal")(graph)[0] == 403
        assert _second_cancel(graph) == 404
        assert _invalid_token_statuses(graph) == [401, 401]
    with ReferenceServer(faults=["app-token-refused-users"]) as server:
        assert _cancel_on("groups", "application")(GraphClient(server)) == 202


def test_invalid_token_accepted_acts_as_the_organizer() -> None:
    with ReferenceServer(faults=["invalid-token-accepted"]) as server:
        graph = GraphClient(server)
        assert _invalid_token_statuses(graph) == [200, 200]
        assert graph.request("GET", "/me/events", None).status_code == 401  # no token is still refused
