"""POST .../events/{id}/forward {ToRecipients, Comment}: each recipient gets the meeting request; forwarded
by an attendee, the organizer is notified and the recipients join the organizer's copy (Calendars.Read)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from starlette.responses import Response

from conformance.reference.access import GROUP_READ, GROUP_WRITE, READ_CALENDAR, WRITE_CALENDAR
from conformance.reference.actions import Action
from conformance.reference.actions.route_switches import PERMISSIONS, UNKNOWN_PARAMETER
from conformance.reference.actions.support import (
    Mail,
    Permission,
    Reader,
    addressed_event,
    apply,
    check_event_id,
    check_permission,
    deliver,
    done,
    read_body,
    recipients,
    string,
)
from conformance.reference.calendar_ops import attendee_copy, insert_copy
from conformance.reference.call import Call
from conformance.reference.faults import FaultDefinition
from conformance.reference.graph_errors import bad_request
from conformance.reference.ids import mint_change_key
from conformance.reference.mail import SendLimit, iso
from conformance.reference.store import doc_of, dump

FORWARD = ("forward",)
NOTIFICATION_PREFIX = "Meeting Forward Notification"  # as Outlook titles it


class ForwardFault(StrEnum):
    """forward's switches."""

    NO_REQUEST = "forward-no-request"
    ORGANIZER_NOT_NOTIFIED = "forward-organizer-not-notified"
    ORGANIZER_COPY_UNCHANGED = "forward-organizer-copy-unchanged"
    NEEDS_READWRITE = "forward-needs-readwrite"
    EMPTY_COMMENT_REFUSED = "forward-empty-comment-refused"
    AUTH_IGNORED = "forward-auth-ignored"
    STATUS_200 = "forward-status-200"
    BODY_ON_202 = "forward-body-on-202"
    CONTENT_TYPE_STRICT = "forward-content-type-strict"
    SCOPES_IGNORED = "forward-scopes-ignored"
    APP_TOKEN_REFUSED = "forward-app-token-refused"
    PERSONAL_REFUSED = "forward-personal-refused"


@dataclass(frozen=True)
class _Forwarded:
    event_id: str
    ical_uid: str
    by_attendee: bool
    forwarder_id: str
    to: tuple[dict[str, str], ...]
    comment: str
    faults: frozenset[str]
    message_delay_s: float
    send_limit: SendLimit | None


_BENT = {
    "scopes_ignored": ForwardFault.SCOPES_IGNORED,
    "app_refused": ForwardFault.APP_TOKEN_REFUSED,
    "personal_refused": ForwardFault.PERSONAL_REFUSED,
}
READ = Permission(READ_CALENDAR, GROUP_READ, **_BENT)  # the page: Calendars.Read
READWRITE = Permission(WRITE_CALENDAR, GROUP_WRITE, **_BENT)  # forward-needs-readwrite


def _forward(call: Call) -> Response:
    faults = call.faults
    check_permission(call, READWRITE if ForwardFault.NEEDS_READWRITE in faults else READ)
    check_event_id(call)
    parameters: dict[str, Reader] = {"ToRecipients": recipients, "Comment": string}
    strict = ForwardFault.CONTENT_TYPE_STRICT in faults
    body = read_body(call, "forward", parameters, strict_content_type=strict)
    comment = str(body.get("Comment") or "")
    if ForwardFault.EMPTY_COMMENT_REFUSED in faults and "Comment" in body and not comment:
        raise bad_request("The parameter 'Comment' must not be empty.", "ErrorInvalidRequest")
    ref = addressed_event(call)
    forwarder = (
        call.caller.user_id if call.caller.user_id and not call.caller.is_app else call.mailbox.owner_id
    )
    forwarded = _Forwarded(
        event_id=ref.row["id"],
        ical_uid=ref.row["ical_uid"],
        by_attendee=not ref.row["is_organizer"],
        forwarder_id=forwarder if call.mailbox.kind == "user" else call.mailbox.owner_id,
        to=tuple(body.get("ToRecipients") or ()),
        comment=comment,
        faults=faults,
        message_delay_s=call.settings.message_delay_s,
        send_limit=call.send_limit,
    )
    apply(
        call.store, lambda connection, now: _deliver(connection, forwarded, now), call.settings.apply_delay_s
    )
    return done(200 if ForwardFault.STATUS_200 in faults else 202, ForwardFault.BODY_ON_202 in faults)


