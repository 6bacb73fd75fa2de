"""Event endpoints: list/create, get/delete, instances, calendarView; the actions (actions/) dispatched."""

from __future__ import annotations

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
)
from conformance.reference.actions.answers import AnswerFault
from conformance.reference.calendar_ops import create_event, default_calendar_id, find_event
from conformance.reference.call import Call, json_response, method_not_allowed
from conformance.reference.cancellation import CancelRequest, cancel, notice_for
from conformance.reference.event_view import (
    occurrence_starts,
    overlaps,
    parse_window_bound,
    render_event,
    render_occurrence,
)
from conformance.reference.faults import Fault
from conformance.reference.graph_errors import GraphError, bad_request, not_found
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
    from conformance.reference.actions import registry  # the actions import this module: looked up late

    action = registry().get(kind)
    if action is not None:
        if action.route_missing(call.route.route_family) in call.faults:
            raise GraphError(404, "ResourceNotFound", f"Resource not found for the segment '{action.name}'.")
        return action.handler(call)
    if kind == "events" and method == "POST":
        require(call.caller, call.mailbox, WRITE_CALENDAR, GROUP_WRITE)
        scope = calendar_scope(call, for_listing=True) or set()
        payload = call.json_body()
        proposals = AnswerFault.GAP_NO_PROPOSALS not in call.faults
        if not proposals and isinstance(payload, dict) and "allowNewTimeProposals" in payload:
            raise bad_request(
                "The property 'allowNewTimeProposals' does not exist on type 'microsoft.graph.event'.",
                "RequestBodyRead",
            )
        document = create_event(
            call.store,
            call.mailbox.owner_id,
            next(iter(scope)),
            payload,
            message_delay_s=call.settings.message_delay_s,
            born_cancelled=Fault.GAP_BORN_CANCELLED in call.faults,
            without_copies=Fault.GAP_NO_ATTENDEE_COPIES in call.faults,
            send_limit=call.send_limit,
            proposals=proposals,
            attendee_statuses=AnswerFault.GAP_NO_ATTENDEE_STATUSES not in call.faults,
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
