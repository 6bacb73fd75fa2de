"""POST .../events/{id}/dismissReminder: the event's reminder is dismissed (200, empty); no parameters, so
any body member is refused like an undeclared one (the switches all reminder actions share: reminders.py)."""

from __future__ import annotations

from enum import StrEnum

from starlette.responses import Response

from conformance.reference.actions.reminders import change_reminder, reminder_action, require_reminder_access
from conformance.reference.actions.support import read_body
from conformance.reference.call import Call
from conformance.reference.faults import FaultDefinition


class DismissFault(StrEnum):
    """dismissReminder's own switches."""

    IGNORED = "dismiss-ignored"


def _dismiss(call: Call) -> Response:
    require_reminder_access(call)
    read_body(call, "dismissReminder", {})
    return change_reminder(call, {"dismissed": True}, DismissFault.IGNORED in call.faults)


ACTION = reminder_action(
    "dismissReminder", _dismiss, "DISMISS", checked=("REMINDER-GONE",), observed=("DISMISS-REMINDER-GONE",)
)

FAULT_DEFINITIONS: dict[str, FaultDefinition] = {
    DismissFault.IGNORED: FaultDefinition(
        "dismissReminder answers 200 but the reminder stays",
        {"DISMISS-REMINDER-GONE": "Dismiss a reminder that has been triggered"}, actions=("dismissReminder",),
    ),
}
