"""What a forward must cause, judged on fake mailboxes and events (no server): the forward accepted, each
recipient's meeting request, the organizer's notice, the recipient on the organizer's event, and the
recipients' mailboxes readable and clean before."""

from __future__ import annotations

import threading
from typing import Any, cast

import pytest
import requests

from conformance.cases.toolkit import forwarding
from conformance.cases.toolkit.arrange import Arranger
from conformance.errors import ConformanceFailure, MissingIdentity
from conformance.target.client import Graph
from conformance.target.polling import Effect
from conformance.target.prerequisites import PrerequisiteFailed
from conformance.target.provision import ProvisionedEvent
from conformance.target.redact import Redactor
from conformance.target.transcript import Transcript
from tests.cases.toolkit._answers import Clock, FakeClient, answer, envelope
from tests.cases.toolkit._arranger import FakeArranger, clock

__all__ = ["clock"]
TRANSCRIPT = Transcript(Redactor([]))
EVENT = ProvisionedEvent(id="E1", subject="Sync [gc run-1]", ical_uid=None, owner_role="organizer",
                         owner_user_id="u1", attendee_roles=("attendee",))
REQUEST = {"id": "m1", "subject": "FW: Sync [gc run-1]", "meetingMessageType": "meetingRequest"}
NOTIFICATION = {"id": "m2", "subject": "Sync [gc run-1]", "meetingMessageType": "meetingForwardNotification",
                "bodyPreview": "<p>Megan   forwarded</p> it"}
UNRELATED = {"id": "m3", "subject": "Lunch [gc run-1]", "meetingMessageType": "meetingRequest"}


def recorded(response: requests.Response) -> requests.Response:
    TRANSCRIPT.record(response, "someone")
    return response


def mailbox(*listings: Any) -> FakeClient:
    """A mailbox answering each listing in turn (a list: its messages; else that Response), then the last."""
    queue = [recorded(answer(200, {"value": item}) if isinstance(item, list) else item) for item in listings]
    return FakeClient(lambda path, params: queue.pop(0) if len(queue) > 1 else queue[0])


class _Identity:
    def __init__(self, address: str) -> None:
        self.address = address


class Arranged(FakeArranger):
    """A FakeArranger whose graph knows each role's address (Attendee2@Contoso.test, ...)."""

    def __init__(self, addresses: dict[str, str] | None = None, /, **clients: FakeClient) -> None:
        super().__init__(**clients)
        known = addresses or {role: f"{role.title()}@Contoso.test" for role in clients}
        self.graph.identity = lambda role: _Identity(known[role])  # type: ignore[attr-defined]


def test_a_forward_is_accepted_with_any_2xx() -> None:
    for status in (200, 202, 299):
        forwarding.expect_forwarded(answer(status), "FORWARD-202-EMPTY", "the forward")
    for status in (199, 300, 403):
        with pytest.raises(ConformanceFailure) as failed:
            forwarding.expect_forwarded(recorded(answer(status)), "FORWARD-COMMENT-EMPTY", "an empty comment")
        assert failed.value.requirement_id == "FORWARD-COMMENT-EMPTY"
        assert failed.value.message == (
            f"an empty comment: expected the forward to be accepted (2xx), got HTTP {status}")
        assert failed.value.exchange is not None


def test_a_forward_on_a_route_not_served_is_left_to_its_route_case() -> None:
    missing = answer(404, {"error": {"code": "ResourceNotFound", "message": "no"}})
    with pytest.raises(pytest.skip.Exception, match="FORWARD-ROUTE-ME-EVENTS reports the missing route"):
        forwarding.expect_forwarded(missing, "FORWARD-202-EMPTY", "the forward")


def test_a_recipient_needs_a_token_and_an_address() -> None:
    class Graphish:
        def as_(self, role: str) -> object:
            if role == "attendee3":
                raise MissingIdentity(role)
            return object()

        def identity(self, role: str) -> _Identity:
            return _Identity("" if role == "attendee2" else f"{role}@contoso.test")

    graph = cast(Graph, Graphish())
    assert [forwarding._usable(graph, role) for role in ("attendee", "attendee2", "attendee3")] == [
        True, False, False]


