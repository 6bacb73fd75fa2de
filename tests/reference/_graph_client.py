"""A small Graph client for the reference server's tests: a token per seeded identity, requests, helpers."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from conformance.reference.serve import ReferenceServer

TIMEOUT_S = 10


class GraphClient:
    """Requests against one ReferenceServer with tokens for its seeded identities."""

    def __init__(self, server: ReferenceServer) -> None:
        self.server = server
        self.target = server.target_document()
        self.session = requests.Session()
        self._tokens: dict[str, str] = {}

    def identity(self, role: str) -> dict[str, Any]:
        """The target document's identity for a role ("attendee", "attendee2", ... are the attendees list)."""
        identities = self.target["identities"]
        if role == "attendee":
            return dict(identities["attendees"][0])
        if role.startswith("attendee") and role[len("attendee"):].isdigit():  # attendee2, attendee3
            return dict(identities["attendees"][int(role[len("attendee"):]) - 1])
        return dict(identities[role])

    def token(self, role: str) -> str:
        """A bearer token for the role, fetched once from the token endpoint."""
        if role not in self._tokens:
            defaults = self.target["token_defaults"]
            settings = {**defaults, **self.identity(role)["token"]}
            form = {
                "client_id": settings["client_id"],
                "client_secret": settings["client_secret"],
                "scope": settings["scope"],
            }
            if settings["kind"] == "client_credentials":
                form["grant_type"] = "client_credentials"
            else:
                form.update(
                    grant_type="password", username=settings["username"], password=settings["password"]
                )
            answer = self.session.post(settings["token_url"], data=form, timeout=TIMEOUT_S)
            assert answer.status_code == 200, answer.text
            self._tokens[role] = answer.json()["access_token"]
        return self._tokens[role]

    def request(
        self, method: str, path: str, role: str | None = "organizer", **kwargs: Any
    ) -> requests.Response:
        """A request to base_url + path as `role` (None: no Authorization header)."""
        headers = dict(kwargs.pop("headers", {}) or {})
        if role is not None:
            headers["Authorization"] = f"Bearer {self.token(role)}"
        return self.session.request(
            method, self.server.base_url + path, headers=headers, timeout=TIMEOUT_S, **kwargs
        )

    def user_id(self, role: str) -> str:
        """The object id of a role's user."""
        return str(self.identity(role)["user_id"])

    def create_event(
        self,
        role: str = "organizer",
        path: str = "/me/events",
        attendees: tuple[str, ...] = ("attendee",),
        subject: str = "gc-test meeting",
        **extra: Any,
    ) -> dict[str, Any]:
        """Create an event with the given attendee roles; return the created JSON."""
        payload = {
            "subject": subject,
            "body": {"contentType": "text", "content": "agenda"},
            "start": {"dateTime": "2031-05-05T10:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2031-05-05T10:30:00", "timeZone": "UTC"},
            "attendees": [
                {"emailAddress": {"address": self.identity(name)["user_principal_name"]}, "type": "required"}
                for name in attendees
            ],
            **extra,
        }
        answer = self.request("POST", path, role, json=payload)
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    def attendee_copy(self, role: str, ical_uid: str) -> dict[str, Any]:
        """The role's copy of the event with `ical_uid`."""
        answer = self.request("GET", "/me/events", role, params={"$filter": f"iCalUId eq '{ical_uid}'"})
        assert answer.status_code == 200, answer.text
        items = answer.json()["value"]
        assert len(items) == 1, items
        return dict(items[0])

    def messages(self, role: str, subject: str, folder: str = "inbox") -> list[dict[str, Any]]:
        """Messages in a role's folder whose subject contains `subject`."""
        answer = self.request(
            "GET",
            f"/me/mailFolders/{folder}/messages",
            role,
            params={"$filter": f"contains(subject,'{subject}')", "$top": "100"},
        )
        assert answer.status_code == 200, answer.text
        return list(answer.json()["value"])


def quote_id(item_id: str) -> str:
    """Percent-encode an id for a path segment (+, / and = included)."""
    return quote(item_id, safe="")


def calendar_ids(graph: GraphClient) -> tuple[str, str, str]:
    """(a secondary calendar in the default group, a calendar group, a calendar in that group)."""
    default_group_calendars = graph.request("GET", "/me/calendargroup/calendars").json()["value"]
    secondary = next(item["id"] for item in default_group_calendars if not item["isDefaultCalendar"])
    groups = graph.request("GET", "/me/calendarGroups").json()["value"]
    projects = next(item["id"] for item in groups if item["name"] == "Projects")
    in_projects = graph.request("GET", f"/me/calendarGroups/{quote_id(projects)}/calendars").json()["value"][
        0
    ]["id"]
    return secondary, projects, in_projects


def family_paths(graph: GraphClient, family: str) -> tuple[str, str]:
    """(collection path to create the event in, cancel path template with {id}) for a route family."""
    secondary, projects, in_projects = calendar_ids(graph)
    principal = {
        "me": "/me",
        "users": f"/users/{graph.identity('organizer')['user_principal_name']}",
        "groups": f"/groups/{graph.identity('group')['group_id']}",
    }[family.split("-")[0]]
    container = {
        "events": "/events",
        "calendar-events": "/calendar/events",
        "calendars-events": f"/calendars/{quote_id(secondary)}/events",
        "calendargroup-calendars-events": f"/calendargroup/calendars/{quote_id(secondary)}/events",
        "calendargroups-calendars-events": (
            f"/calendarGroups/{quote_id(projects)}/calendars/{quote_id(in_projects)}/events"
        ),
    }[family.split("-", 1)[1]]
    return principal + container, principal + container + "/{id}/cancel"
