"""Shared by the behavioural cases: the served-route guard, and bounded mailbox and calendar look-ups."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests

from conformance.cases._expect import expect, is_unknown_route
from conformance.outcomes import not_verified
from conformance.target.client import Graph, GraphClient
from conformance.target.config import TargetConfig
from conformance.target.polling import eventually
from conformance.target.provision import ProvisionedEvent

CANCELLED = "meetingCancelled"
INVITATION = "meetingRequest"
NEWEST_PAGE = {"$top": "50"}

Item = dict[str, Any]


def require_route_served(response: requests.Response) -> requests.Response:
    """Not-verified (not failed) when the cancel route used is not served: its CANCEL-ROUTE-* case fails."""
    if is_unknown_route(response):
        not_verified(
            "the server does not serve the cancel route these cases use (404 ResourceNotFound); "
            "see CANCEL-ROUTE-ME-EVENTS"
        )
    return response


@dataclass
class Poll:
    """One bounded poll: what was found (None when nothing appeared in time) and the last answer seen."""

    found: Any = None
    response: requests.Response | None = field(default=None, repr=False)


def poll(fetch: Callable[[], tuple[Any, requests.Response]], timeout_s: float, interval_s: float) -> Poll:
    """Call `fetch` (-> (value, response)) until the value is truthy or `timeout_s` passes; at least once."""
    result = Poll()

    def attempt() -> Any:
        result.found, result.response = fetch()
        return result.found

    eventually(attempt, timeout_s=timeout_s, interval_s=interval_s)
    return result


def messages_about(client: GraphClient, subject: str) -> tuple[list[Item], requests.Response]:
    """The newest messages of the client's mailbox whose subject contains the run-tagged `subject`."""
    response = client.get("/me/messages", params=NEWEST_PAGE)
    if response.status_code != 200:
        return [], response
    items = response.json().get("value", [])
    return [item for item in items if subject in str(item.get("subject", ""))], response


def notices_about(client: GraphClient, subject: str) -> tuple[list[Item], requests.Response]:
    """Messages about `subject` other than the invitation: what a cancel sent, whatever its type says."""
    messages, response = messages_about(client, subject)
    return [item for item in messages if item.get("meetingMessageType") != INVITATION], response


def await_notice(
    client: GraphClient,
    subject: str,
    timeout_s: float,
    interval_s: float,
    accept: Callable[[Item], bool] = lambda item: True,
) -> Poll:
    """Poll the mailbox until a notice about `subject` that satisfies `accept` arrives."""

    def fetch() -> tuple[Item | None, requests.Response]:
        notices, response = notices_about(client, subject)
        return next((item for item in notices if accept(item)), None), response

    return poll(fetch, timeout_s, interval_s)


def expect_cancellation_notices(
    graph: Graph,
    target: TargetConfig,
    roles: Iterable[str],
    subject: str,
    requirement_id: str,
    what: str,
    sent: requests.Response,
) -> None:
    """Each of `roles` receives a message about `subject` (`what` it is about) of type meetingCancelled."""
    for role in roles:
        notice = await_notice(graph.as_(role), subject, target.poll_timeout_s, target.poll_interval_s)
        expect(
            notice.found is not None,
            requirement_id,
            f"attendee {role!r} received no message about {what} within {target.poll_timeout_s:g}s",
            notice.response or sent,
        )
        message_type = notice.found.get("meetingMessageType")
        expect(
            message_type == CANCELLED,
            requirement_id,
            f"attendee {role!r} got a message about {what} with meetingMessageType {message_type!r}, "
            f"expected {CANCELLED!r}",
            notice.response or sent,
        )


def message_text(message: Item) -> str:
    """The searchable text of a message: its body (text or HTML) and its preview."""
    body = message.get("body") or {}
    return f"{body.get('content', '')}\n{message.get('bodyPreview', '')}"


def find_copy(client: GraphClient, event: ProvisionedEvent) -> tuple[Item | None, requests.Response]:
    """The client's copy of `event` (same iCalUId, else same tagged subject) in its calendarView, or None."""
    assert event.start is not None and event.end is not None
    window = {
        "startDateTime": _iso(event.start - timedelta(hours=1)),
        "endDateTime": _iso(event.end + timedelta(hours=1)),
        **NEWEST_PAGE,
    }
    response = client.get("/me/calendarView", params=window)
    if response.status_code != 200:
        return None, response
    for item in response.json().get("value", []):
        same_meeting = event.ical_uid and item.get("iCalUId") == event.ical_uid
        if same_meeting or event.subject in str(item.get("subject", "")):
            return item, response
    return None, response


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")
