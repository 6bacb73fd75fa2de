"""Provisioner.cleanup removes what it made (events concurrently, then containers) and warns, never raises."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from conformance.errors import TargetUnreachable
from conformance.reference.serve import ReferenceServer
from conformance.target.client import Graph, GraphClient
from conformance.target.config import load_target_file
from conformance.target.exchange import Exchange
from conformance.target.provision import CleanupWarning, ProvisionedEvent, Provisioner
from conformance.target.redact import Redactor
from conformance.target.transcript import Transcript


@contextmanager
def graph_of(tmp_path: Path, *faults: str) -> Iterator[Graph]:
    with ReferenceServer(faults=faults) as server:
        target_file = tmp_path / "target.yaml"
        server.write_target(target_file)
        target = load_target_file(target_file, environ={})
        graph = Graph(target, Transcript(Redactor(target.secrets())))
        yield graph
        graph.close()


@pytest.fixture
def graph(tmp_path: Path) -> Iterator[Graph]:
    with graph_of(tmp_path) as graph:
        yield graph


def methods_sent(graph: Graph, run: Callable[[], None]) -> list[str]:
    """The methods of the requests `run` sends."""
    sink: list[Exchange] = []
    graph.transcript.start_test(sink)
    try:
        run()
    finally:
        graph.transcript.stop_test()
    return [exchange.method for exchange in sink]


def with_events(graph: Graph, run_id: str, count: int) -> Provisioner:
    """A Provisioner of run `run_id` that has made `count` plain events (no attendees: deleted)."""
    provisioner = Provisioner(graph, run_id, "c")
    for _ in range(count):
        provisioner.event(attendees=0)
    return provisioner


def test_cleanup_removes_events_calendars_and_groups(graph: Graph) -> None:
    provisioner = Provisioner(graph, "gc-cleanup-1", "c")
    plain = [provisioner.event() for _ in range(6)]
    calendar_id = provisioner.calendar()
    in_calendar = provisioner.event(calendar_id=calendar_id)
    group_id, grouped_calendar = provisioner.calendar_group_with_calendar()
    in_group = provisioner.event(calendar_id=grouped_calendar)
    cancelled = provisioner.event()
    organizer = graph.as_("organizer")
    assert organizer.post(f"{cancelled.path}/cancel", json={}).status_code == 202

    provisioner.cleanup()  # the cancelled event's DELETE answers 404: gone, no warning

    for event in (*plain, in_calendar, in_group, cancelled):
        assert organizer.get(event.path).status_code == 404, event.subject
    assert organizer.get(f"/me/calendars/{calendar_id}").status_code == 404
    assert organizer.get(f"/me/calendarGroups/{group_id}").status_code == 404
    provisioner.cleanup()  # a second cleanup has nothing left to do
    assert graph.transcript.request_count > 0


def test_cleanup_sends_event_deletes_concurrently_within_the_mailbox_cap(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    provisioner = with_events(graph, "gc-cleanup-2", 10)
    in_flight, peak, lock = 0, 0, threading.Lock()
    original = GraphClient.delete

    def counting_delete(self: GraphClient, path: str, **kwargs: object) -> object:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        try:
            threading.Event().wait(0.05)
            return original(self, path, **kwargs)  # type: ignore[arg-type]
        finally:
            with lock:
                in_flight -= 1

    monkeypatch.setattr(GraphClient, "delete", counting_delete)
    provisioner.cleanup()
    assert 1 < peak <= graph.mailbox_cap


def test_a_lost_target_ends_cleanup_with_one_warning_counting_what_is_left(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    provisioner = with_events(graph, "gc-cleanup-3", 5)
    provisioner.calendar()
    calls: list[str] = []

    def unreachable(self: GraphClient, path: str, **kwargs: object) -> object:
        calls.append(path)
        raise TargetUnreachable(f"DELETE {path}: the target does not answer")

    monkeypatch.setattr(GraphClient, "delete", unreachable)
    with pytest.warns(CleanupWarning, match=r"6 item\(s\) left behind .*graph-conformance sweep") as caught:
        provisioner.cleanup()
    assert len(caught) == 1
    assert len(calls) <= graph.mailbox_cap  # once lost, nothing more is tried


def test_a_refused_delete_warns_and_the_rest_is_still_removed(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    provisioner = Provisioner(graph, "gc-cleanup-4", "c")
    kept, removed = provisioner.event(attendees=0), provisioner.event(attendees=0)
    original = GraphClient.delete

    def refuse_one(self: GraphClient, path: str, **kwargs: object) -> object:
        if path == kept.path:
            refused = requests.Response()
            refused.status_code = 403
            return refused
        return original(self, path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(GraphClient, "delete", refuse_one)
    with pytest.warns(CleanupWarning, match=r"DELETE .* answered 403; run graph-conformance sweep"):
        provisioner.cleanup()
    organizer = graph.as_("organizer")
    assert organizer.get(removed.path).status_code == 404
    assert organizer.get(kept.path).status_code == 200


def status_only(status: int) -> requests.Response:
    """An answer with `status` and nothing else (the target is not asked)."""
    answer = requests.Response()
    answer.status_code = status
    return answer


def cancel_all(graph: Graph, provisioner: Provisioner, events: list[ProvisionedEvent]) -> None:
    organizer = graph.as_("organizer")
    for event in events:
        assert organizer.post(f"{event.path}/cancel", json={}).status_code == 202
        provisioner.presumed_gone(event)


def test_cancelled_events_are_confirmed_gone_by_one_listing_per_calendar(graph: Graph) -> None:
    provisioner = Provisioner(graph, "gc-cleanup-5", "c")
    calendar_id = provisioner.calendar()
    in_default = [provisioner.event() for _ in range(5)]
    in_calendar = [provisioner.event(calendar_id=calendar_id) for _ in range(3)]
    untouched = provisioner.event(attendees=0)
    cancel_all(graph, provisioner, [*in_default, *in_calendar])

    sent = methods_sent(graph, provisioner.cleanup)

    # one listing per calendar; DELETEs only for the untouched event and the calendar
    assert sorted(sent) == ["DELETE", "DELETE", "GET", "GET"]
    assert graph.as_("organizer").get(untouched.path).status_code == 404


def test_events_a_faulty_server_left_in_place_are_still_deleted(tmp_path: Path) -> None:
    with graph_of(tmp_path, "event-left-in-place") as graph:
        provisioner = Provisioner(graph, "gc-cleanup-6", "c")
        events = [provisioner.event() for _ in range(4)]
        cancel_all(graph, provisioner, events)  # 202, yet the events stay where they were
        organizer = graph.as_("organizer")
        assert all(organizer.get(event.path).status_code == 200 for event in events)

        provisioner.cleanup()

        assert all(organizer.get(event.path).status_code == 404 for event in events)


def test_an_unreadable_listing_deletes_every_presumed_gone_event(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    provisioner = Provisioner(graph, "gc-cleanup-7", "c")
    events = [provisioner.event() for _ in range(3)]
    cancel_all(graph, provisioner, events)
    original = GraphClient.get

    def listing_refused(self: GraphClient, path: str, **kwargs: object) -> object:
        if path.endswith("/events"):
            refused = requests.Response()
            refused.status_code = 400
            return refused
        return original(self, path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(GraphClient, "get", listing_refused)
    sent = methods_sent(graph, provisioner.cleanup)
    assert sent.count("DELETE") == 3


def test_meetings_are_cancelled_silently_and_deleted_only_if_the_cancel_is_refused(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A meeting with attendees (or a forwarded event, `invites`) is removed by a cancel with
    `"comment": ""` (no notice), confirmed by the listing; one whose cancel is refused is deleted."""
    provisioner = Provisioner(graph, "gc-cleanup-8", "c")
    meetings = [provisioner.event(attendees=1) for _ in range(2)]
    forwarded, refused = provisioner.event(attendees=0), provisioner.event(attendees=1)
    provisioner.invites(forwarded, ("attendee2",))
    provisioner.presume_all_gone()  # the stages' clean-up: meetings are still cancelled first
    original = GraphClient.post
    bodies: list[object] = []

    def refuse_one(self: GraphClient, path: str, **kwargs: object) -> object:
        bodies.append(kwargs.get("json"))
        is_refused = path == f"{refused.path}/cancel"
        return status_only(400) if is_refused else original(self, path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(GraphClient, "post", refuse_one)
    sent = methods_sent(graph, provisioner.cleanup)

    # three cancels sent (the refused one answered here, unsent), one listing, one delete (the refused one)
    assert sorted(sent) == ["DELETE", "GET", "POST", "POST", "POST"]
    assert bodies == [{"comment": ""}] * 4
    organizer = graph.as_("organizer")
    assert all(organizer.get(event.path).status_code == 404 for event in (*meetings, forwarded, refused))
