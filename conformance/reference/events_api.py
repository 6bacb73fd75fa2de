"""Event endpoints: list/create, get/delete, instances, calendarView and the cancel action."""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.responses import Response

from conformance.reference import odata
from conformance.reference.access import (
    GROUP_READ,
    GROUP_WRITE,
    READ_CALENDAR,
    WRITE_CALENDAR,
    require,
    require_cancel,
)
from conformance.reference.calendar_ops import create_event, default_calendar_id, find_event
from conformance.reference.call import Call, json_response, method_not_allowed
from conformance.reference.cancellation import CancelRequest, cancel, mark_cancelled, notice_for
from conformance.reference.event_view import (
    occurrence_starts,
    overlaps,
    parse_window_bound,
    render_event,
    render_occurrence,
)
from conformance.reference.faults import Fault, route_missing
from conformance.reference.graph_errors import GraphError, bad_request, malformed_id, not_found
from conformance.reference.ids import decode_id
from conformance.reference.payload import parse_json
from conformance.reference.store import doc_of


def calendar_scope(call: Call, for_listing: bool) -> set[str] | None:
    """The calendars an event path addresses (None: the whole mailbox); 404 when they are not the owner's."""
    route, owner_id = call.route, call.mailbox.owner_id
    if route.kind == "calendar-view" and "calendar" not in route.params:
        return {default_calendar_id(call.store, owner_id)}
    if route.kind != "calendar-view" and route.container == "events" and not for_listing:
        return None
    if route.kind != "calendar-view" and route.container in ("events", "calendar-events"):
        return {default_calendar_id(call.store, owner_id)}
    calendar = call.store.row(
        "SELECT * FROM calendars WHERE id = ? AND owner_id = ?", (route.params.get("calendar", ""), owner_id)
    )
    if calendar is None:
        raise not_found()
    if route.container == "calendargroup-calendars-events":
        group = call.store.row(
            "SELECT id FROM calendar_groups WHERE owner_id = ? AND is_default = 1", (owner_id,)
        )
        if group is None or calendar["calendar_group_id"] != group["id"]:
            raise not_found()
    if (
        route.container == "calendargroups-calendars-events"
        and calendar["calendar_group_id"] != route.params["group"]
    ):
        raise not_found()
    return {calendar["id"]}


def handle_events(call: Call) -> Response:
    """Dispatch an event-path request by route kind and method."""
    method, kind = call.request.method, call.route.kind
    if kind == "cancel":
        return _cancel(call)
    if kind == "events" and method == "POST":
        require(call.caller, call.mailbox, WRITE_CALENDAR, GROUP_WRITE)
        scope = calendar_scope(call, for_listing=True) or set()
        document = create_event(
            call.store,
            call.mailbox.owner_id,
            next(iter(scope)),
            call.json_body(),
            message_delay_s=call.settings.message_delay_s,
            born_cancelled=Fault.GAP_BORN_CANCELLED in call.faults,
            without_copies=Fault.GAP_NO_ATTENDEE_COPIES in call.faults,
            send_limit=call.send_limit,
        )
        row = call.store.one("SELECT * FROM events WHERE id = ?", (document["id"],))
        payload = {"@odata.context": call.context("events/$entity"), **render_event(row)}
        owner = "groups" if call.mailbox.kind == "group" else "users"
        location = f"{call.version_url}/{owner}('{call.mailbox.owner_id}')/events('{document['id']}')"
        return json_response(payload, 201, {"Location": location})
    if kind == "events" and method == "GET":
        require(call.caller, call.mailbox, READ_CALENDAR, GROUP_READ)
        return _list(
            call, [render_event(row) for row in _rows_in(call, calendar_scope(call, True))], "events"
        )
    if kind == "event" and method == "GET":
        require(call.caller, call.mailbox, READ_CALENDAR, GROUP_READ)
        ref = find_event(
            call.store, call.mailbox.owner_id, call.route.params["event"], calendar_scope(call, False)
        )
        rendered = render_occurrence(ref.row, ref.local_start) if ref.local_start else render_event(ref.row)
        return json_response(
            {"@odata.context": call.context("events/$entity"), **odata.select_one(rendered, call.query)}
        )
    if kind == "event" and method == "DELETE":
        require(call.caller, call.mailbox, WRITE_CALENDAR, GROUP_WRITE)
        ref = find_event(
            call.store, call.mailbox.owner_id, call.route.params["event"], calendar_scope(call, False)
        )
        if ref.row["is_organizer"]:
            notice = notice_for(None, frozenset())
            cancel(
                call.store,
                CancelRequest(ref, notice, frozenset(), 0.0, action="delete", send_limit=call.send_limit),
            )
        else:
            with call.store.transaction() as connection:
                connection.execute("UPDATE events SET folder = 'deleteditems' WHERE id = ?", (ref.row["id"],))
        return Response(status_code=204)
    if kind == "instances" and method == "GET":
        require(call.caller, call.mailbox, READ_CALENDAR, GROUP_READ)
        return _instances(call)
    if kind == "calendar-view" and method == "GET":
        require(call.caller, call.mailbox, READ_CALENDAR, GROUP_READ)
        return _calendar_view(call)
    raise method_not_allowed({"events": "GET, POST", "event": "GET, DELETE"}.get(kind, "GET"))


