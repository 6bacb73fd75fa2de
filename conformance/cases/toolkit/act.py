"""The act under test: sending a cancel, its route guard, and what a request that gets no answer means."""

from __future__ import annotations

import json
import threading
import time
from typing import TYPE_CHECKING, Any, NoReturn

import requests

from conformance.cases.toolkit.checks import expect, failure, is_unknown_route
from conformance.errors import TargetUnreachable
from conformance.outcomes import not_verified
from conformance.target.client import Graph, GraphClient
from conformance.target.provision import ProvisionedEvent
from conformance.target.resolve import already_probed, probe_reachable

if TYPE_CHECKING:
    from conformance.cases.toolkit.arrange import Arranger

ME_EVENTS_ROUTE = "CANCEL-ROUTE-ME-EVENTS"  # the route the behavioural cases cancel on
JSON_TYPE = "application/json"


class _Absent:
    """The marker for "send no body at all" (None would be the JSON `null`)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()

_ACTS = threading.local()  # per thread: when the last act was answered (monotonic), the cause of its effects


def last_act_at() -> float | None:
    """When this thread's last act (`send`) was answered (monotonic), or None."""
    return getattr(_ACTS, "at", None)


def set_last_act(at: float | None) -> None:
    """Say when this thread's last act was answered (a case acted ahead hands its act time to its test)."""
    _ACTS.at = at


def require_route_served(response: requests.Response, route_requirement: str = ME_EVENTS_ROUTE) -> None:
    """Not-verified (never failed) when the route the case cancels on is not served: its own case fails."""
    if is_unknown_route(response):
        not_verified(
            f"the server does not serve the cancel route this case uses ({response.request.method} "
            f"{response.request.path_url.split('?', 1)[0]} answered 404 ResourceNotFound); "
            f"{route_requirement} reports the missing route"
        )


def no_answer(
    client: GraphClient, error: TargetUnreachable, requirement_id: str, about_answer: bool
) -> NoReturn:
    """A request of the act got no answer: a lost target stops the run; else fail or not-verified.

    When the target still answers a health probe, the one request that got no answer is this case's outcome:
    a failure where the requirement is about the answer (a malformed body must get a 400), else not-verified
    (the effects of a request that got no answer cannot be judged). A kind of request that already hung
    (RequestUnanswered, remembered) is not sent again: the case is judged on the first one's evidence.
    """
    if not already_probed(error):
        probe_reachable(client.graph.target, client.graph.allowance)  # TargetUnreachable: exit 3
    if about_answer:
        raise failure(requirement_id, f"the request got no answer while the target answers others: {error}")
    not_verified(f"the request got no answer, which this case cannot judge: {error}")


def send(
    client: GraphClient,
    path: str,
    requirement_id: str,
    *,
    body: Any = ABSENT,
    raw: bytes | None = None,
    method: str = "POST",
    headers: dict[str, str | None] | None = None,
    about_answer: bool = True,
) -> requests.Response:
    """Send the act under test: `body` as JSON (ABSENT: none) or `raw` bytes (JSON-typed by default)."""
    data = raw if raw is not None else (None if body is ABSENT else json.dumps(body).encode("utf-8"))
    sent: dict[str, str | None] = dict(headers or {})
    if data is not None and not any(name.lower() == "content-type" for name in sent):
        sent["Content-Type"] = JSON_TYPE
    try:
        response = client.request(method, path, data=data, headers=sent or None)
    except TargetUnreachable as error:
        no_answer(client, error, requirement_id, about_answer)
    set_last_act(time.monotonic())
    return response


def expect_accepted(
    response: requests.Response, requirement_id: str, what: str, route_requirement: str = ME_EVENTS_ROUTE
) -> requests.Response:
    """The cancel was accepted (any 2xx); a missing route fails only its own CANCEL-ROUTE-* case."""
    if route_requirement != requirement_id:
        require_route_served(response, route_requirement)
    expect(
        200 <= response.status_code < 300,
        requirement_id,
        f"{what}: expected the cancel to be accepted (2xx), got HTTP {response.status_code}",
        response,
    )
    return response


def organizer_cancels(
    graph: Graph,
    event: ProvisionedEvent,
    requirement_id: str,
    *,
    path: str | None = None,
    what: str = "the organizer's cancel",
    arrange: Arranger | None = None,
    **options: Any,
) -> requests.Response:
    """The organizer cancels `event` (at `path`, else `/me/events/{id}`); route guarded, 2xx expected.

    `options` are send's: `body` (default: a comment naming the requirement) and `about_answer`. With
    `arrange`, a refusal of an event without attendees is first checked against the target's refusing any
    such cancel (CANCEL-WITHOUT-ATTENDEES: the case is then not-verified, never failed).
    """
    options.setdefault("body", {"comment": f"Cancelled by graph-conformance ({requirement_id})"})
    client = graph.as_(event.owner_role)
    response = send(client, path or f"{event.path}/cancel", requirement_id, **options)
    if arrange is not None:
        arrange.judge_refusal(event, response)
    return expect_accepted(response, requirement_id, what)
