"""Recurring meetings: cancelling one occurrence by its id, and the whole series by the master's id."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from conformance.cases._expect import expect
from conformance.cases._mailbox import Poll, expect_cancellation_notices, poll, require_route_served
from conformance.outcomes import not_verified
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.provision import ProvisionedEvent, Provisioner
from conformance.target.urls import quote_id

OCCURRENCES = 3
GONE = (404, 410)


def _list_instances(
    graph: Graph, series: ProvisionedEvent
) -> tuple[list[dict[str, Any]] | None, requests.Response]:
    """GET the master's /instances over the series' window: the items (None unless the answer is 200)."""
    assert series.start is not None
    window = {
        "startDateTime": _iso(series.start, days=-1),
        "endDateTime": _iso(series.start, days=OCCURRENCES + 2),
    }
    response = graph.as_(series.owner_role).get(f"{series.path}/instances", params=window)
    if response.status_code != 200:
        return None, response
    items: list[dict[str, Any]] = response.json().get("value", [])
    return items, response


def _iso(start: datetime, *, days: int) -> str:
    return (start + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S")


def _series_with_occurrences(
    graph: Graph, provision: Provisioner, requirement_id: str, attendees: int = 1
) -> tuple[ProvisionedEvent, list[dict[str, Any]]]:
    """A new daily series and its occurrences (at least two, or the case cannot mean anything)."""
    series = provision.series(attendees=attendees, occurrences=OCCURRENCES)
    occurrences, response = _list_instances(graph, series)
    expect(
        occurrences is not None and len(occurrences) >= 2,
        requirement_id,
        f"the new {OCCURRENCES}-occurrence series lists {len(occurrences or [])} instances; expected "
        f"{OCCURRENCES}",
        response,
    )
    return series, occurrences or []


def _cancel_occurrence(
    graph: Graph, series: ProvisionedEvent, occurrence: dict[str, Any], requirement_id: str
) -> requests.Response:
    """The organizer cancels one occurrence by passing its id in the ordinary event-id slot."""
    response = graph.as_(series.owner_role).post(
        f"{series.owner_prefix}/events/{quote_id(occurrence['id'])}/cancel",
        json={"comment": "Cancelling this occurrence only"},
    )
    require_route_served(response)
    expect(
        200 <= response.status_code < 300,
        requirement_id,
        f"cancelling occurrence {occurrence.get('start', {}).get('dateTime')} answered HTTP "
        f"{response.status_code}, expected 202",
        response,
    )
    return response


@pytest.mark.requirement("CANCEL-OCCURRENCE")
def test_cancelling_an_occurrence_cancels_only_that_occurrence(
    graph: Graph, target: TargetConfig, provision: Provisioner
) -> None:
    """The cancelled occurrence leaves /instances; the master and the other occurrences remain."""
    series, occurrences = _series_with_occurrences(graph, provision, "CANCEL-OCCURRENCE")
    chosen, others = (
        occurrences[1],
        [item["id"] for item in occurrences if item["id"] != occurrences[1]["id"]],
    )
    _cancel_occurrence(graph, series, chosen, "CANCEL-OCCURRENCE")

    def fetch() -> tuple[tuple[list[dict[str, Any]]] | None, requests.Response]:
        items, response = _list_instances(graph, series)
        left = items is not None and all(item["id"] != chosen["id"] for item in items)
        return ((items,) if items is not None and left else None), response

    after: Poll = poll(fetch, target.poll_timeout_s, target.poll_interval_s)
    expect(
        after.found is not None,
        "CANCEL-OCCURRENCE",
        f"after {target.poll_timeout_s:g}s /instances still lists the cancelled occurrence "
        f"(or does not answer 200: HTTP {after.response.status_code if after.response else '?'})",
        after.response,
    )
    remaining = {item["id"] for item in after.found[0]}
    missing = [item_id for item_id in others if item_id not in remaining]
    expect(
        not missing,
        "CANCEL-OCCURRENCE",
        f"{len(missing)} occurrence(s) that were not cancelled are gone from /instances",
        after.response,
    )
    master = graph.as_(series.owner_role).get(series.path)
    expect(
        master.status_code == 200 and master.json().get("isCancelled") is not True,
        "CANCEL-OCCURRENCE",
        f"the series master answers HTTP {master.status_code} after one occurrence was cancelled; "
        "it must remain (200, not cancelled)",
        master,
    )


@pytest.mark.requirement("GRAPH-CANCELLED-OCCURRENCES")
def test_master_lists_the_cancelled_occurrence(
    graph: Graph, target: TargetConfig, provision: Provisioner
) -> None:
    """The master's `cancelledOccurrences` lists the occurrence that was cancelled."""
    series, occurrences = _series_with_occurrences(graph, provision, "GRAPH-CANCELLED-OCCURRENCES")
    chosen = occurrences[1]
    _cancel_occurrence(graph, series, chosen, "GRAPH-CANCELLED-OCCURRENCES")
    day = str(chosen.get("start", {}).get("dateTime", ""))[:10]

    def names_it(entry: object) -> bool:
        return entry == chosen.get("occurrenceId") or (bool(day) and str(entry).endswith(day))

    def fetch() -> tuple[bool, requests.Response]:
        response = graph.as_(series.owner_role).get(
            series.path, params={"$select": "subject,cancelledOccurrences"}
        )
        listed = response.json().get("cancelledOccurrences", []) if response.status_code == 200 else []
        return response.status_code in GONE or any(names_it(entry) for entry in listed or []), response

    listed = poll(fetch, target.poll_timeout_s, target.poll_interval_s)
    if listed.response is not None and listed.response.status_code in GONE:
        not_verified(
            "the series master is gone after cancelling one occurrence, so its cancelledOccurrences "
            "cannot be read (see CANCEL-OCCURRENCE)"
        )
    expect(
        listed.found,
        "GRAPH-CANCELLED-OCCURRENCES",
        f"the master's cancelledOccurrences does not list the occurrence of {day} "
        f"(occurrenceId {chosen.get('occurrenceId')!r}) within {target.poll_timeout_s:g}s",
        listed.response,
    )


