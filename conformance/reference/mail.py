"""Mailbox items: eventMessages (meeting requests and cancellations) and Deleted Items entries."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections import deque
from functools import lru_cache
from typing import Any

from conformance.reference.ids import mint_change_key, mint_item_id
from conformance.reference.store import dump

DEFAULT_CANCEL_NOTICE = "This meeting has been canceled by the organizer."
SEND_WINDOW_S = 60.0


class SendLimit:
    """Exchange's sending limit: N messages a minute per sender; later ones wait their turn, none lost.

    Messages leave in order: each is delivered at the earliest time at or after it is ready when fewer than N
    of the sender's messages were delivered in the minute before. N = 0 means no limit.
    """

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._delivered: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def slot(self, sender: str, ready_at: float) -> float:
        """When a message `sender` has ready at `ready_at` is delivered (and count it)."""
        if self.per_minute <= 0:
            return ready_at
        with self._lock:
            recent = self._delivered.setdefault(sender.lower(), deque(maxlen=self.per_minute))
            at = max(ready_at, recent[-1]) if recent else ready_at
            if len(recent) == self.per_minute:
                at = max(at, recent[0] + SEND_WINDOW_S)
            recent.append(at)
            return at


@lru_cache(maxsize=64)  # one request formats the same instant several times
def iso(timestamp: float) -> str:
    """Graph's DateTimeOffset form of a POSIX timestamp (UTC, Z)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def send_event_message(
    connection: sqlite3.Connection,
    *,
    recipient_id: str,
    recipient: dict[str, Any],
    organizer: dict[str, Any],
    event_doc: dict[str, Any],
    recipient_event_id: str,
    meeting_message_type: str,
    subject: str,
    body_text: str,
    visible_at: float,
    now: float,
    send_limit: SendLimit | None = None,
    sender: dict[str, Any] | None = None,
    odata_type: str = "#microsoft.graph.eventMessage",
    extra: dict[str, Any] | None = None,
) -> str:
    """Put an eventMessage in `recipient_id`'s inbox (late past the sending limit); return its id.

    `sender` (the organizer unless given) sends it; `odata_type` and `extra` members make it e.g. an
    eventMessageResponse with its responseType and proposedNewTime."""
    sender = sender or organizer
    if send_limit is not None:
        visible_at = send_limit.slot(str(sender.get("address") or ""), visible_at)
    message_id = mint_item_id()
    message = {
        "@odata.type": odata_type,
        "id": message_id,
        "createdDateTime": iso(visible_at),
        "lastModifiedDateTime": iso(visible_at),
        "changeKey": mint_change_key(),
        "categories": [],
        "receivedDateTime": iso(visible_at),
        "sentDateTime": iso(now),
        "hasAttachments": False,
        "internetMessageId": f"<{uuid.uuid4().hex}@contoso.test>",
        "subject": subject,
        "bodyPreview": body_text[:255],
        "importance": "normal",
        "conversationId": event_doc.get("iCalUId", ""),
        "isDeliveryReceiptRequested": None,
        "isReadReceiptRequested": False,
        "isRead": False,
        "isDraft": False,
        "inferenceClassification": "focused",
        "body": {"contentType": "text", "content": body_text},
        "sender": {"emailAddress": sender},
        "from": {"emailAddress": sender},
        "toRecipients": [{"emailAddress": recipient}],
        "ccRecipients": [],
        "bccRecipients": [],
        "replyTo": [],
        "meetingMessageType": meeting_message_type,
        "type": "seriesMaster" if event_doc.get("type") == "seriesMaster" else "singleInstance",
        "isOutOfDate": False,
        "isAllDay": bool(event_doc.get("isAllDay")),
        "isDelegated": False,
        "startDateTime": event_doc.get("start"),
        "endDateTime": event_doc.get("end"),
        "location": event_doc.get("location", {"displayName": ""}),
        "_event_owner": recipient_id,
        "_event_id": recipient_event_id,
        **(extra or {}),
    }
    connection.execute(
        "INSERT INTO messages VALUES (?, ?, 'inbox', ?, ?, ?)",
        (message_id, recipient_id, visible_at, visible_at, dump(message)),
    )
    return message_id


def file_in_deleted_items(
    connection: sqlite3.Connection, owner_id: str, event_doc: dict[str, Any], now: float
) -> None:
    """List a removed calendar item in its owner's Deleted Items folder (by subject)."""
    item_id = mint_item_id()
    item = {
        "@odata.type": "#microsoft.graph.message",
        "id": item_id,
        "createdDateTime": event_doc.get("createdDateTime"),
        "lastModifiedDateTime": iso(now),
        "changeKey": mint_change_key(),
        "receivedDateTime": iso(now),
        "subject": event_doc.get("subject", ""),
        "bodyPreview": event_doc.get("bodyPreview", ""),
        "body": event_doc.get("body", {"contentType": "text", "content": ""}),
        "from": event_doc.get("organizer"),
        "isRead": True,
        "isDraft": False,
        "conversationId": event_doc.get("iCalUId", ""),
        "meetingMessageType": None,
    }
    connection.execute(
        "INSERT INTO messages VALUES (?, ?, 'deleteditems', ?, ?, ?)",
        (item_id, owner_id, now, now, dump(item)),
    )


def render_message(document: dict[str, Any], version_url: str) -> dict[str, Any]:
    """The public JSON of a stored message: internal fields become the `event` navigation link."""
    public = {key: value for key, value in document.items() if not key.startswith("_")}
    if document.get("_event_id"):
        link = f"{version_url}/users('{document['_event_owner']}')/events('{document['_event_id']}')"
        public["event@odata.navigationLink"] = link
        public["event@odata.associationLink"] = f"{link}/$ref"
    return public
