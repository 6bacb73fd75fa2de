"""POST .../events/{id}/dismissReminder: the event's reminder is dismissed (200, empty); no parameters, so
any body member is refused like an undeclared one (reminders.py holds the switches)."""

from __future__ import annotations

from starlette.responses import Response

from conformance.reference.actions import Action
from conformance.reference.actions.reminders import ReminderFault, change_reminder, require_reminder_access
from conformance.reference.actions.support import read_body
from conformance.reference.call import Call


def _dismiss(call: Call) -> Response:
    require_reminder_access(call)
    read_body(call, "dismissReminder", {})
    return change_reminder(call, {"dismissed": True}, ReminderFault.DISMISS_IGNORED in call.faults)


ACTION = Action("dismissReminder", _dismiss, auth_ignored=ReminderFault.AUTH_IGNORED)
