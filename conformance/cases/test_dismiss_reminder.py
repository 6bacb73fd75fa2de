"""dismissReminder: the event's reminder then leaves reminderView."""

from __future__ import annotations

import pytest

from conformance.cases.toolkit import ABSENT, Arranger, Effect, acts_ahead, last_act_at, send
from conformance.cases.toolkit.contract import contract_cases, expect_success
from conformance.cases.toolkit.reminder_actions import reminder_contract
from conformance.cases.toolkit.reminders import (
    expect_reminder_gone,
    listed_reminder,
    reminder_event,
    reminder_unlisted,
)
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.provision import ProvisionedEvent

Dismissed = tuple[ProvisionedEvent, float | None]  # the event, when its dismissal was answered


# a dismissed reminder is gone: the contract's cases share no event
DISMISS = reminder_contract("dismissReminder", "DISMISS", body=ABSENT, effect=Effect.REMINDER_GONE,
                            changed=reminder_unlisted, share=False)


def _dismiss(graph: Graph, target: TargetConfig, arrange: Arranger) -> Dismissed:
    """A new event whose reminder reminderView lists, its reminder dismissed."""
    event = reminder_event(arrange)
    listed_reminder(arrange, event)
    client = graph.as_(event.owner_role)
    response = send(client, f"{event.path}/dismissReminder", "DISMISS-REMINDER-GONE")
    expect_success(DISMISS, response, "DISMISS-REMINDER-GONE", "the owner's dismissReminder")
    return event, last_act_at()


@pytest.mark.requirement("DISMISS-REMINDER-GONE")
@acts_ahead(_dismiss)
def test_dismissed_reminder_leaves_reminder_view(arrange: Arranger) -> None:
    """After dismissReminder, reminderView no longer lists the event's reminder."""
    event, acted_at = arrange.acted()
    expect_reminder_gone(arrange, event, "DISMISS-REMINDER-GONE", acted_at)


# routes, 200 and empty body, auth, permissions; dismissReminder takes no body, so no content-type case
_CASES = contract_cases(DISMISS)
globals().update({name: case for name, case in _CASES.items() if "content_type" not in name})
