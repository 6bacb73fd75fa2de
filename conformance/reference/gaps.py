"""Prerequisite gaps (`--fault gap-...`): a half-built server that refuses or withholds what cancel needs."""

from __future__ import annotations

import asyncio
import json
import threading
import time

from starlette.responses import Response

from conformance.reference.faults import Fault
from conformance.reference.graph_errors import GraphError, bad_request, not_found
from conformance.reference.routing import RouteMatch

HOLD_S = 120.0  # gap-hang-malformed-json: how long an unanswerable request is held before it is dropped
_HOLD_POLL_S = 0.25
_CREATION_KINDS = frozenset({"events", "calendars", "calendars-default-group", "calendar-groups"})


def is_malformed_json(body: bytes) -> bool:
    """True for a non-empty body that is not JSON text (bad UTF-8, a syntax error, NaN): what
    gap-hang-malformed-json never answers. JSON the server refuses (duplicate names, numbers out of range,
    deep nesting) is answered, with its 400: the switch is about bodies that are not JSON at all."""
    if not body.strip():
        return False
    try:
        json.loads(body.decode("utf-8"), parse_constant=_not_json)
    except RecursionError:
        return False  # JSON as far as it was read: nested deeper than parsing goes
    except ValueError:
        return True
    return False


def _not_json(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


async def hold(stopping: threading.Event, hold_s: float = HOLD_S) -> GraphError:
    """Keep a request unanswered for `hold_s` (or until the server stops); the 408 that ends it comes late."""
    deadline = time.monotonic() + hold_s
    while time.monotonic() < deadline and not stopping.is_set():
        await asyncio.sleep(_HOLD_POLL_S)
    return GraphError(408, "RequestTimeout", "The request was not answered in time.")


def refuse(route: RouteMatch, method: str, query: dict[str, str], faults: frozenset[str]) -> None:
    """Raise the error a gap switch answers for this request, if any (after authentication)."""
    folder = (route.params.get("folder") or "").lower()
    if Fault.GAP_NO_FILTER in faults and any(key.lstrip("$").lower() == "filter" for key in query):
        raise bad_request("The query filter is not supported.", "ErrorInvalidUrlQueryFilter")
    if Fault.GAP_NO_INSTANCES in faults and route.kind == "instances":
        raise _not_implemented("instances")
    if method == "POST" and Fault.GAP_NO_CALENDAR_GROUPS in faults and route.kind == "calendar-groups":
        raise _not_implemented("calendarGroups")
    if (
        method == "POST"
        and Fault.GAP_NO_CALENDAR_CREATE in faults
        and route.kind in ("calendars", "calendars-default-group")
    ):
        raise _not_implemented("calendars")
    if route.kind in ("messages", "message"):
        if Fault.GAP_NO_MESSAGES in faults and folder != "deleteditems":
            raise GraphError(404, "ResourceNotFound", "Resource not found for the segment 'messages'.")
        if Fault.GAP_NO_DELETED_ITEMS in faults and folder == "deleteditems":
            raise not_found()


def adjust(route: RouteMatch, method: str, response: Response, faults: frozenset[str]) -> Response:
    """gap-create-200: a successful creation answers 200 instead of 201 (same body)."""
    if (
        Fault.GAP_CREATE_200 in faults
        and method == "POST"
        and route.kind in _CREATION_KINDS
        and response.status_code == 201
    ):
        response.status_code = 200
    return response


def _not_implemented(segment: str) -> GraphError:
    return GraphError(501, "NotImplemented", f"The segment '{segment}' is not implemented by this service.")
