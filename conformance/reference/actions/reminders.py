"""Event reminders: when each fires, the reminder actions' effects and the switches they share, and
GET /me/reminderView(startDateTime='..',endDateTime='..') (also /users/{id}/reminderView(...)).

A reminder action's module makes its `ACTION` with `reminder_action` (registering it for the shared switches)
and declares its own switches itself."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from conformance.reference import recurrence
from conformance.reference.access import READ_CALENDAR, WRITE_CALENDAR, require
from conformance.reference.actions import Action
from conformance.reference.actions.route_switches import PERMISSIONS
from conformance.reference.actions.support import (
    Permission,
    addressed_event,
    apply,
    check_event_id,
    check_permission,
    done,
)
from conformance.reference.call import Call, json_response, method_not_allowed
from conformance.reference.event_view import (
    GRAPH_TIME,
    occurrence_starts,
    parse_window_bound,
    times_of,
    utc_window,
)
from conformance.reference.faults import FaultDefinition
from conformance.reference.graph_errors import GraphError
from conformance.reference.ids import mint_change_key, occurrence_id
from conformance.reference.store import doc_of, dump

_REGISTERED: dict[str, tuple[Action, tuple[str, ...]]] = {}  # name -> its Action, what reminderView observes
_WHOLE = "*"  # the key of a reminder change made on a series master: every occurrence


class ReminderFault(StrEnum):
    """The switches every reminder action shares, and reminderView's gap."""

    STATUS_204 = "reminder-status-204"
    SCOPES_IGNORED = "reminder-scopes-ignored"
    APP_TOKEN_REFUSED = "reminder-app-token-refused"
    PERSONAL_REFUSED = "reminder-personal-refused"
    SCOPE_NEEDS_MAIL_SEND = "reminder-scope-needs-mail-send"
    AUTH_IGNORED = "reminder-auth-ignored"
    GAP_NO_REMINDER_VIEW = "gap-no-reminder-view"


def change_reminder(call: Call, change: dict[str, Any], ignored: bool) -> Response:
    """Move (`change` = {"fire": UTC ISO time}) or dismiss (`change` = {"dismissed": True}) the reminder of
    the addressed event or occurrence: 200 empty, applied now or after --apply-delay-ms."""
    ref = addressed_event(call)
    key = ref.day or ("" if not doc_of(ref.row).get("recurrence") else _WHOLE)
    if not ignored:
        event_id = ref.row["id"]

        def effect(connection: sqlite3.Connection, now: float) -> None:
            row = connection.execute("SELECT doc FROM events WHERE id = ?", (event_id,)).fetchone()
            if row is None:
                return
            document = doc_of(row)
            document.setdefault("_reminders", {})[key] = change
            document["changeKey"] = mint_change_key()
            connection.execute("UPDATE events SET doc = ? WHERE id = ?", (dump(document), event_id))

        apply(call.store, effect, call.settings.apply_delay_s)
    return done(204 if ReminderFault.STATUS_204 in call.faults else 200)


PERMISSION = Permission(  # Calendars.ReadWrite, bent by the switches
    WRITE_CALENDAR, (), ReminderFault.SCOPES_IGNORED, ReminderFault.APP_TOKEN_REFUSED,
    ReminderFault.PERSONAL_REFUSED, ReminderFault.SCOPE_NEEDS_MAIL_SEND,
)


def require_reminder_access(call: Call) -> None:
    """The reminder actions' permission (Calendars.ReadWrite) and a well-formed event id."""
    check_permission(call, PERMISSION)
    check_event_id(call)


