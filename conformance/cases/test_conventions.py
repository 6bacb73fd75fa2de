"""Graph's conventions around cancel: status and code of each error, the error envelope, and no 5xx."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from conformance.cases._expect import envelope_problems, error_code, expect
from conformance.cases._mailbox import require_route_served
from conformance.outcomes import not_verified
from conformance.target.client import Graph
from conformance.target.provision import ProvisionedEvent, Provisioner
from conformance.target.urls import quote_id

JSON_TYPE: dict[str, str | None] = {"Content-Type": "application/json"}
MALFORMED_ID = "this is not an event id"
OTHER_METHODS = ("GET", "PUT", "PATCH", "DELETE")


def _cancel(
    graph: Graph, event: ProvisionedEvent, *, body: Any = None, raw: bytes | None = None, method: str = "POST"
) -> requests.Response:
    """Call `method` on the event's cancel path as its organizer, with a JSON `body` or `raw` bytes."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    return graph.as_(event.owner_role).request(
        method, f"{event.path}/cancel", data=data, headers=JSON_TYPE if data is not None else None
    )


Sent = tuple[requests.Response, ProvisionedEvent | None]  # the answer, and the event the request aimed at
Send = Callable[[Graph, Provisioner], Sent]


def _unknown_id(graph: Graph, provision: Provisioner) -> Sent:
    """Cancel a well-formed id that no longer exists (the event was deleted first)."""
    event = provision.event(attendees=1)
    deleted = graph.as_(event.owner_role).delete(event.path)
    if deleted.status_code not in (200, 202, 204):
        not_verified(f"could not delete a fresh event to obtain an unknown id (HTTP {deleted.status_code})")
    return _cancel(graph, event, body={"comment": "cancel of a deleted event"}), None


def _malformed_id(graph: Graph, provision: Provisioner) -> Sent:
    return graph.as_("organizer").post(
        f"/me/events/{quote_id(MALFORMED_ID)}/cancel", json={"comment": "x"}
    ), None


def _on_fresh_event(body: Any = None, *, raw: bytes | None = None, method: str = "POST") -> Send:
    """A probe sending `body` (or `raw` bytes) with `method` to the cancel path of a new event."""

    def probe(graph: Graph, provision: Provisioner) -> Sent:
        event = provision.event(attendees=1)
        return _cancel(graph, event, body=body, raw=raw, method=method), event

    return probe


def _second_cancel(graph: Graph, provision: Provisioner) -> Sent:
    """Cancel the same event twice; the second answer."""
    event = provision.event(attendees=1)
    first = require_route_served(_cancel(graph, event, body={"comment": "first cancel"}))
    if not 200 <= first.status_code < 300:
        not_verified(
            f"the first cancel of a fresh event answered HTTP {first.status_code}; cannot try a second"
        )
    return _cancel(graph, event, body={"comment": "second cancel"}), None


@dataclass(frozen=True)
class _Probe:
    """One request the conventions are checked on, and the answer Graph gives it."""

    name: str
    send: Send
    statuses: tuple[int, ...]  # acceptable HTTP statuses (several where the real answer is unknown)
    code: str | None = None  # the Graph error code, when the convention fixes it
    untouched: bool = False  # the refused request must leave its event as it was


_COMMENT_TYPES = {"number": 42, "object": {"text": "x"}, "list": ["x"], "bool": True}
_PROBES: dict[str, _Probe] = {
    probe.name: probe
    for probe in [
        _Probe("unknown-id", _unknown_id, (404,), "ErrorItemNotFound"),
        _Probe("malformed-id", _malformed_id, (400,), "ErrorInvalidIdMalformed"),
        _Probe("malformed-json", _on_fresh_event(raw=b'{"comment": "unterminated'), (400,), untouched=True),
        *(
            _Probe(f"comment-{kind}", _on_fresh_event({"comment": value}), (400,), untouched=True)
            for kind, value in _COMMENT_TYPES.items()
        ),
        _Probe(
            "unknown-parameter",
            _on_fresh_event({"comment": "x", "notAParameterOfCancel": True}),
            (400,),
            untouched=True,
        ),
        _Probe("second-cancel", _second_cancel, tuple(range(400, 500))),
        *(
            _Probe(
                f"{method}-on-cancel",
                _on_fresh_event(None if method in ("GET", "DELETE") else {"comment": "x"}, method=method),
                (405,),
            )
            for method in OTHER_METHODS
        ),
    ]
}


def _check_status(probe: _Probe, requirement_id: str, graph: Graph, provision: Provisioner) -> None:
    """Send the probe; its status (and error code) must be the convention's, and a refusal changes nothing."""
    response, event = probe.send(graph, provision)
    require_route_served(response)
    wanted = "a 4xx" if len(probe.statuses) > 2 else " or ".join(map(str, probe.statuses))
    expect(
        response.status_code in probe.statuses,
        requirement_id,
        f"{probe.name}: HTTP {response.status_code}, expected {wanted}",
        response,
    )
    if probe.code is not None:
        expect(
            error_code(response) == probe.code,
            requirement_id,
            f"{probe.name}: error.code is {error_code(response)!r}, expected {probe.code!r}",
            response,
        )
    if probe.untouched and event is not None:
        after = graph.as_(event.owner_role).get(event.path)
        expect(
            after.status_code == 200 and after.json().get("isCancelled") is not True,
            requirement_id,
            f"{probe.name}: after the refused request GET on the event answers HTTP {after.status_code} "
            "or shows it cancelled; a refused request must leave it untouched",
            after,
        )