def _deliver(connection: sqlite3.Connection, forwarded: _Forwarded, now: float) -> None:
    """The forward's effects: the requests, and for an attendee's forward the organizer's notice and copy."""
    row = connection.execute("SELECT * FROM events WHERE id = ?", (forwarded.event_id,)).fetchone()
    if row is None:
        return
    event = doc_of(row)
    sender = _address(connection, forwarded.forwarder_id) or event["organizer"]["emailAddress"]
    visible_at = now + forwarded.message_delay_s
    delivered: list[dict[str, str]] = []
    for recipient in forwarded.to:
        user = connection.execute(
            "SELECT id, upn, display_name FROM users WHERE upn = ?", (recipient["address"],)
        ).fetchone()
        if user is None or user["id"] == forwarded.forwarder_id:
            continue
        delivered.append({"name": user["display_name"], "address": user["upn"]})
        if ForwardFault.NO_REQUEST in forwarded.faults:
            continue
        copy_id = _copy_for(connection, user["id"], event, visible_at, now)
        request = Mail(user, sender, event, copy_id, "meetingRequest", f"FW: {event.get('subject', '')}",
                       forwarded.comment)
        deliver(connection, request, visible_at, now, forwarded.send_limit)
    if not forwarded.by_attendee or not delivered:
        return
    organizer_row = connection.execute(
        "SELECT * FROM events WHERE ical_uid = ? AND is_organizer = 1 AND folder = 'calendar'",
        (forwarded.ical_uid,),
    ).fetchone()
    if organizer_row is None:
        return
    if ForwardFault.ORGANIZER_COPY_UNCHANGED not in forwarded.faults:
        _add_attendees(connection, organizer_row, delivered, now)
    if ForwardFault.ORGANIZER_NOT_NOTIFIED not in forwarded.faults:
        _notify_organizer(connection, organizer_row, sender, delivered, forwarded, visible_at, now)


def _copy_for(
    connection: sqlite3.Connection, owner_id: str, event: dict[str, Any], visible_at: float, now: float
) -> str:
    """The recipient's copy of the meeting (made as for an invitee, unless they already have one)."""
    existing = connection.execute(
        "SELECT id FROM events WHERE ical_uid = ? AND owner_id = ? AND folder = 'calendar'",
        (event["iCalUId"], owner_id),
    ).fetchone()
    if existing is not None:
        return str(existing["id"])
    copy_id, copy = attendee_copy(event)
    insert_copy(connection, owner_id, copy, visible_at, now)
    return copy_id


def _add_attendees(
    connection: sqlite3.Connection, organizer_row: sqlite3.Row, added: list[dict[str, str]], now: float
) -> None:
    """The forwarded-to recipients join the organizer's attendees (not yet responded)."""
    event = doc_of(organizer_row)
    attendees = event.setdefault("attendees", [])
    known = {str(item.get("emailAddress", {}).get("address", "")).lower() for item in attendees}
    with_status = any("status" in item for item in attendees) or not attendees
    for address in added:
        if address["address"].lower() in known:
            continue
        entry: dict[str, Any] = {"type": "optional", "emailAddress": dict(address)}
        if with_status:
            entry["status"] = {"response": "none", "time": "0001-01-01T00:00:00Z"}
        attendees.append(entry)
    event.update({"changeKey": mint_change_key(), "lastModifiedDateTime": iso(now)})
    connection.execute("UPDATE events SET doc = ? WHERE id = ?", (dump(event), organizer_row["id"]))


def _notify_organizer(
    connection: sqlite3.Connection,
    organizer_row: sqlite3.Row,
    sender: dict[str, str],
    delivered: list[dict[str, str]],
    forwarded: _Forwarded,
    visible_at: float,
    now: float,
) -> None:
    """The organizer's Meeting Forward Notification (an eventMessage linked to their event)."""
    organizer = connection.execute(
        "SELECT id, upn, display_name FROM users WHERE id = ?", (organizer_row["owner_id"],)
    ).fetchone()
    if organizer is None:
        return
    event = doc_of(organizer_row)
    names = ", ".join(address["name"] for address in delivered)
    text = f"Your meeting was forwarded. {sender['name']} has forwarded your meeting request to additional " \
        f"recipients: {names}."
    subject = f"{NOTIFICATION_PREFIX}: {event.get('subject', '')}"
    notice = Mail(organizer, sender, event, organizer_row["id"], "none", subject, text)
    deliver(connection, notice, visible_at, now, forwarded.send_limit)


def _address(connection: sqlite3.Connection, user_id: str) -> dict[str, str] | None:
    found = connection.execute("SELECT upn, display_name FROM users WHERE id = ?", (user_id,)).fetchone()
    return {"name": found["display_name"], "address": found["upn"]} if found else None


