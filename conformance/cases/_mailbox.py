"""Mailbox and calendar look-ups shared by the behavioural cases: bounded polls that keep the last answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from conformance.target.client import GraphClient
from conformance.target.polling import eventually

CANCELLED = "meetingCancelled"
INVITATION = "meetingRequest"
NEWEST_PAGE = {"$top": "50"}

Item = dict[str, Any]


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
    """The newest messages of the client's mailbox whose subject contains the (run-tagged, unique) `subject`."""
    response = client.get("/me/messages", params=NEWEST_PAGE)
    if response.status_code != 200:
        return [], response
    items = response.json().get("value", [])
    return [item for item in items if subject in str(item.get("subject", ""))], response


def notices_about(client: GraphClient, subject: str) -> tuple[list[Item], requests.Response]:
    """Messages about `subject` other than the invitation: what a cancel sent, whatever its type says."""
    messages, response = messages_about(client, subject)
    return [item for item in messages if item.get("meetingMessageType") != INVITATION], response


def await_notice(client: GraphClient, subject: str, timeout_s: float, interval_s: float,
                 accept: Callable[[Item], bool] = lambda item: True) -> Poll:
    """Poll the mailbox until a notice about `subject` that satisfies `accept` arrives."""

    def fetch() -> tuple[Item | None, requests.Response]:
        notices, response = notices_about(client, subject)
        return next((item for item in notices if accept(item)), None), response

    return poll(fetch, timeout_s, interval_s)


def message_text(message: Item) -> str:
    """The searchable text of a message: its body (text or HTML) and its preview."""
    body = message.get("body") or {}
    return f"{body.get('content', '')}\n{message.get('bodyPreview', '')}"


def find_copy(client: GraphClient, ical_uid: str | None, subject: str) -> tuple[Item | None, requests.Response]:
    """The client's own copy of a meeting (same iCalUId, else same tagged subject), or None."""
    response = client.get("/me/events", params=NEWEST_PAGE)
    if response.status_code != 200:
        return None, response
    for item in response.json().get("value", []):
        if (ical_uid and item.get("iCalUId") == ical_uid) or subject in str(item.get("subject", "")):
            return item, response
    return None, response
