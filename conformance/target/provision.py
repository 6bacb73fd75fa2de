"""Provisioning through the target's own API: tagged events, series, calendars, groups; cleaned up after."""

from __future__ import annotations

import secrets
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

import requests

from conformance.errors import TargetUnreachable
from conformance.target.client import Graph, GraphClient
from conformance.target.tags import tag
from conformance.target.transcript import format_exchange
from conformance.target.urls import quote_id

GONE_STATUSES = (404, 410)


class ProvisioningFailed(RuntimeError):
    """The target refused to create what a case needs (the case errors; it is not a conformance verdict)."""

    def __init__(self, what: str, response: requests.Response) -> None:
        exchange = getattr(response, "graph_exchange", None)
        detail = format_exchange(exchange) if exchange else f"HTTP {response.status_code}"
        super().__init__(f"could not provision {what}: HTTP {response.status_code}\n{detail}")


class CleanupWarning(UserWarning):
    """Something the run created could not be removed; `graph-conformance sweep` will find it."""


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
    _owner_client: GraphClient | None = field(default=None, repr=False)

    @property
    def owner_prefix(self) -> str:
        """`/me` for a user's event (as its owner), `/groups/{id}` for a group event."""
        return f"/groups/{quote_id(self.group_id)}" if self.group_id else "/me"

    @property
    def path(self) -> str:
        """The event's path as seen by its owner (`/me/events/{id}`)."""
        return f"{self.owner_prefix}/events/{quote_id(self.id)}"

    def instances(self, *, days: int = 60) -> list[dict[str, Any]]:
        """The series' occurrences (GET .../instances over the series' window)."""
        if self._owner_client is None or self.start is None:
            raise RuntimeError(f"event {self.subject!r} was not made by a Provisioner (no owner client)")
        window_start = self.start - timedelta(days=1)
        response = self._owner_client.get(
            f"{self.path}/instances",
            params={
                "startDateTime": _iso(window_start),
                "endDateTime": _iso(window_start + timedelta(days=days)),
            },
        )
        if response.status_code != 200:
            raise ProvisioningFailed("the series' instances", response)
        items: list[dict[str, Any]] = response.json().get("value", [])
        return items


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


class Provisioner:
    """Creates what one test needs and removes it all at `cleanup()` (tolerating what is already gone)."""

    def __init__(self, graph: Graph, run_id: str, label: str) -> None:
        self.graph, self.run_id, self.label = graph, run_id, label
        self._created: list[tuple[GraphClient, str]] = []  # (client, path) deleted in reverse order

    def _name(self, kind: str) -> str:
        return f"{tag(self.run_id)} {self.label} {kind} {secrets.token_hex(3)}"

    def _create(self, client: GraphClient, path: str, payload: dict[str, Any], what: str) -> dict[str, Any]:
        response = client.post(path, json=payload)
        if response.status_code != 201:
            raise ProvisioningFailed(what, response)
        created: dict[str, Any] = response.json()
        return created

    def calendar(self, *, owner: str = "organizer") -> str:
        """A new secondary calendar of `owner` (in the default calendar group); its id."""
        client = self.graph.as_(owner)
        created = self._create(client, "/me/calendars", {"name": self._name("calendar")}, "a calendar")
        self._created.append((client, f"/me/calendars/{quote_id(created['id'])}"))
        return str(created["id"])

    def calendar_group_with_calendar(self, *, owner: str = "organizer") -> tuple[str, str]:
        """A new calendar group of `owner` holding one new calendar: (group id, calendar id)."""
        client = self.graph.as_(owner)
        group = self._create(client, "/me/calendarGroups", {"name": self._name("group")}, "a calendar group")
        group_path = f"/me/calendarGroups/{quote_id(group['id'])}"
        self._created.append((client, group_path))
        calendar = self._create(
            client, f"{group_path}/calendars", {"name": self._name("calendar")}, "a calendar"
        )
        self._created.append((client, f"/me/calendars/{quote_id(calendar['id'])}"))
        return str(group["id"]), str(calendar["id"])

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
    ) -> ProvisionedEvent:
        """A new tagged event of `owner` (or of the group) inviting the first `attendees` attendees."""
        client = self.graph.as_(owner)
        attendee_roles = self.graph.target.attendee_roles[:attendees]
        if len(attendee_roles) < attendees:
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
            "start": {"dateTime": _iso(start), "timeZone": "UTC"},
            "end": {"dateTime": _iso(end), "timeZone": "UTC"},
            "attendees": [
                {"emailAddress": {"address": self.graph.identity(role).address}, "type": "required"}
                for role in attendee_roles
            ],
        }
        if recurrence is not None:
            payload["recurrence"] = recurrence
        prefix = f"/groups/{quote_id(group_id)}" if group_id else "/me"
        create_path = (
            f"{prefix}/calendars/{quote_id(calendar_id)}/events" if calendar_id else f"{prefix}/events"
        )
        created = self._create(client, create_path, payload, "an event")
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
        self._created.append((client, event.path))
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
        return self.event(owner=owner, attendees=attendees, recurrence=recurrence, start=start)

    def cleanup(self) -> None:
        """Delete everything created, newest first; warn (never fail) about what could not be removed."""
        while self._created:
            client, path = self._created.pop()
            try:
                response = client.delete(path)
            except TargetUnreachable as error:  # each further delete would wait out its timeouts too
                left = len(self._created) + 1
                warnings.warn(
                    CleanupWarning(f"{left} item(s) left behind ({error}); run graph-conformance sweep"),
                    stacklevel=2,
                )
                self._created.clear()
                return
            except Exception as error:  # noqa: BLE001 - cleanup must go on whatever happens
                warnings.warn(CleanupWarning(f"could not delete {path}: {error}"), stacklevel=2)
                continue
            if response.status_code >= 300 and response.status_code not in GONE_STATUSES:
                warnings.warn(
                    CleanupWarning(
                        f"DELETE {path} answered {response.status_code}; run graph-conformance sweep"
                    ),
                    stacklevel=2,
                )
