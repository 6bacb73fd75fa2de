"""The footprint: requests, events created, cancels, meeting messages and the peak rate, from exchanges."""

from __future__ import annotations

import json
from typing import Any

from conformance.target.exchange import Exchange
from conformance.target.footprint import Footprint, FootprintCounter, count_footprint, total_footprint

BASE = "http://127.0.0.1:1/v1.0"
T0 = 1_800_000_000.0


def _exchange(
    method: str,
    path: str,
    status: int,
    *,
    sent: Any = None,
    answer: Any = None,
    at: float = T0,
    mailbox: str = "organizer",
    attempts: int = 1,
) -> Exchange:
    return Exchange(
        method=method,
        url=BASE + path,
        identity="organizer",
        status=status,
        request_body=None if sent is None else json.dumps(sent),
        response_body=None if answer is None else json.dumps(answer),
        sent_at=at,
        mailbox=mailbox,
        attempts=attempts,
    )


def _attendees(count: int) -> list[dict[str, Any]]:
    return [{"emailAddress": {"address": f"a{index}@contoso.test"}} for index in range(count)]


def _created(event_id: str, attendees: int, at: float = T0) -> Exchange:
    body = {"subject": "x", "attendees": _attendees(attendees)}
    return _exchange("POST", "/me/events", 201, sent=body, answer={"id": event_id, **body}, at=at)


def test_a_created_and_cancelled_meeting_counts_an_invitation_and_a_notice_per_attendee() -> None:
    footprint = count_footprint(
        [
            _created("AAMk/a=", 2),
            _exchange("POST", "/me/events/AAMk%2Fa%3D/cancel", 202, sent={"comment": "off"}),
            _exchange("DELETE", "/me/events/AAMk%2Fa%3D", 404),  # clean-up of a gone event
        ]
    )
    assert (footprint.requests, footprint.events_created) == (3, 1)
    assert (footprint.cancels_sent, footprint.cancels_2xx) == (1, 1)
    assert (footprint.invitations, footprint.notices, footprint.messages) == (2, 2, 4)


def test_refused_creations_and_cancels_cause_no_message() -> None:
    footprint = count_footprint(
        [
            _exchange("POST", "/me/events", 400, sent={"attendees": _attendees(3)}),
            _created("e1", 1),
            _exchange("POST", "/me/events/e1/cancel", 400, sent={}),
            _exchange("POST", "/me/events/e1/cancel", 403, sent={}),
        ]
    )
    assert footprint.events_created == 1 and footprint.invitations == 1
    assert (footprint.cancels_sent, footprint.cancels_2xx, footprint.notices) == (2, 0, 0)


def test_an_empty_comment_sends_no_notice_and_a_second_2xx_cancel_no_second_one() -> None:
    footprint = count_footprint(
        [
            _created("e1", 2),
            _created("e2", 1),
            _exchange("POST", "/me/events/e1/cancel", 202, sent={"comment": ""}),
            _exchange("POST", "/me/events/e2/cancel", 202, sent={"Comment": "bye"}),
            _exchange("POST", "/me/events/e2/cancel", 202, sent={"Comment": "bye"}),
        ]
    )
    assert (footprint.invitations, footprint.notices, footprint.cancels_2xx) == (3, 1, 3)


def test_the_organizers_delete_of_a_meeting_notifies_and_occurrences_are_learnt_from_listings() -> None:
    instances = {
        "value": [
            {"id": "occ-1", "isOrganizer": True, "attendees": _attendees(2)},
            {"id": "copy-1", "isOrganizer": False, "attendees": _attendees(2)},
        ]
    }
    footprint = count_footprint(
        [
            _created("series", 2),
            _exchange("GET", "/me/events/series/instances", 200, answer=instances),
            _exchange("POST", "/me/events/series/instances/occ-1/cancel", 202, sent={"comment": "x"}),
            _exchange("DELETE", "/me/events/copy-1", 204),  # an attendee's copy: no message
            _exchange("DELETE", "/me/events/series", 204),
        ]
    )
    assert (footprint.events_created, footprint.invitations, footprint.notices) == (1, 2, 4)