def test_a_new_message_is_one_not_listed_before_of_the_type_asked() -> None:
    arranged = Arranged(attendee2=mailbox([REQUEST, NOTIFICATION, UNRELATED]))
    graph = cast(Graph, arranged.graph)
    typed = forwarding.new_message(graph, "attendee2", "Sync [gc run-1]", set(), "meetingForwardNotification")
    assert (typed.found, typed.value) == (True, NOTIFICATION)
    assert typed.response is not None and typed.response.status_code == 200
    assert arranged.graph.clients["attendee2"].calls == [("/me/messages", {"$top": "250"})]
    anything = forwarding.new_message(graph, "attendee2", "Sync [gc run-1]", {"m1"}, None)
    assert (anything.found, anything.value) == (True, NOTIFICATION)
    other = forwarding.new_message(graph, "attendee2", "Sync [gc run-1]", {"m2"}, "meetingCancelled")
    assert (other.found, other.value) == (False, REQUEST), "not of the type asked: the first new one shown"
    none = forwarding.new_message(graph, "attendee2", "Sync [gc run-1]", {"m1", "m2"}, None)
    assert (none.found, none.value) == (False, None)
    assert forwarding.request_arrived(graph, "attendee2", "Sync [gc run-1]").value == REQUEST
    late = Arranged(attendee2=mailbox([NOTIFICATION]))
    assert not forwarding.request_arrived(cast(Graph, late.graph), "attendee2", "Sync [gc run-1]").found


def test_each_recipient_gets_the_meeting_request(clock: Clock) -> None:
    arranged = Arranged(attendee2=mailbox([], [REQUEST]), attendee3=mailbox([UNRELATED, REQUEST]))
    forwarding.expect_requests(cast(Arranger, arranged), ["attendee2", "attendee3"], "Sync [gc run-1]",
                               "FORWARD-RECIPIENTS-RECEIVE", 4.0)
    assert arranged.asked == [(Effect.FORWARD_REQUEST, "to deliver a forwarded meeting request", 4.0)]
    assert len(arranged.graph.clients["attendee2"].calls) >= 2, "looked again until it came"


def test_the_recipients_mailboxes_are_polled_at_once() -> None:
    """Twelve recipients: each mailbox is read while the others are (a barrier of twelve): none waits."""
    roles = [f"attendee{index}" for index in range(12)]
    together = threading.Barrier(len(roles), timeout=5)

    def at_once(path: str, params: dict[str, str] | None) -> requests.Response:
        together.wait()
        return answer(200, {"value": [REQUEST]})

    arranged = Arranged(**{role: FakeClient(at_once) for role in roles})
    forwarding.expect_requests(cast(Arranger, arranged), roles, "Sync [gc run-1]",
                               "FORWARD-RECIPIENTS-RECEIVE", None)


def test_a_recipient_without_the_request_fails_naming_what_it_got(clock: Clock) -> None:
    arranged = Arranged(attendee2=mailbox([REQUEST]), attendee3=mailbox([NOTIFICATION]))
    with pytest.raises(ConformanceFailure) as failed:
        forwarding.expect_requests(cast(Arranger, arranged), iter(["attendee2", "attendee3"]),
                                   "Sync [gc run-1]", "FORWARD-RECIPIENTS-RECEIVE", 0.0)
    assert failed.value.requirement_id == "FORWARD-RECIPIENTS-RECEIVE"
    assert failed.value.message == (
        "recipient 'attendee3' received no meeting request (meetingMessageType 'meetingRequest') for the "
        f"forwarded meeting ({arranged.bounds[0].text}); it got 'meetingForwardNotification': "
        "'Megan forwarded it'")
    assert failed.value.exchange is not None


def test_a_recipient_with_nothing_fails_without_naming_a_message(clock: Clock) -> None:
    arranged = Arranged(attendee2=mailbox([UNRELATED]))
    with pytest.raises(ConformanceFailure) as failed:
        forwarding.expect_requests(cast(Arranger, arranged), ["attendee2"], "Sync [gc run-1]",
                                   "FORWARD-RECIPIENTS-RECEIVE", 0.0)
    assert failed.value.message.endswith(f"forwarded meeting ({arranged.bounds[0].text})")


def test_the_organizer_is_notified_by_a_message_new_since_the_forward(clock: Clock) -> None:
    arranged = Arranged(organizer=mailbox([REQUEST], [REQUEST, NOTIFICATION]))
    notice = forwarding.expect_organizer_notified(cast(Arranger, arranged), EVENT, {"m1"},
                                                  "FORWARD-ORGANIZER-NOTIFIED", 5.0)
    assert notice == NOTIFICATION
    assert arranged.asked == [(Effect.FORWARD_NOTICE, "to tell the organizer of a forward", 5.0)]


def test_an_organizer_without_a_new_message_fails(clock: Clock) -> None:
    arranged = Arranged(organizer=mailbox([REQUEST]))
    with pytest.raises(ConformanceFailure) as failed:
        forwarding.expect_organizer_notified(cast(Arranger, arranged), EVENT, {"m1"},
                                             "FORWARD-ORGANIZER-NOTIFIED", 0.0)
    assert failed.value.requirement_id == "FORWARD-ORGANIZER-NOTIFIED"
    assert failed.value.message == (
        "the organizer received no message about the meeting an attendee forwarded "
        f"({arranged.bounds[0].text})")
    assert failed.value.exchange is not None