@pytest.mark.requirement("GRAPH-404-UNKNOWN-ID")
def test_unknown_event_id_is_404_item_not_found(graph: Graph, provision: Provisioner) -> None:
    """Cancel on a well-formed but unknown id: 404 `ErrorItemNotFound`."""
    _check_status(_PROBES["unknown-id"], "GRAPH-404-UNKNOWN-ID", graph, provision)


@pytest.mark.requirement("GRAPH-400-MALFORMED-ID")
def test_malformed_event_id_is_400_invalid_id_malformed(graph: Graph, provision: Provisioner) -> None:
    """Cancel on an id that cannot be an event id: 400 `ErrorInvalidIdMalformed`."""
    _check_status(_PROBES["malformed-id"], "GRAPH-400-MALFORMED-ID", graph, provision)


@pytest.mark.requirement("GRAPH-400-MALFORMED-JSON")
def test_body_that_is_not_json_is_400(graph: Graph, provision: Provisioner) -> None:
    """A body sent as JSON that does not parse: 400."""
    _check_status(_PROBES["malformed-json"], "GRAPH-400-MALFORMED-JSON", graph, provision)


@pytest.mark.requirement("GRAPH-400-COMMENT-TYPE")
@pytest.mark.parametrize("kind", list(_COMMENT_TYPES))
def test_comment_of_a_wrong_json_type_is_400(kind: str, graph: Graph, provision: Provisioner) -> None:
    """`comment` as a number, object, list or Boolean: 400."""
    _check_status(_PROBES[f"comment-{kind}"], "GRAPH-400-COMMENT-TYPE", graph, provision)


@pytest.mark.requirement("GRAPH-400-UNKNOWN-PARAMETER")
def test_unknown_body_parameter_is_400(graph: Graph, provision: Provisioner) -> None:
    """A body property the action does not declare: 400."""
    _check_status(_PROBES["unknown-parameter"], "GRAPH-400-UNKNOWN-PARAMETER", graph, provision)


@pytest.mark.requirement("GRAPH-SECOND-CANCEL-4XX")
def test_second_cancel_of_the_same_event_is_4xx(graph: Graph, provision: Provisioner) -> None:
    """Once cancelled, the event is gone: cancelling it again is refused with a 4xx (which one is unknown)."""
    _check_status(_PROBES["second-cancel"], "GRAPH-SECOND-CANCEL-4XX", graph, provision)


@pytest.mark.requirement("GRAPH-405-OTHER-METHODS")
@pytest.mark.parametrize("method", OTHER_METHODS)
def test_other_methods_on_the_cancel_path_are_405(method: str, graph: Graph, provision: Provisioner) -> None:
    """GET, PUT, PATCH and DELETE on a cancel path: 405 Method Not Allowed."""
    _check_status(_PROBES[f"{method}-on-cancel"], "GRAPH-405-OTHER-METHODS", graph, provision)


_ERROR_PROBES = [
    "unknown-id",
    "malformed-id",
    "malformed-json",
    "comment-number",
    "unknown-parameter",
    "second-cancel",
    "GET-on-cancel",
]


@pytest.mark.requirement("GRAPH-ERROR-ENVELOPE")
@pytest.mark.parametrize("probe_name", _ERROR_PROBES)
def test_errors_carry_the_graph_error_envelope(probe_name: str, graph: Graph, provision: Provisioner) -> None:
    """Each error answer is JSON `{"error": {"code", "message", "innerError": {...}}}` with a JSON type."""
    response, _ = _PROBES[probe_name].send(graph, provision)
    require_route_served(response)
    if not 400 <= response.status_code < 600:
        not_verified(f"{probe_name} was answered HTTP {response.status_code}, not an error")
    problems = envelope_problems(response)
    expect(
        not problems,
        "GRAPH-ERROR-ENVELOPE",
        f"{probe_name}: HTTP {response.status_code} without Graph's error envelope: {'; '.join(problems)}",
        response,
    )


_VALID_COMMENTS = {
    "no-body": None,
    "comment": {"comment": "fine"},
    "Comment": {"Comment": "fine"},
    "non-ascii": {"comment": "Отмена 🎉"},
    "long": {"comment": "y" * 8000},
}


_ALL_PROBES = [
    *_PROBES.values(),
    *(_Probe(f"valid-{name}", _on_fresh_event(body), (202,)) for name, body in _VALID_COMMENTS.items()),
]


@pytest.mark.requirement("GRAPH-NO-SERVER-ERROR")
@pytest.mark.parametrize("probe", _ALL_PROBES, ids=[probe.name for probe in _ALL_PROBES])
def test_no_request_is_answered_5xx(probe: _Probe, graph: Graph, provision: Provisioner) -> None:
    """Valid or not, none of the requests above gets a 5xx."""
    response, _ = probe.send(graph, provision)
    expect(
        response.status_code < 500,
        "GRAPH-NO-SERVER-ERROR",
        f"{probe.name}: the server failed with HTTP {response.status_code}",
        response,
    )
