"""Reminders: an event with a reminder, and reading it through reminderView (the REMINDER-VIEW prerequisite).

An event created with `isReminderOn: true` and `reminderMinutesBeforeStart: N` fires its reminder N minutes
before its start; `GET /me/reminderView(startDateTime=...,endDateTime=...)` lists the reminders of the window
(user-reminderview page; reminder resource: eventId, eventSubject, reminderFireTime). The window the cases
read spans the event and its reminder, with room on both sides, so a snoozed reminder stays in it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from conformance.cases.toolkit.arrange import Arranger
from conformance.cases.toolkit.checks import Seen, expect, expect_eventually, json_of, poll
from conformance.target.client import GraphClient
from conformance.target.conventions import iso
from conformance.target.polling import Effect
from conformance.target.prerequisites import REMINDER_VIEW, PrerequisiteFailed, exchange_record
from conformance.target.provision import ProvisionedEvent

Item = dict[str, Any]
REMINDER_MINUTES = 30  # the new event's reminder fires this long before its start
SNOOZE_BEFORE_START = timedelta(minutes=10)  # a snoozed reminder's new time: this long before the start
WINDOW_PAD = timedelta(hours=2)  # the reminderView window reaches this far beyond the event and its reminder
# the time every case snoozes to (per process): the reminder events start SNOOZE_BEFORE_START after it
SNOOZE_TO = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=9)


def reminder_event(arrange: Arranger, **options: Any) -> ProvisionedEvent:
    """A new event with its reminder on, REMINDER_MINUTES before its start, SNOOZE_BEFORE_START after
    SNOOZE_TO (`options`: Arranger.create's, e.g. `owner`)."""
    properties = {"isReminderOn": True, "reminderMinutesBeforeStart": REMINDER_MINUTES}
    return arrange.create(properties=properties, start=SNOOZE_TO + SNOOZE_BEFORE_START, **options)


def fires_at(event: ProvisionedEvent) -> datetime:
    """When the reminder of an event made by `reminder_event` fires (UTC)."""
    if event.start is None:
        raise ValueError("the event was not made by a Provisioner (no start)")
    return event.start - timedelta(minutes=REMINDER_MINUTES)


def snoozed_to(event: ProvisionedEvent) -> datetime:
    """The new reminder time the cases snooze to (SNOOZE_TO for a `reminder_event`): after the reminder's
    first fire time, before the start."""
    if event.start is None:
        raise ValueError("the event was not made by a Provisioner (no start)")
    return event.start - SNOOZE_BEFORE_START


def date_time_time_zone(moment: datetime) -> dict[str, str]:
    """A dateTimeTimeZone for `moment` in UTC (what snoozeReminder's newReminderTime takes)."""
    return {"dateTime": iso(moment), "timeZone": "UTC"}


def reminder_view_path(event: ProvisionedEvent) -> str:
    """`/me/reminderView(startDateTime='...',endDateTime='...')` over the event and its reminder."""
    if event.start is None or event.end is None:
        raise ValueError("the event was not made by a Provisioner (no start and end)")
    start, end = iso(fires_at(event) - WINDOW_PAD), iso(event.end + WINDOW_PAD)
    return f"/me/reminderView(startDateTime='{start}',endDateTime='{end}')"


def fire_time(reminder: Item) -> datetime | None:
    """A reminder's reminderFireTime in UTC (a dateTimeTimeZone read as UTC), or None when unreadable."""
    value = reminder.get("reminderFireTime")
    text = value.get("dateTime") if isinstance(value, dict) else None
    zone = value.get("timeZone") if isinstance(value, dict) else None
    if not isinstance(text, str) or zone not in (None, "UTC", "Etc/UTC", "Coordinated Universal Time"):
        return None
    whole = text.rstrip("Z").split(".", 1)[0]
    try:
        return datetime.fromisoformat(whole).replace(tzinfo=UTC)
    except ValueError:
        return None


def reminder_of(response: requests.Response, event: ProvisionedEvent) -> tuple[bool, Item | None]:
    """(whether the answer is a reminder listing, the event's reminder in it or None)."""
    body = json_of(response)
    items = body.get("value") if isinstance(body, dict) else None
    if response.status_code != 200 or not isinstance(items, list):
        return False, None
    for item in items:
        if isinstance(item, dict) and (
            item.get("eventId") == event.id or event.subject in str(item.get("eventSubject", ""))
        ):
            return True, item
    return True, None


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
