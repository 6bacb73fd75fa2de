"""After a cancel the event leaves the organizer's calendar and is found in the Deleted Items folder."""

from __future__ import annotations

import pytest
import requests

from conformance.cases.toolkit import (
    GONE,
    Arranger,
    Seen,
    acts_ahead,
    expect,
    expect_eventually,
    listed,
    next_link_of,
    organizer_cancels,
    value_of,
    window,
)
from conformance.target.client import Graph, GraphClient
from conformance.target.config import TargetConfig
from conformance.target.polling import Effect
from conformance.target.provision import ProvisionedEvent

NEWEST_PAGE = {"$top": "50"}
DELETED_ITEMS = "/me/mailFolders/deleteditems/messages"
DELETED_ITEMS_PAGES = 20  # pages of 50 looked through: the run's later cancels file newer items above it


def _in_deleted_items(client: GraphClient, subject: str) -> Seen[None]:
    """Whether Deleted Items lists an item with `subject`, newest first, following @odata.nextLink."""
    response = client.get(DELETED_ITEMS, params=NEWEST_PAGE)
    for _ in range(DELETED_ITEMS_PAGES):
        items = value_of(response)
        if items is None:
            break
        if any(subject in str(item.get("subject", "")) for item in items):
            return Seen(True, None, response)
        link = next_link_of(response)
        if link is None:
            break
        response = client.get(link)
    return Seen(False, None, response)


def _listings(organizer: GraphClient, event: ProvisionedEvent) -> dict[str, requests.Response]:
    """The organizer's event list and calendarView over the event's time, by what they are."""
    return {
        "the calendar's event list": organizer.get(f"{event.owner_prefix}/events", params=NEWEST_PAGE),
        "calendarView over the event's time": organizer.get(
            f"{event.owner_prefix}/calendarView", params=window(event.start, event.end)
        ),
    }


def _cancel_a_listed_event(
    graph: Graph, target: TargetConfig, arrange: Arranger
) -> tuple[ProvisionedEvent, list[str]]:
    """A new event cancelled, and the listings that showed it before (where its absence is the cancel's)."""
    event, _ = arrange.event()
    organizer = graph.as_(event.owner_role)
    showing = [
        where
        for where, answer in _listings(organizer, event).items()
        if listed(value_of(answer) or [], event)
    ]
    organizer_cancels(graph, event, "CANCEL-DELETED-ITEMS", about_answer=False, arrange=arrange)
    return event, showing


@pytest.mark.requirement("CANCEL-DELETED-ITEMS")
@acts_ahead(_cancel_a_listed_event)
def test_cancelled_event_leaves_the_calendar(graph: Graph, target: TargetConfig, arrange: Arranger) -> None:
    """GET on the cancelled event answers 404, and neither the event list nor calendarView shows it."""
    event, showing = arrange.acted()
    organizer = graph.as_(event.owner_role)
    within = arrange.effect(Effect.APPLIED, "to remove a cancelled event")

    def fetch() -> Seen[None]:
        response = organizer.get(event.path)
        return Seen(response.status_code in GONE, None, response)

    expect_eventually(fetch, "CANCEL-DELETED-ITEMS", "GET on the cancelled event does not answer 404", within)
    for where, answer in _listings(organizer, event).items():
        if where not in showing:
            continue
        expect(
            answer.status_code == 200,
            "CANCEL-DELETED-ITEMS",
            f"{where} answered HTTP {answer.status_code}",
            answer,
        )
        expect(
            not listed(value_of(answer) or [], event),
            "CANCEL-DELETED-ITEMS",
            f"the cancelled event is still in {where}",
            answer,
        )


def _cancel_an_event_not_in_deleted_items(
    graph: Graph, target: TargetConfig, arrange: Arranger
) -> ProvisionedEvent:
    """A new event, not in Deleted Items, cancelled."""
    event, _ = arrange.event()  # it must exist as created for its move to mean anything
    arrange.deleted_items_without(event)
    organizer_cancels(graph, event, "CANCEL-DELETED-ITEMS-FOLDER", about_answer=False, arrange=arrange)
    return event


@pytest.mark.requirement("CANCEL-DELETED-ITEMS-FOLDER")
@acts_ahead(_cancel_an_event_not_in_deleted_items)
def test_cancelled_event_is_in_deleted_items(graph: Graph, target: TargetConfig, arrange: Arranger) -> None:
    """The organizer's Deleted Items folder lists the cancelled event (by its tagged subject)."""
    event: ProvisionedEvent = arrange.acted()
    within = arrange.effect(Effect.DELETED_ITEMS, "to file a cancelled event in Deleted Items")

    def fetch() -> Seen[None]:
        return _in_deleted_items(graph.as_(event.owner_role), event.subject)

    expect_eventually(
        fetch,
        "CANCEL-DELETED-ITEMS-FOLDER",
        f"no item with subject {event.subject!r} in Deleted Items",
        within,
    )