def test_retries_count_as_requests_and_the_peak_is_per_mailbox_per_second() -> None:
    footprint = count_footprint(
        [
            _exchange("GET", "/me/events", 200, at=T0 + 0.1, attempts=3),
            _exchange("GET", "/me/events", 200, at=T0 + 0.9),
            _exchange("GET", "/me/events", 200, at=T0 + 1.2),
            _exchange("GET", "/users/alex/events", 200, at=T0 + 0.5, mailbox="attendee"),
            _exchange("GET", "/subscriptions", 200, at=T0 + 0.5, mailbox=""),
        ]
    )
    assert footprint.requests == 7
    assert footprint.peak_per_mailbox == {"organizer": 4, "attendee": 1}
    assert footprint.peak == ("organizer", 4)


def test_footprints_carried_as_properties_add_up_to_the_whole_runs() -> None:
    exchanges = [
        _created("e1", 1, at=T0),
        _exchange("POST", "/me/events/e1/cancel", 202, sent={}, at=T0 + 0.2),
        _created("e2", 3, at=T0 + 0.4),
        _exchange("POST", "/me/events/e2/cancel", 202, sent={"comment": "x"}, at=T0 + 1.1),
    ]
    counter = FootprintCounter()
    first, second = counter.count(exchanges[:2]), counter.count(exchanges[2:])
    carried = [Footprint.from_property(json.loads(json.dumps(p.as_property()))) for p in (first, second)]
    assert total_footprint(carried) == count_footprint(exchanges)
    assert total_footprint(carried).peak == ("organizer", 3)
    assert Footprint.from_property("garbage") == Footprint()


def test_dict_shaped_exchanges_are_counted_like_typed_ones() -> None:
    typed = [_created("e1", 2), _exchange("POST", "/me/events/e1/cancel", 202, sent={"comment": "x"})]
    assert count_footprint([exchange.as_dict() for exchange in typed]) == count_footprint(typed)


def test_summary_and_published_form_name_every_figure() -> None:
    footprint = count_footprint([_created("e1", 2), _exchange("POST", "/me/events/e1/cancel", 202, sent={})])
    assert footprint.summary() == (
        "2 requests, 1 events created, 1 cancels sent (1 2xx), 4 meeting messages "
        "(2 invitations + 2 notices), peak 2 requests/s per mailbox (organizer)"
    )
    published = footprint.as_dict()
    assert published["meeting_messages"] == {"total": 4, "invitations": 2, "notices": 2, "forwarded": 0,
                                             "responses": 0}
    assert published["peak_requests_per_second"] == {"mailbox": "organizer", "requests": 2}


def test_forwards_and_answers_count_the_messages_they_cause() -> None:
    """A forward: a request per recipient, the organizer's notice when an attendee forwards, the recipients
    notified when the organizer's meeting goes; an answer: a response unless sendResponse is false."""
    two = {"ToRecipients": _attendees(2), "Comment": ""}
    footprint = count_footprint([
        _created("E1", 1),
        _exchange("GET", "/me/calendarView", 200, answer={"value": [{"id": "COPY", "isOrganizer": False}]}),
        _exchange("POST", "/me/events/E1/forward", 202, sent=two),  # by the organizer: no notice
        _exchange("POST", "/me/events/COPY/forward", 202, sent={"toRecipients": _attendees(1)}),  # attendee
        _exchange("POST", "/me/events/COPY/forward", 400, sent=two),  # refused: nothing sent
        _exchange("POST", "/me/events/COPY/accept", 202, sent={"sendResponse": True}),
        _exchange("POST", "/me/events/COPY/tentativelyAccept", 202, sent={}),  # sendResponse defaults to true
        _exchange("POST", "/me/events/COPY/decline", 202, sent={"sendResponse": False}),
        _exchange("POST", "/me/events/COPY/decline", 400, sent={"comment": "x"}),
        _exchange("DELETE", "/me/events/E1", 204),  # the attendee and the two recipients are notified
    ])
    assert (footprint.forwarded, footprint.responses) == (2 + 1 + 1, 2)
    assert (footprint.invitations, footprint.notices, footprint.messages) == (1, 3, 1 + 3 + 4 + 2)
    assert "+ 4 forwarded + 2 responses)" in footprint.summary()
