"""The toolkit's observers on fake answers (no server): mailboxes, copies, windows, untouched events."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import pytest
import requests

from conformance.cases.toolkit import checks, observe
from conformance.errors import ConformanceFailure
from conformance.target.client import Graph, GraphClient
from conformance.target.polling import Bound, Effect
from conformance.target.prerequisites import PrerequisiteFailed
from conformance.target.provision import ProvisionedEvent
from conformance.target.redact import Redactor
from conformance.target.transcript import Transcript
from tests.cases.toolkit._answers import Clock, FakeClient, FakeGraph, answer

START = datetime(2031, 3, 1, 10, 0, 0)
EVENT = ProvisionedEvent(id="E1", subject="Sync [gc run-1]", ical_uid="ICAL-1", owner_role="organizer",
                         owner_user_id="u1", start=START, end=START + timedelta(hours=1))
INVITATION = {"subject": "Sync [gc run-1]", "meetingMessageType": "meetingRequest"}
NOTICE = {"subject": "Canceled: Sync [gc run-1]", "meetingMessageType": "meetingCancelled"}
OTHER = {"subject": "Canceled: Lunch [gc run-1]", "meetingMessageType": "meetingCancelled"}


@dataclass
class Quick:
    """A polling bound of a few tens of milliseconds."""

    poll_timeout_s: float = 0.05
    poll_interval_s: float = 0.01


def listing(*items: Any, status: int = 200) -> FakeClient:
    """A client whose every GET answers a collection of `items` (or `status` with an error)."""
    body = {"value": list(items)} if status == 200 else {"error": {"code": "NotImplemented", "message": "m"}}
    return FakeClient(lambda path, params: answer(status, body))


def as_client(fake: FakeClient) -> GraphClient:
    return cast(GraphClient, fake)


def as_graph(**clients: FakeClient) -> Graph:
    return cast(Graph, FakeGraph(clients))


NOT_PROVISIONED = r"^the event was not made by a Provisioner \(no start and end\)$"


def test_a_window_pads_the_event_by_an_hour_each_side() -> None:
    assert observe.window(START, START + timedelta(hours=1)) == {"startDateTime": "2031-03-01T09:00:00",
                                                        "endDateTime": "2031-03-01T12:00:00"}
    assert observe.window(START, START, pad=timedelta(0)) == {"startDateTime": "2031-03-01T10:00:00",
                                                     "endDateTime": "2031-03-01T10:00:00"}
    for start, end in ((None, START), (START, None)):
        with pytest.raises(ValueError, match=NOT_PROVISIONED):
            observe.window(start, end)


def test_an_event_is_listed_by_its_id_or_its_tagged_subject() -> None:
    assert observe.listed([{"id": "X"}, {"id": "E1"}], EVENT)
    assert observe.listed([{"id": "X", "subject": "Re: Sync [gc run-1]"}], EVENT)
    assert not observe.listed([{"id": "X", "subject": "Sync"}, {"subject": None}], EVENT)
    assert not observe.listed([], EVENT)


@pytest.mark.parametrize("subject", ["No", "XX", "Sync"], ids=["none", "placeholder", "plain"])
def test_an_item_without_a_subject_matches_no_subject(subject: str) -> None:
    """No text stands in for a missing subject (not "None", not a placeholder)."""
    event = ProvisionedEvent(id="E9", subject=subject, ical_uid="ICAL-9", owner_role="organizer",
                             owner_user_id="u1", start=START, end=START)
    bare = {"id": "X", "iCalUId": "OTHER"}
    assert not observe.listed([bare], event)
    assert observe.messages_about(as_client(listing(bare)), subject).value == []
    assert not observe.find_copy(as_client(listing(bare)), event).found


def test_messages_about_a_subject_are_read_from_the_newest_page() -> None:
    client = listing(INVITATION, NOTICE, OTHER, {"id": "no subject"})
    seen = observe.messages_about(as_client(client), "Sync [gc run-1]")
    assert seen.found and seen.value == [INVITATION, NOTICE]
    assert client.calls == [(observe.MESSAGES, observe.NEWEST_MESSAGES)]
    assert observe.NEWEST_MESSAGES == {"$top": "250"}
    assert seen.response is not None and seen.response.status_code == 200


def test_an_unreadable_mailbox_is_not_found_and_has_no_messages() -> None:
    seen = observe.messages_about(as_client(listing(status=501)), "Sync")
    assert (seen.found, seen.value) == (False, [])
    assert seen.response is not None and seen.response.status_code == 501


def test_notices_are_the_messages_about_the_subject_except_the_invitation() -> None:
    unread = observe.notices_about(as_client(listing(status=501)), "Sync [gc run-1]")
    assert not unread.found
    untyped = {"subject": "Sync [gc run-1]"}
    seen = observe.notices_about(as_client(listing(INVITATION, NOTICE, untyped)), "Sync [gc run-1]")
    assert seen.found and seen.value == [NOTICE, untyped] and seen.response is not None


def test_an_unreadable_mailbox_fails_the_mailbox_prerequisite() -> None:
    response = answer(501)
    Transcript(Redactor([])).record(response, "attendee")
    failed = observe.unreadable_mailbox("attendee", response)
    assert failed.prerequisite_id == "MAILBOX-MESSAGES"
    assert failed.exchange is not None and failed.exchange["status"] == 501
    assert failed.record["exchange"] == failed.exchange
    assert failed.detail == "GET /me/messages as 'attendee' answered HTTP 501"
    unanswered = observe.unreadable_mailbox("attendee", None)
    assert unanswered.detail == "GET /me/messages as 'attendee' answered HTTP no answer"


def test_await_notice_returns_the_first_accepted_notice() -> None:
    graph = as_graph(attendee=listing(INVITATION, NOTICE, {**NOTICE, "id": "second"}))
    seen = observe.await_notice(graph, "attendee", "Sync [gc run-1]", Quick())
    assert seen.found and seen.value == NOTICE and seen.response is not None
    picky = observe.await_notice(graph, "attendee", "Sync [gc run-1]", Quick(),
                                 accept=lambda item: "id" in item)
    assert picky.value == {**NOTICE, "id": "second"}


def test_await_notice_keeps_looking_until_the_notice_comes() -> None:
    answers = iter([{"value": [INVITATION]}, {"value": [INVITATION, NOTICE]}])
    client = FakeClient(lambda path, params: answer(200, next(answers)))
    seen = observe.await_notice(as_graph(attendee=client), "attendee", "Sync [gc run-1]",
                                Quick(poll_timeout_s=1.0))
    assert seen.found and seen.value == NOTICE and len(client.calls) == 2


def test_await_notice_reports_none_found_or_an_unreadable_mailbox() -> None:
    never = observe.await_notice(as_graph(attendee=listing(INVITATION)), "attendee", "Sync [gc run-1]",
                                 Quick())
    assert (never.found, never.value) == (False, None)
    with pytest.raises(PrerequisiteFailed, match=r"MAILBOX-MESSAGES failed: GET /me/messages as 'attendee' "
                                                 r"answered HTTP 501"):
        observe.await_notice(as_graph(attendee=listing(status=501)), "attendee", "Sync", Quick())


def test_each_attendee_gets_a_notice_of_the_expected_type() -> None:
    graph = as_graph(attendee=listing(NOTICE), attendee2=listing(INVITATION, NOTICE))
    roles = iter(["attendee", "attendee2"])
    notices = observe.expect_notices(graph, roles, "Sync [gc run-1]", "CANCEL-SENDS-MESSAGE", Quick(),
                             of_type="meetingCancelled")
    assert notices == {"attendee": NOTICE, "attendee2": NOTICE}
    untyped = {"subject": "Sync [gc run-1]", "meetingMessageType": "meetingRequest2"}
    assert observe.expect_notices(as_graph(attendee=listing(untyped)), ["attendee"], "Sync [gc run-1]",
                          "CANCEL-SENDS-MESSAGE", Quick()) == {"attendee": untyped}


def test_an_attendee_without_a_notice_fails_the_requirement() -> None:
    graph = as_graph(attendee=listing(NOTICE), attendee2=listing(INVITATION))
    with pytest.raises(ConformanceFailure) as caught:
        observe.expect_notices(graph, ["attendee", "attendee2"], "Sync [gc run-1]",
                               "CANCEL-SENDS-MESSAGE", Quick(),
                       what="the meeting")
    assert caught.value.requirement_id == "CANCEL-SENDS-MESSAGE"
    assert caught.value.message == (
        "attendee 'attendee2' received no message about the meeting (within 0.05s); the mailbox held "
        "'Sync [gc run-1]' (meetingRequest)"
    )
    assert caught.value.evidence == "response: HTTP 200"


def test_a_notice_of_another_type_fails_the_requirement() -> None:
    reply = {"subject": "Sync [gc run-1]", "meetingMessageType": "meetingTenativelyAccepted"}
    with pytest.raises(ConformanceFailure) as caught:
        observe.expect_notices(as_graph(attendee=listing(reply)), ["attendee"], "Sync [gc run-1]",
                       "CANCEL-SENDS-MESSAGE", Quick(), of_type="meetingCancelled")
    assert caught.value.requirement_id == "CANCEL-SENDS-MESSAGE"
    assert caught.value.message == (
        "attendee 'attendee' got a message about the cancelled meeting with "
        "meetingMessageType 'meetingTenativelyAccepted', expected 'meetingCancelled'")
    assert caught.value.evidence == "response: HTTP 200"


def test_the_mailboxes_are_polled_at_once() -> None:
    """Each mailbox its own poll at the same time: 12 mailboxes taking 0.2 s each take about 0.2 s."""
    slow, roles = 0.2, [f"attendee{index}" for index in range(12)]

    def late(path: str, params: dict[str, str] | None) -> requests.Response:
        time.sleep(slow)
        return answer(200, {"value": [NOTICE]})

    graph = as_graph(**{role: FakeClient(late) for role in roles})
    started = time.monotonic()
    assert len(observe.expect_notices(graph, roles, "Sync [gc run-1]", "CANCEL-SENDS-MESSAGE",
                                      Quick())) == len(roles)
    assert time.monotonic() - started < 2 * slow


def test_a_messages_text_is_its_body_and_preview() -> None:
    assert observe.message_text({"body": {"content": "<p>Off</p>"},
                                 "bodyPreview": "Off"}) == "<p>Off</p>\nOff"
    assert observe.message_text({"body": None}) == "\n"
    assert observe.message_text({}) == "\n"


def test_the_copy_is_found_by_ical_uid_or_subject_in_the_events_window() -> None:
    other = {"iCalUId": "OTHER", "subject": "Lunch"}
    by_uid = {"iCalUId": "ICAL-1", "subject": "renamed"}
    client = listing(other, by_uid)
    seen = observe.find_copy(as_client(client), EVENT)
    assert seen.found and seen.value == by_uid and seen.response is not None
    assert client.calls == [("/me/calendarView", {"startDateTime": "2031-03-01T09:00:00",
                                                  "endDateTime": "2031-03-01T12:00:00", "$top": "50"})]
    by_subject = {"iCalUId": "OTHER", "subject": "Sync [gc run-1]"}
    assert observe.find_copy(as_client(listing(other, by_subject)), EVENT).value == by_subject
    no_uid = ProvisionedEvent(id="E2", subject="Solo [gc run-1]", ical_uid=None, owner_role="organizer",
                              owner_user_id="u1", start=START, end=START)
    assert not observe.find_copy(as_client(listing({"iCalUId": None, "subject": "x"})), no_uid).found


def test_no_copy_is_not_found() -> None:
    for client in (listing({"iCalUId": "OTHER", "subject": "Lunch"}), listing(status=501)):
        seen = observe.find_copy(as_client(client), EVENT)
        assert (seen.found, seen.value) == (False, None) and seen.response is not None


BEFORE = {"id": "E1", "isCancelled": False}


def reading(status: int, body: Any) -> FakeClient:
    return FakeClient(lambda path, params: answer(status, body))


def test_an_event_still_there_and_not_cancelled_is_untouched() -> None:
    client = reading(200, BEFORE)
    observe.expect_untouched(as_client(client), "/me/events/E1", BEFORE, "CANCEL-AUTH-REQUIRED")
    assert client.calls == [("/me/events/E1", None)]
    bare = {"id": "E1"}
    observe.expect_untouched(as_client(reading(200, bare)), "/me/events/E1", bare, "CANCEL-AUTH-REQUIRED")
    observe.expect_untouched(as_client(reading(200, {"isCancelled": "true"})), "/p", BEFORE,
                             "CANCEL-AUTH-REQUIRED")


def test_an_event_gone_after_a_refused_request_fails() -> None:
    with pytest.raises(ConformanceFailure) as caught:
        observe.expect_untouched(as_client(reading(404, None)), "/me/events/E1", BEFORE,
                                 "CANCEL-AUTH-REQUIRED",
                         "the unauthenticated cancel")
    assert caught.value.requirement_id == "CANCEL-AUTH-REQUIRED"
    assert caught.value.message == ("the unauthenticated cancel still changed the event: GET on it answered "
                                    "HTTP 404 (200 before)")
    assert caught.value.evidence == "response: HTTP 404"


def test_an_event_marked_cancelled_after_a_refused_request_fails() -> None:
    with pytest.raises(ConformanceFailure) as caught:
        observe.expect_untouched(as_client(reading(200, {**BEFORE, "isCancelled": True})),
                                 "/me/events/E1", BEFORE,
                         "CANCEL-AUTH-REQUIRED")
    assert caught.value.requirement_id == "CANCEL-AUTH-REQUIRED"
    assert caught.value.message == (
        "the refused request marked the event cancelled (isCancelled: true after, not before)")
    assert caught.value.evidence == "response: HTTP 200"


def test_an_event_cancelled_before_cannot_be_judged() -> None:
    client = reading(200, BEFORE)
    with pytest.raises(PrerequisiteFailed) as caught:
        observe.expect_untouched(as_client(client), "/me/events/E1", {**BEFORE, "isCancelled": True},
                         "CANCEL-AUTH-REQUIRED")
    assert caught.value.prerequisite_id == "EVENT-READ"
    assert caught.value.detail == (
        "the event already showed isCancelled: true before the refused request was sent, "
        "so whether the refused request changed it cannot be judged")
    assert client.calls == []


def test_a_notice_keeps_the_mailbox_listing_that_found_it() -> None:
    notices = observe.expect_notices(as_graph(attendee=listing(NOTICE)), ["attendee"], "Sync [gc run-1]",
                                     "CANCEL-SENDS-MESSAGE", Quick())
    notice = notices["attendee"]
    assert isinstance(notice, observe.Notice) and notice == NOTICE
    assert notice.response is not None and notice.response.json() == {"value": [NOTICE]}


def test_an_excerpt_is_the_text_without_markup_on_one_line() -> None:
    message = {"body": {"content": "<p>Meeting<br>off</p>\n\n  <b>sorry</b>"}, "bodyPreview": "Meeting off"}
    assert observe.excerpt(message) == "Meeting off sorry Meeting off"
    assert observe.excerpt({"body": {"content": "x" * observe.EXCERPT_CHARS}}) == "x" * observe.EXCERPT_CHARS
    assert observe.excerpt({"body": {"content": "y" * (observe.EXCERPT_CHARS + 1)}}) == (
        "y" * observe.EXCERPT_CHARS + "...")


def test_the_mailbox_listing_names_the_newest_few_messages() -> None:
    assert observe.mailbox_holds(None) == "the mailbox listing held no message"
    assert observe.mailbox_holds(answer(200, {"value": []})) == "the mailbox listing held no message"
    bare = {"meetingMessageType": None}
    five = [INVITATION, bare, {"subject": "Hello"}, NOTICE, OTHER]
    assert observe.mailbox_holds(answer(200, {"value": five})) == (
        "the mailbox held 'Sync [gc run-1]' (meetingRequest), '' (no type), 'Hello' (no type), "
        "'Canceled: Sync [gc run-1]' (meetingCancelled), 'Canceled: Lunch [gc run-1]' (meetingCancelled)")
    assert observe.mailbox_holds(answer(200, {"value": [bare] * 7})) == (
        "the mailbox held '' (no type), '' (no type), '' (no type), '' (no type), '' (no type) and 2 more")


def changing(*answers: requests.Response) -> FakeClient:
    """A client whose GETs answer `answers` in turn, then the last one again."""
    queue = list(answers)
    return FakeClient(lambda path, params: queue.pop(0) if len(queue) > 1 else queue[0])


@pytest.fixture
def quiet(monkeypatch: pytest.MonkeyPatch) -> Bound:
    """A quiet period of 1 s looked at every 0.375 s, on a fake clock (no real wait)."""
    monkeypatch.setattr(checks, "time", Clock())
    return Bound(Effect.APPLIED, 1.0, 0.375, "test", "to change the event", 0.0)


def test_a_refused_request_is_watched_for_the_quiet_period(quiet: Bound) -> None:
    client = changing(answer(200, BEFORE))
    observe.expect_untouched(as_client(client), "/me/events/E1", BEFORE, "CANCEL-AUTH-REQUIRED", quiet=quiet)
    assert client.calls == [("/me/events/E1", None)] * 4


@pytest.mark.parametrize(("changed", "message"), [
    (answer(200, {**BEFORE, "isCancelled": True}),
     "the refused request marked the event cancelled (isCancelled: true after, not before)"),
    (answer(404, None),
     "the refused request still changed the event: GET on it answered HTTP 404 (200 before)"),
])
def test_a_change_within_the_quiet_period_fails_at_once(
    quiet: Bound, changed: requests.Response, message: str
) -> None:
    client = changing(answer(200, BEFORE), changed, answer(200, BEFORE))
    with pytest.raises(ConformanceFailure) as caught:
        observe.expect_untouched(as_client(client), "/me/events/E1", BEFORE, "CANCEL-AUTH-REQUIRED",
                                 quiet=quiet)
    assert caught.value.message == message
    assert len(client.calls) == 2, "the look that saw the change ended the quiet period"
