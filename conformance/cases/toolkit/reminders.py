"""Reminders in the cases: an event with a reminder, and awaiting its reminder through reminderView (the
REMINDER-VIEW prerequisite; the window and listing: conformance.target.reminders)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from conformance.cases.toolkit.arrange import Arranger
from conformance.cases.toolkit.checks import Seen, expect, expect_eventually, poll, stays_absent
from conformance.cases.toolkit.contract import Subject
from conformance.target.client import Graph, GraphClient
from conformance.target.conventions import iso
from conformance.target.polling import Bound, Effect
from conformance.target.prerequisites import REMINDER_VIEW, PrerequisiteFailed, exchange_record
from conformance.target.provision import ProvisionedEvent
from conformance.target.reminders import (
    REMINDER_MINUTES,
    REMINDER_PROPERTIES,
    REMINDER_START,
    fire_time,
    fires_at,
    reminder_of,
    reminder_view_path,
)

Item = dict[str, Any]


def reminder_event(arrange: Arranger, **options: Any) -> ProvisionedEvent:
    """A new event with its reminder on, REMINDER_MINUTES before its start, starting at REMINDER_START
    (`options`: Arranger.create's, e.g. `owner`)."""
    return arrange.create(properties=dict(REMINDER_PROPERTIES), start=REMINDER_START, **options)


def look(client: GraphClient, event: ProvisionedEvent) -> Seen[Item | None]:
    """One look at reminderView for the event's reminder; an answer that is no listing fails REMINDER-VIEW."""
    response = client.get(reminder_view_path(event))
    listing, reminder = reminder_of(response, event)
    if not listing:
        detail = (
            f"GET /me/reminderView answered HTTP {response.status_code} without a `value` list of "
            "reminders, so where an event's reminder fires cannot be read"
        )
        raise PrerequisiteFailed(REMINDER_VIEW, detail, exchange_record(response))
    return Seen(reminder is not None, reminder, response)


def listed_reminder(arrange: Arranger, event: ProvisionedEvent) -> Item:
    """The event's reminder as reminderView lists it, at its fire time (REMINDER-VIEW): the "before".

    Polled as arranging (a created event showing), failing the prerequisite, never a requirement.
    """
    client = arrange.graph.as_(event.owner_role)
    learn = arrange.effect(Effect.READ_BACK, "to list a new event's reminder", since=time.monotonic())
    seen = poll(lambda: look(client, event), learn)
    expected = fires_at(event)
    if not seen.found or seen.value is None:
        detail = (
            f"reminderView never listed the reminder of an event created with isReminderOn true and "
            f"reminderMinutesBeforeStart {REMINDER_MINUTES} ({learn.text})"
        )
        raise arrange.log.failed(REMINDER_VIEW, detail, seen.response)
    if fire_time(seen.value) != expected:
        detail = (
            f"reminderView lists the new event's reminder at {seen.value.get('reminderFireTime')!r}, not "
            f"{REMINDER_MINUTES} minutes before its start ({iso(expected)} UTC)"
        )
        raise arrange.log.failed(REMINDER_VIEW, detail, seen.response)
    arrange.log.ok(REMINDER_VIEW, "reminderView lists a new event's reminder at its fire time", seen.response)
    return seen.value


def expect_reminder_at(
    arrange: Arranger, event: ProvisionedEvent, moment: datetime, requirement_id: str, since: float | None
) -> Item:
    """reminderView comes to list the event's reminder firing at `moment` (effect `reminder_moved`)."""
    client = arrange.graph.as_(event.owner_role)

    def fetch() -> Seen[Item | None]:
        seen = look(client, event)
        moved = seen.value is not None and fire_time(seen.value) == moment
        return Seen(moved, seen.value, seen.response)

    within = arrange.effect(Effect.REMINDER_MOVED, "to move a snoozed reminder", since)
    message = f"reminderView did not list the event's reminder firing at {iso(moment)} UTC after the snooze"
    return expect_eventually(fetch, requirement_id, message, within) or {}


def expect_reminder_gone(
    arrange: Arranger, event: ProvisionedEvent, requirement_id: str, since: float | None
) -> None:
    """reminderView comes to list no reminder of the event (effect `reminder_gone`)."""
    client = arrange.graph.as_(event.owner_role)

    def fetch() -> Seen[Item | None]:
        seen = look(client, event)
        return Seen(seen.value is None, seen.value, seen.response)

    within = arrange.effect(Effect.REMINDER_GONE, "to remove a dismissed reminder", since)
    seen = poll(fetch, within)
    shown = (seen.value or {}).get("reminderFireTime")
    expect(
        seen.found,
        requirement_id,
        f"reminderView still lists the dismissed event's reminder (reminderFireTime {shown!r}) "
        f"({within.text})",
        seen.response,
    )


def expect_reminder_kept(
    arrange: Arranger, event: ProvisionedEvent, before: Item, requirement_id: str, quiet: Bound
) -> None:
    """reminderView keeps listing the event's reminder at its fire time in `before`, watched for `quiet`."""
    client = arrange.graph.as_(event.owner_role)
    kept_at = fire_time(before)

    def changed() -> Seen[Item | None]:
        seen = look(client, event)
        return Seen(seen.value is None or fire_time(seen.value) != kept_at, seen.value, seen.response)

    seen = stays_absent(changed, quiet)
    shown = seen.value.get("reminderFireTime") if seen.value is not None else None
    now = "no longer lists it" if seen.value is None else f"lists it at {shown!r}"
    expect(
        not seen.found,
        requirement_id,
        f"the refused request still changed the event's reminder: reminderView {now}, not at "
        f"{before.get('reminderFireTime')!r} as before ({quiet.text})",
        seen.response,
    )


def reminder_fires_at(graph: Graph, subject: Subject, moment: datetime) -> Seen[Any]:
    """One look: found once reminderView lists the subject's reminder firing at `moment`."""
    event: ProvisionedEvent = subject.context
    seen = look(graph.as_(event.owner_role), event)
    return Seen(seen.value is not None and fire_time(seen.value) == moment, seen.value, seen.response)


def reminder_unlisted(graph: Graph, subject: Subject) -> Seen[Any]:
    """One look: found once reminderView no longer lists the subject's reminder."""
    event: ProvisionedEvent = subject.context
    seen = look(graph.as_(event.owner_role), event)
    return Seen(seen.value is None, seen.value, seen.response)
