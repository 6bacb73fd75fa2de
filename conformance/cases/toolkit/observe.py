"""Observing a cancel's effects: the event read back, attendees' copies, mailboxes, series' occurrences."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import requests

from conformance.cases.toolkit.checks import Polling, Seen, expect, json_of, poll, stays_absent, waited
from conformance.target.client import Graph, GraphClient
from conformance.target.conventions import iso
from conformance.target.listing import value_of
from conformance.target.polling import Bound
from conformance.target.prerequisites import EVENT_READ, MAILBOX_MESSAGES, PrerequisiteFailed, exchange_record
from conformance.target.provision import ProvisionedEvent

CANCELLED = "meetingCancelled"
INVITATION = "meetingRequest"
NEWEST_PAGE = {"$top": "50"}
NEWEST_MESSAGES = {"$top": "250"}  # a run of the whole family leaves a hundred meeting messages in a mailbox
MESSAGES = "/me/messages"

Item = dict[str, Any]
EXCERPT_CHARS = 200
LISTED_MESSAGES = 5


class Notice(dict[str, Any]):
    """A message as read, with the mailbox listing that found it (the failure's exchange and curl line)."""

    def __init__(self, message: Item, response: requests.Response | None) -> None:
        super().__init__(message)
        self.response = response


def excerpt(message: Item) -> str:
    """What a message says, for a failure text: its text without markup, on one bounded line."""
    text = " ".join(re.sub(r"<[^>]*>", " ", message_text(message)).split())
    return text if len(text) <= EXCERPT_CHARS else f"{text[:EXCERPT_CHARS]}..."


def mailbox_holds(response: requests.Response | None) -> str:
    """Which messages a mailbox listing held (subject and type of the newest few), for a failure text."""
    items = value_of(response) if response is not None else None
    if not items:
        return "the mailbox listing held no message"
    shown = ", ".join(f"{str(item.get('subject', ''))!r} ({item.get('meetingMessageType') or 'no type'})"
                      for item in items[:LISTED_MESSAGES])
    more = f" and {len(items) - LISTED_MESSAGES} more" if len(items) > LISTED_MESSAGES else ""
    return f"the mailbox held {shown}{more}"


def window(
    start: datetime | None, end: datetime | None, *, pad: timedelta = timedelta(hours=1)
) -> dict[str, str]:
    """`startDateTime`/`endDateTime` query parameters around [start, end], padded on both sides."""
    if start is None or end is None:
        raise ValueError("the event was not made by a Provisioner (no start and end)")
    return {"startDateTime": iso(start - pad), "endDateTime": iso(end + pad)}


def listed(items: Iterable[Item], event: ProvisionedEvent) -> bool:
    """Whether `items` hold the event (by id, or by its run-tagged subject)."""
    return any(item.get("id") == event.id or event.subject in str(item.get("subject", "")) for item in items)


def messages_about(client: GraphClient, subject: str) -> Seen[list[Item]]:
    """The newest messages of the client's mailbox whose subject holds `subject` (found: the read worked)."""
    response = client.get(MESSAGES, params=NEWEST_MESSAGES)
    items = value_of(response)
    about = [item for item in items or [] if subject in str(item.get("subject", ""))]
    return Seen(items is not None, about, response)


def notices_about(client: GraphClient, subject: str) -> Seen[list[Item]]:
    """Messages about `subject` other than the invitation: what a cancel sent, whatever its type says."""
    seen = messages_about(client, subject)
    notices = [item for item in seen.value if item.get("meetingMessageType") != INVITATION]
    return Seen(seen.found, notices, seen.response)


def unreadable_mailbox(role: str, response: requests.Response | None) -> PrerequisiteFailed:
    """The mailbox cannot be read: the observation point is missing (the case is not-verified)."""
    status = response.status_code if response is not None else "no answer"
    return PrerequisiteFailed(
        MAILBOX_MESSAGES, f"GET {MESSAGES} as {role!r} answered HTTP {status}", exchange_record(response)
    )


def await_notice(
    graph: Graph, role: str, subject: str, within: Polling, accept: Callable[[Item], bool] = lambda item: True
) -> Seen[Item | None]:
    """Poll `role`'s mailbox until a notice about `subject` that accept() takes arrives (the value)."""
    client = graph.as_(role)

    def fetch() -> Seen[Item | None]:
        seen = notices_about(client, subject)
        if not seen.found:
            raise unreadable_mailbox(role, seen.response)
        notice = next((item for item in seen.value if accept(item)), None)
        return Seen(notice is not None, notice, seen.response)

    return poll(fetch, within)


def expect_notices(
    graph: Graph,
    roles: Iterable[str],
    subject: str,
    requirement_id: str,
    within: Polling,
    *,
    what: str = "the cancelled meeting",
    of_type: str | None = None,
) -> dict[str, Item]:
    """Each of `roles` receives a notice about `subject` (of meetingMessageType `of_type` when given).

    The mailboxes are polled at once (one poll each, so within any per-mailbox cap): a notice that never
    comes costs one bound, not one per attendee.
    """
    roles = list(roles)
    with ThreadPoolExecutor(max_workers=max(1, len(roles))) as pool:
        looks = list(pool.map(lambda role: await_notice(graph, role, subject, within), roles))
    notices: dict[str, Item] = {}
    for role, seen in zip(roles, looks, strict=True):
        expect(
            seen.found and seen.value is not None,
            requirement_id,
            f"attendee {role!r} received no message about {what} ({waited(within)}); "
            f"{mailbox_holds(seen.response)}",
            seen.response,
        )
        notice: Item = seen.value or {}
        if of_type is not None:
            kind = notice.get("meetingMessageType")
            expect(
                kind == of_type,
                requirement_id,
                f"attendee {role!r} got a message about {what} with meetingMessageType {kind!r}, "
                f"expected {of_type!r}",
                seen.response,
            )
        notices[role] = Notice(notice, seen.response)
    return notices


def message_text(message: Item) -> str:
    """The searchable text of a message: its body (text or HTML) and its preview."""
    body = message.get("body") or {}
    return f"{body.get('content', '')}\n{message.get('bodyPreview', '')}"


def find_copy(client: GraphClient, event: ProvisionedEvent) -> Seen[Item | None]:
    """The client's copy of `event` (same iCalUId, else same tagged subject) in its calendarView."""
    response = client.get("/me/calendarView", params={**window(event.start, event.end), **NEWEST_PAGE})
    for item in value_of(response) or []:
        same_meeting = event.ical_uid and item.get("iCalUId") == event.ical_uid
        if same_meeting or event.subject in str(item.get("subject", "")):
            return Seen(True, item, response)
    return Seen(False, None, response)


def expect_untouched(
    client: GraphClient, path: str, before: Item, requirement_id: str, what: str = "the refused request", *,
    quiet: Bound | None = None,
) -> None:
    """The event at `path` is as it was: still there (200), not cancelled; judged against `before`.

    `quiet` (Arranger.quiet): looked at until that long after the refused request's answer, a change seen
    meanwhile failing at once; without it, one look.
    """
    if before.get("isCancelled") is True:  # the arranged event is not as created: EVENT-READ names the gap
        raise PrerequisiteFailed(
            EVENT_READ,
            f"the event already showed isCancelled: true before {what} was sent, so whether {what} changed "
            "it cannot be judged",
        )

    def changed() -> Seen[None]:
        after = client.get(path)
        body = json_of(after)
        cancelled = isinstance(body, dict) and body.get("isCancelled") is True
        return Seen(after.status_code != 200 or cancelled, None, after)

    seen = stays_absent(changed, quiet) if quiet is not None else changed()
    after = seen.response
    assert after is not None
    expect(
        after.status_code == 200,
        requirement_id,
        f"{what} still changed the event: GET on it answered HTTP {after.status_code} (200 before)",
        after,
    )
    body = json_of(after)
    expect(
        not (isinstance(body, dict) and body.get("isCancelled") is True),
        requirement_id,
        f"{what} marked the event cancelled (isCancelled: true after, not before)",
        after,
    )
