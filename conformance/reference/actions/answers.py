"""The attendee's answers (accept, tentativelyAccept, decline): what they change, the response message to the
organizer, proposals of a new time, and their fault switches (one switch breaks all three answers)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from starlette.responses import Response

from conformance.reference.access import WRITE_CALENDAR
from conformance.reference.actions.route_switches import PERMISSIONS, UNKNOWN_PARAMETER
from conformance.reference.actions.support import (
    Mail,
    Permission,
    addressed_event,
    apply,
    boolean,
    check_event_id,
    check_permission,
    deliver,
    done,
    read_body,
    string,
    time_slot,
)
from conformance.reference.call import Call
from conformance.reference.faults import FaultDefinition
from conformance.reference.graph_errors import GraphError, bad_request
from conformance.reference.ids import mint_change_key
from conformance.reference.mail import SendLimit, iso
from conformance.reference.store import doc_of, dump

ANSWERS = ("accept", "tentativelyAccept", "decline")
PROPOSING = ("tentativelyAccept", "decline")
GRAPH_TIME = "%Y-%m-%dT%H:%M:%S.0000000"
# the suffixes of an answer's requirement ids its /me/events cases check (Action.checked), a proposing one's
CHECKED = (
    "202-EMPTY", *PERMISSIONS, "CONTENT-TYPE", "COMMENT-OPTIONAL", "SENDS-RESPONSE", "SEND-RESPONSE-DEFAULT",
    "NO-RESPONSE", "COMMENT-DELIVERED", "ATTENDEE-STATUS", "ORGANIZER-SEES",
)
PROPOSING_CHECKED = (*CHECKED, "PROPOSAL-NOT-ALLOWED", "PROPOSAL-NEEDS-RESPONSE", "PROPOSAL-DELIVERED")
GRAPH_CHECKED = (UNKNOWN_PARAMETER,)


@dataclass(frozen=True)
class Answer:
    """What one answer records and tells the organizer."""

    response: str  # responseStatus.response / attendee status.response
    message_type: str  # the response message's meetingMessageType (Graph's own spelling)
    prefix: str  # the response message's subject prefix


KINDS = {
    "accept": Answer("accepted", "meetingAccepted", "Accepted"),
    "tentativelyAccept": Answer("tentativelyAccepted", "meetingTenativelyAccepted", "Tentative"),
    "decline": Answer("declined", "meetingDeclined", "Declined"),
}
PROPOSAL_PREFIX = "New Time Proposed"  # as the meeting-proposals concept page shows it
ORGANIZER_ANSWERS = "Your request can't be completed. You can't respond to a meeting you organized."
CANCELLED_MEETING = "Your request can't be completed. The meeting has been canceled."
PROPOSALS_NOT_ALLOWED = "Proposing a new time is not allowed for this meeting."
PROPOSAL_NEEDS_RESPONSE = "A new time can be proposed only when sendResponse is true."


class AnswerFault(StrEnum):
    """The answers' fault switches (each breaks accept, tentativelyAccept and decline alike)."""

    STATUS_200 = "answer-status-200"
    BODY_ON_202 = "answer-body-on-202"
    STATUS_UNRECORDED = "answer-status-unrecorded"
    ORGANIZER_UNAWARE = "answer-organizer-unaware"
    NO_RESPONSE_MESSAGE = "answer-no-response-message"
    RESPONSE_DEFAULT_FALSE = "answer-response-default-false"
    RESPONSE_DESPITE_FALSE = "answer-response-despite-false"
    WRONG_MESSAGE_TYPE = "answer-wrong-message-type"
    COMMENT_DROPPED = "answer-comment-dropped"
    COMMENT_REQUIRED = "answer-comment-required"
    SCOPES_IGNORED = "answer-scopes-ignored"
    AUTH_IGNORED = "answer-auth-ignored"
    CONTENT_TYPE_STRICT = "answer-content-type-strict"
    PROPOSAL_DISALLOWED_ACCEPTED = "proposal-disallowed-accepted"
    PROPOSAL_WITHOUT_RESPONSE_ACCEPTED = "proposal-without-response-accepted"
    PROPOSAL_DROPPED = "proposal-dropped"
    APP_TOKEN_REFUSED = "answer-app-token-refused"
    PERSONAL_REFUSED = "answer-personal-refused"
    SCOPE_NEEDS_MAIL_SEND = "answer-scope-needs-mail-send"
    ORGANIZER_ALLOWED = "answer-organizer-allowed"
    GAP_NO_ATTENDEE_STATUSES = "gap-no-attendee-statuses"
    GAP_NO_PROPOSALS = "gap-no-proposals"


