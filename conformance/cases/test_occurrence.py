"""Recurring meetings: cancelling one occurrence by its id, and the whole series by the master's id."""

from __future__ import annotations

import pytest
import requests

from conformance.cases.toolkit import (
    CANCELLED,
    EVENT_READ,
    GONE,
    Arranger,
    Effect,
    Item,
    PrerequisiteFailed,
    Seen,
    acts_ahead,
    exchange_record,
    expect,
    expect_eventually,
    expect_notices,
    expect_untouched,
    json_of,
    not_verified,
    organizer_cancels,
    poll,
    series_window,
    value_of,
    waited,
    watches_quiet,
)
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.provision import ProvisionedEvent
from conformance.target.urls import quote_id


def _instances(graph: Graph, series: ProvisionedEvent) -> Seen[list[Item] | None]:
    """GET the master's /instances over the series' window (found: the answer is a list)."""
    response = graph.as_(series.owner_role).get(f"{series.path}/instances", params=series_window(series))
    items = value_of(response)
    return Seen(items is not None, items, response)


def _cancel_occurrence(
    graph: Graph, arrange: Arranger, series: ProvisionedEvent, occurrence: Item, requirement_id: str
) -> requests.Response:
    """The organizer cancels one occurrence by passing its id in the ordinary event-id slot."""
    return organizer_cancels(
        graph,
        series,
        requirement_id,
        body={"comment": "Cancelling this occurrence only"},
        path=f"{series.owner_prefix}/events/{quote_id(occurrence['id'])}/cancel",
        about_answer=False,
        what=f"cancelling occurrence {occurrence.get('start', {}).get('dateTime')}",
        arrange=arrange,
    )


@watches_quiet  # the master untouched
def _cancel_the_second_occurrence(
    graph: Graph, target: TargetConfig, arrange: Arranger
) -> tuple[ProvisionedEvent, Item, Item, list[str]]:
    """A new series, its master as read before, its second occurrence (cancelled) and the others' ids."""
    series, occurrences = arrange.series()
    master_before = arrange.read_back(series)
    chosen = occurrences[1]
    others = [item["id"] for item in occurrences if item["id"] != chosen["id"]]
    _cancel_occurrence(graph, arrange, series, chosen, "CANCEL-OCCURRENCE")
    return series, master_before, chosen, others


@pytest.mark.requirement("CANCEL-OCCURRENCE")
@acts_ahead(_cancel_the_second_occurrence)
def test_cancelling_an_occurrence_cancels_only_that_occurrence(graph: Graph, arrange: Arranger) -> None:
    """The cancelled occurrence leaves /instances; the master and the other occurrences remain."""
    series, master_before, chosen, others = arrange.acted()
    within = arrange.effect(Effect.OCCURRENCE, "to drop a cancelled occurrence from /instances")

    def fetch() -> Seen[list[Item] | None]:
        seen = _instances(graph, series)  # an answer that is no list (the series gone) is final too
        gone = seen.value is None or all(item.get("id") != chosen["id"] for item in seen.value)
        return Seen(gone, seen.value, seen.response)

    seen = poll(fetch, within)
    expect(
        seen.found,
        "CANCEL-OCCURRENCE",
        f"/instances still lists the cancelled occurrence ({waited(within)})",
        seen.response,
    )
    remaining = seen.value
    expect(
        remaining is not None,
        "CANCEL-OCCURRENCE",
        "after one occurrence was cancelled, the series' /instances no longer answers a list (it did before)",
        seen.response,
    )
    missing = [item_id for item_id in others if item_id not in {item.get("id") for item in remaining or []}]
    expect(
        not missing,
        "CANCEL-OCCURRENCE",
        f"{len(missing)} occurrence(s) not cancelled are gone from /instances",
    )
    expect_untouched(
        graph.as_(series.owner_role),
        series.path,
        master_before,
        "CANCEL-OCCURRENCE",
        "cancelling one occurrence",
        quiet=arrange.quiet(Effect.APPLIED, "to cancel the series master"),
    )


def _cancelled_occurrences(graph: Graph, series: ProvisionedEvent, chosen: Item) -> Seen[bool]:
    """One look at the master's cancelledOccurrences: found when it names `chosen` (value: master gone)."""
    day = str(chosen.get("start", {}).get("dateTime", ""))[:10]

    def names_it(entry: object) -> bool:
        return entry == chosen.get("occurrenceId") or (bool(day) and str(entry).endswith(day))

    params = {"$select": "subject,cancelledOccurrences"}
    response = graph.as_(series.owner_role).get(series.path, params=params)
    body = json_of(response)
    listed = body.get("cancelledOccurrences") if isinstance(body, dict) else None
    gone = response.status_code in GONE
    return Seen(gone or any(map(names_it, listed or [])), gone, response)


