"""Calendar operations: creating events with attendee copies, and finding events and occurrences."""

from __future__ import annotations

import sqlite3
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from conformance.reference import recurrence
from conformance.reference.event_view import occurrence_starts, times_of
from conformance.reference.graph_errors import bad_request, malformed_id, not_found
from conformance.reference.ids import decode_id, mint_change_key, mint_item_id, split_occurrence_id
from conformance.reference.mail import SendLimit, iso, send_event_message
from conformance.reference.store import Store, doc_of, dump

EVENT_PROPERTIES = frozenset(
    {
        "subject",
        "body",
        "start",
        "end",
        "attendees",
        "location",
        "locations",
        "recurrence",
        "isAllDay",
        "isOnlineMeeting",
        "onlineMeetingProvider",
        "showAs",
        "sensitivity",
        "importance",
        "categories",
        "reminderMinutesBeforeStart",
        "isReminderOn",
        "responseRequested",
        "allowNewTimeProposals",
        "transactionId",
        "organizer",
        "hideAttendees",
        "originalStartTimeZone",
        "originalEndTimeZone",
        "type",
    }
)
MIN_YEAR, MAX_YEAR = 1601, 4500  # Exchange's calendar range; keeps recurrence and zone arithmetic in range


@dataclass(frozen=True)
class EventRef:
    """A found event row, and the occurrence day when the id named an occurrence."""

    row: sqlite3.Row
    day: str | None = None
    local_start: datetime | None = None


def find_user(store: Store, key: str) -> sqlite3.Row | None:
    """A user by object id or userPrincipalName (case-insensitive)."""
    return store.row("SELECT * FROM users WHERE id = ? COLLATE NOCASE OR upn = ?", (key, key))


def default_calendar_id(store: Store, owner_id: str) -> str:
    """The id of the owner's (user's or group's) default calendar."""
    found = store.row("SELECT id FROM calendars WHERE owner_id = ? AND is_default = 1", (owner_id,))
    if found is None:
        raise not_found()
    return str(found["id"])


def validate_event_payload(payload: Any) -> dict[str, Any]:
    """The event properties of a POST body, without annotations; 400 on anything Graph would refuse."""
    if not isinstance(payload, dict):
        raise bad_request("The request body must be a JSON object describing an event.", "RequestBodyRead")
    properties = {key: value for key, value in payload.items() if "@odata" not in key}
    unknown = sorted(set(properties) - EVENT_PROPERTIES)
    if unknown:
        raise bad_request(
            f"The property '{unknown[0]}' does not exist on type 'microsoft.graph.event'. Make sure "
            f"to only use property names that are defined by the type.",
            "RequestBodyRead",
        )
    if not isinstance(properties.get("subject", ""), str | None):
        raise bad_request("Property 'subject' must be a string.", "RequestBodyRead")
    for field in ("start", "end"):
        moment = properties.get(field)
        if not isinstance(moment, dict) or "dateTime" not in moment:
            raise bad_request(
                f'Property \'{field}\' is required: {{"dateTime": ..., "timeZone": ...}}.',
                "ErrorInvalidRequest",
            )
        recurrence.parse_local(moment["dateTime"], f"{field}.dateTime")
        recurrence.zone(moment.get("timeZone"))
    start, duration, _ = times_of(properties)
    if not (MIN_YEAR <= start.year and (start + duration).year <= MAX_YEAR):
        raise bad_request(
            f"Events must lie between the years {MIN_YEAR} and {MAX_YEAR}.", "ErrorInvalidRequest"
        )
    if duration < timedelta(0):
        raise bad_request("The end of the event must not be before its start.", "ErrorInvalidRequest")
    attendees = properties.get("attendees") or []
    if not isinstance(attendees, list) or not all(
        isinstance(attendee, dict)
        and isinstance(attendee.get("emailAddress"), dict)
        and isinstance(attendee["emailAddress"].get("address"), str)
        for attendee in attendees
    ):
        raise bad_request(
            "Property 'attendees' must be a list of {emailAddress: {address, name}}.", "RequestBodyRead"
        )
    if properties.get("recurrence") is not None:
        recurrence.validate(properties["recurrence"])
    body = properties.get("body")
    if body is not None and not (isinstance(body, dict) and isinstance(body.get("content", ""), str)):
        raise bad_request("Property 'body' must be an itemBody {contentType, content}.", "RequestBodyRead")
    return properties


