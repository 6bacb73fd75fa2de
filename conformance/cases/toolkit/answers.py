"""Answering a meeting (accept, tentativelyAccept, decline): the invited copy, and where an answer shows.

An answer is given by an attendee on their own copy. `invited_copy` makes a meeting whose invitee is the
mailbox a role reaches (another identity organizing it) and waits for the copy; the answer then shows on the
copy (`responseStatus`), on the organizer's event (`attendees[].status`: ATTENDEE-STATUSES)
and, when a response is sent, as an eventMessageResponse in the organizer's mailbox.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import requests

from conformance.cases.toolkit.arrange import Arranger
from conformance.cases.toolkit.checks import Seen, json_of, poll
from conformance.cases.toolkit.contract import ActionContract, Arrange, Route, Subject, default_containers
from conformance.cases.toolkit.observe import Item, messages_about, unreadable_mailbox
from conformance.target.client import Graph
from conformance.target.conventions import iso
from conformance.target.polling import Effect
from conformance.target.prerequisites import ATTENDEE_STATUSES, EVENT_CREATE, PROPOSALS, PrerequisiteFailed
from conformance.target.provision import ProvisionedEvent
from conformance.target.urls import quote_id

UNANSWERED = ("none", "notResponded", "", None)


@dataclass(frozen=True)
class Answer:
    """One answer: its action, requirement prefix, the response it records and its message's type."""

    action: str  # accept | tentativelyAccept | decline
    prefix: str  # ACCEPT | TENTATIVE | DECLINE
    response: str  # accepted | tentativelyAccepted | declined (responseStatus.response)
    message_type: str  # meetingAccepted | meetingTenativelyAccepted (Graph's spelling) | meetingDeclined
    proposals: bool = False  # proposedNewTime is one of its parameters
    again: bool = True  # the copy stays to be answered again (Graph removes a declined meeting's copy)


ACCEPT = Answer("accept", "ACCEPT", "accepted", "meetingAccepted")
TENTATIVE = Answer("tentativelyAccept", "TENTATIVE", "tentativelyAccepted", "meetingTenativelyAccepted", True)
DECLINE = Answer("decline", "DECLINE", "declined", "meetingDeclined", True, again=False)
ANSWER_ACTIONS = tuple(answer.action for answer in (ACCEPT, TENTATIVE, DECLINE))  # act on an attendee's copy


def mailbox_of(graph: Graph, role: str) -> str:
    """The role owning the mailbox `role` acts on (`readonly` -> `organizer`); the application: the first
    user it may act on (identities.application.user_ids)."""
    if role == "application":
        users = ("organizer", *graph.target.attendee_roles)
        allowed = set(graph.identity("application").user_ids)
        return next((user for user in users if graph.identity(user).user_id in allowed), users[-1])
    return graph.mailbox_name("/me", role) or role


def organizer_for(graph: Graph, mailbox: str) -> str:
    """Who organizes a meeting inviting `mailbox`: the organizer, or an attendee inviting the organizer."""
    if mailbox != "organizer":
        return "organizer"
    return graph.target.attendee_roles[0] if graph.target.attendee_roles else "attendee"


def invited_copy(
    arrange: Arranger, mailbox: str, properties: dict[str, Any] | None = None
) -> tuple[ProvisionedEvent, Item]:
    """A new meeting inviting `mailbox` (organized by another identity), and `mailbox`'s copy of it."""
    organizer = organizer_for(arrange.graph, mailbox)
    event = arrange.create(owner=organizer, invite=(mailbox,), properties=properties)
    return event, arrange.attendee_copy(event, mailbox)


def kept(arrange: Arranger) -> Arranger:
    """An Arranger whose creations last the run (the session's Provisioner): for what several cases share."""
    if arrange.session is None:
        return arrange
    return Arranger(arrange.graph, arrange.target, arrange.session.provision, arrange.session, arrange.item)


def copy_path(subject: Subject) -> str:
    """The copy's path as its owner reads it."""
    return f"/me/events/{quote_id(subject.event_id)}"


def response_of(item: Item | None) -> Any:
    """`responseStatus.response` of an event as read (None when absent)."""
    status = (item or {}).get("responseStatus")
    return status.get("response") if isinstance(status, dict) else None


def answerable(answer: Answer) -> Arrange:
    """How `answer`'s contract cases get a copy to answer: fresh where judged untouched, else one shared by
    the answers' cases judging only the answer (a copy answered again stays answerable; not a declined one,
    which Graph removes: each decline gets a copy of its own)."""

    def arrange_copy(graph: Graph, arrange: Arranger, caller: str, route: Route, fresh: bool) -> Subject:
        return copy_for(graph, arrange, caller, route, fresh or not answer.again)

    return arrange_copy


def copy_for(graph: Graph, arrange: Arranger, caller: str, route: Route, fresh: bool) -> Subject:
    """A copy `caller` may answer on `route`: fresh, or the one the answers' cases share (answered again)."""
    mailbox = mailbox_of(graph, caller)

    def make() -> Subject:
        event, copy = invited_copy(arrange if fresh else kept(arrange), mailbox)
        return Subject(mailbox, str(copy["id"]), before=copy, context=event)

    subject = make() if fresh else arrange.once(f"answers: a copy of {mailbox}'s to answer", make)
    if route.container not in ("calendars", "calendargroup", "calendargroups"):
        return subject
    calendar_id, group_id = arrange.once(f"answers: {mailbox}'s default calendar",
                                         lambda: default_containers(graph, mailbox))
    return Subject(subject.owner, subject.event_id, calendar_id, group_id, before=subject.before,
                   context=subject.context)


