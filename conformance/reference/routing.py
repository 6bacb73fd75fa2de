"""Graph URL routing on the raw path: percent-encoded `/` stays inside an id; literal segments ignore case."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from conformance.reference.graph_errors import GraphError, malformed_id

VERSIONS = ("v1.0", "beta")
# (pattern after the principal, name); {x} captures one segment. Cancel patterns carry their route family.
_EVENT_CONTAINERS: tuple[tuple[str, str], ...] = (
    ("events", "events"),
    ("calendar/events", "calendar-events"),
    ("calendars/{calendar}/events", "calendars-events"),
    ("calendargroup/calendars/{calendar}/events", "calendargroup-calendars-events"),
    ("calendargroups/{group}/calendars/{calendar}/events", "calendargroups-calendars-events"),
)
_GROUP_CONTAINERS = ("events", "calendar-events")
_OTHER_PATTERNS: tuple[tuple[str, str], ...] = (
    ("", "principal"),
    ("calendar", "calendar"),
    ("calendars", "calendars"),
    ("calendars/{calendar}", "calendar"),
    ("calendargroups", "calendar-groups"),
    ("calendargroups/{group}", "calendar-group"),
    ("calendargroups/{group}/calendars", "calendars"),
    ("calendargroup/calendars", "calendars-default-group"),
    ("calendarview", "calendar-view"),
    ("calendar/calendarview", "calendar-view"),
    ("calendars/{calendar}/calendarview", "calendar-view"),
    ("reminderview", "reminder-view"),  # reminderView(startDateTime='..',endDateTime='..'): see match()
    ("messages", "messages"),
    ("messages/{message}", "message"),
    ("mailfolders/{folder}/messages", "messages"),
    ("mailfolders/{folder}/messages/{message}", "message"),
)

ACTION = "<action>"  # the pattern part an action's segment fills (any registered action: actions/)
_EVENT_SUFFIXES = (("", "events"), ("/{event}", "event"), (f"/{{event}}/{ACTION}", ACTION),
                   ("/{event}/instances", "instances"))
# the patterns split once: (segments, kind, container name), in matching order
_EVENT_ROUTES: tuple[tuple[tuple[str, ...], str, str], ...] = tuple(
    (tuple(f"{container}{suffix}".split("/")), kind, name)
    for container, name in _EVENT_CONTAINERS
    for suffix, kind in _EVENT_SUFFIXES
)
_OTHER_ROUTES: tuple[tuple[tuple[str, ...], str], ...] = tuple(
    (tuple(pattern.split("/")) if pattern else (), kind) for pattern, kind in _OTHER_PATTERNS
)


@dataclass(frozen=True)
class RouteMatch:
    """A matched Graph path: the operation kind, the principal and the captured segments."""

    kind: str  # events | event | <an action's name> | instances | principal | calendars | ... | messages
    version: str
    principal: str  # me | users | groups
    principal_id: str | None
    params: dict[str, str] = field(default_factory=dict)
    container: str = "events"  # the event container family, e.g. "calendargroups-calendars-events"

    @property
    def route_family(self) -> str:
        """The cancel route family, e.g. "users-calendar-events"."""
        return f"{self.principal}-{self.container}"

    @property
    def mailbox_key(self) -> str | None:
        """The mailbox the request addresses, when the path names it."""
        return f"{self.principal}:{(self.principal_id or '').lower()}" if self.principal_id else None


def split_raw_path(raw_path: bytes) -> list[str]:
    """The decoded segments of a raw request path (an encoded `%2F` stays inside its segment)."""
    text = raw_path.decode("latin-1").split("?", 1)[0]
    return [unquote(segment, errors="replace") for segment in text.strip("/").split("/")]


def match(raw_path: bytes, *, case_sensitive_cancel: bool = False) -> RouteMatch:
    """The route for a raw path under /v1.0 or /beta; 404 ResourceNotFound or 400 malformed id otherwise."""
    raw_segments = raw_path.decode("latin-1").split("?", 1)[0].strip("/").split("/")
    segments = split_raw_path(raw_path)
    if len(segments) < 2 or segments[0] not in VERSIONS:
        raise _unknown_segment(segments[0] if segments else "")
    version, principal = segments[0], segments[1].lower()
    if principal == "me":
        principal_id, rest, raw_rest = None, segments[2:], raw_segments[2:]
    elif principal in ("users", "groups") and len(segments) >= 3:
        principal_id, rest, raw_rest = segments[2], segments[3:], raw_segments[3:]
    else:
        raise _unknown_segment(segments[1])
    for parts, kind, name in _EVENT_ROUTES:
        if principal == "groups" and name not in _GROUP_CONTAINERS:
            continue
        params = _match_segments(parts, rest, case_sensitive_cancel, principal == "groups")
        if params is not None:
            kind = params.pop("action", kind)
            if "event" in params and "+" in raw_rest[-1 if kind == "event" else -2]:
                raise malformed_id()
            return RouteMatch(kind, version, principal, principal_id, params, name)
    function = _function_call(rest)
    if function is not None and principal != "groups":
        return RouteMatch("reminder-view", version, principal, principal_id, function)
    for parts, kind in _OTHER_ROUTES:
        if principal == "groups" and kind not in ("principal", "calendar", "calendar-view"):
            continue
        params = _match_segments(parts, rest, False)
        if params is not None:
            return RouteMatch(kind, version, principal, principal_id, params)
    if principal == "groups" and len(rest) > 2 and rest[-1].lower() in _actions():
        raise _unknown_segment(rest[-1])  # an action the page does not route under /groups
    if any(segment.lower() == "events" for segment in rest):
        raise malformed_id()  # an unencoded "/" split an id into several segments
    raise _unknown_segment(rest[-1] if rest else principal)


def action_shaped(raw_path: bytes) -> bool:
    """True when a path ends in a registered action's segment under a known version: other methods, 405."""
    segments = split_raw_path(raw_path)
    return len(segments) > 3 and segments[0] in VERSIONS and segments[-1].lower() in _actions()


