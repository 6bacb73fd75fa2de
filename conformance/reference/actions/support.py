"""What every action shares: its body read as Graph's OData reader does, the event it addresses, its answer
and its effects applied now or, under serve --apply-delay-ms, later."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.responses import Response

from conformance.reference import recurrence
from conformance.reference.auth import Principal
from conformance.reference.calendar_ops import EventRef, find_event
from conformance.reference.call import Call
from conformance.reference.graph_errors import GraphError, bad_request, malformed_id
from conformance.reference.ids import decode_id
from conformance.reference.mail import SendLimit, send_event_message
from conformance.reference.payload import parse_json
from conformance.reference.seed import DELEGATED_ALL, user
from conformance.reference.store import Store

# a parameter's reader: the value as given -> the value the action uses; GraphError 400 when it is wrong
Reader = Callable[[Any, str], Any]


def read_body(
    call: Call, action: str, parameters: dict[str, Reader], *, strict_content_type: bool = False
) -> dict[str, Any]:
    """The action's parameters by their declared name (names match regardless of case); 400/415 otherwise.

    No body or `{}` is no parameter; null is as if absent; an undeclared member, a value of the wrong type
    or a body that is not a JSON object is refused with 400 (RequestBodyRead), like cancel's.
    """
    content_type = call.request.headers.get("content-type")
    if call.body.strip() and strict_content_type and content_type != "application/json":
        raise GraphError(415, "UnsupportedMediaType", "Content-Type must be application/json.")
    if not call.body.strip():
        return {}
    if content_type is not None and "json" not in content_type.lower():
        raise GraphError(
            415,
            "UnsupportedMediaType",
            f"The content type '{content_type}' is not supported; send application/json.",
        )
    body = parse_json(call.body)
    if not isinstance(body, dict):
        raise bad_request(f"The request body of '{action}' must be a JSON object.", "RequestBodyRead")
    declared = {name.lower(): name for name in parameters}
    values: dict[str, Any] = {}
    for key, value in body.items():
        if "@odata" in key:
            continue
        name = declared.get(key.lower())
        if name is None:
            raise bad_request(
                f"The parameter '{key}' in the request payload is not a valid parameter for the operation "
                f"'{action}'.",
                "RequestBodyRead",
            )
        if value is not None:
            values[name] = parameters[name](value, name)
    return values


def string(value: Any, name: str) -> str:
    """An Edm.String parameter."""
    if not isinstance(value, str):
        raise _wrong_type(value, "Edm.String")
    return value


def boolean(value: Any, name: str) -> bool:
    """An Edm.Boolean parameter."""
    if not isinstance(value, bool):
        raise _wrong_type(value, "Edm.Boolean")
    return value


def date_time_time_zone(value: Any, name: str) -> datetime:
    """A dateTimeTimeZone {dateTime, timeZone} (members regardless of case) as an aware UTC datetime."""
    members = _members(value, name, ("dateTime", "timeZone"), "microsoft.graph.dateTimeTimeZone")
    moment = members.get("dateTime")
    if not isinstance(moment, str):
        raise bad_request(
            f"'{name}.dateTime' is required: a date and time such as 2031-05-05T10:00:00.", "RequestBodyRead"
        )
    zone_name = members.get("timeZone")
    if zone_name is not None and not isinstance(zone_name, str):
        raise _wrong_type(zone_name, "Edm.String")
    local = recurrence.parse_local(moment, f"{name}.dateTime")
    try:
        return recurrence.to_utc(local, zone_name or "UTC")
    except (OverflowError, ValueError) as error:
        raise bad_request(f"'{name}' is out of range.", "ErrorInvalidRequest") from error


def time_slot(value: Any, name: str) -> dict[str, datetime]:
    """A timeSlot {start, end} of dateTimeTimeZone values, as aware UTC datetimes."""
    members = _members(value, name, ("start", "end"), "microsoft.graph.timeSlot")
    if "start" not in members or "end" not in members:
        raise bad_request(f"'{name}' needs both 'start' and 'end'.", "RequestBodyRead")
    start = date_time_time_zone(members["start"], f"{name}.start")
    end = date_time_time_zone(members["end"], f"{name}.end")
    if end < start:
        raise bad_request(f"The end of '{name}' must not be before its start.", "ErrorInvalidRequest")
    return {"start": start, "end": end}


def recipients(value: Any, name: str) -> list[dict[str, str]]:
    """A recipient collection: [{emailAddress: {address, name}}], as emailAddress objects."""
    if not isinstance(value, list):
        raise _wrong_type(value, "Collection(microsoft.graph.recipient)")
    found: list[dict[str, str]] = []
    for item in value:
        recipient = _members(item, name, ("emailAddress",), "microsoft.graph.recipient")
        email = _members(
            recipient.get("emailAddress"),
            f"{name}.emailAddress",
            ("address", "name"),
            "microsoft.graph.emailAddress",
        )
        address, display = email.get("address"), email.get("name")
        if not isinstance(address, str) or not isinstance(display, str | None):
            raise _wrong_type(address if not isinstance(address, str) else display, "Edm.String")
        found.append({"name": display or address, "address": address})
    return found


def _members(value: Any, name: str, allowed: tuple[str, ...], type_name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _wrong_type(value, type_name)
    spelled = {member.lower(): member for member in allowed}
    members: dict[str, Any] = {}
    for key, item in value.items():
        if "@odata" in key:
            continue
        if key.lower() not in spelled:
            raise bad_request(
                f"The property '{key}' does not exist on type '{type_name}'.", "RequestBodyRead"
            )
        members[spelled[key.lower()]] = item
    return members


def _wrong_type(value: Any, type_name: str) -> GraphError:
    return bad_request(
        f"Cannot convert the literal '{json.dumps(value)[:80]}' to the expected type '{type_name}'.",
        "RequestBodyRead",
    )


def addressed_event(call: Call) -> EventRef:
    """The event (or occurrence) the action's path names in the addressed calendars; 400 malformed, 404."""
    from conformance.reference.events_api import calendar_scope  # events_api dispatches to the actions

    event_id = call.route.params["event"]
    if decode_id(event_id) is None:
        raise malformed_id()
    return find_event(call.store, call.mailbox.owner_id, event_id, calendar_scope(call, False))


