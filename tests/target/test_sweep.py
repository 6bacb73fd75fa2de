"""`graph-conformance sweep` removes tagged leftovers (of one run or all) and nothing else."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from conformance.reference.serve import ReferenceServer
from conformance.target.client import Graph
from conformance.target.config import load_target_file
from conformance.target.provision import Provisioner
from conformance.target.redact import Redactor
from conformance.target.sweep import run_sweep
from conformance.target.transcript import Transcript


@pytest.fixture
def server_and_target(tmp_path: Path) -> Iterator[tuple[Graph, Path]]:
    with ReferenceServer() as server:
        target_file = tmp_path / "target.yaml"
        server.write_target(target_file)
        target = load_target_file(target_file, environ={})
        graph = Graph(target, Transcript(Redactor(target.secrets())))
        yield graph, target_file
        graph.close()


def subjects(graph: Graph, role: str, path: str = "/me/events") -> set[str]:
    return {event["subject"] for event in graph.as_(role).get(path, params={"$top": "200"}).json()["value"]}


def names(graph: Graph, path: str) -> set[str]:
    return {item["name"] for item in graph.as_("organizer").get(path).json()["value"]}


def test_sweep_of_one_run_removes_its_events_calendars_and_groups_only(
    server_and_target: tuple[Graph, Path],
) -> None:
    graph, target_file = server_and_target
    before_events, before_calendars = subjects(graph, "organizer"), names(graph, "/me/calendars")
    before_groups = names(graph, "/me/calendarGroups")
    aborted = Provisioner(graph, "gc-aborted-1", "leftover")
    plain = aborted.event()
    in_calendar = aborted.event(calendar_id=aborted.calendar())
    _group_id, grouped_calendar = aborted.calendar_group_with_calendar()
    in_group_calendar = aborted.event(calendar_id=grouped_calendar)
    group_event = aborted.event(group=True)
    other_run = Provisioner(graph, "gc-other-2", "keep").event()

    dry = io.StringIO()
    assert run_sweep(str(target_file), "gc-aborted-1", dry_run=True, out=dry) == 0
    assert "would remove" in dry.getvalue()
    assert graph.as_("organizer").get(plain.path).status_code == 200  # a dry run changes nothing

    out = io.StringIO()
    assert run_sweep(str(target_file), "gc-aborted-1", dry_run=False, out=out) == 0
    organizer = graph.as_("organizer")
    for event in (plain, in_calendar, in_group_calendar, group_event):
        assert organizer.get(event.path).status_code == 404, event.subject
    assert organizer.get(other_run.path).status_code == 200
    assert subjects(graph, "organizer") == before_events | {other_run.subject}
    assert names(graph, "/me/calendars") == before_calendars
    assert names(graph, "/me/calendarGroups") == before_groups
    assert not any(subject.startswith("[gc gc-aborted-1]") for subject in subjects(graph, "attendee"))
    assert "removed" in out.getvalue() and plain.subject in out.getvalue()


def test_sweep_without_run_id_removes_every_run_but_no_untagged_event(
    server_and_target: tuple[Graph, Path],
) -> None:
    graph, target_file = server_and_target
    untagged = subjects(graph, "organizer")
    assert untagged and not any(subject.startswith("[gc ") for subject in untagged)
    Provisioner(graph, "gc-run-a", "x").event()
    Provisioner(graph, "gc-run-b", "y").event()
    run_sweep(str(target_file), None, dry_run=False, out=io.StringIO())
    assert subjects(graph, "organizer") == untagged


def test_sweep_on_a_server_refusing_filter_lists_everything_and_still_removes_only_the_run(
    server_and_target: tuple[Graph, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    graph, target_file = server_and_target
    untagged = subjects(graph, "organizer")
    leftover = Provisioner(graph, "gc-nofilter-1", "x").event()
    kept = Provisioner(graph, "gc-nofilter-2", "y").event()
    original = requests.Session.request

    def refuse_filter(session: requests.Session, method: str, url: str, **kwargs: Any) -> requests.Response:
        response = original(session, method, url, **kwargs)
        if "$filter" in (kwargs.get("params") or {}):
            response.status_code, response._content = 400, b'{"error": {"code": "BadRequest"}}'
        return response

    monkeypatch.setattr(requests.Session, "request", refuse_filter)
    out = io.StringIO()
    assert run_sweep(str(target_file), "gc-nofilter-1", dry_run=False, out=out) == 0
    assert "$filter refused (HTTP 400)" in out.getvalue()
    assert graph.as_("organizer").get(leftover.path).status_code == 404
    assert graph.as_("organizer").get(kept.path).status_code == 200
    assert subjects(graph, "organizer") == untagged | {kept.subject}
