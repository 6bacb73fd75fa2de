"""POST .../events/{id}/snoozeReminder {newReminderTime}: the reminder fires at the new time (200, empty);
its switches are with the other reminder switches in reminders.py."""

from __future__ import annotations

from starlette.responses import Response

from conformance.reference.actions import Action
from conformance.reference.actions.reminders import ReminderFault, change_reminder, require_reminder_access
from conformance.reference.actions.support import date_time_time_zone, read_body
from conformance.reference.call import Call
from conformance.reference.graph_errors import bad_request


def _snooze(call: Call) -> Response:
    require_reminder_access(call)
    body = read_body(call, "snoozeReminder", {"newReminderTime": date_time_time_zone})
    if "newReminderTime" not in body:
        if ReminderFault.SNOOZE_TIME_OPTIONAL in call.faults:  # accepted, and nothing changes
            return change_reminder(call, {}, True)
        raise bad_request("The parameter 'newReminderTime' is required.", "ErrorInvalidRequest")
    moved = {"fire": body["newReminderTime"].isoformat()}
    return change_reminder(call, moved, ReminderFault.SNOOZE_IGNORED in call.faults)


ACTION = Action("snoozeReminder", _snooze, auth_ignored=ReminderFault.AUTH_IGNORED)