def _rows_in(call: Call, calendar_ids: set[str] | None) -> list[Any]:
    rows = call.store.rows(
        "SELECT * FROM events WHERE owner_id = ? AND folder = 'calendar' AND hidden_master = 0 "
        "AND visible_at <= ? ORDER BY created",
        (call.mailbox.owner_id, time.time()),
    )
    return [row for row in rows if calendar_ids is None or row["calendar_id"] in calendar_ids]


def _list(call: Call, items: list[dict[str, Any]], context: str) -> Response:
    answer = odata.apply_query(items, call.query, call.page_url)
    return json_response({"@odata.context": call.context(context), **answer})


def _instances(call: Call) -> Response:
    ref = find_event(
        call.store,
        call.mailbox.owner_id,
        call.route.params["event"],
        calendar_scope(call, False),
        allow_hidden_master=True,
    )
    start = parse_window_bound(call.query.get("startDateTime"), "startDateTime")
    end = parse_window_bound(call.query.get("endDateTime"), "endDateTime")
    if ref.day is not None or not doc_of(ref.row).get("recurrence"):
        return _list(call, [], "events")
    include_cancelled = not ref.row["is_organizer"]
    items = [
        render_occurrence(ref.row, local)
        for local in occurrence_starts(ref.row, start, end, include_cancelled)
    ]
    return _list(call, items, f"events('{ref.row['id']}')/instances")


def _calendar_view(call: Call) -> Response:
    start = parse_window_bound(call.query.get("startDateTime"), "startDateTime")
    end = parse_window_bound(call.query.get("endDateTime"), "endDateTime")
    items: list[dict[str, Any]] = []
    rows = call.store.rows(
        "SELECT * FROM events WHERE owner_id = ? AND folder = 'calendar' AND visible_at <= ? "
        "ORDER BY created",
        (call.mailbox.owner_id, time.time()),
    )
    scope = calendar_scope(call, True)
    for row in rows:
        if scope is not None and row["calendar_id"] not in scope:
            continue
        document = doc_of(row)
        if document.get("recurrence"):
            items += [
                render_occurrence(row, local)
                for local in occurrence_starts(row, start, end, not row["is_organizer"])
            ]
        elif overlaps(document, start, end):
            items.append(render_event(row))
    items.sort(key=lambda item: item["start"]["dateTime"])
    return _list(call, items, "calendarView")


def _cancel(call: Call) -> Response:
    faults = call.faults
    if call.request.method != "POST":
        if Fault.OTHER_METHODS_500 in faults:
            raise GraphError(500, "InternalServerError", "An internal server error occurred.")
        raise method_not_allowed("POST")
    if route_missing(call.route.route_family) in faults:
        raise GraphError(404, "ResourceNotFound", "Resource not found for the segment 'cancel'.")
    require_cancel(call.caller, call.mailbox, call.route, faults)
    event_id = call.route.params["event"]
    if decode_id(event_id) is None:
        if Fault.MALFORMED_ID_404 in faults:
            raise not_found()
        raise malformed_id()
    try:
        body = _cancel_body(call)
    except GraphError as error:
        _refused_yet_cancelled(call, event_id, error)
        raise
    with_body = _body_on_202(call, body)
    if Fault.GAP_STATIC in faults:
        return _accepted(faults, with_body)  # a canned mock: any well-formed id is "cancelled"
    try:
        ref = find_event(call.store, call.mailbox.owner_id, event_id, calendar_scope(call, False))
    except GraphError as error:
        if error.status == 404 and Fault.UNKNOWN_ID_400 in faults:
            raise bad_request("The specified id is not valid.", "ErrorInvalidRequest") from error
        if error.status == 404 and Fault.SECOND_CANCEL_202 in faults and _was_cancelled(call, event_id):
            return _accepted(faults, with_body)
        raise
    notice = notice_for(body, faults)
    request = CancelRequest(ref, notice, faults, call.settings.message_delay_s, send_limit=call.send_limit)
    try:
        cancel(call.store, request, apply_delay_s=call.settings.apply_delay_s)
    except GraphError as error:
        _refused_yet_cancelled(call, event_id, error)
        raise
    return _accepted(faults, with_body)