PERMISSION = Permission(  # Calendars.ReadWrite, bent by the switches
    WRITE_CALENDAR, (), AnswerFault.SCOPES_IGNORED, AnswerFault.APP_TOKEN_REFUSED,
    AnswerFault.PERSONAL_REFUSED, AnswerFault.SCOPE_NEEDS_MAIL_SEND,
)


def answer(call: Call, action: str) -> Response:
    """POST .../events/{id}/<accept|tentativelyAccept|decline>: 202 empty; the effects follow."""
    faults = call.faults
    check_permission(call, PERMISSION)
    check_event_id(call)
    parameters: dict[str, Any] = {"comment": string, "sendResponse": boolean}
    if action in PROPOSING:
        parameters["proposedNewTime"] = time_slot
    body = read_body(call, action, parameters, strict_content_type=AnswerFault.CONTENT_TYPE_STRICT in faults)
    if AnswerFault.COMMENT_REQUIRED in faults and not body.get("comment"):
        raise bad_request("The parameter 'comment' is required.", "ErrorInvalidRequest")
    ref = addressed_event(call)
    if ref.row["is_organizer"]:
        if AnswerFault.ORGANIZER_ALLOWED in faults:
            return done(202)  # accepted, though nothing changes
        raise GraphError(400, "ErrorInvalidRequest", ORGANIZER_ANSWERS)
    copy = doc_of(ref.row)
    if ref.row["cancel_visible_at"] is not None:
        raise GraphError(400, "ErrorInvalidRequest", CANCELLED_MEETING)
    requested = bool(body.get("sendResponse", True))  # the organizer's event shows the answers sent
    send = bool(body.get("sendResponse", AnswerFault.RESPONSE_DEFAULT_FALSE not in faults))
    proposal: dict[str, datetime] | None = body.get("proposedNewTime")
    if proposal is not None:
        allowed = copy.get("allowNewTimeProposals", True) is not False
        if not allowed and AnswerFault.PROPOSAL_DISALLOWED_ACCEPTED not in faults:
            raise GraphError(400, "ErrorInvalidRequest", PROPOSALS_NOT_ALLOWED)
        if not send and AnswerFault.PROPOSAL_WITHOUT_RESPONSE_ACCEPTED not in faults:
            raise GraphError(400, "ErrorInvalidRequest", PROPOSAL_NEEDS_RESPONSE)
        if AnswerFault.PROPOSAL_DROPPED in faults:
            proposal = None
    if AnswerFault.RESPONSE_DESPITE_FALSE in faults:
        send = True
    if AnswerFault.NO_RESPONSE_MESSAGE in faults:
        send = False
    recorded = _Recorded(
        copy_id=ref.row["id"],
        ical_uid=ref.row["ical_uid"],
        answerer_id=ref.row["owner_id"],
        kind=KINDS[action],
        comment="" if AnswerFault.COMMENT_DROPPED in faults else str(body.get("comment") or ""),
        send=send,
        organizer_told=requested,
        proposal=_slot(proposal) if proposal is not None else None,
        faults=faults,
        message_delay_s=call.settings.message_delay_s,
        send_limit=call.send_limit,
    )
    apply(call.store, lambda connection, now: _record(connection, recorded, now), call.settings.apply_delay_s)
    if AnswerFault.STATUS_200 in faults:
        return done(200)
    return done(202, AnswerFault.BODY_ON_202 in faults)


@dataclass(frozen=True)
class _Recorded:
    copy_id: str
    ical_uid: str
    answerer_id: str
    kind: Answer
    comment: str
    send: bool  # a response message goes to the organizer
    organizer_told: bool  # the organizer's event shows the answer (sendResponse true or absent)
    proposal: dict[str, Any] | None
    faults: frozenset[str]
    message_delay_s: float
    send_limit: SendLimit | None


