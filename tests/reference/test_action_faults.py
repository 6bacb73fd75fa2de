"""A probe per action fault switch (test_faults runs each with and without its switch), and what they name."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from conformance.reference.actions.answers import AnswerFault
from conformance.reference.actions.forward import ForwardFault
from conformance.reference.actions.reminders import ReminderFault
from conformance.reference.faults import DEFINITIONS
from conformance.reference.serve import ReferenceServer
from tests.reference._graph_client import GraphClient, quote_id

Probe = Callable[[GraphClient], Any]
SLOT = {
    "start": {"dateTime": "2031-05-06T10:00:00", "timeZone": "UTC"},
    "end": {"dateTime": "2031-05-06T11:00:00", "timeZone": "UTC"},
}
DAY = "reminderView(startDateTime='2031-05-05T00:00:00',endDateTime='2031-05-06T00:00:00')"
ANSWERS = ("accept", "tentativelyAccept", "decline")


def _answered(
    action: str = "accept",
    role: str | None = "attendee",
    meeting: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Callable[[GraphClient], tuple[str, dict[str, Any], Any]]:
    def run(graph: GraphClient) -> tuple[str, dict[str, Any], Any]:
        subject = f"gc-fault {uuid.uuid4().hex}"
        event = graph.create_event(subject=subject, **(meeting or {}))
        copy = graph.attendee_copy("attendee", event["iCalUId"])
        answer = graph.request("POST", f"/me/events/{quote_id(copy['id'])}/{action}", role, **kwargs)
        return subject, event, answer

    return run


def _answer_status(action: str = "accept", role: str | None = "attendee", **kwargs: Any) -> Probe:
    def probe(graph: GraphClient) -> Any:
        _, _, answer = _answered(action, role, **kwargs)(graph)
        return answer.status_code, answer.content

    return probe


def _every_answer(probe_of: Callable[[str], Probe]) -> Probe:
    """The probe for all three answers at once: an answer-* switch changes each of them."""
    return lambda graph: [probe_of(action)(graph) for action in ANSWERS]


def _copy_status(action: str) -> Probe:
    def probe(graph: GraphClient) -> Any:
        _, event, _ = _answered(action, json={})(graph)
        return graph.attendee_copy("attendee", event["iCalUId"])["responseStatus"]["response"]

    return probe


def _organizer_status(action: str) -> Probe:
    def probe(graph: GraphClient) -> Any:
        _, event, _ = _answered(action, json={})(graph)
        attendees = graph.request("GET", f"/me/events/{quote_id(event['id'])}").json()["attendees"]
        return [item.get("status", {}).get("response") for item in attendees]

    return probe


def _responses(action: str = "accept", **kwargs: Any) -> Probe:
    def probe(graph: GraphClient) -> Any:
        subject, _, _ = _answered(action, **kwargs)(graph)
        return [
            (item["meetingMessageType"], item["body"]["content"], item.get("proposedNewTime") is not None)
            for item in graph.messages("organizer", subject)
        ]

    return probe


def _forwarded(
    by: str,
    observe: Callable[[GraphClient, str, dict[str, Any]], Any],
    body: dict[str, Any] | None = None,
    role: str | None = "",
) -> Probe:
    """Forward a new meeting (the organizer's event, or the attendee's copy) to attendee2 and observe it."""

    def probe(graph: GraphClient) -> Any:
        subject = f"gc-fault {uuid.uuid4().hex}"
        event = graph.create_event(subject=subject)
        target = event if by == "organizer" else graph.attendee_copy("attendee", event["iCalUId"])
        recipient = {"emailAddress": {"address": graph.identity("attendee2")["user_principal_name"]}}
        sent = body if body is not None else {"ToRecipients": [recipient], "Comment": "fyi"}
        caller = by if role == "" else role
        answer = graph.request("POST", f"/me/events/{quote_id(target['id'])}/forward", caller, json=sent)
        return answer.status_code, observe(graph, subject, event)

    return probe


def _reminder_after(action: str, role: str | None = "organizer", body: Any = None) -> Probe:
    def probe(graph: GraphClient) -> Any:
        subject = f"gc-fault {uuid.uuid4().hex}"
        event = graph.create_event(subject=subject)
        snooze = {"newReminderTime": {"dateTime": "2031-05-05T09:55:00", "timeZone": "UTC"}}
        answer = graph.request(
            "POST",
            f"/me/events/{quote_id(event['id'])}/{action}",
            role,
            json=(snooze if body is None else body) if action == "snoozeReminder" else None,
        )
        listed = graph.request("GET", f"/me/{DAY}").json()["value"]
        return answer.status_code, [
            item["reminderFireTime"] for item in listed if item["eventSubject"] == subject
        ]

    return probe


ACTION_PROBES: dict[str, Probe] = {
    AnswerFault.STATUS_200: _every_answer(lambda action: _answer_status(action, json={})),
    AnswerFault.BODY_ON_202: _every_answer(lambda action: _answer_status(action, json={})),
    AnswerFault.STATUS_UNRECORDED: _every_answer(_copy_status),
    AnswerFault.ORGANIZER_UNAWARE: _every_answer(_organizer_status),
    AnswerFault.NO_RESPONSE_MESSAGE: _every_answer(
        lambda action: _responses(action, json={"sendResponse": True})
    ),
    AnswerFault.RESPONSE_DEFAULT_FALSE: _every_answer(
        lambda action: _responses(action, json={"comment": "x"})
    ),
    AnswerFault.RESPONSE_DESPITE_FALSE: _every_answer(
        lambda action: _responses(action, json={"sendResponse": False})
    ),
    AnswerFault.WRONG_MESSAGE_TYPE: _every_answer(lambda action: _responses(action)),
    AnswerFault.COMMENT_DROPPED: _every_answer(lambda action: _responses(action, json={"comment": "hello"})),
    AnswerFault.COMMENT_REQUIRED: _every_answer(lambda action: _answer_status(action)),
    AnswerFault.SCOPES_IGNORED: _every_answer(lambda action: _answer_status(action, "readonly")),
    AnswerFault.AUTH_IGNORED: _every_answer(lambda action: _answer_status(action, None)),
    AnswerFault.CONTENT_TYPE_STRICT: _every_answer(
        lambda action: _answer_status(
            action, data=b"{}", headers={"Content-Type": "application/json; charset=utf-8"}
        )
    ),
    AnswerFault.PROPOSAL_DISALLOWED_ACCEPTED: lambda graph: [
        _answered(action, meeting={"allowNewTimeProposals": False}, json={"proposedNewTime": SLOT})(graph)[
            2
        ].status_code
        for action in ("tentativelyAccept", "decline")
    ],
    AnswerFault.PROPOSAL_WITHOUT_RESPONSE_ACCEPTED: lambda graph: [
        _answer_status(action, json={"proposedNewTime": SLOT, "sendResponse": False})(graph)
        for action in ("tentativelyAccept", "decline")
    ],
    AnswerFault.PROPOSAL_DROPPED: lambda graph: [
        _responses(action, json={"proposedNewTime": SLOT})(graph)
        for action in ("tentativelyAccept", "decline")
    ],
    AnswerFault.GAP_NO_ATTENDEE_STATUSES: _organizer_status("accept"),
    AnswerFault.GAP_NO_PROPOSALS: lambda graph: (
        graph.request(
            "POST",
            "/me/events",
            json={"subject": "x", "allowNewTimeProposals": True, "start": SLOT["start"], "end": SLOT["end"]},
        ).status_code
    ),
    ForwardFault.NO_REQUEST: _forwarded(
        "organizer", lambda graph, subject, _: len(graph.messages("attendee2", subject))
    ),
    ForwardFault.ORGANIZER_NOT_NOTIFIED: _forwarded(
        "attendee", lambda graph, subject, _: len(graph.messages("organizer", subject))
    ),
    ForwardFault.ORGANIZER_COPY_UNCHANGED: _forwarded(
        "attendee",
        lambda graph, _, event: len(
            graph.request("GET", f"/me/events/{quote_id(event['id'])}").json()["attendees"]
        ),
    ),
    ForwardFault.NEEDS_READWRITE: _forwarded("organizer", lambda *_: None, role="readonly"),
    ForwardFault.EMPTY_COMMENT_REFUSED: _forwarded("organizer", lambda *_: None, body={"Comment": ""}),
    ForwardFault.AUTH_IGNORED: _forwarded("organizer", lambda *_: None, role=None),
    ReminderFault.SNOOZE_IGNORED: _reminder_after("snoozeReminder"),
    ReminderFault.SNOOZE_TIME_OPTIONAL: lambda graph: _reminder_after("snoozeReminder", body={})(graph)[0],
    ReminderFault.DISMISS_IGNORED: _reminder_after("dismissReminder"),
    ReminderFault.STATUS_204: lambda graph: [
        _reminder_after(action)(graph)[0] for action in ("snoozeReminder", "dismissReminder")
    ],
    ReminderFault.AUTH_IGNORED: lambda graph: [
        _reminder_after(action, None)(graph)[0] for action in ("snoozeReminder", "dismissReminder")
    ],
    ReminderFault.GAP_NO_REMINDER_VIEW: lambda graph: graph.request("GET", f"/me/{DAY}").status_code,
}


def test_every_action_switch_has_a_probe() -> None:
    """Each switch an action module declares has its probe here (test_faults runs them with cancel's)."""
    declared = {name for name, definition in DEFINITIONS.items() if definition.actions != ("cancel",)}
    assert set(ACTION_PROBES) == declared


def test_answer_switches_name_the_three_answers_and_proposal_ones_two() -> None:
    for name, definition in DEFINITIONS.items():
        if name.startswith("answer-"):
            assert definition.actions == ANSWERS, name
            assert {rid.split("-")[0] for rid in definition.violates} == {"ACCEPT", "TENTATIVE", "DECLINE"}, (
                name
            )
        if name.startswith("proposal-"):
            assert definition.actions == ("tentativelyAccept", "decline"), name


def test_narrow_answer_switches_spare_what_they_do_not_name() -> None:
    with ReferenceServer(faults=[AnswerFault.RESPONSE_DEFAULT_FALSE]) as server:
        graph = GraphClient(server)
        assert _responses(json={"sendResponse": True})(graph) == [("meetingAccepted", "", False)]
        assert _organizer_status("accept")(graph) == ["accepted"]  # the organizer's event still shows it
    with ReferenceServer(faults=[AnswerFault.PROPOSAL_DROPPED]) as server:
        graph = GraphClient(server)
        assert (
            _answer_status("decline", json={"proposedNewTime": SLOT, "sendResponse": False})(graph)[0] == 400
        )
    with ReferenceServer(
        faults=[AnswerFault.GAP_NO_PROPOSALS, AnswerFault.GAP_NO_ATTENDEE_STATUSES]
    ) as server:
        graph = GraphClient(server)
        created = graph.create_event()
        assert "allowNewTimeProposals" not in created and "status" not in created["attendees"][0]
        assert _copy_status("tentativelyAccept")(graph) == "tentativelyAccepted"
    with ReferenceServer(faults=[ForwardFault.AUTH_IGNORED, AnswerFault.AUTH_IGNORED]) as server:
        graph = GraphClient(server)
        assert _reminder_after("dismissReminder", None)(graph)[0] == 401  # another action's switch
        event = graph.create_event()
        assert graph.request("POST", f"/me/events/{quote_id(event['id'])}/cancel", None).status_code == 401
