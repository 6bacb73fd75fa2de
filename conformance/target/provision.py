"""Provisioning through the target's own API: tagged events, series, calendars, groups; cleaned up after."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

import requests

from conformance.target import prerequisites as prereq
from conformance.target._arrange import created_object, find_copy, read_collection, read_instances, send
from conformance.target.cleanup import CleanupWarning, cancel_silently, delete_all, still_listed, warn_about
from conformance.target.client import Graph, GraphClient
from conformance.target.conventions import iso
from conformance.target.listing import value_of
from conformance.target.prerequisites import PrerequisiteLog, RecordSink, answer_line
from conformance.target.tags import tag
from conformance.target.urls import quote_id

__all__ = ["CleanupWarning", "ProvisionedEvent", "Provisioner"]

DEFAULT_GROUP_NAME = "My Calendars"  # Graph's name for the default calendar group
DELETED_ITEMS_PATH = "/me/mailFolders/deleteditems/messages"


@dataclass
class ProvisionedEvent:
    """An event the suite created, with where it lives and who takes part."""

    id: str
    subject: str
    ical_uid: str | None
    owner_role: str
    owner_user_id: str | None
    calendar_id: str | None = None
    calendar_group_id: str | None = None
    group_id: str | None = None
    attendee_roles: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    occurrences: int | None = None  # of a series the Provisioner made
    _owner_client: GraphClient | None = field(default=None, repr=False)

    @property
    def owner_prefix(self) -> str:
        """`/me` for a user's event (as its owner), `/groups/{id}` for a group event."""
        return f"/groups/{quote_id(self.group_id)}" if self.group_id else "/me"

    @property
    def path(self) -> str:
        """The event's path as seen by its owner (`/me/events/{id}`)."""
        return f"{self.owner_prefix}/events/{quote_id(self.id)}"

    @property
    def calendar_events_path(self) -> str:
        """The events collection of the calendar the event lives in (as its owner)."""
        if self.calendar_id:
            return f"{self.owner_prefix}/calendars/{quote_id(self.calendar_id)}/events"
        return f"{self.owner_prefix}/events" if self.group_id else "/me/calendar/events"

    def instances(self, *, days: int = 60) -> list[dict[str, Any]]:
        """The series' occurrences (GET .../instances over the series' window); PrerequisiteFailed if none."""
        if self._owner_client is None or self.start is None:
            raise RuntimeError(f"event {self.subject!r} was not made by a Provisioner (no owner client)")
        log, client = PrerequisiteLog(), self._owner_client
        return read_instances(log, client, self.path, self.start, at_least=1, occurrences=None, days=days)


