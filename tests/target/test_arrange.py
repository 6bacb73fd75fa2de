"""Arranging as leniently as real clients: 2xx + id is created, default containers, every try recorded."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from conformance.errors import TargetUnreachable
from conformance.reference.serve import ReferenceServer
from conformance.target.client import Graph, GraphClient
from conformance.target.config import load_target_file
from conformance.target.exchange import Exchange
from conformance.target.prerequisites import PrerequisiteFailed, Record
from conformance.target.provision import Provisioner
from conformance.target.redact import Redactor
from conformance.target.transcript import Transcript
from conformance.target.urls import quote_id
from tests._gaps import ERROR_BODY, Gaps, statuses


@pytest.fixture
def provisioner(graph: Graph, records: list[Record]) -> Provisioner:
    """A Provisioner whose prerequisite records land in `records` (each test cleans up itself)."""
    return Provisioner(graph, "gc-arrange", "a", record=records.append)


@pytest.fixture
def organizer(graph: Graph) -> GraphClient:
    """The organizer's client on the test's reference server."""
    return graph.as_("organizer")


def test_an_event_created_with_201_is_recorded_ok_with_its_exchange(
    records: list[Record], provisioner: Provisioner
) -> None:
    provisioner.event()
    assert statuses(records) == [("EVENT-CREATE", "ok")]
    assert records[0]["exchange"]["status"] == 201 and records[0]["exchange"]["method"] == "POST"
    provisioner.cleanup()


def test_a_200_with_an_id_is_created_and_recorded_as_a_fallback(
    gaps: Gaps, records: list[Record], provisioner: Provisioner, organizer: GraphClient
) -> None:
    gaps.add("POST", r"/me/events$", 200)
    event = provisioner.event()
    assert statuses(records) == [("EVENT-CREATE", "fallback")]
    assert "HTTP 200 instead of 201" in records[0]["detail"]
    assert "accepted as created" in records[0]["fallback"]
    provisioner.cleanup()
    assert organizer.get(event.path).status_code == 404  # still cleaned up


@pytest.mark.parametrize(
    ("status", "body"), [(500, ERROR_BODY), (200, {"value": []}), (201, {"id": ""})],
    ids=["server-error", "no-id", "empty-id"],
)
def test_an_answer_without_a_created_id_raises_prerequisite_failed_with_the_exchange(
    gaps: Gaps, records: list[Record], status: int, body: Any, provisioner: Provisioner
) -> None:
    gaps.add("POST", r"/me/events$", status, body)
    expected = rf"prerequisite EVENT-CREATE failed: .*HTTP {status}"
    with pytest.raises(PrerequisiteFailed, match=expected) as caught:
        provisioner.event()
    assert caught.value.recorded and statuses(records) == [("EVENT-CREATE", "failed")]
    assert caught.value.record["exchange"]["status"] == status
    assert caught.value.record["fix"]


def test_series_and_group_events_are_their_own_prerequisites(
    gaps: Gaps, records: list[Record], provisioner: Provisioner
) -> None:
    gaps.add("POST", r"/groups/[^/]+/events$", 403, ERROR_BODY)
    provisioner.series(attendees=0)
    with pytest.raises(PrerequisiteFailed, match="GROUP-EVENT-CREATE"):
        provisioner.event(group=True)
    assert statuses(records) == [("SERIES-CREATE", "ok"), ("GROUP-EVENT-CREATE", "failed")]
    provisioner.cleanup()


def test_a_refused_calendar_falls_back_to_the_default_calendar_which_is_never_deleted(
    gaps: Gaps, records: list[Record], provisioner: Provisioner, organizer: GraphClient
) -> None:
    gaps.add("POST", r"/me/calendars$", 403, ERROR_BODY)
    default_id = organizer.get("/me/calendar").json()["id"]
    calendar_id = provisioner.calendar()
    event = provisioner.event(calendar_id=calendar_id)
    assert calendar_id == default_id
    assert statuses(records) == [("CALENDAR-CREATE", "fallback"), ("EVENT-CREATE", "ok")]
    assert "GET /me/calendar" in records[0]["fallback"] and "403" in records[0]["detail"]
    provisioner.cleanup()
    assert organizer.get(f"/me/calendars/{quote_id(default_id)}").status_code == 200
    assert organizer.get(event.path).status_code == 404


def test_a_refused_calendar_group_falls_back_to_the_default_group(
    gaps: Gaps, records: list[Record], provisioner: Provisioner, organizer: GraphClient
) -> None:
    gaps.add("POST", r"/me/calendarGroups$", 501, ERROR_BODY)
    groups_before = organizer.get("/me/calendarGroups").json()["value"]
    group_id, calendar_id = provisioner.calendar_group_with_calendar()
    assert group_id in {group["id"] for group in groups_before}
    in_group = organizer.get(f"/me/calendarGroups/{quote_id(group_id)}/calendars").json()["value"]
    assert calendar_id in {calendar["id"] for calendar in in_group}
    assert statuses(records) == [("CALENDAR-GROUP-CREATE", "fallback"), ("CALENDAR-CREATE", "ok")]
    provisioner.cleanup()
    assert organizer.get(f"/me/calendarGroups/{quote_id(group_id)}").status_code == 200  # never deleted


def test_no_calendar_creation_at_all_uses_a_calendar_already_in_the_default_group(
    gaps: Gaps, records: list[Record], provisioner: Provisioner
) -> None:
    gaps.add("POST", r"/calendar[Gg]roups(/.+/calendars)?$", 403, ERROR_BODY)
    group_id, calendar_id = provisioner.calendar_group_with_calendar()
    assert group_id and calendar_id
    assert statuses(records) == [("CALENDAR-GROUP-CREATE", "fallback"), ("CALENDAR-CREATE", "fallback")]


def test_a_fallback_that_cannot_be_read_either_fails_naming_both_answers(
    gaps: Gaps, records: list[Record], provisioner: Provisioner
) -> None:
    gaps.add("POST", r"/me/calendars$", 403, ERROR_BODY)
    gaps.add("GET", r"/me/calendar$", 404, ERROR_BODY)
    with pytest.raises(PrerequisiteFailed, match=r"CALENDAR-CREATE failed: .*HTTP 403.*HTTP 404"):
        provisioner.calendar()
    assert statuses(records) == [("CALENDAR-CREATE", "failed")]


def test_instances_are_listed_or_fail_as_the_instances_prerequisite(
    gaps: Gaps, records: list[Record], provisioner: Provisioner
) -> None:
    series = provisioner.series(attendees=0, occurrences=3)
    assert len(provisioner.instances(series)) == 3
    gaps.add("GET", r"/instances$", 200, {"value": [{"id": "only-one"}]})
    with pytest.raises(PrerequisiteFailed, match=r"INSTANCES failed: .*lists 1 instance\(s\), at least 3"):
        provisioner.instances(series)
    gaps.add("GET", r"/instances$", 501, ERROR_BODY)
    with pytest.raises(PrerequisiteFailed, match="INSTANCES failed"):
        series.instances()  # the event's own helper fails the same way (unrecorded)
    assert statuses(records)[-2:] == [("INSTANCES", "ok"), ("INSTANCES", "failed")]
    provisioner.cleanup()


def test_the_attendee_copy_is_found_or_fails_fast_when_the_calendar_view_cannot_be_read(
    graph: Graph, gaps: Gaps, provisioner: Provisioner
) -> None:
    event = provisioner.event(attendees=1)
    copy = provisioner.find_attendee_copy(event)
    assert copy["iCalUId"] == event.ical_uid and copy["id"] != event.id
    gaps.add("GET", r"/me/calendarView$", 400, ERROR_BODY)
    started = time.monotonic()
    with pytest.raises(PrerequisiteFailed, match=r"ATTENDEE-COPY failed: .*HTTP 400.*cannot be read"):
        provisioner.find_attendee_copy(event)
    assert time.monotonic() - started < graph.target.poll_timeout_s / 2  # no polling of an unreadable view
    provisioner.cleanup()


def test_mailbox_and_deleted_items_reads_are_prerequisites(
    gaps: Gaps, records: list[Record], provisioner: Provisioner
) -> None:
    assert isinstance(provisioner.mailbox_messages("attendee"), list)
    gaps.add("GET", r"/mailFolders/deleteditems/messages$", 404, ERROR_BODY)
    with pytest.raises(PrerequisiteFailed, match="DELETED-ITEMS failed: .*HTTP 404"):
        provisioner.deleted_items()
    assert statuses(records) == [("MAILBOX-MESSAGES", "ok"), ("DELETED-ITEMS", "failed")]


def test_a_target_that_stops_answering_while_arranging_is_a_prerequisite_failure(
    records: list[Record], monkeypatch: pytest.MonkeyPatch, provisioner: Provisioner
) -> None:
    def unreachable(self: GraphClient, method: str, path: str, **kwargs: object) -> object:
        raise TargetUnreachable(f"{method} {path}: the target does not answer (timed out)")

    monkeypatch.setattr(GraphClient, "request", unreachable)
    expected = "EVENT-CREATE failed: POST /me/events: the target"
    with pytest.raises(PrerequisiteFailed, match=expected) as caught:
        provisioner.event()
    assert isinstance(caught.value.__cause__, TargetUnreachable)
    assert statuses(records) == [("EVENT-CREATE", "failed")]


def test_cancelled_events_are_confirmed_gone_with_one_unfiltered_listing_when_filter_is_refused(
    graph: Graph, gaps: Gaps, records: list[Record], provisioner: Provisioner, organizer: GraphClient
) -> None:
    events = [provisioner.event(attendees=0) for _ in range(3)]
    kept = provisioner.event(attendees=0)
    for event in events:
        assert organizer.post(f"{event.path}/cancel", json={}).status_code == 202
        provisioner.presumed_gone(event)
    gaps.add("GET", r"/me/calendar/events$", 400, ERROR_BODY, query="$filter")
    sink: list[Exchange] = []
    graph.transcript.start_test(sink)
    try:
        provisioner.cleanup()
    finally:
        graph.transcript.stop_test()
    sent = [(exchange.method, exchange.status, "%24filter" in exchange.url) for exchange in sink]
    assert sent[:2] == [("GET", 400, True), ("GET", 200, False)]
    assert [method for method, _status, _filtered in sent[2:]] == ["DELETE"]  # only the untouched event
    assert ("ODATA-FILTER", "fallback") in statuses(records)
    assert organizer.get(kept.path).status_code == 404


def test_a_target_that_is_gone_stops_arranging_with_target_unreachable(tmp_path: Path) -> None:
    with ReferenceServer() as server:
        target = load_target_file(server.write_target(tmp_path / "target.yaml"), environ={})
    graph = Graph(target, Transcript(Redactor(target.secrets())))  # the server has stopped
    with pytest.raises(TargetUnreachable):
        Provisioner(graph, "gc-arrange-14", "a").event()
    graph.close()


def test_a_new_group_that_cannot_hold_a_calendar_gives_way_to_the_default_group_and_its_calendar(
    gaps: Gaps, records: list[Record], provisioner: Provisioner, organizer: GraphClient
) -> None:
    gaps.add("POST", r"/calendar[Gg]roups/.+/calendars$", 501, ERROR_BODY)
    groups_before = {group["id"] for group in organizer.get("/me/calendarGroups").json()["value"]}
    group_id, calendar_id = provisioner.calendar_group_with_calendar()
    assert group_id in groups_before
    in_group = organizer.get(f"/me/calendarGroups/{quote_id(group_id)}/calendars").json()["value"]
    assert calendar_id in {calendar["id"] for calendar in in_group}
    assert statuses(records) == [("CALENDAR-GROUP-CREATE", "ok"), ("CALENDAR-CREATE", "fallback")]
    assert "default calendar group" in records[-1]["fallback"]