def reminder_view(call: Call) -> Response:
    """GET .../reminderView(startDateTime='..',endDateTime='..'): the reminders due in the window."""
    if call.request.method != "GET":
        raise method_not_allowed("GET")
    if ReminderFault.GAP_NO_REMINDER_VIEW in call.faults:
        raise GraphError(
            501, "NotImplemented", "The segment 'reminderView' is not implemented by this service."
        )
    require(call.caller, call.mailbox, READ_CALENDAR)
    params = {key.lower(): value for key, value in call.route.params.items()}
    start = parse_window_bound(params.get("startdatetime"), "startDateTime")
    end = parse_window_bound(params.get("enddatetime"), "endDateTime")
    now = time.time()
    rows = call.store.rows(
        "SELECT * FROM events WHERE owner_id = ? AND folder = 'calendar' AND hidden_master = 0 "
        "AND visible_at <= ? ORDER BY created",
        (call.mailbox.owner_id, now),
    )
    items: list[dict[str, Any]] = []
    for row in rows:
        if row["cancel_visible_at"] is not None and row["cancel_visible_at"] <= now:
            continue
        items += _reminders_of(row, start, end)
    items.sort(key=lambda item: item["reminderFireTime"]["dateTime"])
    context = f"{call.version_url}/$metadata#Collection(microsoft.graph.reminder)"
    return json_response({"@odata.context": context, "value": items})


