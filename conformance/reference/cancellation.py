"""The cancel action (and organizer delete): one transaction over the organizer's event, copies and mail."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import Any

from conformance.reference.calendar_ops import EventRef
from conformance.reference.faults import Fault
from conformance.reference.graph_errors import MESSAGES, GraphError, not_found
from conformance.reference.ids import mint_change_key, occurrence_id
from conformance.reference.mail import (
    DEFAULT_CANCEL_NOTICE,
    SendLimit,
    file_in_deleted_items,
    iso,
    send_event_message,
)
from conformance.reference.store import Store, doc_of, dump


@dataclass(frozen=True)
class CancelRequest:
    """What to cancel and what to tell attendees: notice None = send no message."""

    ref: EventRef
    notice: str | None
    faults: frozenset[str]
    message_delay_s: float
    action: str = "cancel"  # or "delete": an organizer's DELETE notifies attendees the same way
    send_limit: SendLimit | None = None


def cancel(store: Store, request: CancelRequest, *, apply_delay_s: float = 0.0) -> None:
    """Cancel the event or occurrence in `request.ref`; 400 for an attendee, 404 when it is already gone.

    With `apply_delay_s` (serve --apply-delay-ms) the request is judged now and its effects are applied
    that much later, in the background, as a server that answers 202 before doing the work.
    """
    with store.transaction() as connection:
        row = _cancelled_row(connection, request)
        if row is not None and apply_delay_s <= 0:
            _apply(connection, row, request, time.time())
    if row is not None and apply_delay_s > 0:
        timer = threading.Timer(apply_delay_s, _apply_later, (store, request))
        timer.daemon = True
        timer.start()


def _apply_later(store: Store, request: CancelRequest) -> None:
    """Apply a cancel accepted earlier, if its event is still there to cancel (a stopped server: nothing)."""
    try:
        with store.transaction() as connection:
            row = _cancelled_row(connection, request)
            if row is not None:
                _apply(connection, row, request, time.time())
    except (GraphError, sqlite3.Error):
        return


def _cancelled_row(connection: sqlite3.Connection, request: CancelRequest) -> sqlite3.Row | None:
    """The organizer's event row a cancel applies to (None: nothing to do); GraphError when refused."""
    faults = request.faults
    row = connection.execute(
        "SELECT * FROM events WHERE id = ? AND folder = 'calendar' AND hidden_master = 0",
        (request.ref.row["id"],),
    ).fetchone()
    if row is None or (Fault.EVENT_STILL_LISTED in faults and doc_of(row).get("_removedBy")):
        if Fault.SECOND_CANCEL_202 in faults:
            return None
        raise not_found()
    if not row["is_organizer"]:
        if Fault.ATTENDEE_ALLOWED not in faults:
            raise _organizer_only(faults)
        row = connection.execute(
            "SELECT * FROM events WHERE ical_uid = ? AND is_organizer = 1 AND folder = 'calendar'",
            (row["ical_uid"],),
        ).fetchone()
        if row is None:
            raise not_found()
    if Fault.GAP_NO_CANCEL_WITHOUT_ATTENDEES in faults and not _invitees(row):
        raise GraphError(400, "ErrorInvalidRequest", MESSAGES["no-attendees"])
    return row


def _apply(connection: sqlite3.Connection, row: sqlite3.Row, request: CancelRequest, now: float) -> None:
    """Apply a judged cancel: the event or the occurrence, the copies, the notices, Deleted Items."""
    day = request.ref.day
    if day is not None and Fault.OCCURRENCE_CANCELS_SERIES in request.faults:
        day = None
    if day is None:
        _cancel_whole(connection, row, request, now)
    else:
        _cancel_occurrence(connection, row, day, request, now)


def mark_cancelled(store: Store, event_id: str, delay_s: float = 0.0) -> None:
    """refused-yet-cancelled: the event reads isCancelled: true from `delay_s` on (serve --apply-delay-ms),
    yet stays in its calendar."""
    visible_at = time.time() + max(delay_s, 0.0)
    with store.transaction() as connection:
        connection.execute("UPDATE events SET cancel_visible_at = ? WHERE id = ?", (visible_at, event_id))


