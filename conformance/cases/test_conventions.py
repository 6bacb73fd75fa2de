"""Graph's conventions around cancel: status and code of each error, the error envelope, and no 5xx.

The probes of the common conventions (unknown and malformed ids, malformed JSON, an unknown parameter, other
methods) act on cancel's routes, or on the first selected action's when the run selects no cancel
(conformance.cases.toolkit.common_aim); the cancel-only ones (comment types, a second cancel) on cancel's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from conformance.cases.toolkit import (
    ABSENT,
    GONE,
    Arranger,
    Bound,
    Effect,
    Item,
    Seen,
    acts_ahead,
    envelope_problems,
    error_code,
    expect,
    expect_status,
    expect_untouched,
    json_of,
    last_act_at,
    not_verified,
    poll,
    require_route_served,
    send,
    waited,
    watches_quiet,
)
from conformance.cases.toolkit.common_aim import COMMON_PROBE, Aim, aim, probed_contract
from conformance.target.client import Graph
from conformance.target.provision import ProvisionedEvent
from conformance.target.urls import quote_id

MALFORMED_ID = "this is not an event id"
OTHER_METHODS = ("GET", "PUT", "PATCH", "DELETE")
REFUSALS = tuple(range(400, 500))


@dataclass(frozen=True)
class Sent:
    """The answer to a probe, and the event it aimed at with how it read before (when it must stay)."""

    response: requests.Response
    path: str | None = None
    before: Item | None = None
    aimed: Aim | None = None  # a common probe on another action: what it aimed at (judged untouched)


# (graph, arranger, requirement id, whether a request with no answer fails it) -> what was sent
Probe = Callable[[Graph, Arranger, str, bool], Sent]


def _cancel(
    graph: Graph, path: str, requirement_id: str, about_answer: bool, **options: Any
) -> requests.Response:
    """The organizer calls cancel on the event at `path` (send's options: body, raw, method)."""
    return send(
        graph.as_("organizer"), f"{path}/cancel", requirement_id, about_answer=about_answer, **options
    )


def _on_event_path(
    graph: Graph, arrange: Arranger, path: str, requirement_id: str, about_answer: bool, body: Any
) -> Sent:
    """Cancel (or, the run selecting no cancel, the first selected action) on the event at `path`."""
    contract = probed_contract(arrange)
    if contract is None:
        return Sent(_cancel(graph, path, requirement_id, about_answer, body=body))
    aimed = aim(graph, arrange, contract)  # its caller and body (the subject shared, never touched here)
    client = graph.as_(aimed.caller)
    action_path = f"{path}/{contract.action}"
    own_body = aimed.body(requirement_id)
    return Sent(send(client, action_path, requirement_id, about_answer=about_answer, body=own_body))


def _unknown_id(graph: Graph, arrange: Arranger, requirement_id: str, about_answer: bool) -> Sent:
    """Cancel a well-formed id that no longer exists (an event deleted first; one for the whole run)."""
    body = {"comment": "cancel of a deleted event"}
    return _on_event_path(graph, arrange, arrange.unknown_event_path(), requirement_id, about_answer, body)


def _malformed_id(graph: Graph, arrange: Arranger, requirement_id: str, about_answer: bool) -> Sent:
    path = f"/me/events/{quote_id(MALFORMED_ID)}"
    return _on_event_path(graph, arrange, path, requirement_id, about_answer, {"comment": "x"})


def _on_fresh_event(body: Any = ABSENT) -> Probe:
    """A probe cancelling a new event (inviting nobody) with `body`: a request to be accepted."""

    def probe(graph: Graph, arrange: Arranger, requirement_id: str, about_answer: bool) -> Sent:
        event = arrange.create()
        return Sent(_cancel(graph, event.path, requirement_id, about_answer, body=body))

    return probe


def _refused(
    body: Any = ABSENT, *, raw: bytes | None = None, method: str = "POST", untouched: bool = True,
    common: dict[str, Any] | None = None,
) -> Probe:
    """A probe sending `body` (or `raw` bytes) with `method` to the cancel path of the run's untouched event
    (reused while refused requests leave it unchanged); `untouched`: the event must then be as it was.
    `common`: a common probe, aimed at the first selected action when the run selects no cancel (its
    contract's body with these members, or no body where `body` is absent)."""

    def probe(graph: Graph, arrange: Arranger, requirement_id: str, about_answer: bool) -> Sent:
        judged = untouched and about_answer  # the status case judges the event; the others the answer only
        contract = probed_contract(arrange) if common is not None else None
        if contract is not None and common is not None:
            aimed = aim(graph, arrange, contract, fresh=judged)
            sent_body = ABSENT if body is ABSENT else aimed.body(requirement_id, **common)
            client = graph.as_(aimed.caller)
            options = {"body": sent_body, "raw": raw, "method": method}
            response = send(client, aimed.path, requirement_id, about_answer=about_answer, **options)
            return Sent(response, aimed=aimed) if judged else Sent(response)
        event, before = arrange.untouched_event(read_back=judged)
        options = {"body": body, "raw": raw, "method": method}
        response = _cancel(graph, event.path, requirement_id, about_answer, **options)
        return Sent(response, event.path, before) if judged else Sent(response)

    return probe


def _cancel_observed(graph: Graph, event: ProvisionedEvent, within: Bound) -> bool:
    """Whether the event shows it was cancelled (GET 404/410, or itself with `isCancelled: true`), polled."""
    client = graph.as_("organizer")

    def fetch() -> Seen[None]:
        response = client.get(event.path)
        body = json_of(response)
        cancelled = isinstance(body, dict) and body.get("id") == event.id and body.get("isCancelled") is True
        return Seen(response.status_code in GONE or cancelled, None, response)

    return poll(fetch, within).found


def _second_cancel(graph: Graph, arrange: Arranger, requirement_id: str, about_answer: bool) -> Sent:
    """The answer to cancelling an event again once its first cancel shows (each shared by the run's cases).

    The first cancel and the wait for its effect are paid once per run; the second cancel is kept apart for
    the case about the answer: there a second cancel that gets no answer fails, not skips.
    """
    event = arrange.once(SECOND_CANCEL_SHOWN, lambda: _cancelled_event(graph, arrange))
    key = f"second-cancel (about the answer: {about_answer})"
    body = {"comment": "second cancel"}
    return arrange.once(
        key, lambda: Sent(_cancel(graph, event.path, requirement_id, about_answer, body=body))
    )


SECOND_CANCEL_SENT = "second-cancel: the first cancel sent"
SECOND_CANCEL_SHOWN = "second-cancel: the first cancel shown"


def _first_cancel(graph: Graph, target: object, arrange: Arranger) -> tuple[ProvisionedEvent, float | None]:
    """A fresh event cancelled once (acted ahead with the effect cases), and when that cancel was answered."""
    event, _ = arrange.event()
    first = _cancel(graph, event.path, "GRAPH-SECOND-CANCEL-4XX", False, body={"comment": "first cancel"})
    require_route_served(first)
    arrange.judge_refusal(event, first)
    if not 200 <= first.status_code < 300:
        not_verified(f"the first cancel of a fresh event answered HTTP {first.status_code}: no second to try")
    return event, last_act_at()


def _cancelled_event(graph: Graph, arrange: Arranger) -> ProvisionedEvent:
    """A fresh event cancelled once, returned when its effect shows (else the case is not-verified)."""
    event, acted_at = arrange.once(SECOND_CANCEL_SENT, lambda: _first_cancel(graph, arrange.target, arrange))
    within = arrange.effect(Effect.APPLIED, "to show a cancel on the organizer's event", since=acted_at)
    if not _cancel_observed(graph, event, within):
        not_verified(
            "the first cancel's effect never showed (the event neither gone nor isCancelled; "
            f"{waited(within)}), so a second cancel would not meet a cancelled event"
        )
    return event


@dataclass(frozen=True)
class Convention:
    """One request the conventions are checked on, and the answers Graph gives it."""

    name: str
    send: Probe
    statuses: tuple[int, ...]  # acceptable HTTP statuses (several where the real answer is unknown)
    code: str | None = None  # the Graph error code, when the convention fixes it


_UNKNOWN_PARAMETER = {"comment": "x", "notAParameterOfCancel": True}
_UNKNOWN_MEMBER = {"notAParameterOfTheAction": True}  # added to another action's own body
_COMMENT_TYPES = {"number": 42, "object": {"text": "x"}, "list": ["x"], "bool": True}
_PROBES: dict[str, Convention] = {
    probe.name: probe
    for probe in [
        Convention("unknown-id", _unknown_id, (404,), "ErrorItemNotFound"),
        Convention("malformed-id", _malformed_id, (400,), "ErrorInvalidIdMalformed"),
        Convention("malformed-json", _refused(raw=b'{"comment": "unterminated', common={}), (400,)),
        *(
            Convention(f"comment-{kind}", _refused({"comment": value}), (400,))
            for kind, value in _COMMENT_TYPES.items()
        ),
        Convention("unknown-parameter", _refused(_UNKNOWN_PARAMETER, common=_UNKNOWN_MEMBER), (400,)),
        Convention("second-cancel", _second_cancel, REFUSALS),
        *(
            # which of the two real Graph gives is not established by a public source: both are accepted
            Convention(
                f"{method}-on-cancel",
                _refused(
                    ABSENT if method in ("GET", "DELETE") else {"comment": "x"},
                    method=method,
                    untouched=False,
                    common={},
                ),
                (400, 405),
            )
            for method in OTHER_METHODS
        ),
    ]
}


@watches_quiet  # a refused probe: the event untouched over its quiet period
def _status_stage(
    graph: Graph, target: object, arrange: Arranger, probe_name: str, requirement_id: str
) -> Sent:
    """The status case's request, acted ahead (a refused one on an event of its own)."""
    return _PROBES[probe_name].send(graph, arrange, requirement_id, True)


def _envelope_stage(graph: Graph, target: object, arrange: Arranger, probe_name: str) -> Sent:
    """The envelope case's request, acted ahead."""
    return _PROBES[probe_name].send(graph, arrange, "GRAPH-ERROR-ENVELOPE", False)


def _server_error_stage(graph: Graph, target: object, arrange: Arranger, probe: Convention) -> Sent:
    """The no-5xx case's request, acted ahead."""
    return probe.send(graph, arrange, "GRAPH-NO-SERVER-ERROR", False)


def _ahead(name: str, stage: Callable[..., Sent]) -> list[pytest.MarkDecorator]:
    """Each probe is acted ahead (its request sent with the other stages); the second cancel's probes have
    their first cancel acted ahead instead (one for the run), the second sent in the case."""
    if name == "second-cancel":
        return [acts_ahead(_first_cancel, once=SECOND_CANCEL_SENT)]
    return [acts_ahead(stage)]


def _sent(
    probe: Convention, graph: Graph, arrange: Arranger, requirement_id: str, about_answer: bool
) -> Sent:
    """What the probe sent: as acted ahead, or (the second cancel) sent now."""
    if probe.name == "second-cancel":
        return probe.send(graph, arrange, requirement_id, about_answer)
    sent: Sent = arrange.acted()
    return sent


def _status_case(name: str, requirement_id: str, *, common: bool = False) -> Any:
    """A parametrize value (probe name, requirement id), marked with the requirement (`common`: a probe of a
    common requirement, run whatever actions are selected)."""
    marks = [pytest.mark.requirement(requirement_id), *_ahead(name, _status_stage)]
    return pytest.param(name, requirement_id, marks=[*marks, *([COMMON_PROBE] if common else [])], id=name)


_STATUS_CASES = [
    _status_case("unknown-id", "GRAPH-404-UNKNOWN-ID", common=True),
    _status_case("malformed-id", "GRAPH-400-MALFORMED-ID", common=True),
    _status_case("malformed-json", "GRAPH-400-MALFORMED-JSON", common=True),
    *(_status_case(f"comment-{kind}", "GRAPH-400-COMMENT-TYPE") for kind in _COMMENT_TYPES),
    _status_case("unknown-parameter", "GRAPH-400-UNKNOWN-PARAMETER", common=True),
    _status_case("second-cancel", "GRAPH-SECOND-CANCEL-4XX"),
    *(
        _status_case(f"{method}-on-cancel", "GRAPH-405-OTHER-METHODS", common=True)
        for method in OTHER_METHODS
    ),
]


@pytest.mark.parametrize(("probe_name", "requirement_id"), _STATUS_CASES)
def test_each_request_gets_the_conventional_answer(
    probe_name: str, requirement_id: str, graph: Graph, arrange: Arranger
) -> None:
    """The probe's status (and error code) is the convention's; a refused request changes nothing."""
    probe = _PROBES[probe_name]
    sent = _sent(probe, graph, arrange, requirement_id, True)
    response = sent.response
    require_route_served(response)
    expect_status(response, requirement_id, probe.statuses, probe.name)
    if probe.code is not None:
        expect(
            error_code(response) == probe.code,
            requirement_id,
            f"{probe.name}: error.code is {error_code(response)!r}, expected {probe.code!r}",
            response,
        )
    if sent.aimed is not None:
        sent.aimed.expect_unchanged(graph, arrange, requirement_id)
    elif sent.path is not None and sent.before is not None:
        quiet = arrange.quiet(Effect.APPLIED, "to change the event after a refused request")
        organizer = graph.as_("organizer")
        expect_untouched(organizer, sent.path, sent.before, requirement_id, probe.name, quiet=quiet)


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
@pytest.mark.parametrize(
    "probe_name", [pytest.param(name, marks=_ahead(name, _envelope_stage)) for name in _ERROR_PROBES]
)
def test_errors_carry_the_graph_error_envelope(probe_name: str, graph: Graph, arrange: Arranger) -> None:
    """Each error answer is JSON `{"error": {"code", "message", "innerError": {...}}}` with a JSON type."""
    response = _sent(_PROBES[probe_name], graph, arrange, "GRAPH-ERROR-ENVELOPE", False).response
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
    "no-body": ABSENT,
    "comment": {"comment": "fine"},
    "Comment": {"Comment": "fine"},
    "non-ascii": {"comment": "Отмена 🎉"},
    "long": {"comment": "y" * 8000},
}


_ALL_PROBES = [
    *_PROBES.values(),
    *(Convention(f"valid-{name}", _on_fresh_event(body), (202,)) for name, body in _VALID_COMMENTS.items()),
]


@pytest.mark.requirement("GRAPH-NO-SERVER-ERROR")
@pytest.mark.parametrize(
    "probe",
    [
        pytest.param(probe, marks=_ahead(probe.name, _server_error_stage), id=probe.name)
        for probe in _ALL_PROBES
    ],
)
def test_no_request_is_answered_5xx(probe: Convention, graph: Graph, arrange: Arranger) -> None:
    """Valid or not, none of the requests above gets a 5xx."""
    response = _sent(probe, graph, arrange, "GRAPH-NO-SERVER-ERROR", False).response
    expect(
        response.status_code < 500,
        "GRAPH-NO-SERVER-ERROR",
        f"{probe.name}: the server failed with HTTP {response.status_code}",
        response,
    )