def _reminders_of(row: sqlite3.Row, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The reminders of one event (of each of a series' occurrences) that fire or take place in the window."""
    document = doc_of(row)
    if not document.get("isReminderOn", True):
        return []
    changes: dict[str, dict[str, Any]] = document.get("_reminders", {})
    lead = timedelta(minutes=int(document.get("reminderMinutesBeforeStart") or 0))
    if not document.get("recurrence"):
        event_start, event_end = utc_window(document)
        reminder = _reminder(row["id"], document, event_start, event_end, lead, changes.get(""), start, end)
        return [reminder] if reminder else []
    found = []
    _, duration, zone_name = times_of(document)
    for local in occurrence_starts(row, start - timedelta(days=1), end + lead + timedelta(days=1), False):
        day = local.date().isoformat()
        event_start = recurrence.to_utc(local, zone_name)
        change = changes.get(day) or changes.get(_WHOLE)
        reminder = _reminder(
            occurrence_id(row["id"], day),
            document,
            event_start,
            event_start + duration,
            lead,
            change,
            start,
            end,
        )
        if reminder:
            found.append(reminder)
    return found


def _reminder(
    event_id: str,
    document: dict[str, Any],
    event_start: datetime,
    event_end: datetime,
    lead: timedelta,
    change: dict[str, Any] | None,
    window_start: datetime,
    window_end: datetime,
) -> dict[str, Any] | None:
    """A reminder resource, or None when it is dismissed or neither fires nor takes place in the window."""
    if change and change.get("dismissed"):
        return None
    fire = datetime.fromisoformat(change["fire"]) if change and change.get("fire") else event_start - lead
    fires_in = window_start <= fire < window_end
    takes_place_in = event_start < window_end and event_end > window_start
    if not (fires_in or takes_place_in):
        return None
    return {
        "eventId": event_id,
        "changeKey": document.get("changeKey"),
        "eventSubject": document.get("subject", ""),
        "eventStartTime": _moment(event_start),
        "eventEndTime": _moment(event_end),
        "eventLocation": document.get("location") or {"displayName": ""},
        "eventWebLink": f"https://outlook.office365.com/owa/?itemid={quote(event_id, safe='')}&exvsurl=1"
        "&path=/calendar/item",
        "reminderFireTime": _moment(fire),
    }


def _moment(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(UTC).strftime(GRAPH_TIME), "timeZone": "UTC"}


def reminder_action(
    name: str, handler: Callable[[Call], Response], prefix: str, checked: tuple[str, ...],
    observed: tuple[str, ...], graph_checked: tuple[str, ...] = (),
) -> Action:
    """A reminder action's `ACTION`, registered for the shared switches; `observed`: its requirements judged
    through reminderView (its gap leaves them not-verified)."""
    action = Action(name, handler, auth_ignored=ReminderFault.AUTH_IGNORED, prefix=prefix,
                    checked=("200-EMPTY", *PERMISSIONS, *checked), graph_checked=graph_checked)
    _REGISTERED[name] = action, observed
    return action


def fault_definitions() -> dict[str, FaultDefinition]:
    """The shared switches over every registered reminder action (collected once all modules are imported)."""
    # (switch, what the reminder actions then do, the requirement (P- for each) and the words it violates)
    shared = (
        (ReminderFault.STATUS_204, "answer 204 instead of 200",
         "P-200-EMPTY", "this method returns 200 OK response code"),
        (ReminderFault.AUTH_IGNORED, "work without an Authorization header (as the event's owner)",
         "P-AUTH-REQUIRED", "Bearer {token}. Required."),
        (ReminderFault.SCOPES_IGNORED, "check no permission (Calendars.Read is enough)",
         "P-PERM-REQUIRED", "One of the following permissions is required to call this API."),
        (ReminderFault.APP_TOKEN_REFUSED, "refuse application tokens (403)",
         "P-PERM-APPLICATION", "Application: Calendars.ReadWrite"),
        (ReminderFault.PERSONAL_REFUSED, "refuse personal Microsoft accounts (403)",
         "P-PERM-DELEGATED-PERSONAL", "Delegated (personal Microsoft account): Calendars.ReadWrite"),
        (ReminderFault.SCOPE_NEEDS_MAIL_SEND, "demand Mail.Send too (delegated)",
         "P-PERM-DELEGATED-WORK", "Delegated (work or school account): Calendars.ReadWrite"),
    )
    names = tuple(_REGISTERED)
    prefixes = [action.prefix for action, _ in _REGISTERED.values()]
    both = " and ".join(names)

    def each(suffix: str) -> frozenset[str]:
        return frozenset(f"{prefix}-{suffix}" for prefix in prefixes)

    # What a switch leaves not-verified (measured on the matrix rows): an application token refused leaves the
    # generated auth family no success to judge on the /users routes it probes
    blocks = {ReminderFault.APP_TOKEN_REFUSED: each("AUTH-REQUIRED")}
    # Why several of the suite's checks see a switch (each action's copy of a check aside)
    overlap = {
        ReminderFault.STATUS_204: "the hand-written 200 case and the Schemathesis status family both judge "
                                  "every successful reminder action",
        ReminderFault.AUTH_IGNORED: "the hand-written no-token case, Schemathesis' ignored_auth and the "
                                    "common exact-401 probe (on the first selected action) all send one "
                                    "without a token",
        ReminderFault.SCOPES_IGNORED: "each reminder action's refusal case and the common exact-403 probe "
                                      "(acting on the first selected action) both see the request accepted",
    }
    # the common requirements a switch also breaks: their probes act on the first selected action
    common = {
        ReminderFault.AUTH_IGNORED: {
            "GRAPH-401-NO-TOKEN": "A request without a token, or with an empty one, gets 401"},
        ReminderFault.SCOPES_IGNORED: {"GRAPH-403-ACCESS-DENIED": "A valid token without the needed "
                                       "permission (no Calendars.ReadWrite) gets 403"},
    }
    definitions = {
        str(name): FaultDefinition(
            f"{both} {what}",
            {**{template.replace("P-", f"{prefix}-", 1): words for prefix in prefixes},
             **common.get(name, {})},
            blocks=blocks.get(name, frozenset()), overlap=overlap.get(name, ""), actions=names,
        )
        for name, what, template, words in shared
    }
    observed = [requirement for _, seen in _REGISTERED.values() for requirement in seen]
    definitions[ReminderFault.GAP_NO_REMINDER_VIEW] = FaultDefinition(
        "GET .../reminderView(...) answers 501 NotImplemented", {}, frozenset({"REMINDER-VIEW"}),
        # and the refusals judged on the reminder they must leave as it was (read through reminderView), so
        # also the common probes judging so on the first selected action (a reminder action, on this row)
        frozenset({*observed, *each("AUTH-REQUIRED"), *each("PERM-REQUIRED"), "GRAPH-400-MALFORMED-JSON",
                   "GRAPH-400-ME-APP-TOKEN", "GRAPH-400-UNKNOWN-PARAMETER", "GRAPH-401-INVALID-TOKEN"}),
        gap=True, actions=names,
    )
    return definitions
