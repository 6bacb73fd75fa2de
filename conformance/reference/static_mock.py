"""gap-static: a canned mock of the calendar API, as built from the Graph docs' examples.

Creations answer 201 echoing the body with a fresh id and store nothing; every event GET answers one canned
event (already `isCancelled: true`); listings answer a canned list; cancel still validates its request but
answers 202 to any well-formed id (in events_api). Nothing ever changes after creation.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from conformance.reference import odata
from conformance.reference.access import (
    GROUP_READ,
    GROUP_WRITE,
    READ_CALENDAR,
    READ_MAIL,
    WRITE_CALENDAR,
    require,
)
from conformance.reference.calendar_ops import validate_event_payload
from conformance.reference.call import Call, json_response
from conformance.reference.ids import mint_item_id

CANNED_EVENT_ID = "AAAAAAAAAAAAAAAA+/+/Y2FubmVkLWV2ZW50AA=="
CANNED_MESSAGE_ID = "AAAAAAAAAAAAAAAA+/+/Y2FubmVkLW1haWwAAA=="
_CANNED_TIME = {"dateTime": "2031-01-06T10:00:00.0000000", "timeZone": "UTC"}
CANNED_EVENT: dict[str, Any] = {
    "id": CANNED_EVENT_ID,
    "subject": "Canned event",
    "iCalUId": "040000008200E00074C5B7101A82E0080000000000000000000000000000000000000000",
    "isCancelled": True,
    "isOrganizer": True,
    "type": "singleInstance",
    "start": _CANNED_TIME,
    "end": {"dateTime": "2031-01-06T11:00:00.0000000", "timeZone": "UTC"},
    "body": {"contentType": "text", "content": "canned"},
    "attendees": [],
    "organizer": {"emailAddress": {"name": "Canned", "address": "canned@contoso.test"}},
    "cancelledOccurrences": [],
}
CANNED_MESSAGE: dict[str, Any] = {
    "@odata.type": "#microsoft.graph.eventMessage",
    "id": CANNED_MESSAGE_ID,
    "subject": "Canned message",
    "body": {"contentType": "text", "content": "canned"},
    "meetingMessageType": "meetingRequest",
    "receivedDateTime": "2031-01-01T00:00:00Z",
}
_CALENDAR_CREATIONS = frozenset({"calendars", "calendars-default-group", "calendar-groups"})


def answer(call: Call) -> Response | None:
    """The canned answer to this request, or None for what the mock serves like the real server."""
    method, kind = call.request.method, call.route.kind
    if method == "POST" and kind == "events":
        require(call.caller, call.mailbox, WRITE_CALENDAR, GROUP_WRITE)
        created = {**validate_event_payload(call.json_body()), "id": mint_item_id()}
        return json_response({"@odata.context": call.context("events/$entity"), **created}, 201)
    if method == "POST" and kind in _CALENDAR_CREATIONS:
        require(call.caller, call.mailbox, WRITE_CALENDAR)
        payload = call.json_body()
        echoed = payload if isinstance(payload, dict) else {}
        return json_response({**echoed, "id": mint_item_id()}, 201)
    if method == "GET" and kind == "event":
        require(call.caller, call.mailbox, READ_CALENDAR, GROUP_READ)
        return json_response({"@odata.context": call.context("events/$entity"), **CANNED_EVENT})
    if method == "DELETE" and kind == "event":
        require(call.caller, call.mailbox, WRITE_CALENDAR, GROUP_WRITE)
        return Response(status_code=204)
    if method == "GET" and kind in ("events", "calendar-view", "instances"):
        require(call.caller, call.mailbox, READ_CALENDAR, GROUP_READ)
        return _listing(call, CANNED_EVENT, "events")
    if method == "GET" and kind == "messages" and call.mailbox.kind == "user":
        require(call.caller, call.mailbox, READ_MAIL)
        return _listing(call, CANNED_MESSAGE, "messages")
    if method == "GET" and kind == "message" and call.mailbox.kind == "user":
        require(call.caller, call.mailbox, READ_MAIL)
        return json_response({"@odata.context": call.context("messages/$entity"), **CANNED_MESSAGE})
    return None


def _listing(call: Call, item: dict[str, Any], context: str) -> Response:
    answer = odata.apply_query([dict(item)], call.query, call.page_url)
    return json_response({"@odata.context": call.context(context), **answer})
