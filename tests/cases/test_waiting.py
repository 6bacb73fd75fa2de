"""Waiting costs time, not correctness: learned polling bounds, notices polled at once, events reused."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import requests

from conformance._stash import EXCHANGES_KEY
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
from conformance.errors import TargetConfigError
from conformance.reference.serve import ReferenceServer
from conformance.target.client import Graph
from conformance.target.config import TargetConfig, load_target_file, target_from_document
from conformance.target.polling import Base, EffectLatencies
from conformance.target.prerequisites import CANCEL_WITHOUT_ATTENDEES, Record
from conformance.target.provision import Provisioner
from conformance.target.redact import Redactor
from conformance.target.transcript import Transcript


def latencies(bound_s: float = 30.0, origin: str = "default") -> EffectLatencies:
    return EffectLatencies(lambda effect: Base(bound_s, origin, effect.key), interval_s=0.05, factor=10.0)


def test_a_kind_nothing_was_seen_of_is_awaited_for_its_default_bound_naming_the_key() -> None:
    bound = latencies().bound(Effect.NOTICE, "to deliver a cancellation notice")
    assert (bound.poll_timeout_s, bound.origin, bound.key) == (30.0, "default", "effects.notice_s")
    assert "the default bound of effect 'notice' (30.0 s; effects.notice_s raises it)" in bound.text


def test_learning_lengthens_a_bound_never_shortens_it_and_one_kind_never_decides_another() -> None:
    learned = latencies()
    learned.observe(Effect.NOTICE, 0.01, "to deliver a cancellation notice")  # fast: the bound stays
    assert learned.bound(Effect.NOTICE).poll_timeout_s == 30.0
    learned.observe(Effect.INVITATION, 9.0, "to deliver the invitation")  # another kind: no influence
    assert learned.bound(Effect.NOTICE).poll_timeout_s == 30.0
    learned.observe(Effect.NOTICE, 4.0, "to deliver a cancellation notice")
    bound = learned.bound(Effect.NOTICE)
    assert (bound.poll_timeout_s, bound.origin) == (pytest.approx(40.0), "learned")
    assert "learned: 10x the 4.0 s this target took to deliver a cancellation notice" in bound.reason
    assert learned.bound(Effect.INVITATION).poll_timeout_s == pytest.approx(90.0)


def _document(**extra: Any) -> dict[str, Any]:
    return {
        "base_url": "https://calendar.example/v1.0",
        "identities": {"organizer": {"user_id": "u1", "token": {"kind": "literal", "value": "t"}}},
        **extra,
    }


def test_bounds_come_from_effects_then_polling_timeout_then_defaults_never_under_30_s() -> None:
    remote = target_from_document(_document(), source="t.yaml", environ={})
    assert remote.effect_base(Effect.NOTICE) == Base(180.0, "default", "effects.notice_s")  # mail: minutes
    assert remote.effect_base(Effect.APPLIED) == Base(60.0, "default", "effects.applied_s")
    loopback = target_from_document(
        _document(base_url="http://127.0.0.1:1/v1.0"), source="t.yaml", environ={}
    )
    assert {loopback.effect_base(effect).seconds for effect in Effect} == {30.0}  # loopback too: 30 s
    declared = target_from_document(
        _document(effects={"notice_s": 120, "applied_s": 45}, polling={"timeout_s": 5}),
        source="t.yaml", environ={},
    )
    assert declared.effect_base(Effect.NOTICE) == Base(120.0, "declared", "effects.notice_s")
    assert declared.effect_base(Effect.COPY) == Base(5.0, "declared", "polling.timeout_s")


@pytest.mark.parametrize(
    ("effects", "says"),
    [({"notice": 120}, "effects: unknown key(s) 'notice'"), ({"notice_s": 0}, "effects.notice_s: 0 is")],
)
def test_a_wrong_effects_mapping_is_refused_naming_the_key(effects: dict[str, Any], says: str) -> None:
    with pytest.raises(TargetConfigError, match=re.escape(says)):
        target_from_document(_document(effects=effects), source="t.yaml", environ={})


def test_the_floor_and_factor_come_from_the_target_files_polling_section(tmp_path: Path) -> None:
    remote = target_from_document(_document(), source="t.yaml", environ={})
    assert (remote.effect_floor, remote.effect_factor) == (10.0, 10.0)  # a real tenant: a larger floor
    tuned = target_from_document(
        _document(polling={"effect_floor_s": 0.5, "effect_factor": 4}), source="t.yaml", environ={}
    )
    assert (tuned.effect_floor, tuned.effect_factor) == (0.5, 4.0)
    assert remote.quiet_factor == 2.0  # a check that something does not happen: 2x the same kind's slowest
    quiet = target_from_document(_document(polling={"quiet_factor": 3}), source="t.yaml", environ={})
    assert quiet.quiet_factor == 3.0
    with pytest.raises(TargetConfigError, match="quiet_factor"):
        target_from_document(_document(polling={"quiet_factor": 0}), source="t.yaml", environ={})


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


def _look(looks: list[int]) -> Seen[None]:
    looks.append(1)
    return Seen(False, None)


def test_a_wait_is_counted_from_its_cause_so_an_old_cause_gets_one_look() -> None:
    looks: list[int] = []
    # a bound of 5 s whose cause was 10 s ago: counted from now it would wait 5 s, far above what a loaded
    # machine adds to one look
    cause = time.monotonic() - 10
    within = latencies(bound_s=5.0).bound(Effect.APPLIED, "to remove a cancelled event", cause)
    started = time.monotonic()
    with pytest.raises(ConformanceFailure, match=r"\(waited 10\.\d s since its cause: the default bound"):
        expect_eventually(lambda: _look(looks), "CANCEL-DELETED-ITEMS", "there", within)
    assert looks == [1] and time.monotonic() - started < 2.5


def test_a_kind_proven_never_to_come_is_looked_for_once_with_the_proof() -> None:
    learned = latencies(bound_s=0.3)
    first = learned.bound(Effect.APPLIED, "to remove a cancelled event")
    with pytest.raises(ConformanceFailure):
        expect_eventually(lambda: Seen(False, None), "CANCEL-DELETED-ITEMS", "still there", first)
    looks: list[int] = []
    later = learned.bound(Effect.APPLIED, "to remove a cancelled series")
    with pytest.raises(ConformanceFailure) as caught:
        expect_eventually(lambda: _look(looks), "GRAPH-SERIES-CANCEL", "there", later)
    assert looks == [1]
    proof = (
        " since its cause, then stopped: no effect of kind 'applied' has shown in this run, and the wait to "
        "remove a cancelled event ran out its full bound of 0.3 s (default; effects.applied_s raises it)"
    )
    assert proof in str(caught.value)
    other = learned.bound(Effect.NOTICE, "to deliver a cancellation notice")  # another kind: a full wait
    assert other.shortcut() is None
    learned.observe(Effect.APPLIED, 0.01, "to remove a cancelled event")  # once seen, never proven absent
    assert learned.bound(Effect.APPLIED).shortcut() is None


def test_a_kind_proven_never_to_come_in_another_process_stops_a_wait_at_once(tmp_path: Path) -> None:
    bases = latencies(bound_s=0.3).bases
    worker, other = (EffectLatencies(bases, interval_s=0.05, factor=10.0, shared=tmp_path)
                     for _ in range(2))
    with pytest.raises(ConformanceFailure):
        expect_eventually(lambda: Seen(False, None), "CANCEL-DELETED-ITEMS", "still there",
                          worker.bound(Effect.APPLIED, "to remove a cancelled event"))
    later = other.bound(Effect.APPLIED, "to remove a cancelled series", time.monotonic() + 60)  # a long wait
    started = time.monotonic()
    with pytest.raises(ConformanceFailure, match="then stopped: no effect of kind 'applied'"):
        expect_eventually(lambda: Seen(False, None), "GRAPH-SERIES-CANCEL", "still there", later)
    assert time.monotonic() - started < 5  # not the minute it would wait (0.2 s unloaded)
    other.observe(Effect.APPLIED, None, "to remove a cancelled event")  # seen anywhere: nothing proven
    assert worker.never(Effect.APPLIED) is None


def test_the_report_gives_per_kind_counts_latencies_and_the_bound_with_its_origin() -> None:
    learned = latencies()
    for latency_s in (0.1, 0.3, 0.2):
        learned.observe(Effect.NOTICE, latency_s, "to deliver a cancellation notice")
    learned.bound(Effect.APPLIED)
    rows = {row["kind"]: row for row in learned.report()}
    assert rows["notice"] == {
        "kind": "notice", "seen": 3, "measured": 3, "min_s": 0.1, "median_s": 0.2, "max_s": 0.3,
        "bound_s": 30.0, "origin": "default", "key": "effects.notice_s", "ran_out": False,
    }
    assert rows["applied"]["seen"] == 0 and rows["applied"]["median_s"] is None
    assert set(rows) == {"notice", "applied"}


@pytest.fixture
def session(graph: Graph, target: TargetConfig) -> Iterator[CaseSession]:
    shared = CaseSession(graph, target, "gc-waiting-test")
    yield shared
    shared.close()


@pytest.fixture
def arrange(graph: Graph, target: TargetConfig, provision: Provisioner, session: CaseSession) -> Arranger:
    return Arranger(graph, target, provision, session)


def test_an_effect_that_never_comes_fails_naming_its_kind_bound_origin_and_key(arrange: Arranger) -> None:
    event, _ = arrange.event()
    organizer_cancels(graph=arrange.graph, event=event, requirement_id="CANCEL-DELETED-ITEMS")
    within = arrange.effect(Effect.APPLIED, "to remove a cancelled event")
    started = time.monotonic()
    with pytest.raises(ConformanceFailure) as caught:
        expect_eventually(lambda: Seen(False, None), "CANCEL-DELETED-ITEMS", "still there", within)
    assert time.monotonic() - started < 0.9  # the module's target declares polling.timeout_s: 0.6
    assert "since its cause: the declared bound of effect 'applied' (0.6 s; polling.timeout_s raises it)" \
        in str(caught.value)


@pytest.fixture(scope="module")
def late_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TargetConfig]:
    """A reference server whose messages and copies appear 0.4 s late; polling up to 5 s, floor 0.1 s."""
    with ReferenceServer(message_delay_ms=400) as server:
        written = server.write_target(tmp_path_factory.mktemp("late") / "target.yaml")
        loaded = load_target_file(written, environ={})
        yield dataclasses.replace(
            loaded, poll_timeout_s=5.0, poll_timeout_declared=True, poll_interval_s=0.05, effect_floor_s=0.1
        )


def test_a_learned_bound_leaves_a_late_target_the_time_it_needs(late_target: TargetConfig) -> None:
    with closing(Graph(late_target, Transcript(Redactor(late_target.secrets())))) as graph:
        provision = Provisioner(graph, "gc-waiting-test", "late")
        try:
            arrange = Arranger(graph, late_target, provision)
            event = arrange.create(attendees=2)
            arrange.mailboxes_deliver(event)  # the invitations arrive 0.4 s late: that is learned
            slowest = arrange.latencies.slowest(Effect.INVITATION)
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
    within = latencies(bound_s=0.5).full(Effect.NOTICE, "to deliver a cancellation notice")
    started = time.monotonic()
    silent = r"attendee 'attendee' received no message .*waited 0\.5\d* s"
    with pytest.raises(ConformanceFailure, match=silent):
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


def test_a_calibration_begun_by_a_stage_runs_in_the_background_and_the_case_needing_it_waits_for_it(
    graph: Graph, target: TargetConfig, provision: Provisioner, session: CaseSession,
    request: pytest.FixtureRequest,
) -> None:
    stage = Arranger(graph, target, provision, session)
    stage.ahead = True  # a stage acted ahead: its calibration's wait must not hold it (nor the other stages)
    made: list[float] = []

    def make() -> bool:
        time.sleep(0.5)  # the effect's latency, waited in full
        graph.as_("organizer").get("/me")
        made.append(time.monotonic())
        return True

    started = time.monotonic()
    stage.calibration("kind: calibration", make)
    stage.calibration("kind: calibration", make)  # once per run: the second stage finds it begun
    assert time.monotonic() - started < 0.3 and not made
    case = Arranger(graph, target, provision, session, request.node)
    assert case.once("kind: calibration", make) is True  # waits for what is left of it, not made again
    assert len(made) == 1 and made[0] - started >= 0.5
    shown = [exchange.url for exchange in request.node.stash[EXCHANGES_KEY]]
    assert any(url.endswith("/me") for url in shown), shown  # its exchanges: the waiting case's evidence
