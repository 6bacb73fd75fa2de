"""snoozeReminder: the event's reminder then fires at newReminderTime, as reminderView lists it."""

from __future__ import annotations

from datetime import datetime

import pytest

from conformance.cases.toolkit import Arranger, acts_ahead, expect, last_act_at, send
from conformance.cases.toolkit.contract import contract_cases
from conformance.cases.toolkit.reminder_actions import SNOOZE
from conformance.cases.toolkit.reminders import (
    date_time_time_zone,
    expect_reminder_at,
    listed_reminder,
    reminder_event,
    snoozed_to,
)
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.provision import ProvisionedEvent

Snoozed = tuple[ProvisionedEvent, datetime, float | None]  # the event, its new reminder time, the act's time


def _snooze(graph: Graph, target: TargetConfig, arrange: Arranger) -> Snoozed:
    """A new event whose reminder reminderView lists, snoozed to a later time before its start."""
    event = reminder_event(arrange)
    listed_reminder(arrange, event)
    new_time = snoozed_to(event)
    body = {"newReminderTime": date_time_time_zone(new_time)}
    client = graph.as_(event.owner_role)
    response = send(client, f"{event.path}/snoozeReminder", "SNOOZE-REMINDER-MOVED", body=body)
    expect(
        200 <= response.status_code < 300,
        "SNOOZE-REMINDER-MOVED",
        f"the owner's snoozeReminder: expected it to be accepted (2xx), got HTTP {response.status_code}",
        response,
    )
    return event, new_time, last_act_at()


@pytest.mark.requirement("SNOOZE-REMINDER-MOVED")
@acts_ahead(_snooze)
def test_snoozed_reminder_fires_at_the_new_time(arrange: Arranger) -> None:
    """After snoozeReminder, reminderView lists the event's reminderFireTime at newReminderTime."""
    event, new_time, acted_at = arrange.acted()
    expect_reminder_at(arrange, event, new_time, "SNOOZE-REMINDER-MOVED", acted_at)


globals().update(contract_cases(SNOOZE))  # routes, 200 and empty body, auth, content type, permissions
