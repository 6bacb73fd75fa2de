"""snoozeReminder: the event's reminder then fires at newReminderTime, as reminderView lists it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import requests

from conformance.cases.toolkit import (
    ABSENT,
    Arranger,
    Effect,
    Item,
    acts_ahead,
    expect_status,
    last_act_at,
    require_route_served,
    send,
    watches_quiet,
)
from conformance.cases.toolkit.checks import Seen
from conformance.cases.toolkit.contract import (
    REFUSALS,
    Subject,
    contract_cases,
    expect_success,
)
from conformance.cases.toolkit.reminder_actions import reminder_contract
from conformance.cases.toolkit.reminders import (
    expect_reminder_at,
    expect_reminder_kept,
    listed_reminder,
    reminder_event,
    reminder_fires_at,
)
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.provision import ProvisionedEvent
from conformance.target.reminders import SNOOZE_TO, date_time_time_zone, snoozed_to

Snoozed = tuple[ProvisionedEvent, datetime, float | None]  # the event, its new reminder time, the act's time
SNOOZE_BODY = {"newReminderTime": date_time_time_zone(SNOOZE_TO)}


def snoozed(graph: Graph, subject: Subject) -> Seen[Any]:
    """One look: found once reminderView lists the subject's reminder firing at SNOOZE_TO."""
    return reminder_fires_at(graph, subject, SNOOZE_TO)


SNOOZE = reminder_contract("snoozeReminder", "SNOOZE", body=SNOOZE_BODY, effect=Effect.REMINDER_MOVED,
                           changed=snoozed, share=True)


def _snooze(graph: Graph, target: TargetConfig, arrange: Arranger) -> Snoozed:
    """A new event whose reminder reminderView lists, snoozed to a later time before its start."""
    event = reminder_event(arrange)
    listed_reminder(arrange, event)
    new_time = snoozed_to(event)
    body = {"newReminderTime": date_time_time_zone(new_time)}
    client = graph.as_(event.owner_role)
    response = send(client, f"{event.path}/snoozeReminder", "SNOOZE-REMINDER-MOVED", body=body)
    expect_success(SNOOZE, response, "SNOOZE-REMINDER-MOVED", "the owner's snoozeReminder")
    return event, new_time, last_act_at()


@pytest.mark.requirement("SNOOZE-REMINDER-MOVED")
@acts_ahead(_snooze)
def test_snoozed_reminder_fires_at_the_new_time(arrange: Arranger) -> None:
    """After snoozeReminder, reminderView lists the event's reminderFireTime at newReminderTime."""
    event, new_time, acted_at = arrange.acted()
    expect_reminder_at(arrange, event, new_time, "SNOOZE-REMINDER-MOVED", acted_at)


globals().update(contract_cases(SNOOZE))  # routes, 200 and empty body, auth, content type, permissions


WITHOUT_TIME = {"no-body": ABSENT, "empty-object": {}, "null-time": {"newReminderTime": None}}
Refused = tuple[ProvisionedEvent, Item, requests.Response]  # the event, its reminder before, the answer


@watches_quiet
def _snooze_without_time(graph: Graph, target: TargetConfig, arrange: Arranger, variant: str) -> Refused:
    """A new event whose reminder reminderView lists, snoozed without a newReminderTime."""
    event = reminder_event(arrange)
    before = listed_reminder(arrange, event)
    client = graph.as_(event.owner_role)
    path = f"{event.path}/snoozeReminder"
    return event, before, send(client, path, "GRAPH-SNOOZE-TIME-REQUIRED", body=WITHOUT_TIME[variant])


@pytest.mark.parametrize("variant", list(WITHOUT_TIME))
@pytest.mark.requirement("GRAPH-SNOOZE-TIME-REQUIRED")
@acts_ahead(_snooze_without_time)
def test_snooze_without_new_reminder_time_is_refused_and_keeps_the_reminder(
    graph: Graph, arrange: Arranger, variant: str
) -> None:
    """No newReminderTime (no body, `{}`, null): any 4xx, and the reminder still fires when it did."""
    event, before, response = arrange.acted()
    require_route_served(response, "SNOOZE-ROUTE-ME-EVENTS")
    expect_status(response, "GRAPH-SNOOZE-TIME-REQUIRED", REFUSALS, f"a snoozeReminder with {variant}")
    if SNOOZE.calibrate is not None:
        SNOOZE.calibrate(graph, arrange)
    quiet = arrange.quiet(Effect.REMINDER_MOVED, "to move a reminder after a refused snooze")
    expect_reminder_kept(arrange, event, before, "GRAPH-SNOOZE-TIME-REQUIRED", quiet)
