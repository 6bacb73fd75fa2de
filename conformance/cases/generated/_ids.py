"""Real path parameters for generated cases: the target's user, group, calendar ids and fresh events.

Each case that may cancel its event gets an event nobody else used; an event whose case ended without any
2xx (rejected bodies, other methods answered 405) goes back to a pool and serves the next case (of any test).
The events invite nobody: no generated check is about attendees, so cancelling them sends no meeting mail.
Everything is created through one Provisioner for the run, which deletes it all at the end.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from conformance.target.client import Graph, MissingIdentity
from conformance.target.provision import ProvisionedEvent, Provisioner

PRINCIPALS = ("me", "users", "groups")
CONTAINERS = ("events", "calendar", "calendars", "calendargroup", "calendargroups")
APPLICATION_PROFILE = "application-permissions"
GROUPS_APPLICATION_PROFILE = "groups-application"


@dataclass(frozen=True)
class RouteShape:
    """What a cancel path template addresses: the principal and the event's container."""

    principal: str  # me | users | groups
    container: str  # events | calendar | calendars | calendargroup | calendargroups

    @classmethod
    def of(cls, path_template: str) -> RouteShape:
        """The shape of e.g. `/users/{user-id}/calendargroups/{calendarGroup-id}/calendars/...`."""
        segments = [segment for segment in path_template.strip("/").split("/") if segment]
        principal = segments[0].lower() if segments else ""
        rest = segments[1:] if principal == "me" else segments[2:]
        container = rest[0].lower() if rest else ""
        if principal not in PRINCIPALS or container not in CONTAINERS:
            raise ValueError(f"{path_template!r} is not a cancel route template the suite knows")
        return cls(principal, container)

    @property
    def pool_key(self) -> str:
        """Events of shapes with the same key are interchangeable (same calendar)."""
        if self.principal == "groups":
            return "group"
        return {"events": "default", "calendar": "default", "calendars": "secondary",
                "calendargroup": "secondary", "calendargroups": "in-calendar-group"}[self.container]


def caller_role(shape: RouteShape, graph: Graph) -> str:
    """Who sends the case: the organizer, or the application on /users (and /groups) if its profile applies.

    A refused application token is CANCEL-PERM-APPLICATION's matter there; see `application_refused`.
    """
    unsupported = graph.target.unsupported_profiles
    if shape.principal == "me" or not graph.has("application") or APPLICATION_PROFILE in unsupported:
        return "organizer"
    if shape.principal == "groups" and GROUPS_APPLICATION_PROFILE in unsupported:
        return "organizer"
    return "application"


@dataclass
class EventSupply:
    """Hands out provisioned ids per route shape; reuses events that no case has cancelled."""

    graph: Graph
    provision: Provisioner
    _pool: dict[str, list[ProvisionedEvent]] = field(default_factory=dict)
    _calendar_id: str | None = None
    _calendar_group: tuple[str, str] | None = None
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

    def take(self, shape: RouteShape) -> ProvisionedEvent:
        """An unused event living where `shape` looks for it (thread-safe: cases may be sent concurrently)."""
        with self._lock:
            pool = self._pool.setdefault(shape.pool_key, [])
            if pool:
                return pool.pop()
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

    def spent(self, event: ProvisionedEvent) -> None:
        """The target answered 2xx to a case on `event`: cancelled, to be confirmed gone at cleanup."""
        self.provision.presumed_gone(event)

    def give_back(self, shape: RouteShape, event: ProvisionedEvent) -> None:
        """Return an event the case left untouched, for the next case of the same calendar."""
        with self._lock:
            self._pool.setdefault(shape.pool_key, []).append(event)

    def path_parameters(self, shape: RouteShape, event: ProvisionedEvent) -> dict[str, str]:
        """The template's `user-id`, `group-id`, `calendar-id`, `calendarGroup-id` and `event-id`."""
        values = {"event-id": event.id}
        if shape.principal == "users":
            values["user-id"] = self._organizer_id()
        if shape.principal == "groups":
            values["group-id"] = event.group_id or ""
        if shape.container in ("calendars", "calendargroup", "calendargroups"):
            values["calendar-id"] = event.calendar_id or ""
        if shape.container == "calendargroups":
            values["calendarGroup-id"] = event.calendar_group_id or ""
        return values

    def _organizer_id(self) -> str:
        organizer = self.graph.identity("organizer")
        if organizer.user_id:
            return organizer.user_id
        if organizer.user_principal_name:
            return organizer.user_principal_name
        raise MissingIdentity("organizer")