def _slot(proposal: dict[str, datetime]) -> dict[str, Any]:
    return {
        edge: {"dateTime": moment.strftime(GRAPH_TIME), "timeZone": "UTC"}
        for edge, moment in proposal.items()
    }


def _record(connection: sqlite3.Connection, answer_: _Recorded, now: float) -> None:
    """The answer's effects: the attendee's copy, the organizer's attendees[], the response message."""
    faults = answer_.faults
    status = {"response": answer_.kind.response, "time": iso(now)}
    copy_row = connection.execute("SELECT * FROM events WHERE id = ?", (answer_.copy_id,)).fetchone()
    if copy_row is None:
        return
    copy = doc_of(copy_row)
    if AnswerFault.STATUS_UNRECORDED not in faults:
        copy.update(
            {"responseStatus": status, "changeKey": mint_change_key(), "lastModifiedDateTime": iso(now)}
        )
        connection.execute("UPDATE events SET doc = ? WHERE id = ?", (dump(copy), answer_.copy_id))
    answerer = connection.execute(
        "SELECT upn, display_name FROM users WHERE id = ?", (answer_.answerer_id,)
    ).fetchone()
    address = {"name": answerer["display_name"], "address": answerer["upn"]}
    organizer_row = connection.execute(
        "SELECT * FROM events WHERE ical_uid = ? AND is_organizer = 1 AND folder = 'calendar'",
        (answer_.ical_uid,),
    ).fetchone()
    if organizer_row is not None and answer_.organizer_told and AnswerFault.ORGANIZER_UNAWARE not in faults:
        _tell_organizer_copy(connection, organizer_row, address, status, answer_, now)
    if not answer_.send or organizer_row is None:
        return
    organizer_user = connection.execute(
        "SELECT id, upn, display_name FROM users WHERE id = ?", (organizer_row["owner_id"],)
    ).fetchone()
    if organizer_user is None:
        return  # a group's event: no mailbox to answer to
    event_doc = doc_of(organizer_row)
    prefix = PROPOSAL_PREFIX if answer_.proposal is not None else answer_.kind.prefix
    message_type = "none" if AnswerFault.WRONG_MESSAGE_TYPE in faults else answer_.kind.message_type
    extra: dict[str, Any] = {"responseType": answer_.kind.response}
    if answer_.proposal is not None:
        extra["proposedNewTime"] = answer_.proposal
    mail = Mail(organizer_user, address, event_doc, organizer_row["id"], message_type,
                f"{prefix}: {event_doc.get('subject', '')}", answer_.comment,
                "#microsoft.graph.eventMessageResponse", extra)
    deliver(connection, mail, now + answer_.message_delay_s, now, answer_.send_limit)


def _tell_organizer_copy(
    connection: sqlite3.Connection,
    organizer_row: sqlite3.Row,
    address: dict[str, str],
    status: dict[str, str],
    answer_: _Recorded,
    now: float,
) -> None:
    """The organizer's event lists the answer (and any proposal) on the answering attendee's entry."""
    event = doc_of(organizer_row)
    attendees = event.setdefault("attendees", [])
    entry = next(
        (
            item
            for item in attendees
            if str(item.get("emailAddress", {}).get("address", "")).lower() == address["address"].lower()
        ),
        None,
    )
    if entry is None:
        entry = {"type": "optional", "emailAddress": dict(address)}
        attendees.append(entry)
    if AnswerFault.GAP_NO_ATTENDEE_STATUSES not in answer_.faults:
        entry["status"] = status
    if answer_.proposal is not None:
        entry["proposedNewTime"] = answer_.proposal
    else:
        entry.pop("proposedNewTime", None)
    event.update({"changeKey": mint_change_key(), "lastModifiedDateTime": iso(now)})
    connection.execute("UPDATE events SET doc = ? WHERE id = ?", (dump(event), organizer_row["id"]))


_EVERY = ANSWERS


def _each(template: str, words: str) -> dict[str, str]:
    """The same words cited for `template` of each answer (P = ACCEPT, TENTATIVE, DECLINE)."""
    return {template.replace("P-", f"{prefix}-", 1): words for prefix in ("ACCEPT", "TENTATIVE", "DECLINE")}