def check_event_id(call: Call) -> None:
    """400 ErrorInvalidIdMalformed before the body is read, as cancel does."""
    if decode_id(call.route.params["event"]) is None:
        raise malformed_id()


def done(status: int, with_body: bool = False) -> Response:
    """A success without a body (or, under a fault, with one)."""
    if with_body:
        return Response(json.dumps({"status": "done"}), status, media_type="application/json")
    return Response(status_code=status)


Effect = Callable[[sqlite3.Connection, float], None]


def apply(store: Store, effect: Effect, delay_s: float = 0.0) -> None:
    """Run `effect(connection, now)` in one transaction now, or `delay_s` later in the background (a server
    that answers before doing the work: serve --apply-delay-ms); a later failure changes nothing."""
    if delay_s > 0:
        threading.Thread(target=_run_later, args=(store, effect, delay_s), daemon=True).start()
    else:
        _run(store, effect)


def _run(store: Store, effect: Effect) -> None:
    with store.transaction() as connection:
        effect(connection, time.time())


def _run_later(store: Store, effect: Effect, delay_s: float) -> None:
    time.sleep(delay_s)
    with contextlib.suppress(GraphError, sqlite3.Error):  # e.g. the server stopped meanwhile
        _run(store, effect)


@dataclass(frozen=True)
class Mail:
    """An eventMessage about `event` (its organizer's document) to the user row `to`, linked to their
    `linked_event_id`, sent by `sender`."""

    to: sqlite3.Row  # a users row: id, upn, display_name
    sender: dict[str, str]
    event: dict[str, Any]
    linked_event_id: str
    message_type: str
    subject: str
    body: str
    odata_type: str = "#microsoft.graph.eventMessage"
    extra: dict[str, Any] | None = None


def deliver(connection: sqlite3.Connection, mail: Mail, visible_at: float, now: float,
            send_limit: SendLimit | None) -> None:
    """Put `mail` in its recipient's Inbox, listed from `visible_at` on (later past the sending limit)."""
    to, organizer = {"name": mail.to["display_name"], "address": mail.to["upn"]}, mail.event["organizer"]
    send_event_message(
        connection, recipient_id=mail.to["id"], recipient=to, organizer=organizer["emailAddress"],
        event_doc=mail.event, recipient_event_id=mail.linked_event_id, meeting_message_type=mail.message_type,
        subject=mail.subject, body_text=mail.body, visible_at=visible_at, now=now, send_limit=send_limit,
        sender=mail.sender, odata_type=mail.odata_type, extra=mail.extra,
    )


def stand_in(store: Store, route_params: dict[str, str]) -> Principal:
    """Whom a request without a token acts as under an action's *-auth-ignored switch: the owner of the
    event its path names (the organizer when there is none), with every delegated permission."""
    event_id = route_params.get("event", "")
    found = store.row("SELECT owner_id FROM events WHERE id = ?", (event_id,))
    owner = str(found["owner_id"]) if found is not None else user("organizer").user_id
    return Principal("delegated", frozenset(DELEGATED_ALL.split()), "anonymous", "", owner)
