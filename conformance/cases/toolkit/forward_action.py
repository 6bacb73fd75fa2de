"""forward as an ActionContract: a meeting of the caller's (or a group's) forwarded to one attendee identity
it does not invite; a refused forward must deliver no meeting request."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

from conformance.cases.toolkit.act import send
from conformance.cases.toolkit.arrange import Arranger
from conformance.cases.toolkit.checks import Seen
from conformance.cases.toolkit.contract import PERMISSION_ROLES, ActionContract, Route, Subject
from conformance.cases.toolkit.forwarding import clean_mailboxes, forward_body, recipients, request_arrived
from conformance.cases.toolkit.own_event import calibrated, own_subject
from conformance.target.client import Graph
from conformance.target.polling import Effect
from conformance.target.provision import ProvisionedEvent

# forward needs only Calendars.Read: the readonly identity (a Calendars.Read token) must be accepted, and the
# refused row needs a token without any Calendars permission, an identity target files do not configure yet
ROLES = {**PERMISSION_ROLES, "REQUIRED": "unprivileged", "DELEGATED-WORK": "readonly"}
_PENDING = threading.local()  # the recipient's address of the subject this thread just arranged


def _make(arrange: Arranger, mailbox: str, route: Route) -> ProvisionedEvent:
    return arrange.create(group=True) if not mailbox else arrange.create(owner=mailbox)


def forward_subject(graph: Graph, arrange: Arranger, caller: str, route: Route, fresh: bool) -> Subject:
    """A meeting `caller` may forward on `route` and its recipient (the context: (event, recipient role)).

    A fresh one's recipient holds nothing about it yet (MAILBOX-MESSAGES), for a refusal judged on it.
    """
    subject = own_subject(graph, arrange, caller, route, fresh, _make, "forward")
    event: ProvisionedEvent = subject.context
    recipient = recipients(arrange, event, at_most=1)[0]
    joins(arrange, event, recipient)
    if fresh:
        clean_mailboxes(arrange, [recipient], event.subject)
    _PENDING.address = graph.identity(recipient).address
    return dataclasses.replace(subject, context=(event, recipient))


def joins(arrange: Arranger, event: ProvisionedEvent, recipient: str) -> None:
    """The recipient may join the meeting (forwarded, Graph may add them): its clean-up removes it silently,
    sending them no cancellation notice (whichever Provisioner made it)."""
    for provision in (arrange.provision, *([arrange.session.provision] if arrange.session else [])):
        provision.invites(event, (recipient,))


def _body(requirement_id: str) -> dict[str, Any]:
    """The forward's body: the recipient `forward_subject` just chose in this thread, a comment."""
    to = [{"emailAddress": {"address": _PENDING.address}}]
    return {"ToRecipients": to, "Comment": f"graph-conformance {requirement_id}"}


def forwarded(graph: Graph, subject: Subject) -> Seen[Any]:
    """One look: found once the subject's recipient lists a meeting request about it."""
    event, recipient = subject.context
    return request_arrived(graph, recipient, event.subject)


def _calibration_act(arrange: Arranger) -> Callable[[], Seen[Any]] | None:
    event = arrange.create()
    recipient = recipients(arrange, event, at_most=1)[0]
    joins(arrange, event, recipient)
    body = forward_body(arrange.graph, [recipient], "graph-conformance calibration")
    owner = arrange.graph.as_(event.owner_role)
    answer = send(owner, f"{event.path}/forward", "", body=body, about_answer=False)
    if not 200 <= answer.status_code < 300:
        return None
    return lambda: request_arrived(arrange.graph, recipient, event.subject)


def _calibrate(graph: Graph, arrange: Arranger) -> None:
    """Once per run: a forward whose meeting request is awaited, measuring `forward_request`."""
    calibrated(arrange, "forward", Effect.FORWARD_REQUEST, _calibration_act)


FORWARD = ActionContract(
    action="forward", prefix="FORWARD", arrange=forward_subject, body=_body, effect=Effect.FORWARD_REQUEST,
    changed=forwarded, calibrate=_calibrate, roles=ROLES,
)