def create_event(
    store: Store,
    owner_id: str,
    calendar_id: str,
    payload: Any,
    *,
    message_delay_s: float,
    now: float | None = None,
    born_cancelled: bool = False,
    without_copies: bool = False,
    send_limit: SendLimit | None = None,
    proposals: bool = True,
    attendee_statuses: bool = True,
) -> dict[str, Any]:
    """Create an event (organizer copy + a copy and meeting request per seeded attendee); return its doc.

    born_cancelled (gap-born-cancelled): the event and its copies show isCancelled from the start;
    without_copies (gap-no-attendee-copies): attendees get the meeting request but no copy;
    proposals False (gap-no-proposals): no allowNewTimeProposals; attendee_statuses False
    (gap-no-attendee-statuses): the organizer's attendees[] carry no status.
    """
    properties = validate_event_payload(payload)
    now = time.time() if now is None else now
    organizer_address = _address_of(store, owner_id)
    attendees = [_attendee(attendee, attendee_statuses) for attendee in properties.get("attendees") or []]
    recurrence_value = properties.get("recurrence")
    body = properties.get("body") or {"contentType": "text", "content": ""}
    event_id = mint_item_id()
    document: dict[str, Any] = {
        "id": event_id,
        "createdDateTime": iso(now),
        "lastModifiedDateTime": iso(now),
        "changeKey": mint_change_key(),
        "categories": properties.get("categories") or [],
        "transactionId": properties.get("transactionId"),
        "originalStartTimeZone": properties["start"].get("timeZone") or "UTC",
        "originalEndTimeZone": properties["end"].get("timeZone") or "UTC",
        "iCalUId": "040000008200E00074C5B7101A82E00800000000" + uuid.uuid4().hex.upper(),
        "reminderMinutesBeforeStart": properties.get("reminderMinutesBeforeStart", 15),
        "isReminderOn": properties.get("isReminderOn", True),
        "hasAttachments": False,
        "subject": properties.get("subject") or "",
        "bodyPreview": str(body.get("content", ""))[:255],
        "importance": properties.get("importance", "normal"),
        "sensitivity": properties.get("sensitivity", "normal"),
        "isAllDay": bool(properties.get("isAllDay", False)),
        "isCancelled": False,
        "isOrganizer": True,
        "responseRequested": properties.get("responseRequested", True),
        "seriesMasterId": None,
        "showAs": properties.get("showAs", "busy"),
        "type": "seriesMaster" if recurrence_value else "singleInstance",
        "isOnlineMeeting": bool(properties.get("isOnlineMeeting", False)),
        "allowNewTimeProposals": properties.get("allowNewTimeProposals", True),
        "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
        "body": {"contentType": body.get("contentType", "text"), "content": body.get("content", "")},
        "start": {
            "dateTime": properties["start"]["dateTime"],
            "timeZone": properties["start"].get("timeZone") or "UTC",
        },
        "end": {
            "dateTime": properties["end"]["dateTime"],
            "timeZone": properties["end"].get("timeZone") or "UTC",
        },
        "location": properties.get("location") or {"displayName": "", "locationType": "default"},
        "locations": properties.get("locations") or [],
        "recurrence": recurrence_value,
        "cancelledOccurrences": [],
        "attendees": attendees,
        "organizer": {"emailAddress": organizer_address},
    }
    if not proposals:
        del document["allowNewTimeProposals"]
    delay_until = now + message_delay_s
    cancelled_at = now if born_cancelled else None
    with store.transaction() as connection:
        _insert_event(connection, event_id, owner_id, calendar_id, document, True, now, now, cancelled_at)
        for attendee in attendees:
            invitee = connection.execute(
                "SELECT * FROM users WHERE upn = ?", (attendee["emailAddress"]["address"],)
            ).fetchone()
            if invitee is None or invitee["id"] == owner_id:
                continue
            copy_id, copy = attendee_copy(document)
            if not without_copies:
                insert_copy(connection, invitee["id"], copy, delay_until, now, cancelled_at)
            send_event_message(
                connection,
                recipient_id=invitee["id"],
                recipient=attendee["emailAddress"],
                organizer=organizer_address,
                event_doc=copy,
                recipient_event_id="" if without_copies else copy_id,
                meeting_message_type="meetingRequest",
                subject=document["subject"],
                body_text=document["body"]["content"],
                visible_at=delay_until,
                now=now,
                send_limit=send_limit,
            )
    return document