def _fault(
    description: str,
    violates: dict[str, str],
    actions: tuple[str, ...] = _EVERY,
    blocks: tuple[str, ...] = (),
    overlap: str = "",
) -> FaultDefinition:
    return FaultDefinition(description, violates, blocks=frozenset(blocks), overlap=overlap, actions=actions)


def _gap(
    description: str,
    prerequisites: tuple[str, ...],
    blocks: tuple[str, ...],
    actions: tuple[str, ...] = _EVERY,
) -> FaultDefinition:
    return FaultDefinition(
        description, {}, frozenset(prerequisites), frozenset(blocks), gap=True, actions=actions
    )


_SENT = "true if a response is to be sent to the organizer"
_DEFAULT = "Optional. Default is true."
_TEXT = "Text included in the response."
_BOTH_JUDGE_SUCCESS = ("the hand-written 202 case and the Schemathesis status family both judge every "
                       "successful answer, of each of the three actions the switch breaks")
# the common requirements a switch of the answers' permission checks also breaks (their probes act on the
# first selected action: a narrowed row's)
_COMMON_OVERLAP = ("each answer's refusal case and the common exact-status probe (acting on the first answer "
                   "selected) both see the request accepted")
_COMMON_401 = {"GRAPH-401-NO-TOKEN": "A request without a token, or with an empty one, gets 401"}
_COMMON_403 = {
    "GRAPH-403-ACCESS-DENIED": "A valid token without the needed permission (no Calendars.ReadWrite) "
    "gets 403"}
