"""forward: the recipients receive the meeting request; an attendee's forward tells the organizer and adds
the recipient to the organizer's event; an empty Comment is accepted."""

from __future__ import annotations

import pytest
import requests

from conformance.cases.toolkit import Arranger, acts_ahead, last_act_at, send
from conformance.cases.toolkit.contract import contract_cases
from conformance.cases.toolkit.forward_action import FORWARD
from conformance.cases.toolkit.forwarding import (
    clean_mailboxes,
    expect_attendees_added,
    expect_forwarded,
    expect_organizer_notified,
    expect_requests,
    forward_body,
    mailbox_about,
    recipients,
)
from conformance.cases.toolkit.own_event import kept
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.provision import ProvisionedEvent
from conformance.target.urls import quote_id

Forwarded = tuple[ProvisionedEvent, list[str], float | None]  # the meeting, its recipients, the act's time
BY_ATTENDEE = "forward: an attendee forwards the meeting"


def _organizer_forwards(graph: Graph, target: TargetConfig, arrange: Arranger) -> Forwarded:
    """A new meeting (one attendee) the organizer forwards to every other attendee identity configured."""
    event = arrange.create(attendees=1)
    roles = recipients(arrange, event)
    clean_mailboxes(arrange, roles, event.subject)
    body = forward_body(graph, roles, "Forwarded by graph-conformance (FORWARD-RECIPIENTS-RECEIVE)")
    owner = graph.as_(event.owner_role)
    response = send(owner, f"{event.path}/forward", "FORWARD-RECIPIENTS-RECEIVE", body=body)
    expect_forwarded(response, "FORWARD-RECIPIENTS-RECEIVE", "the organizer's forward")
    return event, roles, last_act_at()


@pytest.mark.requirement("FORWARD-RECIPIENTS-RECEIVE")
@acts_ahead(_organizer_forwards)
def test_each_recipient_receives_the_meeting_request(arrange: Arranger) -> None:
    """Each ToRecipients mailbox gets the forwarded meeting request (meetingMessageType meetingRequest)."""
    event, roles, acted_at = arrange.acted()
    expect_requests(arrange, roles, event.subject, "FORWARD-RECIPIENTS-RECEIVE", acted_at)


# the meeting, the recipient, the organizer's messages about it before, the attendee's forward, its time
ByAttendee = tuple[ProvisionedEvent, str, set[str], requests.Response, float | None]


def _attendee_forwards(graph: Graph, target: TargetConfig, arrange: Arranger) -> ByAttendee:
    """A new meeting whose attendee forwards their copy to a third identity; the organizer's mailbox before.

    The meeting lasts the run (the session's Provisioner): two cases observe it, each after its own test.
    """
    event = kept(graph, arrange).create(attendees=1)
    recipient = recipients(arrange, event, at_most=1)[0]
    attendee = event.attendee_roles[0]
    copy = arrange.attendee_copy(event, attendee)
    before = mailbox_about(arrange, event.owner_role, event.subject)
    body = forward_body(graph, [recipient], "Forwarded by an attendee (graph-conformance)")
    path = f"/me/events/{quote_id(copy['id'])}/forward"
    response = send(graph.as_(attendee), path, "FORWARD-ORGANIZER-NOTIFIED", body=body, about_answer=False)
    return event, recipient, before, response, last_act_at()


def _by_attendee(graph: Graph, arrange: Arranger, requirement_id: str) -> ByAttendee:
    """The attendee's forward (acted ahead once for the run's two cases about it), accepted (2xx)."""

    def make() -> ByAttendee:
        return _attendee_forwards(graph, arrange.target, arrange)

    forwarded: ByAttendee = arrange.once(BY_ATTENDEE, make)
    expect_forwarded(forwarded[3], requirement_id, "an attendee forwarding their copy of the meeting")
    return forwarded


@pytest.mark.requirement("FORWARD-ORGANIZER-NOTIFIED")
@acts_ahead(_attendee_forwards, once=BY_ATTENDEE)
def test_attendee_forward_notifies_the_organizer(graph: Graph, arrange: Arranger) -> None:
    """Forwarded by an attendee: the organizer's mailbox gets a message about the forward."""
    event, _, before, _, acted_at = _by_attendee(graph, arrange, "FORWARD-ORGANIZER-NOTIFIED")
    expect_organizer_notified(arrange, event, before, "FORWARD-ORGANIZER-NOTIFIED", acted_at)


@pytest.mark.requirement("FORWARD-ORGANIZER-COPY-ADDED")
@acts_ahead(_attendee_forwards, once=BY_ATTENDEE)
def test_attendee_forward_adds_the_recipient_to_the_organizers_event(graph: Graph, arrange: Arranger) -> None:
    """Forwarded by an attendee: the recipient is added to the organizer's copy of the meeting."""
    event, recipient, _, _, acted_at = _by_attendee(graph, arrange, "FORWARD-ORGANIZER-COPY-ADDED")
    expect_attendees_added(arrange, event, [recipient], "FORWARD-ORGANIZER-COPY-ADDED", acted_at)


@pytest.mark.requirement("FORWARD-COMMENT-EMPTY")
def test_forward_with_an_empty_comment_is_accepted(graph: Graph, arrange: Arranger) -> None:
    """`"Comment": ""` is allowed ("Can be an empty string"): the forward is accepted."""
    event = arrange.create(attendees=1)
    roles = recipients(arrange, event, at_most=1)
    response: requests.Response = send(
        graph.as_(event.owner_role), f"{event.path}/forward", "FORWARD-COMMENT-EMPTY",
        body=forward_body(graph, roles, ""),
    )
    expect_forwarded(response, "FORWARD-COMMENT-EMPTY", 'a forward with "Comment": ""')


globals().update(contract_cases(FORWARD))  # routes, 202 and empty body, auth, content type, permissions