def _cancel_an_unlisted_occurrence(
    graph: Graph, target: TargetConfig, arrange: Arranger
) -> tuple[ProvisionedEvent, Item]:
    """A new series whose master does not list its second occurrence as cancelled yet, which is cancelled."""
    series, occurrences = arrange.series()
    chosen = occurrences[1]
    before = _cancelled_occurrences(graph, series, chosen)
    if before.response is None or before.response.status_code != 200:
        status = before.response.status_code if before.response is not None else "no answer"
        detail = f"GET on the series master ($select=cancelledOccurrences) answered HTTP {status}"
        raise PrerequisiteFailed(EVENT_READ, detail, exchange_record(before.response))
    if before.found:
        not_verified(
            "the master listed the occurrence as cancelled before it was cancelled: no effect to judge"
        )
    _cancel_occurrence(graph, arrange, series, chosen, "GRAPH-CANCELLED-OCCURRENCES")
    return series, chosen


@pytest.mark.requirement("GRAPH-CANCELLED-OCCURRENCES")
@acts_ahead(_cancel_an_unlisted_occurrence)
def test_master_lists_the_cancelled_occurrence(graph: Graph, arrange: Arranger) -> None:
    """The master's `cancelledOccurrences` lists the occurrence that was cancelled."""
    series, chosen = arrange.acted()
    day = str(chosen.get("start", {}).get("dateTime", ""))[:10]
    within = arrange.effect(Effect.SERIES_LISTS, "to list a cancelled occurrence on its master")
    seen = poll(lambda: _cancelled_occurrences(graph, series, chosen), within)
    if seen.value:
        not_verified(
            "the series master is gone after cancelling one occurrence, so its cancelledOccurrences "
            "cannot be read (see CANCEL-OCCURRENCE)"
        )
    expect(
        seen.found,
        "GRAPH-CANCELLED-OCCURRENCES",
        f"the master's cancelledOccurrences does not list the occurrence of {day} "
        f"(occurrenceId {chosen.get('occurrenceId')!r}) ({waited(within)})",
        seen.response,
    )


def _cancel_a_delivered_occurrence(graph: Graph, target: TargetConfig, arrange: Arranger) -> ProvisionedEvent:
    """A new series delivered to every attendee, whose second occurrence is cancelled."""
    series, occurrences = arrange.series(attendees=max(1, len(target.attendee_roles)))
    arrange.mailboxes_deliver(series)
    _cancel_occurrence(graph, arrange, series, occurrences[1], "GRAPH-OCCURRENCE-NOTIFIES")
    return series


@acts_ahead(_cancel_a_delivered_occurrence)
@pytest.mark.requirement("GRAPH-OCCURRENCE-NOTIFIES")
def test_attendees_are_notified_of_the_cancelled_occurrence(
    graph: Graph, target: TargetConfig, arrange: Arranger
) -> None:
    """Each attendee gets a meetingCancelled message when one occurrence is cancelled."""
    series: ProvisionedEvent = arrange.acted()
    expect_notices(
        graph,
        series.attendee_roles,
        series.subject,
        "GRAPH-OCCURRENCE-NOTIFIES",
        arrange.notice_wait(),
        what="the cancelled occurrence",
        of_type=CANCELLED,
    )


def _cancel_a_series(graph: Graph, target: TargetConfig, arrange: Arranger) -> ProvisionedEvent:
    """A new series, cancelled by its master's id."""
    series, _ = arrange.series()
    what = "cancelling the series master"
    organizer_cancels(graph, series, "GRAPH-SERIES-CANCEL", about_answer=False, what=what, arrange=arrange)
    return series


@pytest.mark.requirement("GRAPH-SERIES-CANCEL")
@acts_ahead(_cancel_a_series)
def test_cancelling_the_master_cancels_the_series(graph: Graph, arrange: Arranger) -> None:
    """Cancelling the series master removes every occurrence (instances empty, or the master 404)."""
    series: ProvisionedEvent = arrange.acted()
    within = arrange.effect(Effect.OCCURRENCE, "to remove a cancelled series' occurrences")

    def fetch() -> Seen[None]:
        seen = _instances(graph, series)
        gone = seen.response is not None and seen.response.status_code in GONE
        return Seen(gone or seen.value == [], None, seen.response)

    expect_eventually(
        fetch, "GRAPH-SERIES-CANCEL", "occurrences of the cancelled series are still listed", within
    )
