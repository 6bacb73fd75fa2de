"""After a cancel the event leaves the organizer's calendar and is found in the Deleted Items folder."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from conformance.cases._expect import expect
from conformance.cases._mailbox import NEWEST_PAGE, poll, require_route_served
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.provision import ProvisionedEvent, Provisioner

GONE = (404, 410)
DELETED_ITEMS = "/me/mailFolders/deleteditems/messages"


def _cancelled_event(graph: Graph, provision: Provisioner, requirement_id: str) -> ProvisionedEvent:
    """A new meeting, cancelled by its organizer (the cancel must be accepted)."""
    event = provision.event(attendees=1)
    response = graph.as_(event.owner_role).post(
        f"{event.path}/cancel", json={"comment": "Moved to Deleted Items"}
    )
    require_route_served(response)
    expect(
        200 <= response.status_code < 300,
        requirement_id,
        f"the organizer's cancel answered HTTP {response.status_code}, expected 202",
        response,
    )
    return event


def _window(event: ProvisionedEvent) -> dict[str, str]:
    assert event.start is not None and event.end is not None
    return {
        "startDateTime": _iso(event.start - timedelta(hours=1)),
        "endDateTime": _iso(event.end + timedelta(hours=1)),
    }


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _listed(response: requests.Response, event: ProvisionedEvent) -> bool:
    """Whether a collection answer lists the event (by id or by its tagged subject)."""
    if response.status_code != 200:
        return False
    items: list[dict[str, Any]] = response.json().get("value", [])
    return any(item.get("id") == event.id or item.get("subject") == event.subject for item in items)


@pytest.mark.requirement("CANCEL-DELETED-ITEMS")
def test_cancelled_event_leaves_the_calendar(
    graph: Graph, target: TargetConfig, provision: Provisioner
) -> None:
    """GET on the cancelled event answers 404, and neither the event list nor calendarView shows it."""
    event = _cancelled_event(graph, provision, "CANCEL-DELETED-ITEMS")
    organizer = graph.as_(event.owner_role)

    def fetch() -> tuple[bool, requests.Response]:
        response = organizer.get(event.path)
        return response.status_code in GONE, response

    gone = poll(fetch, target.poll_timeout_s, target.poll_interval_s)
    expect(
        gone.found,
        "CANCEL-DELETED-ITEMS",
        f"GET on the cancelled event still answers HTTP {gone.response.status_code if gone.response else '?'}"
        f" after {target.poll_timeout_s:g}s, expected 404",
        gone.response,
    )
    listing = organizer.get(f"{event.owner_prefix}/events", params=NEWEST_PAGE)
    _expect_not_listed(listing, event, "the calendar's event list")
    view = organizer.get(f"{event.owner_prefix}/calendarView", params=_window(event))
    _expect_not_listed(view, event, "calendarView over the event's time")


def _expect_not_listed(response: requests.Response, event: ProvisionedEvent, where: str) -> None:
    """The collection answered 200 and does not list the cancelled event (CANCEL-DELETED-ITEMS)."""
    expect(
        response.status_code == 200,
        "CANCEL-DELETED-ITEMS",
        f"{where} answered HTTP {response.status_code}",
        response,
    )
    expect(
        not _listed(response, event),
        "CANCEL-DELETED-ITEMS",
        f"the cancelled event is still in {where}",
        response,
    )


@pytest.mark.requirement("CANCEL-DELETED-ITEMS-FOLDER")
def test_cancelled_event_is_in_deleted_items(
    graph: Graph, target: TargetConfig, provision: Provisioner
) -> None:
    """The organizer's Deleted Items folder lists the cancelled event (by its tagged subject)."""
    event = _cancelled_event(graph, provision, "CANCEL-DELETED-ITEMS-FOLDER")
    organizer = graph.as_(event.owner_role)

    def fetch() -> tuple[bool, requests.Response]:
        response = organizer.get(DELETED_ITEMS, params=NEWEST_PAGE)
        items = response.json().get("value", []) if response.status_code == 200 else []
        return any(event.subject in str(item.get("subject", "")) for item in items), response

    found = poll(fetch, target.poll_timeout_s, target.poll_interval_s)
    expect(
        found.found,
        "CANCEL-DELETED-ITEMS-FOLDER",
        f"no item with subject {event.subject!r} in {DELETED_ITEMS} within {target.poll_timeout_s:g}s",
        found.response,
    )
