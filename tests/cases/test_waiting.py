"""Waiting costs time, not correctness: learned polling bounds, notices polled at once, events reused."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import requests

from conformance.cases.toolkit import (
    Arranger,
    CaseSession,
    ConformanceFailure,
    Effect,
    PrerequisiteFailed,
    Seen,
    expect_eventually,
    expect_notices,
    organizer_cancels,
)
from conformance.reference.serve import ReferenceServer
from conformance.target.client import Graph
from conformance.target.config import TargetConfig, load_target_file, target_from_document
from conformance.target.polling import EffectLatencies
from conformance.target.prerequisites import CANCEL_WITHOUT_ATTENDEES, Record
from conformance.target.provision import Provisioner
from conformance.target.redact import Redactor
from conformance.target.transcript import Transcript


def latencies(timeout_s: float = 30.0, floor_s: float = 2.0) -> EffectLatencies:
    return EffectLatencies(timeout_s=timeout_s, interval_s=0.05, floor_s=floor_s, factor=10.0)


def test_a_kind_nothing_was_seen_of_is_awaited_for_the_configured_bound() -> None:
    bound = latencies().bound(Effect.MAILBOX, "to deliver a cancellation notice")
    assert bound.poll_timeout_s == 30.0
    assert "no effect of kind 'mailbox' seen" in bound.text


def test_the_bound_is_factor_times_the_slowest_effect_of_its_kind_seen() -> None:
    learned = latencies(floor_s=1.0)
    learned.observe(Effect.MAILBOX, 0.2, "to deliver the invitation")
    learned.observe(Effect.MAILBOX, 0.1, "to deliver a cancellation notice")  # not the slowest: ignored
    learned.observe(Effect.CALENDAR, 5.0, "to show a created event")  # another kind: no influence
    bound = learned.bound(Effect.MAILBOX)
    assert bound.poll_timeout_s == pytest.approx(2.0)
    assert bound.text == "waited 2.0 s: 10x the 0.2 s this target took to deliver the invitation"


@pytest.mark.parametrize(
    ("latency_s", "expected_s", "says"),
    [(0.01, 2.0, "the floor (polling.effect_floor_s)"), (4.0, 30.0, "the configured polling bound")],
    ids=["never-below-the-floor", "never-above-the-configured-bound"],
)
def test_a_learned_bound_stays_between_the_floor_and_the_configured_bound(
    latency_s: float, expected_s: float, says: str
) -> None:
    learned = latencies()
    learned.observe(Effect.CALENDAR, latency_s, "to show a created event")
    bound = learned.bound(Effect.CALENDAR)
    assert bound.poll_timeout_s == expected_s
    assert says in bound.reason


def test_the_floor_and_factor_come_from_the_target_files_polling_section(tmp_path: Path) -> None:
    document: dict[str, Any] = {
        "base_url": "https://calendar.example/v1.0",
        "identities": {"organizer": {"user_id": "u1", "token": {"kind": "literal", "value": "t"}}},
    }
    remote = target_from_document(document, source="t.yaml", environ={})
    assert (remote.effect_floor, remote.effect_factor) == (10.0, 10.0)  # a real tenant: a larger floor
    document["polling"] = {"effect_floor_s": 0.5, "effect_factor": 4}
    tuned = target_from_document(document, source="t.yaml", environ={})
    assert (tuned.effect_floor, tuned.effect_factor) == (0.5, 4.0)


def test_what_a_poll_finds_teaches_the_run_its_latency() -> None:
    learned = latencies()
    looks: list[int] = []

    def fetch() -> Seen[None]:
        looks.append(1)
        return Seen(len(looks) >= 3, None)

    within = learned.full(Effect.COPY, "for an attendee's copy to appear")
    expect_eventually(fetch, "GRAPH-ATTENDEE-COPY-CANCELLED", "no copy", within)
    slowest = learned.slowest(Effect.COPY)
    assert slowest is not None and slowest[0] >= 0.09 and slowest[1] == "for an attendee's copy to appear"


@pytest.fixture
def session(graph: Graph, target: TargetConfig) -> Iterator[CaseSession]:
    shared = CaseSession(graph, target, "gc-waiting-test")
    yield shared
    shared.close()


@pytest.fixture
def arrange(graph: Graph, target: TargetConfig, provision: Provisioner, session: CaseSession) -> Arranger:
    return Arranger(graph, target, provision, session)


def test_an_effect_that_never_comes_costs_the_learned_bound_and_says_why(arrange: Arranger) -> None:
    arrange.latencies.floor_s = 0.3  # the module's target polls for at most 0.6 s
    event, _ = arrange.event()  # reading it back teaches the calendar's latency (a loopback request)
    within = arrange.effect(Effect.CALENDAR, "to remove a cancelled event")
    started = time.monotonic()
    with pytest.raises(ConformanceFailure) as caught:
        expect_eventually(lambda: Seen(False, None), "CANCEL-DELETED-ITEMS", "still there", within)
    assert time.monotonic() - started < 0.55
    assert "(waited 0.3 s: the floor (polling.effect_floor_s); 10x the " in str(caught.value)
    assert "this target took to show a created event is less)" in str(caught.value)


@pytest.fixture(scope="module")
def late_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TargetConfig]:
    """A reference server whose messages and copies appear 0.4 s late; polling up to 5 s, floor 0.1 s."""
    with ReferenceServer(message_delay_ms=400) as server:
        written = server.write_target(tmp_path_factory.mktemp("late") / "target.yaml")
        loaded = load_target_file(written, environ={})
        yield dataclasses.replace(loaded, poll_timeout_s=5.0, poll_interval_s=0.05, effect_floor_s=0.1)


def test_a_learned_bound_leaves_a_late_target_the_time_it_needs(late_target: TargetConfig) -> None:
    with closing(Graph(late_target, Transcript(Redactor(late_target.secrets())))) as graph:
        provision = Provisioner(graph, "gc-waiting-test", "late")
        try:
            arrange = Arranger(graph, late_target, provision)
            event = arrange.create(attendees=2)
            arrange.mailboxes_deliver(event)  # the invitations arrive 0.4 s late: that is learned
            slowest = arrange.latencies.slowest(Effect.MAILBOX)
            assert slowest is not None and slowest[0] >= 0.4
            organizer_cancels(graph, event, "CANCEL-SENDS-MESSAGE", body={"comment": "late"})
            within = arrange.notice_wait()
            assert 4.0 <= within.poll_timeout_s <= 5.0
            roles, subject = event.attendee_roles, event.subject
            notices = expect_notices(graph, roles, subject, "CANCEL-SENDS-MESSAGE", within)
            assert set(notices) == {"attendee", "attendee2"}
        finally:
            provision.cleanup()


def test_the_mailboxes_of_several_attendees_are_polled_at_once(graph: Graph, provision: Provisioner) -> None:
    event = provision.event(attendees=2)  # never cancelled: no notice ever comes
    within = latencies(timeout_s=0.5).full(Effect.MAILBOX, "to deliver a cancellation notice")
    started = time.monotonic()
    with pytest.raises(ConformanceFailure, match="attendee 'attendee' received no message .*waited 0.5 s"):
        expect_notices(graph, event.attendee_roles, event.subject, "CANCEL-SENDS-MESSAGE", within)
    assert time.monotonic() - started < 0.9  # one bound, not one per attendee


def test_refused_requests_reuse_one_untouched_event_until_one_changes_it(
    arrange: Arranger, graph: Graph
) -> None:
    first, before = arrange.untouched_event()
    again, _ = arrange.untouched_event()
    assert again.id == first.id and before["id"] == first.id
    assert graph.as_("organizer").post(f"{first.path}/cancel", json={"comment": "x"}).status_code == 202
    other, after = arrange.untouched_event()
    assert other.id != first.id and after["id"] == other.id
    assert arrange.unknown_event_path() == arrange.unknown_event_path()  # one deleted event per run


@pytest.fixture
def attendeeless_cancels_refused(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The target answers 400 to every cancel of an event without attendees; the cancels it got."""
    original = requests.Session.request
    cancels: list[str] = []

    def request(session: requests.Session, method: str, url: str, **kwargs: Any) -> requests.Response:
        response = original(session, method, url, **kwargs)
        if method.upper() == "POST" and url.endswith("/cancel"):
            cancels.append(url)
            response.status_code = 400
            refusal = {"error": {"code": "ErrorInvalidRequest", "message": "no"}}
            response._content = json.dumps(refusal).encode()
        return response

    monkeypatch.setattr(requests.Session, "request", request)
    return cancels


