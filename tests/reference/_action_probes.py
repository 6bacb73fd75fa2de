"""A probe per action fault switch (test_faults runs each with and without its switch)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import jwt

from conformance.reference.actions import registry
from conformance.reference.actions.answers import AnswerFault
from conformance.reference.actions.dismiss_reminder import DismissFault
from conformance.reference.actions.forward import ForwardFault
from conformance.reference.actions.reminders import ReminderFault
from conformance.reference.actions.snooze_reminder import SnoozeFault
from conformance.reference.auth import mint_token
from tests.reference._graph_client import GraphClient, family_paths, quote_id

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


def answer_status(action: str = "accept", role: str | None = "attendee", **kwargs: Any) -> Probe:
    def probe(graph: GraphClient) -> Any:
        _, _, answer = _answered(action, role, **kwargs)(graph)
        return answer.status_code, answer.content

    return probe


def _every_answer(probe_of: Callable[[str], Probe]) -> Probe:
    """The probe for all three answers at once: an answer-* switch changes each of them."""
    return lambda graph: [probe_of(action)(graph) for action in ANSWERS]


def copy_status(action: str) -> Probe:
    def probe(graph: GraphClient) -> Any:
        _, event, _ = _answered(action, json={})(graph)
        return graph.attendee_copy("attendee", event["iCalUId"])["responseStatus"]["response"]

    return probe


def organizer_status(action: str) -> Probe:
    def probe(graph: GraphClient) -> Any:
        _, event, _ = _answered(action, json={})(graph)
        attendees = graph.request("GET", f"/me/events/{quote_id(event['id'])}").json()["attendees"]
        return [item.get("status", {}).get("response") for item in attendees]

    return probe


def responses(action: str = "accept", **kwargs: Any) -> Probe:
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


def reminder_after(action: str, role: str | None = "organizer", body: Any = None) -> Probe:
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


def _as(role: str, action: str, **kwargs: Any) -> Probe:
    """`role` ("personal" or "application") acts on a meeting: an answer on its copy (the personal account
    invited, or the attendee's by /users/{id}), another action on its own (the organizer's) event."""

    def probe(graph: GraphClient) -> Any:
        personal = role == "personal"
        owner = "personal" if personal else "organizer"
        event = graph.create_event(owner, attendees=() if personal else ("attendee",))
        if action in ANSWERS:
            owner = "personal" if personal else "attendee"
            event = graph.create_event(attendees=(owner,))
            event = graph.attendee_copy(owner, event["iCalUId"])
        mailbox = "/me" if personal else f"/users/{graph.user_id(owner)}"
        path = f"{mailbox}/events/{quote_id(event['id'])}/{action}"
        return graph.request("POST", path, role, **kwargs).status_code

    return probe


def _without_calendar_permission(action: str, **kwargs: Any) -> Probe:
    """The organizer's own event, with a token holding no Calendars permission at all."""

    def probe(graph: GraphClient) -> Any:
        event = graph.create_event()
        claims = jwt.decode(graph.token("organizer"), options={"verify_signature": False})
        token = mint_token(graph.server.store, {**claims, "scp": "User.Read"})
        headers = {"Authorization": f"Bearer {token}"}
        path = f"/me/events/{quote_id(event['id'])}/{action}"
        return graph.request("POST", path, None, headers=headers, **kwargs).status_code

    return probe


def _on_own_event(action: str, role: str = "organizer", **kwargs: Any) -> Probe:
    def probe(graph: GraphClient) -> Any:
        event = graph.create_event()
        path = f"/me/events/{quote_id(event['id'])}/{action}"
        return graph.request("POST", path, role, **kwargs).status_code

    return probe


def _route_probe(action: str, family: str) -> Probe:
    """The error an unknown event id gets on one route of the action: ErrorItemNotFound, or ResourceNotFound
    when the route is missing."""

    def probe(graph: GraphClient) -> Any:
        collection, _ = family_paths(graph, family)
        body = SNOOZE if action == "snoozeReminder" else {"json": {}}
        answer = graph.request("POST", f"{collection}/AAMkAGUzYRgWAAA=/{action}", **body)
        return answer.status_code, answer.json()["error"]["code"]

    return probe


