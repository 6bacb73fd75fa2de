"""Reminders as the suite reads them: an event whose reminder fires at a known time, reminderView's window
and listing (user-reminderview page; reminder resource: eventId, eventSubject, reminderFireTime).

An event created with `isReminderOn: true` and `reminderMinutesBeforeStart: N` fires its reminder N minutes
before its start; `GET /me/reminderView(startDateTime=...,endDateTime=...)` lists the reminders of the window.
The window read spans the event and its reminder, with room on both sides, so a snoozed reminder stays in it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from conformance.target.client import GraphClient
from conformance.target.conventions import iso
from conformance.target.prerequisites import REMINDER_VIEW, PrerequisiteLog, answer_line
from conformance.target.provision import ProvisionedEvent, Provisioner

Item = dict[str, Any]
REMINDER_MINUTES = 30  # the new event's reminder fires this long before its start
SNOOZE_BEFORE_START = timedelta(minutes=10)  # a snoozed reminder's new time: this long before the start
WINDOW_PAD = timedelta(hours=2)  # the reminderView window reaches this far beyond the event and its reminder
# the time every case snoozes to (per process): the reminder events start SNOOZE_BEFORE_START after it
SNOOZE_TO = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=9)


REMINDER_PROPERTIES = {"isReminderOn": True, "reminderMinutesBeforeStart": REMINDER_MINUTES}
REMINDER_START = SNOOZE_TO + SNOOZE_BEFORE_START  # when the reminder events start


def fires_at(event: ProvisionedEvent) -> datetime:
    """When the reminder of an event created with REMINDER_PROPERTIES fires (UTC)."""
    if event.start is None:
        raise ValueError("the event was not made by a Provisioner (no start)")
    return event.start - timedelta(minutes=REMINDER_MINUTES)


def snoozed_to(event: ProvisionedEvent) -> datetime:
    """The new reminder time the cases snooze to (SNOOZE_TO for an event starting at REMINDER_START): after
    the reminder's first fire time, before the start."""
    if event.start is None:
        raise ValueError("the event was not made by a Provisioner (no start)")
    return event.start - SNOOZE_BEFORE_START


def date_time_time_zone(moment: datetime) -> dict[str, str]:
    """A dateTimeTimeZone for `moment` in UTC (what a newReminderTime takes)."""
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
    try:
        body = response.json()
    except ValueError:
        body = None
    items = body.get("value") if isinstance(body, dict) else None
    if response.status_code != 200 or not isinstance(items, list):
        return False, None
    for item in items:
        if isinstance(item, dict) and (
            item.get("eventId") == event.id or event.subject in str(item.get("eventSubject", ""))
        ):
            return True, item
    return True, None


def read_reminder(log: PrerequisiteLog, client: GraphClient, event: ProvisionedEvent) -> Item:
    """REMINDER-VIEW, once: reminderView lists `event`'s reminder at its fire time (ok), else it fails."""
    response = client.get(reminder_view_path(event))
    listing, reminder = reminder_of(response, event)
    if reminder is None or fire_time(reminder) != fires_at(event):
        found = "no reminder listing" if not listing else "no reminder of the event"
        if reminder is not None:
            found = f"its reminder at {reminder.get('reminderFireTime')!r}, not {iso(fires_at(event))} UTC"
        raise log.failed(REMINDER_VIEW, f"{answer_line(response)}: {found}", response)
    log.ok(REMINDER_VIEW, f"{answer_line(response)}: the event's reminder at its fire time", response)
    return reminder


def reminder_view_works(provision: Provisioner) -> Item:
    """REMINDER-VIEW as preflight tries it: a new event with its reminder on, read through reminderView."""
    event = provision.event(attendees=0, properties=dict(REMINDER_PROPERTIES), start=REMINDER_START)
    return read_reminder(provision.log, provision.graph.as_(event.owner_role), event)