class Provisioner:
    """Creates what one test needs and removes it all at `cleanup()` (tolerating what is already gone).

    Arranging is as lenient as real clients are: any 2xx with a JSON `id` counts as created, and where a
    calendar or calendar group cannot be created the mailbox's default one is used. Each prerequisite tried is
    handed to `record` (ok / fallback / failed); one the target cannot give raises PrerequisiteFailed.
    """

    def __init__(self, graph: Graph, run_id: str, label: str, record: RecordSink | None = None) -> None:
        self.graph, self.run_id, self.label = graph, run_id, label
        self.log = PrerequisiteLog(record)
        self._created: list[tuple[GraphClient, str]] = []  # calendars and groups, deleted in reverse order
        # (client, path) -> the event: deleted first, concurrently
        self._events: dict[tuple[GraphClient, str], ProvisionedEvent] = {}
        # events the target said it cancelled, by (owner, calendar's events path): confirmed gone at cleanup
        self._presumed_gone: dict[tuple[GraphClient, str], dict[str, str]] = {}

    def _name(self, kind: str) -> str:
        return f"{tag(self.run_id)} {self.label} {kind} {secrets.token_hex(3)}"

    def _send(self, prerequisite_id: str, client: GraphClient, method: str, path: str,
              **kwargs: Any) -> requests.Response:
        return send(self.log, prerequisite_id, client, method, path, **kwargs)

    def _try_create(
        self, prerequisite_id: str, client: GraphClient, path: str, payload: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, requests.Response]:
        """POST `payload`: (the created object, the answer); None when the answer is no 2xx with an `id`."""
        response = self._send(prerequisite_id, client, "POST", path, json=payload)
        created = created_object(response)
        if created is not None:
            if response.status_code == 201:
                self.log.ok(prerequisite_id, f"created ({answer_line(response)})", response)
            else:
                self.log.fallback(
                    prerequisite_id,
                    f"{answer_line(response)} instead of 201 Created",
                    f"HTTP {response.status_code} with a JSON `id` accepted as created",
                    response,
                )
        return created, response

    def _create(
        self, prerequisite_id: str, client: GraphClient, path: str, payload: dict[str, Any], what: str
    ) -> dict[str, Any]:
        created, response = self._try_create(prerequisite_id, client, path, payload)
        if created is None:
            raise self.log.failed(prerequisite_id, f"{answer_line(response)}: {what} was not created "
                                  "(expected 2xx with a JSON body holding an `id`)", response)
        return created

    def _lookup(
        self, prerequisite_id: str, client: GraphClient, path: str
    ) -> tuple[str | None, requests.Response]:
        """The id of what GET `path` finds (an object, or a collection's default-named or first item)."""
        found = self._send(prerequisite_id, client, "GET", path)
        if path.endswith("/calendar"):
            item = created_object(found) if found.status_code == 200 else None
        else:
            items = value_of(found) or []
            named = [entry for entry in items if entry.get("name") == DEFAULT_GROUP_NAME]
            item = next((entry for entry in (*named, *items) if entry.get("id")), None)
        return (None if item is None else str(item["id"])), found

    def _existing(
        self, prerequisite_id: str, client: GraphClient, refused: requests.Response, path: str, what: str
    ) -> str:
        """The id of `what` the mailbox already has (GET `path`), used because creating one was refused."""
        item_id, found = self._lookup(prerequisite_id, client, path)
        if item_id is None:
            raise self.log.failed(prerequisite_id, f"{answer_line(refused)}: nothing was created, and {what} "
                                  f"could not be found instead ({answer_line(found)})", refused)
        self.log.fallback(
            prerequisite_id, f"{answer_line(refused)}: nothing was created", f"{what} (GET {path})", refused
        )
        return item_id

    def calendar(self, *, owner: str = "organizer") -> str:
        """A new secondary calendar of `owner` (else, as a recorded fallback, the default one); its id."""
        client = self.graph.as_(owner)
        payload = {"name": self._name("calendar")}
        created, refused = self._try_create(prereq.CALENDAR_CREATE, client, "/me/calendars", payload)
        if created is None:
            return self._existing(
                prereq.CALENDAR_CREATE, client, refused, "/me/calendar", "the default calendar"
            )
        self._created.append((client, f"/me/calendars/{quote_id(created['id'])}"))
        return str(created["id"])

    def calendar_group_with_calendar(self, *, owner: str = "organizer") -> tuple[str, str]:
        """A new calendar group of `owner` holding a new calendar: (group id, calendar id).

        Fallbacks (recorded): the default calendar group, and a calendar already in it.
        """
        client = self.graph.as_(owner)
        payload = {"name": self._name("group")}
        group, refused = self._try_create(prereq.CALENDAR_GROUP_CREATE, client, "/me/calendarGroups", payload)
        if group is not None:
            group_id = str(group["id"])
            self._created.append((client, f"/me/calendarGroups/{quote_id(group_id)}"))
        else:
            groups, what = "/me/calendarGroups", "the default calendar group"
            group_id = self._existing(prereq.CALENDAR_GROUP_CREATE, client, refused, groups, what)
        calendars_path = f"/me/calendarGroups/{quote_id(group_id)}/calendars"
        payload = {"name": self._name("calendar")}
        calendar, refused = self._try_create(prereq.CALENDAR_CREATE, client, calendars_path, payload)
        if calendar is not None:
            self._created.append((client, f"/me/calendars/{quote_id(calendar['id'])}"))
            return group_id, str(calendar["id"])
        if group is not None:  # a new group without a calendar is of no use: the default group instead
            default_id, found = self._lookup(prereq.CALENDAR_CREATE, client, "/me/calendarGroups")
            if default_id is None:
                detail = f"{answer_line(refused)}: nothing was created, nor a default calendar group found"
                raise self.log.failed(prereq.CALENDAR_CREATE, f"{detail} ({answer_line(found)})", refused)
            group_id, calendars_path = default_id, f"/me/calendarGroups/{quote_id(default_id)}/calendars"
        what = "a calendar already in the default calendar group"
        return group_id, self._existing(prereq.CALENDAR_CREATE, client, refused, calendars_path, what)

    def event(
        self,
        *,
        owner: str = "organizer",
        attendees: int = 1,
        calendar_id: str | None = None,
        calendar_group_id: str | None = None,
        group: bool = False,
        recurrence: dict[str, Any] | None = None,
        subject_suffix: str = "",
        start: datetime | None = None,
        invite: tuple[str, ...] | None = None,
        properties: dict[str, Any] | None = None,
    ) -> ProvisionedEvent:
        """A new tagged event of `owner` (or of the group) inviting the first `attendees` attendees.

        `invite`: the roles to invite instead (any configured user, e.g. the organizer to a meeting of an
        attendee's); `properties`: more event properties sent on creation (`allowNewTimeProposals`).
        """
        client = self.graph.as_(owner)
        attendee_roles = self.graph.target.attendee_roles[:attendees] if invite is None else invite
        if invite is None and len(attendee_roles) < attendees:
            self.graph.identity(f"attendee{attendees}" if attendees > 1 else "attendee")
        group_id = self.graph.identity("group").group_id if group else None
        start = start or datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(
            days=7, minutes=secrets.randbelow(7 * 24 * 60)
        )
        end = start + timedelta(minutes=30)
        subject = self._name("event") + subject_suffix
        payload: dict[str, Any] = {
            "subject": subject,
            "body": {"contentType": "text", "content": "Created by graph-conformance; safe to delete."},
            "start": {"dateTime": iso(start), "timeZone": "UTC"},
            "end": {"dateTime": iso(end), "timeZone": "UTC"},
            "attendees": [
                {"emailAddress": {"address": self.graph.identity(role).address}, "type": "required"}
                for role in attendee_roles
            ],
        }
        if recurrence is not None:
            payload["recurrence"] = recurrence
        payload.update(properties or {})
        prefix = f"/groups/{quote_id(group_id)}" if group_id else "/me"
        create_path = (
            f"{prefix}/calendars/{quote_id(calendar_id)}/events" if calendar_id else f"{prefix}/events"
        )
        prerequisite_id = prereq.EVENT_CREATE
        if group or recurrence is not None:
            prerequisite_id = prereq.GROUP_EVENT_CREATE if group else prereq.SERIES_CREATE
        kind = "a group event" if group else "a series" if recurrence else "an event"
        created = self._create(prerequisite_id, client, create_path, payload, kind)
        event = ProvisionedEvent(
            id=str(created["id"]),
            subject=subject,
            ical_uid=created.get("iCalUId"),
            owner_role=owner,
            owner_user_id=None if group else self.graph.identity(owner).user_id,
            calendar_id=calendar_id,
            calendar_group_id=calendar_group_id,
            group_id=group_id,
            attendee_roles=tuple(attendee_roles),
            start=start,
            end=end,
            _owner_client=client,
        )
        self._events[(client, event.path)] = event
        return event

    def series(
        self, *, attendees: int = 1, occurrences: int = 3, owner: str = "organizer"
    ) -> ProvisionedEvent:
        """A daily recurring meeting of `occurrences` occurrences; the series master."""
        start_day = (datetime.now(UTC) + timedelta(days=7)).date()
        start = datetime.combine(start_day, time(8, 0), tzinfo=UTC) + timedelta(
            minutes=secrets.randbelow(480)
        )
        recurrence = {
            "pattern": {"type": "daily", "interval": 1},
            "range": {
                "type": "numbered",
                "startDate": start_day.isoformat(),
                "numberOfOccurrences": occurrences,
            },
        }
        series = self.event(owner=owner, attendees=attendees, recurrence=recurrence, start=start)
        series.occurrences = occurrences
        return series

    def instances(self, series: ProvisionedEvent, *, at_least: int | None = None) -> list[dict[str, Any]]:
        """The occurrences of a series made here (all of them by default); PrerequisiteFailed("INSTANCES")."""
        assert series.start is not None
        client = self.graph.as_(series.owner_role)
        expected = at_least or series.occurrences or 2
        return read_instances(
            self.log, client, series.path, series.start, at_least=expected, occurrences=series.occurrences
        )

    def find_attendee_copy(
        self, event: ProvisionedEvent, role: str | None = None, *, timeout_s: float | None = None
    ) -> dict[str, Any]:
        """`role`'s copy of `event` in their calendarView (polled for `timeout_s`, else polling.timeout_s);
        PrerequisiteFailed("ATTENDEE-COPY")."""
        client = self.graph.as_(role or (event.attendee_roles[0] if event.attendee_roles else "attendee"))
        assert event.start is not None and event.end is not None
        target = self.graph.target
        meeting = (event.ical_uid, event.subject, event.start, event.end)
        wait_s = target.poll_timeout_s if timeout_s is None else timeout_s
        return find_copy(self.log, client, meeting, timeout_s=wait_s, interval_s=target.poll_interval_s)

    def mailbox_messages(self, role: str = "attendee", *, top: int = 50) -> list[dict[str, Any]]:
        """The newest `top` messages of `role`'s mailbox; PrerequisiteFailed("MAILBOX-MESSAGES")."""
        client = self.graph.as_(role)
        return read_collection(self.log, prereq.MAILBOX_MESSAGES, client, "/me/messages", top)

    def deleted_items(self, role: str = "organizer", *, top: int = 50) -> list[dict[str, Any]]:
        """The messages of `role`'s Deleted Items folder; PrerequisiteFailed("DELETED-ITEMS")."""
        client = self.graph.as_(role)
        return read_collection(self.log, prereq.DELETED_ITEMS, client, DELETED_ITEMS_PATH, top)

    def adopt(self, other: Provisioner) -> None:
        """Take over what `other` made (its cleanup then does nothing): one cleanup for several, whose
        cancelled events are then confirmed gone with one listing per calendar for all of them."""
        self._created += other._created
        self._events.update(other._events)
        for calendar, paths in other._presumed_gone.items():
            self._presumed_gone.setdefault(calendar, {}).update(paths)
        other._created, other._events, other._presumed_gone = [], {}, {}

    def presume_all_gone(self) -> None:
        """Every event made here is looked for in its calendar's listing at cleanup, deleted only if listed
        (for many events mostly cancelled: a listing per calendar instead of a DELETE each). Meetings with
        attendees are first cancelled silently (`_cancel_meetings`): a DELETE of one would notify them."""
        for event in list(self._events.values()):
            if not event.attendee_roles:
                self.presumed_gone(event)

    def presumed_gone(self, event: ProvisionedEvent) -> None:
        """The target answered 2xx to cancelling `event`: cleanup deletes it only if its calendar lists it.

        One listing per calendar then replaces a DELETE per cancelled event; an event a faulty server left in
        place is still found (by id) and deleted, and if the listing cannot be read whole, every one is.
        """
        client = self.graph.as_(event.owner_role)
        made_here = (client, event.path)
        if made_here not in self._events:
            return  # made by another Provisioner, or already confirmed
        del self._events[made_here]
        self._presumed_gone.setdefault((client, event.calendar_events_path), {})[event.id] = event.path

    def invites(self, event: ProvisionedEvent, roles: tuple[str, ...]) -> None:
        """`event`, made here, now invites `roles` too (a forward's recipients may join it): its clean-up
        then removes it as a meeting, silently (nothing happens for an event made elsewhere)."""
        for made, known in self._events.items():
            if known.id == event.id:
                joined = tuple(dict.fromkeys((*known.attendee_roles, *roles)))
                self._events[made] = replace(known, attendee_roles=joined)

    def _cancel_meetings(self, lost: threading.Event) -> None:
        """Meetings with attendees cancelled with `"comment": ""` (no notice; see cleanup.py), then presumed
        gone (confirmed by their calendar's listing); a refused cancel leaves the meeting to be deleted."""
        meetings = [made for made, event in self._events.items() if event.attendee_roles]
        if not meetings:
            return
        accepted = cancel_silently(meetings, self.graph.mailbox_cap, lost)
        for made, cancelled in zip(meetings, accepted, strict=True):
            if cancelled:
                self.presumed_gone(self._events[made])

    def cleanup(self) -> None:
        """Delete everything created (events first, then calendars, then calendar groups); warn, never fail.

        Events, then calendars, then groups go several at a time (no more than the per-mailbox cap allows):
        on a slow target a run's clean-up is otherwise a long chain of DELETEs, one after another. Once the
        target stops answering, nothing more is tried (each further delete would wait out its timeouts too).
        """
        with self.graph.allowance.cleaning():  # uses the clean-up requests each creation kept back
            self._cleanup()

    def _cleanup(self) -> None:
        lost = threading.Event()
        self._cancel_meetings(lost)
        presumed, self._presumed_gone = self._presumed_gone, {}
        survivors = still_listed(presumed, tag(self.run_id), lost, self.log.filter_refused)
        events, self._events = [*self._events, *survivors], {}
        outcomes = delete_all(events, self.graph.mailbox_cap, lost)
        containers, self._created = self._created[::-1], []
        calendars = [made for made in containers if "/calendars/" in made[1]]  # before their groups
        groups = [made for made in containers if made not in calendars]
        outcomes += delete_all(calendars, self.graph.mailbox_cap, lost)
        outcomes += delete_all(groups, self.graph.mailbox_cap, lost)
        warn_about(outcomes)
