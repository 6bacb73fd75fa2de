"""What the suite needs from a target besides cancel: the prerequisite catalog and its records.

Each prerequisite the suite tries while arranging a case is recorded as `{"id", "title", "status":
"ok"|"failed"|"fallback", "detail", "fallback", "fix", "exchange"}`. The plugin puts the records on the pytest
item; the reports and `graph-conformance preflight` show them as a table.

A log made without a sink of its own (e.g. the run-wide one of the Schemathesis cases' events) hands its ok
and fallback records to the sink `records_to` names meanwhile: the plugin names the running item's, so what
run-wide arranging or clean-up meets (a refused `$filter`) lands on the item it happens in. Its failures are
left to whoever catches the PrerequisiteFailed (the plugin records them on the case it ends).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import requests

from conformance.errors import ConformanceError, TargetUnreachable
from conformance.outcomes import ExitCode
from conformance.target import exchange as recorded
from conformance.target.exchange import ExchangeLike, as_exchange
from conformance.target.resolve import already_probed, probe_reachable

if TYPE_CHECKING:
    from conformance.target.config import TargetConfig

OK, FAILED, FALLBACK = "ok", "failed", "fallback"
STATUSES = (OK, FAILED, FALLBACK)
PREREQUISITE_PROPERTY = "graph_conformance_prerequisite"  # the name of the records on a pytest item
ID_CHARS_SHOWN = 24  # a longer path segment (an id) is shortened in status lines

IDENTITY_TOKENS = "IDENTITY-TOKENS"
EVENT_CREATE = "EVENT-CREATE"
EVENT_READ = "EVENT-READ"
CALENDAR_CREATE = "CALENDAR-CREATE"
CALENDAR_GROUP_CREATE = "CALENDAR-GROUP-CREATE"
GROUP_EVENT_CREATE = "GROUP-EVENT-CREATE"
ATTENDEE_COPY = "ATTENDEE-COPY"
SERIES_CREATE = "SERIES-CREATE"
INSTANCES = "INSTANCES"
MAILBOX_MESSAGES = "MAILBOX-MESSAGES"
DELETED_ITEMS = "DELETED-ITEMS"
ODATA_FILTER = "ODATA-FILTER"
ODATA_PAGING = "ODATA-PAGING"
CANCEL_WITHOUT_ATTENDEES = "CANCEL-WITHOUT-ATTENDEES"
ATTENDEE_STATUSES = "ATTENDEE-STATUSES"
PROPOSALS = "PROPOSALS"
REMINDER_VIEW = "REMINDER-VIEW"
FORWARD_RECIPIENT = "FORWARD-RECIPIENT"

Record = dict[str, Any]
RecordSink = Callable[[Record], None]

_RUNNING_SINK: ContextVar[RecordSink | None] = ContextVar("graph_conformance_record_sink", default=None)


@dataclass(frozen=True)
class Prerequisite:
    """One thing the suite needs from the target: what it tries, what it falls back to, how to fix it."""

    id: str
    title: str
    tried: str
    fix: str
    fallback: str = ""


def _catalog(*entries: Prerequisite) -> Mapping[str, Prerequisite]:
    return MappingProxyType({entry.id: entry for entry in entries})


CATALOG: Mapping[str, Prerequisite] = _catalog(
    Prerequisite(
        IDENTITY_TOKENS,
        "each configured identity's token is accepted",
        "GET /me with each delegated token (GET /users/{id}/calendar with the application token)",
        "accept bearer tokens from your token endpoint on GET /me and answer 200 with the user's id",
    ),
    Prerequisite(
        EVENT_CREATE,
        "create an event with attendees",
        "POST /me/events with a subject, start, end and attendees",
        "answer POST /me/events with 201 Created and the new event as JSON, including its `id`",
    ),
    Prerequisite(
        EVENT_READ,
        "read a created event back",
        "GET /me/events/{id} of the event just created",
        "answer GET /me/events/{id} with 200 and the event as created (same id and subject, not cancelled)",
    ),
    Prerequisite(
        CALENDAR_CREATE,
        "create a secondary calendar",
        "POST /me/calendars (and POST /me/calendarGroups/{id}/calendars)",
        "answer POST /me/calendars with 201 and the new calendar's `id`",
        "the default calendar, found by GET /me/calendar",
    ),
    Prerequisite(
        CALENDAR_GROUP_CREATE,
        "create a calendar group",
        "POST /me/calendarGroups",
        "answer POST /me/calendarGroups with 201 and the new group's `id`",
        "the default calendar group, found by GET /me/calendarGroups",
    ),
    Prerequisite(
        GROUP_EVENT_CREATE,
        "create an event in a group's calendar",
        "POST /groups/{id}/events as a member of the group",
        "answer POST /groups/{id}/events with 201 and the event's `id`, or declare the `groups` profile "
        "unsupported in the target file",
    ),
    Prerequisite(
        ATTENDEE_COPY,
        "an attendee's copy of a meeting appears in their calendar",
        "GET /me/calendarView as the attendee, polled until a copy (same iCalUId or subject) shows",
        "put a copy of each meeting (same iCalUId) in every attendee's calendar and list it in calendarView",
    ),
    Prerequisite(
        SERIES_CREATE,
        "create a recurring series",
        "POST /me/events with a daily `recurrence` of 3 occurrences",
        "accept `recurrence` on POST /me/events (201 + `id`), or declare the `recurrence` profile "
        "unsupported",
    ),
    Prerequisite(
        INSTANCES,
        "list a series' occurrences",
        "GET /me/events/{series id}/instances?startDateTime=...&endDateTime=...",
        "answer GET .../instances with 200 and one item per occurrence in the window",
    ),
    Prerequisite(
        MAILBOX_MESSAGES,
        "read a mailbox's messages",
        "GET /me/messages?$top=... as an attendee",
        "answer GET /me/messages with 200 and a `value` list holding the meeting messages",
    ),
    Prerequisite(
        DELETED_ITEMS,
        "read the Deleted Items folder",
        "GET /me/mailFolders/deleteditems/messages",
        "serve the well-known folder name `deleteditems` under /me/mailFolders, or declare the "
        "`deleted-items-folder` profile unsupported",
    ),
    Prerequisite(
        ODATA_FILTER,
        "$filter on a listing",
        "GET /me/events?$filter=startswith(subject,'[gc <run id>]')",
        "support $filter with startswith(subject, '...') on event listings",
        "the unfiltered listing, filtered on the client",
    ),
    Prerequisite(
        ODATA_PAGING,
        "$top and @odata.nextLink paging",
        "GET /me/events?$top=1, then the @odata.nextLink it gives",
        "honour $top and give an @odata.nextLink (absolute URL) while more items follow",
        "the whole collection in one page",
    ),
    Prerequisite(
        CANCEL_WITHOUT_ATTENDEES,
        "the organizer cancels an event without attendees",
        "POST /me/events/{id}/cancel with a comment, as the organizer, on a new event that invites nobody",
        "accept the organizer's cancel of an event without attendees (2xx) as of one with attendees; the "
        "suite invites attendees only where a check needs their messages or copies",
    ),
    Prerequisite(
        ATTENDEE_STATUSES,
        "the organizer's event lists each attendee's response",
        "GET /me/events/{id} as the organizer of a meeting: `attendees[].status.response` of each attendee",
        "give each entry of an organizer's `attendees` its `status` ({response, time}), `none` until the "
        "attendee answers",
    ),
    Prerequisite(
        PROPOSALS,
        "create a meeting that allows or refuses new time proposals",
        "POST /me/events with `allowNewTimeProposals` true or false, then GET it back",
        "accept `allowNewTimeProposals` on POST /me/events and give it back as set on GET, or declare the "
        "`proposals` profile unsupported",
    ),
    Prerequisite(
        REMINDER_VIEW,
        "reminderView lists an event's reminder",
        "GET /me/reminderView(startDateTime='...',endDateTime='...') around a new event created with "
        "isReminderOn true and reminderMinutesBeforeStart",
        "serve GET /me/reminderView(startDateTime=...,endDateTime=...) with 200 and a `value` list of "
        "reminders (eventId, eventSubject, reminderFireTime) for the reminders firing in the window, or "
        "declare the `reminders` profile unsupported",
    ),
    Prerequisite(
        FORWARD_RECIPIENT,
        "a mailbox to forward a meeting to",
        "a second attendee identity whose token is accepted (the meeting an attendee forwards invites one)",
        "configure one more attendee identity (identities.attendees) than the meeting invites: forward "
        "needs a recipient whose mailbox the suite can read and who is not invited yet",
    ),
)


def prerequisite(prerequisite_id: str) -> Prerequisite:
    """The catalog entry of `prerequisite_id`; KeyError naming the known ids otherwise."""
    try:
        return CATALOG[prerequisite_id]
    except KeyError:
        raise KeyError(f"{prerequisite_id!r} is not a prerequisite id; known: {', '.join(CATALOG)}") from None


def make_record(
    prerequisite_id: str,
    status: str,
    detail: str,
    *,
    fallback: str = "",
    exchange: dict[str, Any] | None = None,
) -> Record:
    """The JSON-able record of one prerequisite tried (interface 1)."""
    if status not in STATUSES:
        raise ValueError(f"prerequisite status {status!r} is not one of {', '.join(STATUSES)}")
    entry = prerequisite(prerequisite_id)
    return {
        "id": entry.id,
        "title": entry.title,
        "status": status,
        "detail": " ".join(detail.split()),
        "fallback": fallback,
        "fix": entry.fix if status != OK else "",
        "exchange": exchange,
    }


class PrerequisiteFailed(ConformanceError):
    """Arranging a case failed: the target lacks a prerequisite (the case is not-verified, never failed).

    `.record` is the prerequisite record (status "failed") the reports show; `.recorded` is True once a
    Provisioner has already handed that record to its sink, so it is not added twice.
    """

    exit_code = ExitCode.NOT_CONFORMANT

    def __init__(self, prerequisite_id: str, detail: str, exchange: dict[str, Any] | None = None) -> None:
        self.prerequisite_id, self.detail, self.exchange = prerequisite_id, detail, exchange
        self.recorded = False
        self.record: dict[str, Any] = make_record(prerequisite_id, FAILED, detail, exchange=exchange)
        super().__init__(f"prerequisite {prerequisite_id} failed: {detail}")


def exchange_record(response: requests.Response | None) -> dict[str, Any] | None:
    """The redacted exchange recorded for `response` as a JSON-able dict, for a prerequisite record (None
    when there is none); `conformance.target.exchange.exchange_of` gives the Exchange itself."""
    exchange = recorded.exchange_of(response)
    return None if exchange is None else exchange.as_dict()


def answer_line(response: requests.Response | None) -> str:
    """`GET /v1.0/me -> HTTP 200` for a recorded response (its error code appended), else ''."""
    exchange = exchange_record(response)
    if exchange is None:
        return f"HTTP {response.status_code}" if response is not None else ""
    return status_line(exchange)


def status_line(exchange: ExchangeLike) -> str:
    """`POST /v1.0/me/events -> HTTP 403 ErrorAccessDenied` from a recorded exchange (no query, ids cut)."""
    record = as_exchange(exchange)
    url = record.url.split("?", 1)[0]
    path = "/" + url.split("://", 1)[-1].split("/", 1)[-1] if "://" in url else url
    path = "/".join(part if len(part) <= ID_CHARS_SHOWN else part[:8] + "..." for part in path.split("/"))
    code = _error_code(record.response_body)
    status = record.status if record.status is not None else "?"
    line = f"{record.method or '?'} {path} -> HTTP {status}"
    return f"{line} {code}" if code else line


def _error_code(body: Any) -> str:
    """The `error.code` of a Graph error envelope, if the body is one."""
    try:
        parsed = json.loads(body) if isinstance(body, str) else None
    except ValueError:
        return ""
    error = parsed.get("error") if isinstance(parsed, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return str(code) if code else ""


@contextmanager
def records_to(sink: RecordSink) -> Iterator[None]:
    """Meanwhile, the ok and fallback records of logs without a sink of their own go to `sink`."""
    token = _RUNNING_SINK.set(sink)
    try:
        yield
    finally:
        _RUNNING_SINK.reset(token)


@contextmanager
def unanswered_fails(log: PrerequisiteLog, prerequisite_id: str, target: TargetConfig) -> Iterator[None]:
    """A request made meanwhile that gets no answer fails `prerequisite_id`, unless the target is gone.

    One unanswered request is one bad answer: it raises PrerequisiteFailed (the case is not-verified) while a
    health probe of the base URL answers; when the probe goes unanswered too, TargetUnreachable goes on (the
    plugin then stops the run, exit 3).
    """
    try:
        yield
    except TargetUnreachable as error:
        if not already_probed(error):
            probe_reachable(target)
        raise log.failed(prerequisite_id, str(error)) from error


class PrerequisiteLog:
    """Hands each record to a sink once per (id, status); turns failures into PrerequisiteFailed."""

    def __init__(self, sink: RecordSink | None = None) -> None:
        self.sink = sink
        self._seen: set[tuple[str, str]] = set()

    def _emit(self, record: Record) -> None:
        key = (str(record["id"]), str(record["status"]))
        sink = self.sink if self.sink is not None or record["status"] == FAILED else _RUNNING_SINK.get()
        if sink is None or (record["status"] != FAILED and key in self._seen):
            return
        self._seen.add(key)
        sink(record)

    def ok(self, prerequisite_id: str, detail: str, response: requests.Response | None = None) -> None:
        """Record that `prerequisite_id` worked."""
        self._emit(make_record(prerequisite_id, OK, detail, exchange=exchange_record(response)))

    def fallback(
        self,
        prerequisite_id: str,
        detail: str,
        fallback: str,
        response: requests.Response | None = None,
    ) -> None:
        """Record that `prerequisite_id` did not work as Graph does and `fallback` was used instead."""
        exchange = exchange_record(response)
        self._emit(make_record(prerequisite_id, FALLBACK, detail, fallback=fallback, exchange=exchange))

    def filter_refused(self, response: requests.Response) -> None:
        """Record that a listing's `$filter` was refused (ODATA-FILTER): the client filters instead."""
        detail = f"{answer_line(response)}: $filter refused"
        self.fallback(ODATA_FILTER, detail, CATALOG[ODATA_FILTER].fallback, response)

    def failed(
        self, prerequisite_id: str, detail: str, response: requests.Response | None = None
    ) -> PrerequisiteFailed:
        """Record the failure and return the PrerequisiteFailed to raise (marked as recorded)."""
        record = exchange_record(response)
        error = PrerequisiteFailed(prerequisite_id, " ".join(detail.split()), exchange=record)
        if self.sink is not None:
            self._emit(error.record)
            error.recorded = True
        return error
