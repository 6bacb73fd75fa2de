"""Forwarding a meeting: a recipient to forward to (FORWARD-RECIPIENT), and what the forward must cause.

The recipient is a configured attendee identity the meeting does not invite (its mailbox readable, holding
nothing about the meeting yet). After the forward (event-forward page): each recipient's mailbox gets the
meeting request (an eventMessage of meetingMessageType `meetingRequest`); forwarded by an attendee, the
organizer gets a message about it and the recipient joins the organizer's attendees.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from conformance.cases.toolkit.act import require_route_served
from conformance.cases.toolkit.arrange import Arranger
from conformance.cases.toolkit.checks import Seen, expect, json_of, poll, waited
from conformance.cases.toolkit.observe import INVITATION, excerpt, messages_about
from conformance.target.client import Graph, MissingIdentity
from conformance.target.polling import Bound, Effect
from conformance.target.prerequisites import FORWARD_RECIPIENT, MAILBOX_MESSAGES
from conformance.target.provision import ProvisionedEvent

Item = dict[str, Any]
ME_ROUTE = "FORWARD-ROUTE-ME-EVENTS"  # the route the behavioural cases forward on


def expect_forwarded(response: requests.Response, requirement_id: str, what: str) -> None:
    """The forward was accepted (any 2xx); a route not served fails only its own FORWARD-ROUTE-* case."""
    require_route_served(response, ME_ROUTE)
    expect(
        200 <= response.status_code < 300,
        requirement_id,
        f"{what}: expected the forward to be accepted (2xx), got HTTP {response.status_code}",
        response,
    )


def recipients(arrange: Arranger, event: ProvisionedEvent, *, at_most: int | None = None) -> list[str]:
    """The configured attendee roles `event` does not invite (at most `at_most`, the last configured
    first, sparing the mailboxes other cases watch): whom to forward it to.

    None configured: FORWARD-RECIPIENT fails (the case is not-verified, naming the missing identity).
    """
    graph, invited = arrange.graph, {event.owner_role, *event.attendee_roles}
    configured = reversed(arrange.target.attendee_roles)  # the last first: the one other cases invite least
    roles = [role for role in configured if role not in invited and _usable(graph, role)]
    if not roles:
        detail = (
            f"the target file configures {len(arrange.target.attendee_roles)} attendee identities and the "
            f"meeting forwarded invites {len(event.attendee_roles)}: no one is left to forward it to"
        )
        raise arrange.log.failed(FORWARD_RECIPIENT, detail)
    return roles[:at_most]  # None: all of them


def _usable(graph: Graph, role: str) -> bool:
    """Whether `role` can be addressed and its mailbox read (an identity with a token)."""
    try:
        graph.as_(role)
        return bool(graph.identity(role).address)
    except MissingIdentity:
        return False


def forward_body(graph: Graph, roles: Iterable[str], comment: str) -> dict[str, Any]:
    """forward's body: `ToRecipients` (each role's address) and `Comment`, spelled as the page does."""
    to = [{"emailAddress": {"address": graph.identity(role).address}} for role in roles]
    return {"ToRecipients": to, "Comment": comment}


def mailbox_about(arrange: Arranger, role: str, subject: str) -> set[str]:
    """The ids of the messages about `subject` in `role`'s mailbox now (MAILBOX-MESSAGES: it can be read)."""
    seen = messages_about(arrange.graph.as_(role), subject)
    if not seen.found:
        status = seen.response.status_code if seen.response is not None else "no answer"
        detail = f"GET /me/messages as {role!r} answered HTTP {status}: what a forward sends cannot be seen"
        raise arrange.log.failed(MAILBOX_MESSAGES, detail, seen.response)
    arrange.log.ok(MAILBOX_MESSAGES, f"{role}'s mailbox can be read", seen.response)
    return {str(item.get("id")) for item in seen.value}


def clean_mailboxes(arrange: Arranger, roles: Iterable[str], subject: str) -> None:
    """Each recipient's mailbox can be read and holds nothing about the meeting yet (MAILBOX-MESSAGES)."""
    for role in roles:
        if mailbox_about(arrange, role, subject):
            detail = f"{role}'s mailbox held a message about the meeting before it was forwarded to them"
            raise arrange.log.failed(MAILBOX_MESSAGES, detail)