FAULT_DEFINITIONS: dict[str, FaultDefinition] = {
    AnswerFault.STATUS_200: _fault(
        "a successful answer (accept, tentativelyAccept, decline) answers 200 instead of 202",
        _each("P-202-EMPTY", "this method returns 202 Accepted response code"),
        overlap=_BOTH_JUDGE_SUCCESS,
    ),
    AnswerFault.BODY_ON_202: _fault(
        "a successful answer answers 202 with a JSON body",
        _each("P-202-EMPTY", "It does not return anything in the response body."),
        overlap=_BOTH_JUDGE_SUCCESS,
    ),
    AnswerFault.STATUS_UNRECORDED: _fault(
        "the answering attendee's copy keeps its responseStatus (notResponded)",
        _each("P-ATTENDEE-STATUS", "that copy's responseStatus.response reads"),
    ),
    AnswerFault.ORGANIZER_UNAWARE: _fault(
        "the organizer's event keeps the answering attendee's status (none)",
        _each("P-ORGANIZER-SEES", "the organizer's event lists that attendee with status.response"),
    ),
    AnswerFault.NO_RESPONSE_MESSAGE: _fault(
        "no answer ever sends the organizer a response message (the organizer's event still shows it)",
        {
            **_each("P-SENDS-RESPONSE", _SENT),
            **_each("P-SEND-RESPONSE-DEFAULT", _DEFAULT),
            **_each("P-COMMENT-DELIVERED", _TEXT),
            "TENTATIVE-PROPOSAL-DELIVERED": "suggest an alternative time",
            "DECLINE-PROPOSAL-DELIVERED": "suggest an alternative time",
        },
        # the no-response cases judge an absence once a later response shows: none ever does
        blocks=tuple(_each("P-NO-RESPONSE", "")),
        overlap="every case awaiting a response message sees none",
    ),
    AnswerFault.RESPONSE_DEFAULT_FALSE: _fault(
        "an answer without sendResponse sends no response message (as if it defaulted to false)",
        _each("P-SEND-RESPONSE-DEFAULT", _DEFAULT),
    ),
    AnswerFault.RESPONSE_DESPITE_FALSE: _fault(
        "an answer with sendResponse false still sends the organizer a response message",
        _each("P-NO-RESPONSE", "otherwise, false."),
    ),
    AnswerFault.WRONG_MESSAGE_TYPE: _fault(
        "the response message's meetingMessageType is `none`",
        _each("P-SENDS-RESPONSE", _SENT),
    ),
    AnswerFault.COMMENT_DROPPED: _fault(
        "the response message's body leaves the comment out",
        _each("P-COMMENT-DELIVERED", _TEXT),
    ),
    AnswerFault.COMMENT_REQUIRED: _fault(
        "an answer without a (non-empty) comment answers 400",
        _each("P-COMMENT-OPTIONAL", "Text included in the response. Optional."),
    ),
    # the common probes act on the first answer selected (the row's accept): its exact 403 and 401 too
    AnswerFault.SCOPES_IGNORED: _fault(
        "answers do not check for Calendars.ReadWrite (a Calendars.Read token answers)",
        {**_each("P-PERM-REQUIRED", "One of the following permissions is required to call this API."),
         **_COMMON_403},
        overlap=_COMMON_OVERLAP,
    ),
    AnswerFault.AUTH_IGNORED: _fault(
        "answers work without an Authorization header (as the owner of the addressed event)",
        {**_each("P-AUTH-REQUIRED", "Bearer {token}. Required."), **_COMMON_401},
        overlap="the hand-written no-token case, Schemathesis' ignored_auth and the common exact-401 probe "
                "(acting on the first answer selected) all answer without a token",
    ),
    AnswerFault.CONTENT_TYPE_STRICT: _fault(
        "answers refuse a body whose Content-Type is not exactly application/json (415)",
        _each("P-CONTENT-TYPE", "Nature of the data in the body of an entity."),
    ),
    **{
        name: _fault(what, {f"{prefix}-PROPOSAL-{requirement}": words for prefix in ("TENTATIVE", "DECLINE")},
                     actions=PROPOSING)
        for name, what, requirement, words in (
            (AnswerFault.PROPOSAL_DISALLOWED_ACCEPTED, "a proposedNewTime on an event that does not "
             "allow new time proposals is accepted (202)", "NOT-ALLOWED",
             "the allowNewTimeProposals property of the event is false"),
            (AnswerFault.PROPOSAL_WITHOUT_RESPONSE_ACCEPTED, "a proposedNewTime with sendResponse false is "
             "accepted (202)", "NEEDS-RESPONSE", "the sendResponse parameter is set to false"),
            (AnswerFault.PROPOSAL_DROPPED, "a proposedNewTime is accepted but reaches nobody: the response "
             "message carries none", "DELIVERED", "by including the proposedNewTime parameter"),
        )
    },
    AnswerFault.APP_TOKEN_REFUSED: _fault(
        "answers refuse application tokens (403)",
        _each("P-PERM-APPLICATION", "Application: Calendars.ReadWrite"),
        # the generated auth family judges only accepted answers: none on the /users route
        blocks=tuple(_each("P-AUTH-REQUIRED", "")),
    ),
    AnswerFault.PERSONAL_REFUSED: _fault(
        "answers refuse personal Microsoft accounts (403)",
        _each("P-PERM-DELEGATED-PERSONAL", "Delegated (personal Microsoft account): Calendars.ReadWrite"),
    ),
    AnswerFault.SCOPE_NEEDS_MAIL_SEND: _fault(
        "answers demand Mail.Send besides Calendars.ReadWrite (delegated tokens only)",
        _each("P-PERM-DELEGATED-WORK", "Delegated (work or school account): Calendars.ReadWrite"),
    ),
    AnswerFault.ORGANIZER_ALLOWED: _fault(
        "the organizer answering their own meeting gets 202 (nothing changes)",
        {
            f"GRAPH-{prefix}-ORGANIZER-4XX": "is refused with a 4xx and changes nothing"
            for prefix in ("ACCEPT", "TENTATIVE", "DECLINE")
        },
    ),
    AnswerFault.GAP_NO_ATTENDEE_STATUSES: _gap(
        "the organizer's event lists its attendees without their status",
        ("ATTENDEE-STATUSES",),
        tuple(_each("P-ORGANIZER-SEES", "")),
    ),
    AnswerFault.GAP_NO_PROPOSALS: _gap(
        "events cannot be created with allowNewTimeProposals (400: no such property), nor show it",
        ("PROPOSALS",),
        tuple(
            f"{prefix}-PROPOSAL-{what}"
            for prefix in ("TENTATIVE", "DECLINE")
            for what in ("NOT-ALLOWED", "NEEDS-RESPONSE", "DELIVERED")
        ),
        actions=PROPOSING,
    ),
}