def _invitees(row: sqlite3.Row) -> list[Any]:
    """Whom the organizer's event invites, the organizer left out (gap-no-cancel-without-attendees)."""
    document = doc_of(row)
    organizer = str(((document.get("organizer") or {}).get("emailAddress") or {}).get("address", "")).lower()
    return [
        attendee
        for attendee in document.get("attendees") or []
        if str(attendee.get("emailAddress", {}).get("address", "")).lower() != organizer
    ]


def _organizer_only(faults: frozenset[str]) -> GraphError:
    message = MESSAGES["organizer-only"]
    if Fault.ATTENDEE_MESSAGE_PARAPHRASED in faults:
        message = "Only the meeting organizer can cancel this meeting."
    if Fault.ATTENDEE_403 in faults:
        return GraphError(403, "ErrorAccessDenied", message)
    return GraphError(400, "ErrorInvalidRequest", message)


def _cancel_whole(
    connection: sqlite3.Connection, row: sqlite3.Row, request: CancelRequest, now: float
) -> None:
    faults, document = request.faults, doc_of(row)
    if Fault.EVENT_LEFT_IN_PLACE not in faults:
        if Fault.SERIES_MASTER_ONLY in faults and document.get("type") == "seriesMaster":
            connection.execute("UPDATE events SET hidden_master = 1 WHERE id = ?", (row["id"],))
        else:
            folder = "purged" if Fault.NOT_IN_DELETED_ITEMS in faults else "deleteditems"
            if Fault.EVENT_STILL_LISTED in faults and request.action == "cancel":
                folder = "calendar"
            document["_removedBy"] = request.action
            connection.execute(
                "UPDATE events SET folder = ?, doc = ? WHERE id = ?", (folder, dump(document), row["id"])
            )
        if Fault.NOT_IN_DELETED_ITEMS not in faults:
            file_in_deleted_items(connection, row["owner_id"], document, now)
    copies = _attendee_copies(connection, row)
    if not copies and Fault.GAP_NO_ATTENDEE_COPIES in faults:
        _notify_invitees(connection, row, document, request, now)
    for copy in copies:
        visible_at = now + request.message_delay_s
        if Fault.ATTENDEE_COPIES_UNMARKED not in faults:
            copy_doc = doc_of(copy)
            copy_doc.update(
                {"isCancelled": True, "changeKey": mint_change_key(), "lastModifiedDateTime": iso(now)}
            )
            connection.execute(
                "UPDATE events SET cancel_visible_at = ?, doc = ? WHERE id = ?",
                (visible_at, dump(copy_doc), copy["id"]),
            )
        _notify(connection, copy, doc_of(copy), copy["id"], request, now)


def _cancel_occurrence(
    connection: sqlite3.Connection, row: sqlite3.Row, day: str, request: CancelRequest, now: float
) -> None:
    faults, master = request.faults, doc_of(row)
    if day in master.get("_cancelledDays", {}):
        raise not_found()
    if Fault.EVENT_LEFT_IN_PLACE not in faults:
        master.setdefault("_cancelledDays", {})[day] = now
        if Fault.NO_CANCELLED_OCCURRENCES not in faults:
            master["cancelledOccurrences"] = [
                *master.get("cancelledOccurrences", []),
                f"OID.{row['id']}.{day}",
            ]
        master.update({"changeKey": mint_change_key(), "lastModifiedDateTime": iso(now)})
        connection.execute("UPDATE events SET doc = ? WHERE id = ?", (dump(master), row["id"]))
    copies = _attendee_copies(connection, row)
    if not copies and Fault.GAP_NO_ATTENDEE_COPIES in faults and Fault.OCCURRENCE_NO_NOTICE not in faults:
        _notify_invitees(connection, row, {**master, "type": "occurrence"}, request, now)
    for copy in copies:
        copy_doc = doc_of(copy)
        if Fault.ATTENDEE_COPIES_UNMARKED not in faults:
            copy_doc.setdefault("_cancelledDays", {})[day] = now + request.message_delay_s
            connection.execute("UPDATE events SET doc = ? WHERE id = ?", (dump(copy_doc), copy["id"]))
        if Fault.OCCURRENCE_NO_NOTICE not in faults:
            occurrence_doc = {**copy_doc, "type": "occurrence"}
            _notify(connection, copy, occurrence_doc, occurrence_id(copy["id"], day), request, now)


