"""Event JSON as Graph answers it: stored documents, series occurrences and their UTC times."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from conformance.reference import recurrence
from conformance.reference.ids import occurrence_id
from conformance.reference.store import doc_of

GRAPH_TIME = "%Y-%m-%dT%H:%M:%S.0000000"


def times_of(document: dict[str, Any]) -> tuple[datetime, timedelta, str]:
    """(local start, duration, time zone) of a stored event document."""
    start = recurrence.parse_local(document["start"]["dateTime"], "start.dateTime")
    end = recurrence.parse_local(document["end"]["dateTime"], "end.dateTime")
    return start, end - start, document["start"].get("timeZone") or "UTC"


def utc_window(document: dict[str, Any]) -> tuple[datetime, datetime]:
    """The aware UTC start and end of a single event."""
    start, duration, zone_name = times_of(document)
    utc_start = recurrence.to_utc(start, zone_name)
    return utc_start, utc_start + duration


def render_event(row: sqlite3.Row, now: float | None = None) -> dict[str, Any]:
    """The public JSON of a stored event (a single instance or a series master)."""
    now = time.time() if now is None else now
    document = doc_of(row)
    public = _public(document)
    cancel_visible = row["cancel_visible_at"]
    public["isCancelled"] = bool(cancel_visible is not None and cancel_visible <= now)
    start, duration, zone_name = times_of(document)
    _set_times(public, start, duration, zone_name)
    public["@odata.etag"] = f'W/"{document["changeKey"]}"'
    return public


def render_occurrence(row: sqlite3.Row, local_start: datetime, now: float | None = None) -> dict[str, Any]:
    """The public JSON of one occurrence of the series master in `row`."""
    now = time.time() if now is None else now
    master = doc_of(row)
    day = local_start.date().isoformat()
    public = _public(master)
    public.update(
        {
            "id": occurrence_id(row["id"], day),
            "type": "occurrence",
            "seriesMasterId": row["id"],
            "recurrence": None,
            "cancelledOccurrences": [],
            "occurrenceId": f"OID.{row['id']}.{day}",
            "@odata.etag": f'W/"{master["changeKey"]}"',
        }
    )
    cancelled_at = master.get("_cancelledDays", {}).get(day)
    series_cancelled = row["cancel_visible_at"] is not None and row["cancel_visible_at"] <= now
    public["isCancelled"] = bool(series_cancelled or (cancelled_at is not None and cancelled_at <= now))
    _, duration, zone_name = times_of(master)
    _set_times(public, local_start, duration, zone_name)
    return public


def occurrence_starts(
    row: sqlite3.Row, window_start: datetime, window_end: datetime, include_cancelled: bool
) -> list[datetime]:
    """Local starts of the master's occurrences overlapping the window (organizer: without cancelled ones)."""
    master = doc_of(row)
    start, duration, zone_name = times_of(master)
    found = recurrence.occurrences(master["recurrence"], start, duration, window_start, window_end, zone_name)
    if include_cancelled:
        return found
    cancelled = master.get("_cancelledDays", {})
    return [local for local in found if local.date().isoformat() not in cancelled]


def overlaps(document: dict[str, Any], window_start: datetime, window_end: datetime) -> bool:
    """True when a single event overlaps [window_start, window_end)."""
    utc_start, utc_end = utc_window(document)
    return utc_start < window_end and utc_end > window_start


def parse_window_bound(value: str | None, name: str) -> datetime:
    """An aware UTC bound from a startDateTime/endDateTime query value (400 when missing or bad)."""
    from conformance.reference.graph_errors import bad_request

    if not value:
        raise bad_request(
            f"This request requires a time window specified by the query string parameters "
            f"StartDateTime and EndDateTime. Missing: {name}.",
            "ErrorInvalidParameter",
        )
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError as error:
        raise bad_request(
            f"The value '{value}' of parameter '{name}' is not a valid date and time.",
            "ErrorInvalidParameter",
        ) from error
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # an offset that moves year 1 or 9999 out of range: the window's open end
        return (datetime.min if parsed.year < 5000 else datetime.max).replace(tzinfo=UTC)


def _public(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if not key.startswith("_")}


def _set_times(public: dict[str, Any], local_start: datetime, duration: timedelta, zone_name: str) -> None:
    utc_start = recurrence.to_utc(local_start, zone_name)
    public["start"] = {"dateTime": utc_start.strftime(GRAPH_TIME), "timeZone": "UTC"}
    public["end"] = {"dateTime": (utc_start + duration).strftime(GRAPH_TIME), "timeZone": "UTC"}
