"""POST .../events/{id}/snoozeReminder {newReminderTime}: the reminder fires at the new time (200, empty);
the switches all reminder actions share are in reminders.py."""

from __future__ import annotations

from enum import StrEnum

from starlette.responses import Response

from conformance.reference.actions.reminders import change_reminder, reminder_action, require_reminder_access
from conformance.reference.actions.route_switches import UNKNOWN_PARAMETER
from conformance.reference.actions.support import Reader, date_time_time_zone, read_body
from conformance.reference.call import Call
from conformance.reference.faults import FaultDefinition
from conformance.reference.graph_errors import bad_request


class SnoozeFault(StrEnum):
    """snoozeReminder's own switches."""

    IGNORED = "snooze-ignored"
    CONTENT_TYPE_STRICT = "snooze-content-type-strict"
    TIME_OPTIONAL = "snooze-time-optional"


def _snooze(call: Call) -> Response:
    require_reminder_access(call)
    strict = SnoozeFault.CONTENT_TYPE_STRICT in call.faults
    parameters: dict[str, Reader] = {"newReminderTime": date_time_time_zone}
    body = read_body(call, "snoozeReminder", parameters, strict_content_type=strict)
    if "newReminderTime" not in body:
        if SnoozeFault.TIME_OPTIONAL in call.faults:  # accepted, and nothing changes
            return change_reminder(call, {}, True)
        raise bad_request("The parameter 'newReminderTime' is required.", "ErrorInvalidRequest")
    moved = {"fire": body["newReminderTime"].isoformat()}
    return change_reminder(call, moved, SnoozeFault.IGNORED in call.faults)


ACTION = reminder_action(
    "snoozeReminder", _snooze, "SNOOZE", checked=("CONTENT-TYPE", "REMINDER-MOVED"),
    observed=("SNOOZE-REMINDER-MOVED", "GRAPH-SNOOZE-TIME-REQUIRED"),
    graph_checked=(UNKNOWN_PARAMETER, "GRAPH-SNOOZE-TIME-REQUIRED"),
)

_SNOOZE = ("snoozeReminder",)
_SWITCHES = (  # (switch, what it changes, the requirement it breaks, the words of that sentence it violates)
    (SnoozeFault.IGNORED, "snoozeReminder answers 200 but the reminder keeps its fire time",
     "SNOOZE-REMINDER-MOVED", "The new date and time to trigger the reminder."),
    (SnoozeFault.CONTENT_TYPE_STRICT, "snoozeReminder: 415 unless exactly application/json",
     "SNOOZE-CONTENT-TYPE", "Nature of the data in the body of an entity."),
    (SnoozeFault.TIME_OPTIONAL, "snoozeReminder without newReminderTime: 200",
     "GRAPH-SNOOZE-TIME-REQUIRED", "is refused with a 4xx"),
)
FAULT_DEFINITIONS: dict[str, FaultDefinition] = {
    name: FaultDefinition(what, {requirement: words}, actions=_SNOOZE)
    for name, what, requirement, words in _SWITCHES
}