def attendee_copy(document: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(a new id, an invitee's copy of the organizer's event `document`, not yet responded)."""
    copy_id = mint_item_id()
    not_responded = {"response": "notResponded", "time": "0001-01-01T00:00:00Z"}
    copy = {**document, "id": copy_id, "isOrganizer": False, "changeKey": mint_change_key()}
    copy["responseStatus"] = not_responded
    copy.pop("_reminders", None)
    return copy_id, copy


def insert_copy(
    connection: sqlite3.Connection,
    owner_id: str,
    copy: dict[str, Any],
    visible_at: float,
    now: float,
    cancelled_at: float | None = None,
) -> None:
    """File an attendee's copy in the owner's default calendar, listed from `visible_at` on."""
    calendar_id = connection.execute(
        "SELECT id FROM calendars WHERE owner_id = ? AND is_default = 1", (owner_id,)
    ).fetchone()["id"]
    _insert_event(connection, copy["id"], owner_id, calendar_id, copy, False, visible_at, now, cancelled_at)


def find_event(
    store: Store,
    owner_id: str,
    event_id: str,
    calendar_ids: set[str] | None,
    now: float | None = None,
    *,
    allow_hidden_master: bool = False,
) -> EventRef:
    """The event or occurrence `event_id` in the owner's calendars (or `calendar_ids`); 400/404 otherwise."""
    now = time.time() if now is None else now
    if decode_id(event_id) is None:
        raise malformed_id()
    occurrence = split_occurrence_id(event_id)
    row = store.row(
        "SELECT * FROM events WHERE id = ? AND owner_id = ? AND folder = 'calendar' AND visible_at <= ?",
        (occurrence[0] if occurrence else event_id, owner_id, now),
    )
    if row is None or (calendar_ids is not None and row["calendar_id"] not in calendar_ids):
        raise not_found()
    if occurrence is None:
        if row["hidden_master"] and not allow_hidden_master:
            raise not_found()
        return EventRef(row)
    master = doc_of(row)
    if not master.get("recurrence"):
        raise not_found()
    day = occurrence[1]
    try:
        day_start = datetime.fromisoformat(day)
    except ValueError as error:
        raise not_found() from error
    _, _, zone_name = times_of(master)
    window_start = recurrence.to_utc(day_start, zone_name)
    include_cancelled = not row["is_organizer"]
    for local_start in occurrence_starts(
        row, window_start, window_start + timedelta(days=1), include_cancelled
    ):
        if local_start.date().isoformat() == day:
            return EventRef(row, day, local_start)
    raise not_found()


def _insert_event(
    connection: sqlite3.Connection,
    event_id: str,
    owner_id: str,
    calendar_id: str,
    document: dict[str, Any],
    is_organizer: bool,
    visible_at: float,
    now: float,
    cancel_visible_at: float | None = None,
) -> None:
    connection.execute(
        "INSERT INTO events (id, owner_id, calendar_id, ical_uid, is_organizer, folder, visible_at, created,"
        " cancel_visible_at, doc) VALUES (?, ?, ?, ?, ?, 'calendar', ?, ?, ?, ?)",
        (
            event_id,
            owner_id,
            calendar_id,
            document["iCalUId"],
            int(is_organizer),
            visible_at,
            now,
            cancel_visible_at,
            dump(document),
        ),
    )


def _address_of(store: Store, owner_id: str) -> dict[str, str]:
    person = store.row("SELECT display_name, upn FROM users WHERE id = ?", (owner_id,))
    if person is not None:
        return {"name": person["display_name"], "address": person["upn"]}
    group = store.row("SELECT display_name, mail FROM groups WHERE id = ?", (owner_id,))
    if group is None:
        raise not_found()
    return {"name": group["display_name"], "address": group["mail"]}


def _attendee(attendee: dict[str, Any], with_status: bool = True) -> dict[str, Any]:
    email = attendee["emailAddress"]
    entry = {
        "type": attendee.get("type", "required"),
        "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
        "emailAddress": {"name": email.get("name") or email["address"], "address": email["address"]},
    }
    if not with_status:
        del entry["status"]
    return entry
