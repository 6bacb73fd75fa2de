"""What the reminder actions' ActionContracts share: an event with a reminder in the caller's mailbox, read
through reminderView, and a once-per-run calibration (each action's contract is in its case module)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.cases.toolkit.act import send
from conformance.cases.toolkit.arrange import Arranger
from conformance.cases.toolkit.checks import Seen
from conformance.cases.toolkit.contract import ActionContract, Route, Subject
from conformance.cases.toolkit.own_event import calibrated, own_subject
from conformance.cases.toolkit.reminders import listed_reminder, reminder_event
from conformance.target.client import Graph
from conformance.target.polling import Effect
from conformance.target.provision import ProvisionedEvent

Changed = Callable[[Graph, Subject], Seen[Any]]


def _make(arrange: Arranger, mailbox: str, route: Route) -> ProvisionedEvent:
    return reminder_event(arrange, owner=mailbox)


def reminder_arrange(action: str, *, share: bool) -> Callable[[Graph, Arranger, str, Route, bool], Subject]:
    """The contract's arrange: a reminder event of the caller's (shared by the cases judging only the answer
    when `share`: a reminder dismissed once has nothing left to dismiss); a fresh one read through
    reminderView."""

    def arrange_subject(graph: Graph, arrange: Arranger, caller: str, route: Route, fresh: bool) -> Subject:
        subject = own_subject(graph, arrange, caller, route, fresh or not share, _make, action)
        if fresh:  # judged untouched: its reminder, as reminderView lists it before (REMINDER-VIEW)
            listed_reminder(arrange, subject.context)
        return subject

    return arrange_subject


def reminder_calibration(
    action: str, effect: Effect, body: Any, changed: Changed
) -> Callable[[Graph, Arranger], None]:
    """Once per run: the organizer's reminder event, the action on it, its effect awaited (measured)."""

    def act(arrange: Arranger) -> Callable[[], Seen[Any]] | None:
        event = reminder_event(arrange)
        listed_reminder(arrange, event)
        client = arrange.graph.as_(event.owner_role)
        answer = send(client, f"{event.path}/{action}", "", body=body, about_answer=False)
        if not 200 <= answer.status_code < 300:
            return None
        subject = Subject(event.owner_role, event.id, context=event)
        return lambda: changed(arrange.graph, subject)

    def calibrate(graph: Graph, arrange: Arranger) -> None:
        calibrated(arrange, action, effect, act)

    return calibrate


def reminder_contract(action: str, prefix: str, *, body: Any, effect: Effect, changed: Changed,
                      share: bool) -> ActionContract:
    """A reminder action's contract: its events with a reminder (shared by the cases judging only the answer
    when `share`), the body it sends (ABSENT: none), the effect it has and how one look sees it."""
    return ActionContract(
        action=action, prefix=prefix, arrange=reminder_arrange(action, share=share),
        body=lambda requirement_id: body, effect=effect, changed=changed,
        calibrate=reminder_calibration(action, effect, body, changed),
    )
