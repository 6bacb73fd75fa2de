"""POST .../events/{id}/snoozeReminder {newReminderTime}: the reminder fires at the new time (200, empty)."""

from __future__ import annotations

from enum import StrEnum

from starlette.responses import Response

from conformance.reference.actions import Action
from conformance.reference.actions.reminders import (
    REMINDER_ACTIONS,
    ReminderFault,
    change_reminder,
    require_reminder_access,
)
from conformance.reference.actions.support import date_time_time_zone, read_body
from conformance.reference.call import Call
from conformance.reference.faults import FaultDefinition
from conformance.reference.graph_errors import bad_request


class SnoozeFault(StrEnum):
    """snoozeReminder's own switches."""

    IGNORED = "snooze-ignored"


def _snooze(call: Call) -> Response:
    require_reminder_access(call)
    body = read_body(call, "snoozeReminder", {"newReminderTime": date_time_time_zone})
    if "newReminderTime" not in body:
        raise bad_request("The parameter 'newReminderTime' is required.", "ErrorInvalidRequest")
    fire = body["newReminderTime"].isoformat()
    return change_reminder(call, "snoozeReminder", {"fire": fire}, SnoozeFault.IGNORED in call.faults)


ACTION = Action("snoozeReminder", _snooze, auth_ignored=ReminderFault.AUTH_IGNORED)

FAULT_DEFINITIONS: dict[str, FaultDefinition] = {
    SnoozeFault.IGNORED: FaultDefinition(
        "snoozeReminder answers 200 but the reminder keeps its fire time",
        {"SNOOZE-REMINDER-MOVED": "The new date and time to trigger the reminder."},
        actions=REMINDER_ACTIONS[:1],
    ),
}