ACTION = Action(
    "forward", _forward, groups=True, auth_ignored=ForwardFault.AUTH_IGNORED, prefix="FORWARD",
    checked=("202-EMPTY", *PERMISSIONS, "CONTENT-TYPE", "COMMENT-EMPTY", "RECIPIENTS-RECEIVE",
             "ORGANIZER-NOTIFIED", "ORGANIZER-COPY-ADDED"),
    graph_checked=(UNKNOWN_PARAMETER,),
)

_SWITCHES = (  # (switch, what it changes, the requirement it breaks, the words of that sentence it violates)
    (ForwardFault.NO_REQUEST, "forward answers 202 but no recipient gets the meeting request",
     "FORWARD-RECIPIENTS-RECEIVE", "forward the meeting request to a new recipient"),
    (ForwardFault.ORGANIZER_NOT_NOTIFIED, "an attendee's forward does not notify the organizer",
     "FORWARD-ORGANIZER-NOTIFIED", "sends a message to notify the organizer of the forwarding"),
    (ForwardFault.ORGANIZER_COPY_UNCHANGED, "an attendee's forward does not add the recipient to the "
     "organizer's copy", "FORWARD-ORGANIZER-COPY-ADDED",
     "adds the recipient to the organizer's copy of the meeting event"),
    (ForwardFault.NEEDS_READWRITE, "forward refuses a token holding only Calendars.Read (403)",
     "FORWARD-PERM-DELEGATED-WORK", "Delegated (work or school account): Calendars.Read"),
    (ForwardFault.EMPTY_COMMENT_REFUSED, 'forward with `"Comment": ""` answers 400',
     "FORWARD-COMMENT-EMPTY", "Can be an empty string."),
    (ForwardFault.AUTH_IGNORED, "forward works without an Authorization header (as the event's owner)",
     "FORWARD-AUTH-REQUIRED", "Bearer {token}. Required."),
    (ForwardFault.STATUS_200, "a successful forward answers 200 instead of 202",
     "FORWARD-202-EMPTY", "this method returns 202 Accepted response code"),
    (ForwardFault.BODY_ON_202, "a successful forward answers 202 with a JSON body",
     "FORWARD-202-EMPTY", "It does not return anything in the response body."),
    (ForwardFault.CONTENT_TYPE_STRICT, "forward refuses a body whose Content-Type is not application/json",
     "FORWARD-CONTENT-TYPE", "Nature of the data in the body of an entity."),
    (ForwardFault.SCOPES_IGNORED, "forward checks no permission (a token without Calendars.* forwards)",
     "FORWARD-PERM-REQUIRED", "One of the following permissions is required to call this API."),
    (ForwardFault.APP_TOKEN_REFUSED, "forward refuses application tokens (403)",
     "FORWARD-PERM-APPLICATION", "Application: Calendars.Read"),
    (ForwardFault.PERSONAL_REFUSED, "forward refuses personal Microsoft accounts (403)",
     "FORWARD-PERM-DELEGATED-PERSONAL", "Delegated (personal Microsoft account): Calendars.Read"),
)
# What a switch leaves not-verified (measured on its matrix row): an application token refused leaves the
# generated auth family no success to judge on the /users routes it probes
_BLOCKS = {ForwardFault.APP_TOKEN_REFUSED: frozenset({"FORWARD-AUTH-REQUIRED"})}
# the common requirements a switch also breaks: their probes act on the first selected action (forward's row)
_COMMON = {
    ForwardFault.AUTH_IGNORED: {
        "GRAPH-401-NO-TOKEN": "A request without a token, or with an empty one, gets 401"},
    ForwardFault.SCOPES_IGNORED: {
        "GRAPH-403-ACCESS-DENIED": "the same holds for a token without any Calendars permission"},
}
# Why several of the suite's checks see a switch
_SUCCESS_SEEN_TWICE = "the hand-written 202 case and the Schemathesis status family both judge every forward"
_OVERLAP = {
    ForwardFault.STATUS_200: _SUCCESS_SEEN_TWICE,
    ForwardFault.BODY_ON_202: _SUCCESS_SEEN_TWICE,
    ForwardFault.AUTH_IGNORED: "the hand-written no-token case, Schemathesis' ignored_auth and the common "
                               "exact-401 probe (on the first selected action) all forward without a token",
    ForwardFault.SCOPES_IGNORED: "forward's refusal case and the common exact-403 probe (acting on the first "
                                 "selected action) both see the request accepted",
}
FAULT_DEFINITIONS: dict[str, FaultDefinition] = {
    name: FaultDefinition(what, {requirement: words, **_COMMON.get(name, {})},
                          blocks=_BLOCKS.get(name, frozenset()),
                          overlap=_OVERLAP.get(name, ""), actions=FORWARD)
    for name, what, requirement, words in _SWITCHES
}
