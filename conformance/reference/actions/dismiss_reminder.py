"""POST .../events/{id}/dismissReminder: the event's reminder is dismissed (200, empty)."""

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
from conformance.reference.actions.support import read_body
from conformance.reference.call import Call
from conformance.reference.faults import FaultDefinition


class DismissFault(StrEnum):
    """dismissReminder's own switches."""

    IGNORED = "dismiss-ignored"


def _dismiss(call: Call) -> Response:
    require_reminder_access(call)
    read_body(call, "dismissReminder", {})  # no parameters: any member is refused, like cancel's unknown ones
    return change_reminder(call, "dismissReminder", {"dismissed": True}, DismissFault.IGNORED in call.faults)


ACTION = Action("dismissReminder", _dismiss, auth_ignored=ReminderFault.AUTH_IGNORED)

FAULT_DEFINITIONS: dict[str, FaultDefinition] = {
    DismissFault.IGNORED: FaultDefinition(
        "dismissReminder answers 200 but the reminder stays",
        {"DISMISS-REMINDER-GONE": "Dismiss a reminder that has been triggered"},
        actions=REMINDER_ACTIONS[1:],
    ),
}
