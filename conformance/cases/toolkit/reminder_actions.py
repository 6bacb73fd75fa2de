"""snoozeReminder and dismissReminder as ActionContracts: an event with a reminder in the caller's mailbox,
and how each shows through reminderView (the reminder moved to SNOOZE_TO; the reminder gone)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.cases.toolkit.act import ABSENT, send
from conformance.cases.toolkit.arrange import Arranger
from conformance.cases.toolkit.checks import Seen
from conformance.cases.toolkit.contract import ActionContract, Route, Subject
from conformance.cases.toolkit.own_event import calibrated, own_subject
from conformance.cases.toolkit.reminders import (
    fire_time,
    listed_reminder,
    look,
    reminder_event,
)
from conformance.target.client import Graph
from conformance.target.polling import Effect
from conformance.target.provision import ProvisionedEvent
from conformance.target.reminders import SNOOZE_TO, date_time_time_zone

Changed = Callable[[Graph, Subject], Seen[Any]]


def _make(arrange: Arranger, mailbox: str, route: Route) -> ProvisionedEvent:
    return reminder_event(arrange, owner=mailbox)


def _arrange(action: str, *, share: bool) -> Callable[[Graph, Arranger, str, Route, bool], Subject]:
    """The contract's arrange: a reminder event of the caller's (shared by the cases judging only the answer
    when `share`: a reminder dismissed once has nothing left to dismiss); a fresh one read through
    reminderView."""

    def arrange_subject(graph: Graph, arrange: Arranger, caller: str, route: Route, fresh: bool) -> Subject:
        subject = own_subject(graph, arrange, caller, route, fresh or not share, _make, action)
        if fresh:  # judged untouched: its reminder, as reminderView lists it before (REMINDER-VIEW)
            listed_reminder(arrange, subject.context)
        return subject

    return arrange_subject


def snoozed(graph: Graph, subject: Subject) -> Seen[Any]:
    """One look: found once reminderView lists the subject's reminder firing at SNOOZE_TO."""
    event: ProvisionedEvent = subject.context
    seen = look(graph.as_(event.owner_role), event)
    moved = seen.value is not None and fire_time(seen.value) == SNOOZE_TO
    return Seen(moved, seen.value, seen.response)


def dismissed(graph: Graph, subject: Subject) -> Seen[Any]:
    """One look: found once reminderView no longer lists the subject's reminder."""
    event: ProvisionedEvent = subject.context
    seen = look(graph.as_(event.owner_role), event)
    return Seen(seen.value is None, seen.value, seen.response)


def _calibration(
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


SNOOZE_BODY = {"newReminderTime": date_time_time_zone(SNOOZE_TO)}


def _snooze_body(requirement_id: str) -> dict[str, Any]:
    return SNOOZE_BODY


def _no_body(requirement_id: str) -> Any:
    return ABSENT


SNOOZE = ActionContract(
    action="snoozeReminder", prefix="SNOOZE", arrange=_arrange("snoozeReminder", share=True),
    body=_snooze_body, effect=Effect.REMINDER_MOVED, changed=snoozed,
    calibrate=_calibration("snoozeReminder", Effect.REMINDER_MOVED, SNOOZE_BODY, snoozed),
)
DISMISS = ActionContract(
    action="dismissReminder", prefix="DISMISS", arrange=_arrange("dismissReminder", share=False),
    body=_no_body, effect=Effect.REMINDER_GONE, changed=dismissed,
    calibrate=_calibration("dismissReminder", Effect.REMINDER_GONE, ABSENT, dismissed),
)