@pytest.mark.requirement("GRAPH-OCCURRENCE-NOTIFIES")
def test_attendees_are_notified_of_the_cancelled_occurrence(
    graph: Graph, target: TargetConfig, provision: Provisioner
) -> None:
    """Each attendee gets a meetingCancelled message when one occurrence is cancelled."""
    series, occurrences = _series_with_occurrences(
        graph, provision, "GRAPH-OCCURRENCE-NOTIFIES", attendees=max(1, len(target.attendee_roles))
    )
    response = _cancel_occurrence(graph, series, occurrences[1], "GRAPH-OCCURRENCE-NOTIFIES")
    expect_cancellation_notices(
        graph,
        target,
        series.attendee_roles,
        series.subject,
        "GRAPH-OCCURRENCE-NOTIFIES",
        "the cancelled occurrence",
        response,
    )


@pytest.mark.requirement("GRAPH-SERIES-CANCEL")
def test_cancelling_the_master_cancels_the_series(
    graph: Graph, target: TargetConfig, provision: Provisioner
) -> None:
    """Cancelling the series master removes every occurrence (instances empty, or the master 404)."""
    series, _ = _series_with_occurrences(graph, provision, "GRAPH-SERIES-CANCEL")
    response = graph.as_(series.owner_role).post(
        f"{series.path}/cancel", json={"comment": "Cancelling the series"}
    )
    require_route_served(response)
    expect(
        200 <= response.status_code < 300,
        "GRAPH-SERIES-CANCEL",
        f"cancelling the series master answered HTTP {response.status_code}",
        response,
    )

    def fetch() -> tuple[bool, requests.Response]:
        items, listing = _list_instances(graph, series)
        return listing.status_code in GONE or items == [], listing

    gone = poll(fetch, target.poll_timeout_s, target.poll_interval_s)
    expect(
        gone.found,
        "GRAPH-SERIES-CANCEL",
        f"occurrences of the cancelled series are still listed after {target.poll_timeout_s:g}s",
        gone.response,
    )