def _attendee_copies(connection: sqlite3.Connection, row: sqlite3.Row) -> list[sqlite3.Row]:
    return connection.execute(
        "SELECT * FROM events WHERE ical_uid = ? AND is_organizer = 0 AND folder = 'calendar'",
        (row["ical_uid"],),
    ).fetchall()


def _notify(
    connection: sqlite3.Connection,
    copy: sqlite3.Row,
    copy_doc: dict[str, Any],
    linked_event_id: str,
    request: CancelRequest,
    now: float,
) -> None:
    if request.notice is None or Fault.NO_CANCELLATION_MESSAGE in request.faults:
        return
    recipient = connection.execute(
        "SELECT id, upn, display_name FROM users WHERE id = ?", (copy["owner_id"],)
    ).fetchone()
    message_type = "none" if Fault.MESSAGE_NOT_MEETING_CANCELLED in request.faults else "meetingCancelled"
    _send_notice(connection, recipient, copy_doc, linked_event_id, message_type, request, now)


def _send_notice(
    connection: sqlite3.Connection,
    recipient: sqlite3.Row,
    event_doc: dict[str, Any],
    linked_event_id: str,
    message_type: str,
    request: CancelRequest,
    now: float,
) -> None:
    """Put the cancellation notice about `event_doc` in `recipient`'s mailbox (late under the limits)."""
    assert request.notice is not None
    send_event_message(
        connection,
        recipient_id=recipient["id"],
        recipient={"name": recipient["display_name"], "address": recipient["upn"]},
        organizer=event_doc["organizer"]["emailAddress"],
        event_doc=event_doc,
        recipient_event_id=linked_event_id,
        meeting_message_type=message_type,
        subject=f"Canceled: {event_doc.get('subject', '')}",
        body_text=request.notice,
        visible_at=now + request.message_delay_s,
        now=now,
        send_limit=request.send_limit,
    )


def _notify_invitees(
    connection: sqlite3.Connection,
    row: sqlite3.Row,
    event_doc: dict[str, Any],
    request: CancelRequest,
    now: float,
) -> None:
    """gap-no-attendee-copies: the notice goes to each seeded attendee of the event, with no copy to link."""
    if request.notice is None or Fault.NO_CANCELLATION_MESSAGE in request.faults:
        return
    for attendee in event_doc.get("attendees") or []:
        recipient = connection.execute(
            "SELECT id, upn, display_name FROM users WHERE upn = ?", (attendee["emailAddress"]["address"],)
        ).fetchone()
        if recipient is None or recipient["id"] == row["owner_id"]:
            continue
        _send_notice(connection, recipient, event_doc, "", "meetingCancelled", request, now)


def notice_for(body: dict[str, Any] | None, faults: frozenset[str]) -> str | None:
    """The text attendees receive for a validated cancel body (None: no notice).

    As observed on the real service: no comment, `{}` or `null` sends the default notice, `""` sends none
    (https://github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/8952).
    """
    comment_keys = [key for key in ("comment", "Comment") if body and key in body]
    if Fault.COMMENT_LOWERCASE_ONLY in faults:
        comment_keys = [key for key in comment_keys if key == "comment"]
    if Fault.COMMENT_PASCAL_ONLY in faults:
        comment_keys = [key for key in comment_keys if key == "Comment"]
    if not comment_keys or body is None:
        return DEFAULT_CANCEL_NOTICE
    comment = body[comment_keys[0]]
    if comment is None:
        return None if Fault.NULL_COMMENT_NO_NOTICE in faults else DEFAULT_CANCEL_NOTICE
    if comment == "":
        return DEFAULT_CANCEL_NOTICE if Fault.EMPTY_COMMENT_SENDS_NOTICE in faults else None
    if Fault.COMMENT_DROPPED in faults:
        return DEFAULT_CANCEL_NOTICE
    return str(comment)
