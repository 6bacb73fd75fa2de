"""A kind of request that hangs is paid for once: probed, remembered, never sent again; loopback timeouts."""

from __future__ import annotations

import pytest

from conformance.errors import RequestUnanswered, TargetUnreachable
from conformance.target.config import LOOPBACK_READ_TIMEOUT_S, READ_TIMEOUT_S, target_from_document
from conformance.target.hangs import BEYOND_I_JSON, NOT_JSON, body_class, route_of
from tests.target._graph import make_graph
from tests.target._stub_server import Reply, Seen, stub_server

MALFORMED = b'{"comment": "unterminated'
HANG_S = 3.0
READ_S = 1.0  # generous: a loaded machine must not time out an answered request


def hangs_on_malformed_cancels(seen: Seen) -> Reply:
    """Never answers (in time) a cancel whose body is not JSON; answers everything else at once."""
    if seen.method == "POST" and seen.path.endswith("/cancel") and seen.body.startswith(b'{"comment": "unt'):
        return Reply(202, delay_s=HANG_S)
    return Reply(202)


def malformed_cancels(seen: list[Seen]) -> list[Seen]:
    return [request for request in seen if request.body == MALFORMED]


def test_a_kind_that_hung_once_is_not_sent_again() -> None:
    with stub_server(hangs_on_malformed_cancels) as (root, state):
        client = make_graph(root + "/v1.0", timeouts={"connect": 1, "read": READ_S}).as_("organizer")
        headers = {"Content-Type": "application/json"}
        with pytest.raises(RequestUnanswered) as first:
            client.post("/me/events/AAMk1=/cancel", data=MALFORMED, headers=headers)
        with pytest.raises(RequestUnanswered) as second:
            client.post("/me/events/AAMk2=/cancel", data=MALFORMED, headers=headers)
        valid = client.post("/me/events/AAMk3=/cancel", json={"comment": "fine"})
        with pytest.raises(RequestUnanswered) as other_route:  # another route family: its own kind
            client.post("/me/calendar/events/AAMk4=/cancel", data=MALFORMED, headers=headers)
    assert not first.value.remembered and second.value.remembered
    assert len(malformed_cancels(state.seen)) == 2, "the same kind was sent again after it hung"
    assert "/me/events/AAMk1=/cancel" in str(second.value) and "not sent" in str(second.value)
    assert valid.status_code == 202  # another kind (a JSON body) on the same route is still sent
    assert not other_route.value.remembered
    probes = [request for request in state.seen if request.path == "/v1.0"]
    assert len(probes) == 2, "one health probe per kind that timed out, none for a remembered one"


def test_the_memory_is_shared_by_every_client_of_the_run() -> None:
    with stub_server(hangs_on_malformed_cancels) as (root, state):
        graph = make_graph(root + "/v1.0", timeouts={"connect": 1, "read": READ_S})
        with pytest.raises(RequestUnanswered):
            graph.as_("organizer").post("/me/events/A1=/cancel", data=MALFORMED)
        with pytest.raises(RequestUnanswered, match="not sent"):
            graph.as_("organizer").post("/me/events/A2=/cancel", data=MALFORMED)
    assert len(malformed_cancels(state.seen)) == 1
    assert graph.hangs.timeouts == 1 and graph.hangs.spared == 1


def test_a_hang_with_no_answer_to_the_probe_either_is_a_lost_target_not_remembered() -> None:
    with stub_server(lambda _seen: Reply(202, delay_s=HANG_S)) as (root, state):
        graph = make_graph(root + "/v1.0", timeouts={"connect": 1, "read": READ_S})
        with pytest.raises(TargetUnreachable) as raised:
            graph.as_("organizer").post("/me/events/A1=/cancel", data=MALFORMED)
    assert not isinstance(raised.value, RequestUnanswered)
    assert graph.hangs.known() == {}
    assert len(state.seen) == 2  # the request and the probe; a read timeout is never re-sent
    with pytest.raises(TargetUnreachable):  # lost: nothing more is sent (no timeout paid per request)
        graph.as_("attendee").get("/me/events")
    assert len(state.seen) == 2


@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/v1.0/me/events/AAMkAG+x%2Fy==/cancel", "/me/events/{id}/cancel"),
        ("/v1.0/users/u-1/calendarGroups/g1/calendars/c1/events/e1/cancel",
         "/users/{id}/calendargroups/{id}/calendars/{id}/events/{id}/cancel"),
        ("/v1.0/me/mailFolders/inbox/messages?$top=5", "/me/mailfolders/{id}/messages"),
        ("/v1.0/me/Events/e1/CANCEL", "/me/events/{id}/cancel"),
    ],
)
def test_route_families_abstract_the_ids(path: str, route: str) -> None:
    assert route_of(path, "/v1.0") == route


def test_body_classes() -> None:
    assert body_class(None) == body_class(b"  ") == "no body"
    assert body_class(b'{"comment": "x"}') == body_class('{"a": 1}') == "a JSON body"
    assert body_class(MALFORMED) == body_class(b"comment=x") == body_class(b'{"comment": NaN}') == NOT_JSON
    assert body_class(b'"\xff"') == NOT_JSON
    for lax in (b'{"a": 1, "a": 2}', b'{"a": 1e999}', b'{"a": -3942086844969112305664}', b"[" * 100_000):
        assert body_class(lax) == BEYOND_I_JSON, lax[:30]  # JSON, but a strict server may refuse it


def _target(base_url: str, timeouts: dict[str, float] | None = None) -> float:
    organizer = {"user_id": "u-1", "token": {"kind": "literal", "value": "t"}}
    document = {"base_url": base_url, "identities": {"organizer": organizer},
                **({"timeouts": timeouts} if timeouts is not None else {})}
    return target_from_document(document, source="test", environ={}).read_timeout


def test_loopback_targets_default_to_a_short_read_timeout_a_declared_one_wins() -> None:
    assert _target("http://127.0.0.1:8765/v1.0") == LOOPBACK_READ_TIMEOUT_S < READ_TIMEOUT_S
    assert _target("http://localhost:8765/v1.0", {"connect": 2}) == LOOPBACK_READ_TIMEOUT_S
    assert _target("https://graph.contoso.example/v1.0") == READ_TIMEOUT_S
    assert _target("http://127.0.0.1:8765/v1.0", {"read": 45}) == 45.0


def test_a_kind_answered_before_is_not_generalised_from_one_timeout() -> None:
    def second_cancel_hangs(seen: Seen) -> Reply:
        cancels = [request for request in state.seen if request.path.endswith("/cancel")]
        return Reply(202, delay_s=HANG_S if seen.path.endswith("/cancel") and len(cancels) == 2 else 0.0)

    with stub_server(second_cancel_hangs) as (root, state):
        client = make_graph(root + "/v1.0", timeouts={"connect": 1, "read": READ_S}).as_("organizer")
        assert client.post("/me/events/A1=/cancel", json={"comment": "x"}).status_code == 202
        with pytest.raises(RequestUnanswered):
            client.post("/me/events/A2=/cancel", json={"comment": "x"})
        third = client.post("/me/events/A3=/cancel", json={"comment": "x"})
    assert third.status_code == 202, "one timeout of a kind the target answers was taken for a hang"
    assert client.graph.hangs.known() == {}