def _refused_yet_cancelled(call: Call, event_id: str, error: GraphError) -> None:
    """refused-yet-cancelled: a 400 to a cancel still marks the event it addresses cancelled."""
    if error.status != 400 or Fault.REFUSED_YET_CANCELLED not in call.faults:
        return
    try:
        ref = find_event(call.store, call.mailbox.owner_id, event_id, calendar_scope(call, False))
    except GraphError:
        return
    mark_cancelled(call.store, ref.row["id"], call.settings.apply_delay_s)


def _body_on_202(call: Call, body: dict[str, Any] | None) -> bool:
    """Whether a fault puts a JSON body on this cancel's 202 (all, UPN-addressed, or `Comment`-keyed)."""
    faults = call.faults
    by_upn = "@" in (call.route.principal_id or "") and Fault.BODY_ON_202_UPN in faults
    pascal = body is not None and "Comment" in body and Fault.BODY_ON_202_PASCAL in faults
    return Fault.BODY_ON_202 in faults or by_upn or pascal


def _was_cancelled(call: Call, event_id: str) -> bool:
    """True when `event_id` was removed by a cancel (not by a DELETE): for the second-cancel-202 fault."""
    removed = call.store.row(
        "SELECT doc FROM events WHERE id = ? AND owner_id = ?", (event_id, call.mailbox.owner_id)
    )
    return removed is not None and doc_of(removed).get("_removedBy") == "cancel"


def _accepted(faults: frozenset[str], with_body: bool) -> Response:
    if Fault.STATUS_200 in faults:
        return Response(status_code=200)
    if Fault.STATUS_204 in faults:
        return Response(status_code=204)
    if with_body:
        return Response(json.dumps({"status": "cancelled"}), 202, media_type="application/json")
    return Response(status_code=202)


def _cancel_body(call: Call) -> dict[str, Any] | None:
    """The validated cancel body: None when empty; 400/415 for what Graph refuses (or faults allow)."""
    faults = call.faults
    content_type = call.request.headers.get("content-type")
    if call.body.strip() and Fault.CONTENT_TYPE_STRICT in faults and content_type != "application/json":
        raise GraphError(415, "UnsupportedMediaType", "Content-Type must be application/json.")
    if not call.body.strip():
        body = None
    else:
        if content_type is not None and "json" not in content_type.lower():
            raise GraphError(
                415,
                "UnsupportedMediaType",
                f"The content type '{content_type}' is not supported; send application/json.",
            )
        try:
            body = parse_json(call.body)
            parsed = True
        except GraphError:
            if Fault.MALFORMED_JSON_ACCEPTED not in faults:
                raise
            body, parsed = None, False
        if parsed and not isinstance(body, dict):
            raise bad_request(
                "The request body must be a JSON object with an optional 'comment'.", "RequestBodyRead"
            )
    parameters = {key: value for key, value in (body or {}).items() if "@odata" not in key}
    unknown = [key for key in parameters if key.lower() != "comment"]
    if unknown and Fault.UNKNOWN_PARAMETER_ACCEPTED not in faults:
        raise bad_request(
            f"The parameter '{unknown[0]}' in the request payload is not a valid parameter for the "
            f"operation 'cancel'.",
            "RequestBodyRead",
        )
    comments = {key: value for key, value in parameters.items() if key.lower() == "comment"}
    for value in comments.values():
        if value is not None and not isinstance(value, str) and Fault.LENIENT_BODY not in faults:
            raise bad_request(
                f"Cannot convert the literal '{json.dumps(value)}' to the expected type 'Edm.String'.",
                "RequestBodyRead",
            )
    normalized = {
        ("Comment" if key == "Comment" else "comment"): (
            value if isinstance(value, str | None) else json.dumps(value)
        )
        for key, value in comments.items()
    }
    if Fault.COMMENT_REQUIRED_BODY in faults and not normalized:
        raise bad_request("The parameter 'comment' is required.", "ErrorInvalidRequest")
    if Fault.COMMENT_REQUIRED in faults and not any(normalized.values()):
        raise bad_request("The parameter 'comment' is required.", "ErrorInvalidRequest")
    text = next((value for value in normalized.values() if isinstance(value, str)), "")
    if Fault.COMMENT_500_NON_ASCII in faults and not text.isascii():
        raise GraphError(500, "InternalServerError", "An internal server error occurred.")
    if Fault.COMMENT_500_LONG in faults and len(text) > 1000:
        raise GraphError(500, "InternalServerError", "An internal server error occurred.")
    return normalized if body is not None else None
