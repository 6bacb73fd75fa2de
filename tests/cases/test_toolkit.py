"""The case toolkit: checks that explain themselves, the act's answer (or none), arranging recorded."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from conformance.cases import toolkit
from conformance.cases.toolkit import (
    ABSENT,
    Arranger,
    ConformanceFailure,
    Seen,
    expect_eventually,
    expect_untouched,
    failure,
    organizer_cancels,
    send,
)
from conformance.errors import TargetUnreachable
from conformance.target.client import Graph, GraphClient
from conformance.target.config import TargetConfig
from conformance.target.prerequisites import PrerequisiteFailed, Record
from conformance.target.provision import Provisioner
from tests._gaps import ERROR_BODY, Gaps, statuses

SKIP = pytest.skip.Exception  # what not_verified / not_applicable raise


class _Quick:
    poll_timeout_s = 0.3
    poll_interval_s = 0.05


def test_expect_eventually_returns_a_falsy_value_once_it_is_found() -> None:
    looks: list[int] = []

    def fetch() -> Seen[list[str]]:
        looks.append(1)
        return Seen(len(looks) == 2, [], None)  # found on the second look, and the value is empty

    assert expect_eventually(fetch, "CANCEL-OCCURRENCE", "never listed", _Quick()) == []
    assert len(looks) == 2


def test_expect_eventually_fails_with_the_requirement_after_a_bounded_wait() -> None:
    started = time.monotonic()
    with pytest.raises(ConformanceFailure) as caught:
        expect_eventually(lambda: Seen(False, None, None), "CANCEL-OCCURRENCE", "still listed", _Quick())
    assert time.monotonic() - started < 2
    assert caught.value.requirement_id == "CANCEL-OCCURRENCE"
    assert str(caught.value).startswith("[CANCEL-OCCURRENCE] still listed (within 0.3s)")


def test_a_failure_names_the_requirement_its_sentence_and_the_redacted_exchange(graph: Graph) -> None:
    response = graph.as_("organizer").get("/me")
    error = failure("CANCEL-202-EMPTY", "status 200, not 202", response)
    text = str(error)
    assert text.startswith("[CANCEL-202-EMPTY] status 200, not 202\nrequirement: ")
    assert toolkit.sentence_of("CANCEL-202-EMPTY") in text
    assert "GET " in text and "reproduce: curl" in text and '"Authorization: Bearer $TOKEN"' in text
    assert str(graph.token_for("organizer")) not in text
    assert error.exchange is not None and error.requirement_id == "CANCEL-202-EMPTY"


def test_send_sends_no_body_json_or_raw_bytes_typed_as_asked(graph: Graph, provision: Provisioner) -> None:
    event = provision.event(attendees=0)
    client = graph.as_("organizer")
    path = f"{event.path}/cancel"
    bare = send(client, path, "CANCEL-COMMENT-OPTIONAL", body=ABSENT, method="GET")
    assert bare.request.body is None and "Content-Type" not in bare.request.headers
    text_type: dict[str, str | None] = {"Content-type": "text/x"}
    typed = send(client, path, "CANCEL-CONTENT-TYPE", body={"comment": "x"}, headers=text_type)
    assert json.loads(typed.request.body or b"") == {"comment": "x"}
    assert typed.request.headers["Content-Type"] == "text/x"
    raw = send(client, path, "GRAPH-400-MALFORMED-JSON", raw=b'{"comment": ')
    assert raw.request.body == b'{"comment": ' and raw.request.headers["Content-Type"] == "application/json"
    assert raw.status_code == 400


@pytest.fixture
def cancels_unanswered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every cancel gets no answer (the client's TargetUnreachable); other requests are answered."""
    original = GraphClient.request

    def request(client: GraphClient, method: str, path: str, **kwargs: Any) -> Any:
        if path.endswith("/cancel"):
            raise TargetUnreachable(f"{method} {path}: the target does not answer (timed out)")
        return original(client, method, path, **kwargs)

    monkeypatch.setattr(GraphClient, "request", request)


@pytest.mark.usefixtures("cancels_unanswered")
def test_an_act_without_answer_fails_a_requirement_about_the_answer_only(
    graph: Graph, provision: Provisioner
) -> None:
    event = provision.event(attendees=0)
    client = graph.as_("organizer")
    with pytest.raises(ConformanceFailure, match=r"^\[GRAPH-400-MALFORMED-JSON\] the request got no answer"):
        send(client, f"{event.path}/cancel", "GRAPH-400-MALFORMED-JSON", raw=b"{")
    with pytest.raises(SKIP, match="not-verified: the request got no answer"):
        organizer_cancels(graph, event, "CANCEL-SENDS-MESSAGE", about_answer=False)


