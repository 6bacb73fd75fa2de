"""Real path parameters for generated cases: the target's user, group, calendar ids and fresh events.

Each case that may act on its event gets an event nobody else used; an event whose case ended without any
2xx (rejected bodies, other methods answered 405) goes back to a pool and serves the next case (of any test).
Cancel, forward and the reminders act on the organizer's own events, which invite nobody (no generated check
is about attendees, so cancelling them sends no meeting mail; events carry a reminder by default, Graph's and
the reference server's). An answer (the toolkit's ANSWER_ACTIONS) needs an attendee's copy: the
organizer's event invites the attendee, whose copy is found in their calendar, and the routes through a
calendar or a calendar group name the attendee's default ones (where an invitation lands).
Everything is created through one Provisioner for the run, which deletes it all at the end.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from conformance.cases.generated._actions import ANSWERS, CANCEL, action_of_path
from conformance.target import prerequisites as prereq
from conformance.target.client import Graph, MissingIdentity
from conformance.target.provision import DEFAULT_GROUP_NAME, ProvisionedEvent, Provisioner

PRINCIPALS = ("me", "users", "groups")
CONTAINERS = ("events", "calendar", "calendars", "calendargroup", "calendargroups")
APPLICATION_PROFILE = "application-permissions"
GROUPS_APPLICATION_PROFILE = "groups-application"


@dataclass(frozen=True)
class RouteShape:
    """What an action's path template addresses: the principal, the event's container and the action."""

    principal: str  # me | users | groups
    container: str  # events | calendar | calendars | calendargroup | calendargroups
    action: str = CANCEL  # the route's last segment: cancel, ...

    @classmethod
    def of(cls, path_template: str) -> RouteShape:
        """The shape of e.g. `/users/{user-id}/calendargroups/{calendarGroup-id}/calendars/.../cancel`."""
        segments = [segment for segment in path_template.strip("/").split("/") if segment]
        principal = segments[0].lower() if segments else ""
        rest = segments[1:] if principal == "me" else segments[2:]
        container = rest[0].lower() if rest else ""
        if principal not in PRINCIPALS or container not in CONTAINERS:
            raise ValueError(f"{path_template!r} is not an event action route template the suite knows")
        return cls(principal, container, action_of_path(path_template))

    @property
    def answers(self) -> bool:
        """Whether the action is an attendee's answer (it acts on the attendee's copy)."""
        return self.action in ANSWERS

    @property
    def owner(self) -> str:
        """Whose mailbox holds the event the action acts on: the attendee's (an answer) or the organizer's."""
        return "attendee" if self.answers else "organizer"

    @property
    def pool_key(self) -> str:
        """Events of shapes with the same key are interchangeable (same calendar)."""
        if self.answers:
            return "attendee-copy"  # in the attendee's default calendar, whichever container names it
        if self.principal == "groups":
            return "group"
        return {"events": "default", "calendar": "default", "calendars": "secondary",
                "calendargroup": "secondary", "calendargroups": "in-calendar-group"}[self.container]


def caller_role(shape: RouteShape, graph: Graph) -> str:
    """Who sends the case: the event's owner (the organizer; the attendee for an answer), or the application
    on /users (and /groups) if its profile applies.

    A refused application token is the action's <P>-PERM-APPLICATION matter there; see `application_refused`.
    """
    unsupported = graph.target.unsupported_profiles
    if shape.principal == "me" or not graph.has("application") or APPLICATION_PROFILE in unsupported:
        return shape.owner
    if shape.principal == "groups" and GROUPS_APPLICATION_PROFILE in unsupported:
        return shape.owner
    return "application"


@dataclass
class EventSupply:
    """Hands out provisioned ids per route shape; reuses events that no case has cancelled."""

    graph: Graph
    provision: Provisioner
    _pool: dict[str, list[ProvisionedEvent]] = field(default_factory=dict)
    _calendar_id: str | None = None
    _calendar_group: tuple[str, str] | None = None
    _attendee_defaults: tuple[str, str] | None = None  # the attendee's default (calendar group, calendar)
    _lock: threading.Lock = field(default_factory=threading.Lock)  # the pool
    _containers_lock: threading.Lock = field(default_factory=threading.Lock)  # one calendar (group) each

    def _secondary_calendar(self) -> str:
        with self._containers_lock:
            if self._calendar_id is None:
                self._calendar_id = self.provision.calendar()
            return self._calendar_id

    def _calendar_in_group(self) -> tuple[str, str]:
        with self._containers_lock:
            if self._calendar_group is None:
                self._calendar_group = self.provision.calendar_group_with_calendar()
            return self._calendar_group

    def _defaults_of_attendee(self) -> tuple[str, str]:
        """The attendee's default calendar group and calendar (GET /me/calendarGroups, /me/calendar)."""
        with self._containers_lock:
            if self._attendee_defaults is None:
                client = self.graph.as_("attendee")
                calendar = self.provision._send(prereq.ATTENDEE_COPY, client, "GET", "/me/calendar")
                groups = self.provision._send(prereq.ATTENDEE_COPY, client, "GET", "/me/calendarGroups")
                calendar_id = str(calendar.json().get("id", "")) if calendar.ok else ""
                listed = groups.json().get("value", []) if groups.ok else []
                named = [group for group in listed if group.get("name") == DEFAULT_GROUP_NAME]
                group_id = next((str(group["id"]) for group in (*named, *listed) if group.get("id")), "")
                if not calendar_id or not group_id:
                    raise self.provision.log.failed(
                        prereq.ATTENDEE_COPY, "the attendee's default calendar and calendar group could not "
                        f"be read (GET /me/calendar {calendar.status_code}, GET /me/calendarGroups "
                        f"{groups.status_code})", calendar)
                self._attendee_defaults = (group_id, calendar_id)
            return self._attendee_defaults

    def _attendee_copy(self) -> ProvisionedEvent:
        """The attendee's copy of a new meeting of the organizer's (which invites only the attendee)."""
        meeting = self.provision.event(attendees=1)
        copy = self.provision.find_attendee_copy(meeting, "attendee")
        group_id, calendar_id = self._defaults_of_attendee()
        attendee = self.graph.identity("attendee")
        return ProvisionedEvent(
            id=str(copy["id"]), subject=meeting.subject, ical_uid=meeting.ical_uid, owner_role="attendee",
            owner_user_id=attendee.user_id, calendar_id=calendar_id, calendar_group_id=group_id,
            start=meeting.start, end=meeting.end,
        )

    def take(self, shape: RouteShape) -> ProvisionedEvent:
        """An unused event living where `shape` looks for it (thread-safe: cases may be sent concurrently)."""
        with self._lock:
            pool = self._pool.setdefault(shape.pool_key, [])
            if pool:
                return pool.pop()
        if shape.answers:
            return self._attendee_copy()
        if shape.pool_key == "group":
            return self.provision.event(group=True, attendees=0)
        if shape.pool_key == "secondary":
            return self.provision.event(calendar_id=self._secondary_calendar(), attendees=0)
        if shape.pool_key == "in-calendar-group":
            group_id, calendar_id = self._calendar_in_group()
            return self.provision.event(calendar_id=calendar_id, calendar_group_id=group_id, attendees=0)
        return self.provision.event(attendees=0)

    def has_spare(self, shape: RouteShape) -> bool:
        """Whether an untouched event for `shape` is waiting in the pool (taking it creates nothing)."""
        with self._lock:
            return bool(self._pool.get(shape.pool_key))

    def spent(self, shape: RouteShape, event: ProvisionedEvent) -> None:
        """The target answered 2xx to a case on `event`: it serves no further case; cancelled, it is confirmed
        gone at cleanup (another action leaves it to be deleted as usual, with the organizer's meeting)."""
        if shape.action == CANCEL:
            self.provision.presumed_gone(event)

    def give_back(self, shape: RouteShape, event: ProvisionedEvent) -> None:
        """Return an event the case left untouched, for the next case of the same calendar."""
        with self._lock:
            self._pool.setdefault(shape.pool_key, []).append(event)

    def path_parameters(self, shape: RouteShape, event: ProvisionedEvent) -> dict[str, str]:
        """The template's `user-id`, `group-id`, `calendar-id`, `calendarGroup-id` and `event-id`."""
        values = {"event-id": event.id}
        if shape.principal == "users":
            values["user-id"] = self._user_id(event.owner_role)
        if shape.principal == "groups":
            values["group-id"] = event.group_id or ""
        if shape.container in ("calendars", "calendargroup", "calendargroups"):
            values["calendar-id"] = event.calendar_id or ""
        if shape.container == "calendargroups":
            values["calendarGroup-id"] = event.calendar_group_id or ""
        return values

    def _user_id(self, role: str) -> str:
        owner = self.graph.identity(role)
        if owner.user_id:
            return owner.user_id
        if owner.user_principal_name:
            return owner.user_principal_name
        raise MissingIdentity(role)