def answered(graph: Graph, subject: Subject) -> Seen[Any]:
    """One look at the copy: found once its responseStatus is an answer it did not show before."""
    response = graph.as_(subject.owner).get(copy_path(subject))
    now = response_of(json_of(response))
    return Seen(now not in UNANSWERED and now != response_of(subject.before), now, response)


def answer_contract(answer: Answer) -> ActionContract:
    """The contract of an answer: on an attendee's copy, no response sent (sparing meeting messages)."""

    def body(requirement_id: str) -> dict[str, Any]:
        return {"comment": f"graph-conformance {requirement_id}", "sendResponse": False}

    return ActionContract(
        action=answer.action, prefix=answer.prefix, arrange=answerable(answer), body=body,
        effect=Effect.ANSWER, changed=answered, caller="attendee", calibrate=calibrate,
    )


def organizer_status(graph: Graph, event: ProvisionedEvent, mailbox: str) -> Seen[Any]:
    """`mailbox`'s status.response on the organizer's event (found when read); a prerequisite if none."""
    response = graph.as_(event.owner_role).get(event.path)
    body = json_of(response)
    attendees = body.get("attendees") if isinstance(body, dict) else None
    if response.status_code != 200 or not isinstance(attendees, list):
        return Seen(False, None, response)
    address = (graph.identity(mailbox).address or "").lower()
    for attendee in attendees:
        if str((attendee.get("emailAddress") or {}).get("address", "")).lower() == address:
            status = attendee.get("status")
            if not isinstance(status, dict) or "response" not in status:
                raise PrerequisiteFailed(
                    ATTENDEE_STATUSES,
                    f"the organizer's event lists {mailbox} without a status.response: what the organizer "
                    "sees of an answer cannot be read", exchange_of(response),
                )
            return Seen(True, status.get("response"), response)
    return Seen(False, None, response)


def exchange_of(response: requests.Response) -> dict[str, Any] | None:
    """The prerequisite record's exchange of `response`."""
    from conformance.target.prerequisites import exchange_record

    return exchange_record(response)


def responses_about(graph: Graph, organizer: str, subject: str) -> Seen[list[Item]]:
    """The organizer's messages about `subject` (the answers' responses); the mailbox unreadable: raised."""
    seen = messages_about(graph.as_(organizer), subject)
    if not seen.found:
        raise unreadable_mailbox(organizer, seen.response)
    return seen


def await_response(graph: Graph, event: ProvisionedEvent, within: Any) -> Seen[list[Item]]:
    """Poll the organizer's mailbox until a message about `event` arrives (the messages about it)."""

    def fetch() -> Seen[list[Item]]:
        seen = responses_about(graph, event.owner_role, event.subject)
        return Seen(bool(seen.value), seen.value, seen.response)

    return poll(fetch, within)


def proposal_meeting(arrange: Arranger, mailbox: str, allow: bool) -> tuple[ProvisionedEvent, Item]:
    """A meeting inviting `mailbox` allowing (or refusing) new time proposals, as read back."""
    try:
        event, copy = invited_copy(arrange, mailbox, {"allowNewTimeProposals": allow})
    except PrerequisiteFailed as refused:
        if refused.prerequisite_id != EVENT_CREATE:
            raise
        detail = f"a meeting with allowNewTimeProposals {allow} could not be created: {refused.detail}"
        raise PrerequisiteFailed(PROPOSALS, detail, refused.exchange) from None
    read = arrange.graph.as_(event.owner_role).get(event.path)
    body = json_of(read)
    shown = body.get("allowNewTimeProposals") if isinstance(body, dict) else None
    if shown is not allow:
        raise arrange.log.failed(
            PROPOSALS, f"a meeting created with allowNewTimeProposals {allow} reads back with {shown!r}", read
        )
    arrange.log.ok(PROPOSALS, f"a meeting reads back allowNewTimeProposals {allow}", read)
    return event, copy


def proposed_time(event: ProvisionedEvent) -> dict[str, Any]:
    """A timeSlot a day after the meeting, as proposedNewTime."""
    assert event.start is not None and event.end is not None
    day = timedelta(days=1)
    return {"start": {"dateTime": iso(event.start + day), "timeZone": "UTC"},
            "end": {"dateTime": iso(event.end + day), "timeZone": "UTC"}}


CALIBRATION = "answers: calibration"


def calibrate(graph: Graph, arrange: Arranger) -> None:
    """Once per run (process): a copy accepted and its effects looked for at once, so that checks of what
    must not happen rest on the latency of the same kinds measured here (answer, response); begun in the
    background by a stage acted ahead (Arranger.calibration).

    Nothing is judged: an effect that does not show leaves its kind unmeasured (its full bound).
    """
    arrange.calibration(CALIBRATION, lambda: _calibrated(graph, arrange))


def _calibrated(graph: Graph, arrange: Arranger) -> bool:
    from conformance.cases.toolkit.act import last_act_at, set_last_act

    acted = last_act_at()
    try:
        mailbox = mailbox_of(graph, "attendee")
        event, copy = invited_copy(kept(arrange), mailbox)
        subject = Subject(mailbox, str(copy["id"]), before=copy, context=event)
        sent = graph.as_(mailbox).post(f"{copy_path(subject)}/accept", json={"comment": "calibration"})
        cause = time.monotonic()
        if not 200 <= sent.status_code < 300:
            return False
        latencies = arrange.latencies
        poll(lambda: answered(graph, subject),
             latencies.bound(Effect.ANSWER, "to show an answer (calibration)", cause))
        delivered = latencies.bound(Effect.RESPONSE, "to deliver a response (calibration)", cause)
        await_response(graph, event, delivered)
    except (PrerequisiteFailed, pytest.skip.Exception, requests.RequestException):
        return False
    finally:
        set_last_act(acted)
    return True