def new_message(
    graph: Graph, role: str, subject: str, before: set[str], of_type: str | None
) -> Seen[Item | None]:
    """One look: found when `role`'s mailbox lists a message about `subject` not in `before` (of `of_type`);
    else the value is another new message about it, if any."""
    seen = messages_about(graph.as_(role), subject)
    fresh = [item for item in seen.value if str(item.get("id")) not in before]
    found = next((item for item in fresh if of_type in (None, item.get("meetingMessageType"))), None)
    return Seen(found is not None, found or (fresh[0] if fresh else None), seen.response)


def request_arrived(graph: Graph, role: str, subject: str) -> Seen[Item | None]:
    """One look: found when `role`'s mailbox lists a meeting request about `subject`."""
    return new_message(graph, role, subject, set(), INVITATION)


def _new_message(
    graph: Graph, role: str, subject: str, within: Bound, before: set[str], of_type: str | None
) -> Seen[Item | None]:
    """Poll `role`'s mailbox until a message about `subject` not in `before` (of `of_type`) is listed."""
    return poll(lambda: new_message(graph, role, subject, before, of_type), within)


def expect_requests(
    arrange: Arranger, roles: Iterable[str], subject: str, requirement_id: str, since: float | None
) -> None:
    """Each of `roles` receives the meeting request (meetingRequest) about `subject`, polled at once."""
    roles = list(roles)
    within = arrange.effect(Effect.FORWARD_REQUEST, "to deliver a forwarded meeting request", since)
    graph = arrange.graph
    with ThreadPoolExecutor(max_workers=max(1, len(roles))) as pool:
        looks = list(pool.map(lambda role: _new_message(graph, role, subject, within, set(), INVITATION),
                              roles))
    for role, seen in zip(roles, looks, strict=True):
        other = seen.value
        got = f"; it got {other.get('meetingMessageType')!r}: {excerpt(other)!r}" if other else ""
        expect(
            seen.found,
            requirement_id,
            f"recipient {role!r} received no meeting request (meetingMessageType {INVITATION!r}) for the "
            f"forwarded meeting ({waited(within)}){got}",
            seen.response,
        )


def expect_organizer_notified(
    arrange: Arranger, event: ProvisionedEvent, before: set[str], requirement_id: str, since: float | None
) -> Item:
    """The organizer's mailbox lists a new message about the meeting (not among `before`)."""
    within = arrange.effect(Effect.FORWARD_NOTICE, "to tell the organizer of a forward", since)
    seen = _new_message(arrange.graph, event.owner_role, event.subject, within, before, None)
    expect(
        seen.found,
        requirement_id,
        f"the organizer received no message about the meeting an attendee forwarded ({waited(within)})",
        seen.response,
    )
    return seen.value or {}


def attendee_addresses(event: Item) -> set[str]:
    """The lower-cased addresses of an event's attendees."""
    addresses = set()
    for attendee in event.get("attendees") or []:
        email = attendee.get("emailAddress") if isinstance(attendee, dict) else None
        if isinstance(email, dict) and isinstance(email.get("address"), str):
            addresses.add(email["address"].lower())
    return addresses


def expect_attendees_added(
    arrange: Arranger, event: ProvisionedEvent, roles: Iterable[str], requirement_id: str, since: float | None
) -> None:
    """The organizer's event comes to list every one of `roles` among its attendees."""
    wanted = {str(arrange.graph.identity(role).address).lower() for role in roles}
    client = arrange.graph.as_(event.owner_role)

    def fetch() -> Seen[set[str]]:
        response = client.get(event.path)
        body = json_of(response)
        listed = attendee_addresses(body) if isinstance(body, dict) else set()
        return Seen(wanted <= listed, listed, response)

    what = "to add a forward's recipient to the organizer's event"
    within = arrange.effect(Effect.ORGANIZER_COPY, what, since)
    seen = poll(fetch, within)
    missing = sorted(wanted - seen.value)
    expect(
        seen.found,
        requirement_id,
        f"the organizer's event does not list the forward's recipient(s) {', '.join(missing)} among its "
        f"attendees ({waited(within)}); it lists {', '.join(sorted(seen.value)) or 'none'}",
        seen.response,
    )