def test_a_target_refusing_to_cancel_events_without_attendees_is_a_prerequisite_not_a_failure(
    arrange: Arranger, graph: Graph, records: list[Record], attendeeless_cancels_refused: list[str]
) -> None:
    for _ in range(2):
        event = arrange.create()
        with pytest.raises(PrerequisiteFailed, match=f"^prerequisite {CANCEL_WITHOUT_ATTENDEES} failed: "):
            organizer_cancels(graph, event, "CANCEL-COMMENT-STRING", arrange=arrange)
    assert len(attendeeless_cancels_refused) == 3  # the two cases' cancels, and one question for the run
    meeting = arrange.create(attendees=1)  # a refusal of a meeting is the case's own answer: a failure
    with pytest.raises(ConformanceFailure, match=r"^\[CANCEL-COMMENT-STRING\]"):
        organizer_cancels(graph, meeting, "CANCEL-COMMENT-STRING", arrange=arrange)


def test_an_answer_several_cases_judge_alike_is_made_once_with_its_reason(arrange: Arranger) -> None:
    made: list[int] = []

    def make() -> int:
        made.append(1)
        return len(made)

    assert arrange.once("answer", make) == arrange.once("answer", make) == 1

    def cannot() -> int:
        made.append(1)
        pytest.skip("not-verified: the first cancel's effect never showed")

    reason = "^not-verified: the first cancel's effect never showed$"
    for _ in range(2):
        with pytest.raises(pytest.skip.Exception, match=reason):
            arrange.once("no answer", cannot)
    assert len(made) == 2