def _event_with(*addresses: str) -> requests.Response:
    return recorded(answer(200, {"attendees": [{"emailAddress": {"address": each}} for each in addresses]}))


def test_the_recipients_join_the_organizers_event(clock: Clock) -> None:
    event = mailbox(_event_with("attendee@contoso.test"),
                    _event_with("attendee@contoso.test", "ATTENDEE2@contoso.test", "attendee3@Contoso.test"))
    arranged = Arranged({"attendee2": "Attendee2@Contoso.test", "attendee3": "attendee3@contoso.test"},
                        organizer=event)
    forwarding.expect_attendees_added(cast(Arranger, arranged), EVENT, ["attendee2", "attendee3"],
                                      "FORWARD-ORGANIZER-COPY-ADDED", 6.0)
    assert arranged.asked == [(Effect.ORGANIZER_COPY, "to add a forward's recipient to the organizer's event",
                               6.0)]
    assert event.calls[0] == (EVENT.path, None)
    alone = mailbox(_event_with("attendee2@contoso.test"))
    exactly = Arranged({"attendee2": "attendee2@contoso.test"}, organizer=alone)
    forwarding.expect_attendees_added(cast(Arranger, exactly), EVENT, ["attendee2"],
                                      "FORWARD-ORGANIZER-COPY-ADDED",
                                      0.0)  # the recipient alone is listed: added all the same


@pytest.mark.parametrize(("read", "lists"), [
    (_event_with("attendee@contoso.test", "attendee3@contoso.test"),
     "attendee3@contoso.test, attendee@contoso.test"),
    (recorded(answer(200, ["not an event"])), "none"),
])
def test_a_recipient_missing_from_the_organizers_event_fails(clock: Clock, read: requests.Response,
                                                             lists: str) -> None:
    arranged = Arranged({"attendee2": "Attendee2@Contoso.test", "attendee3": "attendee3@contoso.test"},
                        organizer=mailbox(read))
    with pytest.raises(ConformanceFailure) as failed:
        forwarding.expect_attendees_added(cast(Arranger, arranged), EVENT, ["attendee3", "attendee2"],
                                          "FORWARD-ORGANIZER-COPY-ADDED", 0.0)
    both = "attendee2@contoso.test, attendee3@contoso.test"
    missing = "attendee2@contoso.test" if "attendee3" in lists else both
    assert failed.value.requirement_id == "FORWARD-ORGANIZER-COPY-ADDED"
    assert failed.value.message == (
        f"the organizer's event does not list the forward's recipient(s) {missing} among its attendees "
        f"({arranged.bounds[0].text}); it lists {lists}")
    assert failed.value.exchange is not None


def test_a_readable_mailbox_gives_the_ids_about_the_meeting() -> None:
    arranged = Arranged(attendee2=mailbox([REQUEST, UNRELATED, {"subject": "Sync [gc run-1]"}]))
    ids = forwarding.mailbox_about(cast(Arranger, arranged), "attendee2", "Sync [gc run-1]")
    assert ids == {"m1", "None"}
    assert arranged.details("ok") == ["attendee2's mailbox can be read"]
    assert arranged.records[0]["exchange"]["status"] == 200


def test_an_unreadable_mailbox_fails_mailbox_messages() -> None:
    arranged = Arranged(attendee2=mailbox(answer(403, envelope())))
    with pytest.raises(PrerequisiteFailed) as failed:
        forwarding.mailbox_about(cast(Arranger, arranged), "attendee2", "Sync [gc run-1]")
    assert failed.value.prerequisite_id == "MAILBOX-MESSAGES"
    assert failed.value.detail == (
        "GET /me/messages as 'attendee2' answered HTTP 403: what a forward sends cannot be seen")
    assert failed.value.exchange is not None and failed.value.exchange["status"] == 403
    assert arranged.details("ok") == []


def test_recipients_mailboxes_must_hold_nothing_about_the_meeting_yet() -> None:
    clean = Arranged(attendee2=mailbox([UNRELATED]), attendee3=mailbox([]))
    forwarding.clean_mailboxes(cast(Arranger, clean), ["attendee2", "attendee3"], "Sync [gc run-1]")
    assert clean.details("ok") == ["attendee2's mailbox can be read"]  # the prerequisite, recorded once
    assert [len(clean.graph.clients[role].calls) for role in ("attendee2", "attendee3")] == [1, 1]
    held = Arranged(attendee2=mailbox([UNRELATED]), attendee3=mailbox([REQUEST]))
    with pytest.raises(PrerequisiteFailed) as failed:
        forwarding.clean_mailboxes(cast(Arranger, held), ["attendee2", "attendee3"], "Sync [gc run-1]")
    assert failed.value.prerequisite_id == "MAILBOX-MESSAGES"
    assert failed.value.detail == (
        "attendee3's mailbox held a message about the meeting before it was forwarded to them")