@pytest.mark.usefixtures("cancels_unanswered")
def test_an_act_without_answer_on_a_lost_target_stops_the_run(
    graph: Graph, provision: Provisioner, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = provision.event(attendees=0)

    def lost(target: TargetConfig, allowance: object = None) -> None:
        raise TargetUnreachable(f"{target.base_url} does not answer")

    monkeypatch.setattr("conformance.cases.toolkit.act.probe_reachable", lost)
    with pytest.raises(TargetUnreachable, match="does not answer"):
        send(graph.as_("organizer"), f"{event.path}/cancel", "GRAPH-400-MALFORMED-JSON", raw=b"{")


def test_untouched_is_judged_against_the_state_before(graph: Graph, provision: Provisioner) -> None:
    event = provision.event(attendees=0)
    organizer = graph.as_("organizer")
    before = organizer.get(event.path).json()
    expect_untouched(organizer, event.path, before, "CANCEL-AUTH-REQUIRED")  # nothing changed: no failure
    with pytest.raises(
        PrerequisiteFailed, match="EVENT-READ failed: the event already showed isCancelled: true before"
    ):
        expect_untouched(organizer, event.path, {**before, "isCancelled": True}, "CANCEL-AUTH-REQUIRED")
    assert organizer.delete(event.path).status_code == 204
    changed = r"\[CANCEL-AUTH-REQUIRED\] .* answered HTTP 404 \(200 before\)"
    with pytest.raises(ConformanceFailure, match=changed):
        expect_untouched(organizer, event.path, before, "CANCEL-AUTH-REQUIRED")


def test_an_event_that_does_not_read_back_fails_event_read_not_the_case(
    graph: Graph, target: TargetConfig, provision: Provisioner, gaps: Gaps, records: list[Record]
) -> None:
    arrange = Arranger(graph, target, provision)
    event, before = arrange.event(attendees=0)
    assert before["id"] == event.id
    gaps.add("GET", r"/me/events/.+", 200, {"id": "canned", "subject": "Let's go for lunch"})
    with pytest.raises(PrerequisiteFailed, match="EVENT-READ failed: .*another event") as caught:
        arrange.event(attendees=0)
    assert caught.value.recorded and caught.value.record["exchange"]["status"] == 200
    assert statuses(records) == [("EVENT-CREATE", "ok"), ("EVENT-READ", "ok"), ("EVENT-READ", "failed")]


@pytest.mark.parametrize(
    ("status", "body", "detail"),
    [(501, ERROR_BODY, "HTTP 501"), (200, {"value": []}, "invitation never reached")],
    ids=["unreadable", "never-delivers"],
)
def test_a_mailbox_that_shows_no_invitation_fails_mailbox_messages(
    graph: Graph,
    target: TargetConfig,
    provision: Provisioner,
    gaps: Gaps,
    records: list[Record],
    status: int,
    body: Any,
    detail: str,
) -> None:
    arrange = Arranger(graph, target, provision)
    event = provision.event(attendees=1)
    arrange.mailboxes_deliver(event)  # the reference server delivers the invitation
    gaps.add("GET", r"/me/messages$", status, body)
    with pytest.raises(PrerequisiteFailed, match=f"MAILBOX-MESSAGES failed: .*{detail}"):
        arrange.mailboxes_deliver(provision.event(attendees=1))
    assert ("MAILBOX-MESSAGES", "failed") in statuses(records)


def test_occurrences_and_copies_are_arranged_or_their_prerequisite_fails(
    graph: Graph, target: TargetConfig, provision: Provisioner, gaps: Gaps
) -> None:
    arrange = Arranger(graph, target, provision)
    series, occurrences = arrange.series(attendees=1)
    assert len(occurrences) == 3
    assert arrange.attendee_copy(series, "attendee")["iCalUId"] == series.ical_uid
    gaps.add("GET", r"/instances$", 200, {"value": [occurrences[0]]})
    with pytest.raises(PrerequisiteFailed, match="INSTANCES failed: .*lists 1 instance"):
        arrange.series()
