"""What the generated cases know of each action: its requirement prefix, success status and body.

Read from the action's OpenAPI description (the route ids in `x-requirements`, the 2xx response, the request
body's members), never from the reference server; what a generated request needs besides comes from the
toolkit (the answers act on an attendee's copy; the other actions on the caller's own event).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.cases.toolkit.answers import ANSWER_ACTIONS

CANCEL = "cancel"
ANSWERS = ANSWER_ACTIONS  # the answers act on an attendee's copy (what their family's toolkit module says)
ROUTE_MARK = "-ROUTE-"  # CANCEL-ROUTE-ME-EVENTS, <PREFIX>-ROUTE-ME-EVENTS, ...
# members an answer may carry that a correct server can refuse for reasons of the event, not of the body
# (proposedNewTime: 400 when the event does not allow proposals or sendResponse is false)
CONDITIONAL_MEMBERS = frozenset({"proposedNewTime"})
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "boolean": (bool,), "object": (dict,), "array": (list,), "null": (type(None),),
    "integer": (int,), "number": (int, float),
}


@dataclass(frozen=True)
class ActionInfo:
    """One action as its description states it."""

    name: str  # the route's last segment: cancel, ...
    prefix: str  # of its requirement ids: CANCEL, ...
    success: str  # the documented 2xx status: "202" or "200"
    members: tuple[tuple[str, tuple[str, ...]], ...] = ()  # body member -> its JSON types

    @property
    def member_types(self) -> dict[str, tuple[str, ...]]:
        """Body member -> the JSON types the description allows for it."""
        return dict(self.members)

    @property
    def cancels(self) -> bool:
        """Whether a 2xx takes the event away (a cancelled event is gone: it serves no further case)."""
        return self.name == CANCEL


def action_of_path(path: str) -> str:
    """`/me/events/{event-id}/cancel` -> `cancel`."""
    return path.rstrip("/").rsplit("/", 1)[-1]


def route_id_of(operation: dict[str, Any]) -> str | None:
    """The *-ROUTE-* requirement the operation names in `x-requirements`."""
    listed = operation.get("x-requirements") or []
    return next((str(item) for item in listed if ROUTE_MARK in str(item)), None)


def _resolve(description: dict[str, Any], schema: Any) -> Any:
    """A `$ref` to `#/components/...` followed once (the descriptions only reference components)."""
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        node: Any = description
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        return node
    return schema


def _types_of(description: dict[str, Any], schema: Any) -> tuple[str, ...]:
    """The JSON types a member schema allows (`type`, or the branches of `anyOf`/`oneOf`)."""
    schema = _resolve(description, schema)
    if not isinstance(schema, dict):
        return ()
    declared = schema.get("type")
    if isinstance(declared, str):
        return (declared,)
    if isinstance(declared, list):
        return tuple(str(item) for item in declared)
    branches = schema.get("anyOf") or schema.get("oneOf") or []
    types: list[str] = []
    for branch in branches:
        types += [kind for kind in _types_of(description, branch) if kind not in types]
    return tuple(types)


def body_members(
    description: dict[str, Any], operation: dict[str, Any]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The operation's JSON body members and their types (none when it takes no body)."""
    content = ((operation.get("requestBody") or {}).get("content") or {}).get("application/json") or {}
    schema = _resolve(description, content.get("schema"))
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return ()
    return tuple((str(name), _types_of(description, member)) for name, member in properties.items())


def action_info(description: dict[str, Any], path: str) -> ActionInfo:
    """The action of the description's POST operation on `path`."""
    operation = description["paths"][path]["post"]
    route_id = route_id_of(operation)
    name = action_of_path(path)
    prefix = route_id.split(ROUTE_MARK, 1)[0] if route_id else name.upper()
    success = next((str(status) for status in operation.get("responses", {}) if str(status).startswith("2")),
                   "2XX")
    return ActionInfo(name, prefix, success, body_members(description, operation))


def has_type(value: Any, types: tuple[str, ...]) -> bool:
    """Whether a JSON value is of one of `types` (a Boolean is no number here)."""
    if isinstance(value, bool):
        return "boolean" in types
    return any(isinstance(value, JSON_TYPES.get(kind, ())) for kind in types)