def cancel_shaped(raw_path: bytes) -> bool:
    """True when a path ends in /cancel under a known version."""
    segments = split_raw_path(raw_path)
    return len(segments) > 3 and segments[0] in VERSIONS and segments[-1].lower() == "cancel"


def _actions() -> dict[str, Any]:
    from conformance.reference.actions import by_segment  # the actions import this module: looked up late

    return by_segment()


def _function_call(rest: list[str]) -> dict[str, str] | None:
    """`reminderView(startDateTime='a',endDateTime='b')` as {"function": "reminderview", "startDateTime": "a",
    ...}; None when the path is no such call (or the segment cannot be read: the caller answers 404)."""
    if len(rest) != 1:
        return None
    found = _FUNCTION.match(rest[0])
    if found is None or found["name"].lower() != "reminderview":
        return None
    params = {"function": "reminderview"}
    for argument in filter(None, (part.strip() for part in found["arguments"].split(","))):
        key, _, value = argument.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1]
        params[key.strip()] = value
    return params


_FUNCTION = re.compile(r"^(?P<name>[A-Za-z]+)\((?P<arguments>[^()]*)\)$")


def _match_segments(
    parts: tuple[str, ...], segments: list[str], case_sensitive_cancel: bool, groups: bool = False
) -> dict[str, str] | None:
    """The captured segments when `segments` fill `parts`; case-sensitive-segments: a cancel route's literal
    segments only as the page spells them."""
    if len(parts) != len(segments):
        return None
    params: dict[str, str] = {}
    respelled = False
    for part, segment in zip(parts, segments, strict=True):
        if part == ACTION:
            action = _actions().get(segment.lower())
            if action is None or (groups and not action.groups):
                return None
            params["action"] = action.name
            respelled = respelled or segment != action.name
        elif part.startswith("{"):
            if not segment:
                return None
            params[part[1:-1]] = segment
        elif part != segment.lower():
            return None
        else:
            respelled = respelled or segment != part
    if case_sensitive_cancel and respelled and params.get("action") == "cancel":
        return None
    return params


def _unknown_segment(segment: str) -> GraphError:
    return GraphError(404, "ResourceNotFound", f"Resource not found for the segment '{segment}'.")
