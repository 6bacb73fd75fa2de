"""Every fault switch changes what it says: a probe observes the server with and without it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any

import jwt
import pytest

from conformance.reference import faults as faults_module
from conformance.reference.faults import FAULTS, ROUTE_FAMILIES, Fault, route_missing
from conformance.reference.serve import ReferenceServer
from tests.reference._action_probes import ACTION_PROBES, action_fault_enums
from tests.reference._graph_client import GraphClient, family_paths, quote_id

Probe = Callable[[GraphClient], Any]
UNKNOWN_ID = "AAMkAGUzYRgWAAA="
JSON_HEADERS = {"Content-Type": "application/json"}


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


def _cancel_by_upn(graph: GraphClient) -> Any:
    owner = f"/users/{quote_id(graph.identity('organizer')['user_principal_name'])}"
    event = graph.create_event(path=f"{owner}/events")
    return graph.request("POST", f"{owner}/events/{quote_id(event['id'])}/cancel").content


def _refused_then_read(graph: GraphClient) -> Any:
    event = graph.create_event()
    path = f"/me/events/{quote_id(event['id'])}"
    refused = graph.request("POST", f"{path}/cancel", json={"comment": 42}).status_code
    return refused, graph.request("GET", path).json()["isCancelled"]


def _route_probe(family: str) -> Probe:
    def probe(graph: GraphClient) -> Any:
        collection, template = family_paths(graph, family)
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
    Fault.STATUS_200: _cancel_status(),
    Fault.STATUS_204: _cancel_status(),
    Fault.BODY_ON_202: _cancel_status(),
    Fault.BODY_ON_202_UPN: _cancel_by_upn,
    Fault.BODY_ON_202_PASCAL: _cancel_status(json={"Comment": "x"}),
    Fault.ATTENDEE_ALLOWED: _attendee_cancel,
    Fault.ATTENDEE_403: _attendee_cancel,
    Fault.ATTENDEE_MESSAGE_PARAPHRASED: _attendee_cancel,
    Fault.SCOPES_IGNORED: _cancel_status("readonly"),
    Fault.READONLY_401: _cancel_status("readonly"),
    Fault.AUTH_IGNORED: _cancel_status(None),
    Fault.INVALID_TOKEN_ACCEPTED: _invalid_token_statuses,
    Fault.APP_TOKEN_ON_ME: lambda graph: graph.request("GET", "/me/events", "application").status_code,
    Fault.APP_TOKEN_REFUSED: _cancel_on("users", "application"),
    Fault.APP_TOKEN_REFUSED_GROUPS: _cancel_on("groups", "application"),
    Fault.APP_TOKEN_REFUSED_USERS: _cancel_on("users", "application"),
    Fault.PERSONAL_REFUSED: lambda graph: (
        graph.request(
            "POST", f"/me/events/{quote_id(graph.create_event('personal')['id'])}/cancel", "personal"
        ).status_code
    ),
    Fault.SCOPE_NEEDS_MAIL_SEND: _cancel_status("organizer_minimal"),
    Fault.CONTENT_TYPE_STRICT: _cancel_status(
        data=b'{"comment": "x"}', headers={"Content-Type": "application/json; charset=utf-8"}
    ),
    Fault.COMMENT_REQUIRED: _cancel_status(),
    Fault.COMMENT_REQUIRED_BODY: _cancel_status(json={}),
    Fault.COMMENT_500_NON_ASCII: _cancel_status(json={"comment": "Grüße"}),
    Fault.COMMENT_500_LONG: _cancel_status(json={"comment": "x" * 1001}),
    Fault.COMMENT_DROPPED: _messages_after(json={"comment": "custom text"}),
    Fault.COMMENT_LOWERCASE_ONLY: _messages_after(json={"Comment": "custom text"}),
    Fault.COMMENT_PASCAL_ONLY: _messages_after(json={"comment": "custom text"}),
    Fault.MESSAGE_NOT_MEETING_CANCELLED: _messages_after(json={"comment": "x"}),
    Fault.NO_CANCELLATION_MESSAGE: _messages_after(json={"comment": "x"}),
    Fault.EVENT_LEFT_IN_PLACE: _after_cancel(
        lambda graph, event, subject: graph.request("GET", f"/me/events/{quote_id(event['id'])}").status_code
    ),
    Fault.NOT_IN_DELETED_ITEMS: _after_cancel(
        lambda graph, event, subject: len(graph.messages("organizer", subject, "deleteditems"))
    ),
    Fault.EVENT_STILL_LISTED: _after_cancel(
        lambda graph, event, subject: (
            graph.request("GET", f"/me/events/{quote_id(event['id'])}").status_code,
            len(graph.messages("organizer", subject, "deleteditems")),
        )
    ),
    Fault.ATTENDEE_COPIES_UNMARKED: _after_cancel(
        lambda graph, event, subject: graph.attendee_copy("attendee", event["iCalUId"])["isCancelled"]
    ),
    Fault.OCCURRENCE_CANCELS_SERIES: _series_probe(True, _instances_after),
    Fault.NO_CANCELLED_OCCURRENCES: _series_probe(
        True,
        lambda graph, master, subject: (
            graph.request("GET", f"/me/events/{quote_id(master['id'])}").json()["cancelledOccurrences"] != []
        ),
    ),
    Fault.OCCURRENCE_NO_NOTICE: _series_probe(
        True, lambda graph, master, subject: len(graph.messages("attendee", f"Canceled: {subject}"))
    ),
    Fault.SERIES_MASTER_ONLY: _series_probe(False, _instances_after),
    Fault.ERROR_ENVELOPE_MISSING: _error_shape,
    Fault.ERROR_NO_CONTENT_TYPE: _error_shape,
    Fault.AUTH_ERRORS_NO_CONTENT_TYPE: lambda graph: (
        graph.request("POST", f"/me/events/{UNKNOWN_ID}/cancel", None).headers.get("content-type")
    ),
    Fault.NOT_FOUND_NO_CONTENT_TYPE: _error_shape,
    Fault.INNER_ERROR_IDS_MISSING: lambda graph: sorted(
        graph.request("POST", f"/me/events/{UNKNOWN_ID}/cancel").json()["error"]["innerError"]
    ),
    Fault.REFUSED_YET_CANCELLED: _refused_then_read,
    Fault.UNKNOWN_ID_400: lambda graph: graph.request("POST", f"/me/events/{UNKNOWN_ID}/cancel").status_code,
    Fault.MALFORMED_ID_404: lambda graph: graph.request("POST", "/me/events/bad!id/cancel").status_code,
    Fault.MALFORMED_JSON_ACCEPTED: _cancel_status(data=b"{nope", headers=JSON_HEADERS),
    Fault.LENIENT_BODY: _cancel_status(json={"comment": 42}),
    Fault.UNKNOWN_PARAMETER_ACCEPTED: _cancel_status(json={"reason": "x"}),
    Fault.EMPTY_COMMENT_SENDS_NOTICE: _messages_after(json={"comment": ""}),
    Fault.NULL_COMMENT_NO_NOTICE: _messages_after(json={"comment": None}),
    Fault.SECOND_CANCEL_202: _second_cancel,
    Fault.CASE_SENSITIVE_SEGMENTS: _case_probe,
    Fault.OTHER_METHODS_500: lambda graph: (
        graph.request("GET", f"/me/events/{UNKNOWN_ID}/cancel").status_code
    ),
    **{route_missing(family): _route_probe(family) for family in ROUTE_FAMILIES},
    **ACTION_PROBES,  # the other actions' switches
}


def test_probes_name_only_fault_switches() -> None:
    """A switch may go without a probe here (the mutant matrix runs every one); a probe needs its switch."""
    assert set(PROBES) <= set(FAULTS)


@pytest.mark.parametrize("fault", sorted(PROBES))
def test_fault_switch_changes_what_it_says(graph: GraphClient, fault: str) -> None:
    baseline = PROBES[fault](graph)
    with ReferenceServer(faults=[fault]) as faulty_server:
        faulty = PROBES[fault](GraphClient(faulty_server))
    assert faulty != baseline, f"{fault} ({FAULTS[fault]}) did not change: {baseline!r}"


def test_unknown_fault_names_are_refused() -> None:
    with pytest.raises(ValueError, match="valid names: answer-[a-z0-9-]+, .*app-token-on-me"):
        ReferenceServer(faults=["no-such-fault"])


def test_second_cancel_202_leaves_deleted_events_at_404() -> None:
    with ReferenceServer(faults=[Fault.SECOND_CANCEL_202]) as server:
        graph = GraphClient(server)
        deleted = graph.create_event()
        assert graph.request("DELETE", f"/me/events/{quote_id(deleted['id'])}").status_code == 204
        assert graph.request("POST", f"/me/events/{quote_id(deleted['id'])}/cancel").status_code == 404


def test_narrow_faults_spare_what_they_do_not_name() -> None:
    with ReferenceServer(faults=[Fault.COMMENT_REQUIRED_BODY]) as server:
        graph = GraphClient(server)
        assert _cancel_status(json={"comment": ""})(graph)[0] == 202
        assert _cancel_status(json={"comment": None})(graph)[0] == 202
    with ReferenceServer(faults=[Fault.SCOPE_NEEDS_MAIL_SEND, Fault.EVENT_STILL_LISTED]) as server:
        graph = GraphClient(server)
        assert _cancel_on("users", "application")(graph) == 202
        assert _cancel_status("organizer_minimal")(graph)[0] == 403
        assert _second_cancel(graph) == 404
        assert _invalid_token_statuses(graph) == [401, 401]
    with ReferenceServer(faults=[Fault.APP_TOKEN_REFUSED_USERS]) as server:
        assert _cancel_on("groups", "application")(GraphClient(server)) == 202


def test_invalid_token_accepted_acts_as_the_organizer() -> None:
    with ReferenceServer(faults=[Fault.INVALID_TOKEN_ACCEPTED]) as server:
        graph = GraphClient(server)
        assert _invalid_token_statuses(graph) == [200, 200]
        assert graph.request("GET", "/me/events", None).status_code == 401  # no token is still refused


def test_every_fault_switch_is_acted_on_by_the_server() -> None:
    """A switch defined but read nowhere would change nothing: each member of each action's switch enum is
    read outside the definitions (cancel's Fault outside faults.py, an action's outside FAULT_DEFINITIONS)."""
    package = Path(faults_module.__file__).parent
    sources = {path: path.read_text(encoding="utf-8") for path in package.rglob("*.py")}
    source = "\n".join(
        text.split("FAULT_DEFINITIONS: dict")[0].split("def fault_definitions(")[0]
        for path, text in sources.items() if path.name != "faults.py"
    )
    enums: list[tuple[str, type[StrEnum]]] = [("Fault", Fault)]
    enums += [(enum.__name__, enum) for enum in action_fault_enums()]
    unused = [
        member.value for name, enum in enums for member in enum if f"{name}.{member.name}" not in source
    ]
    assert not unused, f"fault switches no server module reads: {unused}"
    assert "route_missing(" in source
    assert {member.value for _, enum in enums for member in enum} | set(_route_missing_names()) == set(FAULTS)


def _route_missing_names() -> list[str]:
    """cancel's route-missing switches and every other action's (one per route its page lists)."""
    from conformance.reference.actions import registry

    names = [route_missing(family) for family in ROUTE_FAMILIES]
    return names + [action.route_missing(family) for action in registry().values() if action.prefix
                    for family in action.families]


def test_narrow_error_and_body_faults_spare_the_other_answers() -> None:
    """A narrow fault changes only the answers it names: the others keep their Content-Type or empty body."""
    unknown = f"/me/events/{UNKNOWN_ID}/cancel"
    with ReferenceServer(faults=[Fault.AUTH_ERRORS_NO_CONTENT_TYPE, Fault.BODY_ON_202_UPN]) as server:
        graph = GraphClient(server)
        assert graph.request("POST", unknown).headers["content-type"] == "application/json"
        assert _cancel_status(json={"comment": "x"})(graph) == (202, b"")
    with ReferenceServer(faults=[Fault.NOT_FOUND_NO_CONTENT_TYPE, Fault.BODY_ON_202_PASCAL]) as server:
        graph = GraphClient(server)
        assert graph.request("POST", unknown, None).headers["content-type"] == "application/json"
        assert _cancel_status(json={"comment": "x"})(graph) == (202, b"")
    with ReferenceServer(faults=[Fault.REFUSED_YET_CANCELLED]) as server:
        graph = GraphClient(server)
        event = graph.create_event()
        assert graph.request("POST", f"/me/events/{quote_id(event['id'])}/cancel", None).status_code == 401
        assert graph.request("GET", f"/me/events/{quote_id(event['id'])}").json()["isCancelled"] is False