SNOOZE: dict[str, Any] = {"json": {"newReminderTime": {"dateTime": "2031-05-05T09:55:00", "timeZone": "UTC"}}}
TO: dict[str, Any] = {"json": {"ToRecipients": [{"emailAddress": {"address": "megan@contoso.test"}}]}}
REMINDERS: tuple[tuple[str, dict[str, Any]], ...] = (("snoozeReminder", SNOOZE), ("dismissReminder", {}))
ACTION_PROBES: dict[str, Probe] = {
    AnswerFault.STATUS_200: _every_answer(lambda action: answer_status(action, json={})),
    AnswerFault.BODY_ON_202: _every_answer(lambda action: answer_status(action, json={})),
    AnswerFault.STATUS_UNRECORDED: _every_answer(copy_status),
    AnswerFault.ORGANIZER_UNAWARE: _every_answer(organizer_status),
    AnswerFault.NO_RESPONSE_MESSAGE: _every_answer(
        lambda action: responses(action, json={"sendResponse": True})
    ),
    AnswerFault.RESPONSE_DEFAULT_FALSE: _every_answer(
        lambda action: responses(action, json={"comment": "x"})
    ),
    AnswerFault.RESPONSE_DESPITE_FALSE: _every_answer(
        lambda action: responses(action, json={"sendResponse": False})
    ),
    AnswerFault.WRONG_MESSAGE_TYPE: _every_answer(lambda action: responses(action)),
    AnswerFault.COMMENT_DROPPED: _every_answer(lambda action: responses(action, json={"comment": "hello"})),
    AnswerFault.COMMENT_REQUIRED: _every_answer(lambda action: answer_status(action)),
    AnswerFault.SCOPES_IGNORED: _every_answer(lambda action: answer_status(action, "readonly")),
    AnswerFault.AUTH_IGNORED: _every_answer(lambda action: answer_status(action, None)),
    AnswerFault.CONTENT_TYPE_STRICT: _every_answer(
        lambda action: answer_status(
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
        answer_status(action, json={"proposedNewTime": SLOT, "sendResponse": False})(graph)
        for action in ("tentativelyAccept", "decline")
    ],
    AnswerFault.PROPOSAL_DROPPED: lambda graph: [
        responses(action, json={"proposedNewTime": SLOT})(graph)
        for action in ("tentativelyAccept", "decline")
    ],
    AnswerFault.GAP_NO_ATTENDEE_STATUSES: organizer_status("accept"),
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
    SnoozeFault.IGNORED: reminder_after("snoozeReminder"),
    DismissFault.IGNORED: reminder_after("dismissReminder"),
    ReminderFault.STATUS_204: lambda graph: [
        reminder_after(action)(graph)[0] for action in ("snoozeReminder", "dismissReminder")
    ],
    ReminderFault.AUTH_IGNORED: lambda graph: [
        reminder_after(action, None)(graph)[0] for action in ("snoozeReminder", "dismissReminder")
    ],
    ReminderFault.GAP_NO_REMINDER_VIEW: lambda graph: graph.request("GET", f"/me/{DAY}").status_code,
    AnswerFault.APP_TOKEN_REFUSED: _every_answer(lambda action: _as("application", action, json={})),
    AnswerFault.PERSONAL_REFUSED: _every_answer(lambda action: _as("personal", action, json={})),
    AnswerFault.SCOPE_NEEDS_MAIL_SEND: _every_answer(
        lambda action: answer_status(action, "organizer_minimal")
    ),
    AnswerFault.ORGANIZER_ALLOWED: _every_answer(lambda action: _on_own_event(action, json={})),
    ForwardFault.STATUS_200: _forwarded("organizer", lambda *_: None),
    ForwardFault.BODY_ON_202: lambda graph: graph.request(
        "POST", f"/me/events/{quote_id(graph.create_event()['id'])}/forward", **TO
    ).content,
    ForwardFault.CONTENT_TYPE_STRICT: _on_own_event(
        "forward", data=b"{}", headers={"Content-Type": "application/json; charset=utf-8"}
    ),
    ForwardFault.SCOPES_IGNORED: _without_calendar_permission("forward", **TO),
    ForwardFault.APP_TOKEN_REFUSED: _as("application", "forward", **TO),
    ForwardFault.PERSONAL_REFUSED: _as("personal", "forward", **TO),
    ReminderFault.SCOPES_IGNORED: lambda graph: [
        _on_own_event(action, "readonly", **kwargs)(graph) for action, kwargs in REMINDERS
    ],
    ReminderFault.APP_TOKEN_REFUSED: lambda graph: [
        _as("application", action, **kwargs)(graph) for action, kwargs in REMINDERS
    ],
    ReminderFault.PERSONAL_REFUSED: lambda graph: [
        _as("personal", action, **kwargs)(graph) for action, kwargs in REMINDERS
    ],
    ReminderFault.SCOPE_NEEDS_MAIL_SEND: lambda graph: [
        _on_own_event(action, "organizer_minimal", **kwargs)(graph) for action, kwargs in REMINDERS
    ],
    SnoozeFault.CONTENT_TYPE_STRICT: _on_own_event(
        "snoozeReminder",
        data=b'{"newReminderTime": {"dateTime": "2031-05-05T09:55:00", "timeZone": "UTC"}}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    ),
    SnoozeFault.TIME_OPTIONAL: _on_own_event("snoozeReminder", json={}),
    **{
        action.route_missing(family): _route_probe(action.name, family)
        for action in registry().values()
        for family in (action.families if action.prefix else ())
    },
}


def action_fault_enums() -> list[type[StrEnum]]:
    """The StrEnum of switch names each module of conformance.reference.actions declares."""
    import importlib
    import pkgutil

    from conformance.reference import actions

    found: list[type[StrEnum]] = []
    for info in pkgutil.iter_modules(actions.__path__):
        module = importlib.import_module(f"{actions.__name__}.{info.name}")
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, StrEnum) and value.__module__ == module.__name__
        ]
    return found
