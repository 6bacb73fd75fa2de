"""The behaviour cases of an answer (accept, tentativelyAccept, decline), bound by each answer's module.

What the page states: the comment is optional; with `sendResponse` true or absent the organizer receives a
response message of the answer's type carrying the comment, with false none; the answer shows on the
attendee's copy and on the organizer's event; a proposed new time (tentativelyAccept, decline) is refused
where the meeting refuses proposals or no response is sent, and else reaches the organizer.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from conformance.cases.toolkit.act import last_act_at, require_route_served, send
from conformance.cases.toolkit.ahead import acts_ahead, watches_quiet
from conformance.cases.toolkit.answers import (
    Answer,
    answer_contract,
    answerable,
    answered,
    await_response,
    calibrate,
    copy_path,
    invited_copy,
    kept,
    mailbox_of,
    organizer_status,
    proposal_meeting,
    proposed_time,
    response_of,
    responses_about,
)
from conformance.cases.toolkit.arrange import Arranger
from conformance.cases.toolkit.checks import (
    Seen,
    expect,
    expect_status,
    json_of,
    poll,
    require_profile,
    stays_absent,
)
from conformance.cases.toolkit.contract import ME_EVENTS, REFUSALS, Subject, expect_success
from conformance.cases.toolkit.observe import Item, excerpt, message_text
from conformance.outcomes import not_verified
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.polling import Effect
from conformance.target.provision import ProvisionedEvent


@dataclass(frozen=True)
class Answered:
    """A meeting, the attendee's copy answered, what the answer said, and the answer to it."""

    event: ProvisionedEvent
    subject: Subject
    body: Any
    response: requests.Response

    @property
    def comment(self) -> str:
        """The comment sent ("" for none)."""
        return str(self.body.get("comment", "")) if isinstance(self.body, dict) else ""


def unique_comment(label: str) -> str:
    """A comment no other message holds."""
    return f"graph-conformance {label} {secrets.token_hex(4)}"


def answer_on(
    graph: Graph, arrange: Arranger, answer: Answer, requirement_id: str, body: Any,
    properties: dict[str, Any] | None = None, meeting: tuple[ProvisionedEvent, Item] | None = None,
) -> Answered:
    """The attendee answers their copy of a new meeting (or of `meeting`) with `body`."""
    mailbox = mailbox_of(graph, "attendee")
    event, copy = meeting or invited_copy(arrange, mailbox, properties)
    subject = Subject(mailbox, str(copy["id"]), before=copy, context=event)
    path = f"{copy_path(subject)}/{answer.action}"
    return Answered(event, subject, body, send(graph.as_(mailbox), path, requirement_id, body=body,
                                               about_answer=False))


def snake(action: str) -> str:
    """`tentatively_accept` for `tentativelyAccept`."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", action).lower()


def answer_module(answer: Answer) -> dict[str, Any]:
    """Every case of `answer`: its contract's and its behaviour's (a module binds them all)."""
    from conformance.cases.toolkit.contract import contract_cases

    return {**contract_cases(answer_contract(answer)), **answer_cases(answer)}


def answer_cases(answer: Answer) -> dict[str, Any]:
    """The behaviour cases of `answer`, named `test_<action>_...` (bind them in its module)."""
    contract = answer_contract(answer)
    rid, name = contract.rid, snake(answer.action)
    responded = f"{answer.action}: answered with a response"

    def with_response(graph: Graph, target: TargetConfig, arrange: Arranger) -> Answered:
        body = {"comment": unique_comment(rid("SENDS-RESPONSE")), "sendResponse": True}
        shared = kept(arrange)  # the meeting outlives the first of the cases sharing it
        return arrange.once(responded, lambda: answer_on(graph, shared, answer, rid("SENDS-RESPONSE"), body))

    def accepted(arrange: Arranger, requirement_id: str) -> Answered:
        done: Answered = arrange.acted()
        expect_success(contract, done.response, requirement_id, f"the attendee's {answer.action}")
        return done

    def response_of(graph: Graph, arrange: Arranger, done: Answered, requirement_id: str) -> list[Item]:
        within = arrange.effect(Effect.RESPONSE, f"to deliver the organizer a response ({answer.action})")
        seen = await_response(graph, done.event, within)
        expect(seen.value, requirement_id,
               f"the organizer received no message about the meeting answered ({within.text})", seen.response)
        return seen.value

    def judge_response(graph: Graph, arrange: Arranger, suffix: str,
                       judged: Callable[[Answered, list[Item]], str | None]) -> None:
        """The answer acted ahead was accepted, its response reached the organizer, and `judged` finds
        nothing wrong with it (else the failure's text)."""
        done = accepted(arrange, rid(suffix))
        wrong = judged(done, response_of(graph, arrange, done, rid(suffix)))
        expect(wrong is None, rid(suffix), str(wrong))

    def of_its_type(done: Answered, messages: list[Item]) -> str | None:
        kinds = [message.get("meetingMessageType") for message in messages]
        if answer.message_type in kinds:
            return None
        return f"the organizer's messages about the meeting have meetingMessageType {kinds}, not " \
               f"{answer.message_type!r}"

    def with_the_comment(done: Answered, messages: list[Item]) -> str | None:
        if any(done.comment in message_text(message) for message in messages):
            return None
        return f"the organizer's response message does not contain the comment {done.comment!r}; it reads " \
               f"{excerpt(messages[0])!r}"

    @pytest.mark.requirement(rid("SENDS-RESPONSE"))
    @acts_ahead(with_response, once=responded)
    def sends_response(graph: Graph, arrange: Arranger) -> None:
        """sendResponse true: the organizer's mailbox gets the answer's eventMessageResponse."""
        judge_response(graph, arrange, "SENDS-RESPONSE", of_its_type)

    @pytest.mark.requirement(rid("COMMENT-DELIVERED"))
    @acts_ahead(with_response, once=responded)
    def comment_delivered(graph: Graph, arrange: Arranger) -> None:
        """The comment is in the body of the response message the organizer receives."""
        judge_response(graph, arrange, "COMMENT-DELIVERED", with_the_comment)

    @pytest.mark.requirement(rid("ATTENDEE-STATUS"))
    @acts_ahead(with_response, once=responded)
    def attendee_status(graph: Graph, arrange: Arranger) -> None:
        """The attendee's copy shows the answer in responseStatus.response."""
        done = accepted(arrange, rid("ATTENDEE-STATUS"))
        within = arrange.effect(Effect.ANSWER, f"to show the {answer.action} on the attendee's copy")

        def fetch() -> Seen[Any]:
            seen = answered(graph, done.subject)
            return Seen(seen.value == answer.response, seen.value, seen.response)

        seen = poll(fetch, within)
        expect(seen.found, rid("ATTENDEE-STATUS"),
               f"the attendee's copy shows responseStatus.response {seen.value!r}, not {answer.response!r} "
               f"({within.text})", seen.response)

    @pytest.mark.requirement(rid("ORGANIZER-SEES"))
    @acts_ahead(with_response, once=responded)
    def organizer_sees(graph: Graph, arrange: Arranger) -> None:
        """The organizer's event lists the attendee's status.response as the answer."""
        done = accepted(arrange, rid("ORGANIZER-SEES"))
        what = f"to show the {answer.action} on the organizer's event"
        within = arrange.effect(Effect.ORGANIZER_SEES, what)

        def fetch() -> Seen[Any]:
            seen = organizer_status(graph, done.event, done.subject.owner)
            return Seen(seen.value == answer.response, seen.value, seen.response)

        seen = poll(fetch, within)
        expect(seen.found, rid("ORGANIZER-SEES"),
               f"the organizer's event lists {done.subject.owner}'s status.response as {seen.value!r}, not "
               f"{answer.response!r} ({within.text})", seen.response)

    def by_default(graph: Graph, target: TargetConfig, arrange: Arranger) -> Answered:
        body = {"comment": unique_comment(rid("SEND-RESPONSE-DEFAULT"))}
        return answer_on(graph, arrange, answer, rid("SEND-RESPONSE-DEFAULT"), body)

    @pytest.mark.requirement(rid("SEND-RESPONSE-DEFAULT"))
    @acts_ahead(by_default)
    def response_by_default(graph: Graph, arrange: Arranger) -> None:
        """Without sendResponse the organizer still receives a response message (the default is true)."""
        done = accepted(arrange, rid("SEND-RESPONSE-DEFAULT"))
        response_of(graph, arrange, done, rid("SEND-RESPONSE-DEFAULT"))

    @watches_quiet
    def silently(graph: Graph, target: TargetConfig, arrange: Arranger) -> Answered:
        quiet = {"comment": unique_comment(rid("NO-RESPONSE")), "sendResponse": False}
        done = answer_on(graph, arrange, answer, rid("NO-RESPONSE"), quiet)
        calibrate(graph, arrange)  # the quiet period's measure, begun now in the background
        return done

    @pytest.mark.requirement(rid("NO-RESPONSE"))
    @acts_ahead(silently)
    def no_response(graph: Graph, arrange: Arranger) -> None:
        """sendResponse false: no message reaches the organizer (judged after another answer's response)."""
        silent: Answered = arrange.acted()
        cause = last_act_at()  # the silent answer's: its quiet period counts from it, whatever comes between
        expect_success(contract, silent.response, rid("NO-RESPONSE"), f"the {answer.action} without response")
        sentinel = with_response(graph, arrange.target, arrange)  # the answer with a response (shared)
        within = arrange.effect(Effect.RESPONSE, "to deliver another answer's response")
        if not await_response(graph, sentinel.event, within).value:
            not_verified(f"another answer's response never reached the organizer ({within.text}), so the "
                         "absence of one for sendResponse false cannot be judged")
        calibrate(graph, arrange)
        quiet = arrange.quiet(Effect.RESPONSE, "to send a response for sendResponse false", cause)

        def messages() -> Seen[list[Item]]:
            seen = responses_about(graph, silent.event.owner_role, silent.event.subject)
            return Seen(bool(seen.value), seen.value, seen.response)

        seen = stays_absent(messages, quiet)
        expect(not seen.value, rid("NO-RESPONSE"),
               f"the organizer got {len(seen.value)} message(s) about a meeting answered with sendResponse "
               f"false; expected none (another answer's response has arrived; {quiet.text})",
               seen.response)

    def without_comment(graph: Graph, target: TargetConfig, arrange: Arranger, body: Any) -> Any:
        subject = answerable(answer)(graph, arrange, "attendee", ME_EVENTS, False)
        path = f"{copy_path(subject)}/{answer.action}"
        return send(graph.as_(subject.owner), path, rid("COMMENT-OPTIONAL"), body=body)

    @pytest.mark.requirement(rid("COMMENT-OPTIONAL"))
    @acts_ahead(without_comment)
    @pytest.mark.parametrize("body", [pytest.param({"sendResponse": False}, id="no-comment"),
                                      pytest.param({}, id="empty-object")])
    def comment_optional(body: Any, graph: Graph, arrange: Arranger) -> None:
        """`comment` is optional: an answer without one is accepted."""
        what = f"the {answer.action} without a comment"
        expect_success(contract, arrange.acted(), rid("COMMENT-OPTIONAL"), what)

    organizer_rid = f"GRAPH-{answer.prefix}-ORGANIZER-4XX"

    @watches_quiet
    def by_the_organizer(graph: Graph, target: TargetConfig, arrange: Arranger) -> tuple[Subject, Any]:
        event, before = arrange.event(attendees=1)
        subject = Subject(event.owner_role, event.id, before=before, context=event)
        body = {"comment": unique_comment(organizer_rid), "sendResponse": False}
        path = f"{copy_path(subject)}/{answer.action}"
        sent = send(graph.as_(event.owner_role), path, organizer_rid, body=body)
        calibrate(graph, arrange)  # the quiet period's measure, begun now in the background
        return subject, sent

    @pytest.mark.requirement(organizer_rid)
    @acts_ahead(by_the_organizer)
    def organizer_refused(graph: Graph, arrange: Arranger) -> None:
        """The organizer answering their own meeting is refused with a 4xx, and the event stays as it was."""
        subject, response = arrange.acted()
        cause = last_act_at()  # the refused answer's: its quiet period counts from it
        what = f"the organizer's {answer.action} of their own meeting"
        expect_status(response, organizer_rid, REFUSALS, what)
        calibrate(graph, arrange)
        quiet = arrange.quiet(Effect.ANSWER, f"to change the organizer's event after {what}", cause)
        seen = stays_absent(lambda: event_changed(graph, subject), quiet)
        expect(not seen.found, organizer_rid, f"{what} was refused, yet changed the event: {seen.value} "
               f"({quiet.text})", seen.response)

    cases: dict[str, Any] = {
        f"test_{name}_by_the_organizer_is_refused": organizer_refused,
        f"test_{name}_sends_the_organizer_a_response": sends_response,
        f"test_{name}_response_carries_the_comment": comment_delivered,
        f"test_{name}_shows_on_the_attendee_copy": attendee_status,
        f"test_{name}_shows_on_the_organizer_event": organizer_sees,
        f"test_{name}_sends_a_response_by_default": response_by_default,
        f"test_{name}_without_response_sends_none": no_response,
        f"test_{name}_without_comment_is_accepted": comment_optional,
    }
    if answer.proposals:
        cases.update(proposal_cases(answer, name))
    return named(cases)


def event_changed(graph: Graph, subject: Subject) -> Seen[Any]:
    """One look at the organizer's event: found when it is gone or its responseStatus changed."""
    response = graph.as_(subject.owner).get(copy_path(subject))
    if response.status_code != 200:
        return Seen(True, f"GET on it answered HTTP {response.status_code} (200 before)", response)
    now, before = response_of(json_of(response)), response_of(subject.before)
    return Seen(now != before, f"responseStatus.response {now!r} ({before!r} before)", response)


def named(cases: dict[str, Any]) -> dict[str, Any]:
    """The cases, each function named as bound (pytest reports that name)."""
    for case_name, case in cases.items():
        case.__name__ = case.__qualname__ = case_name
    return cases


def proposal_cases(answer: Answer, name: str) -> dict[str, Any]:
    """The cases of a proposed new time (tentativelyAccept, decline)."""
    contract = answer_contract(answer)
    rid = contract.rid

    def proposing(suffix: str, allow: bool, send_response: bool) -> Callable[..., Answered]:
        def stage(graph: Graph, target: TargetConfig, arrange: Arranger) -> Answered:
            require_profile(target, rid(suffix))
            meeting = proposal_meeting(arrange, mailbox_of(graph, "attendee"), allow)
            body = {"comment": unique_comment(rid(suffix)), "sendResponse": send_response,
                    "proposedNewTime": proposed_time(meeting[0])}
            return answer_on(graph, arrange, answer, rid(suffix), body, meeting=meeting)

        return stage

    def refused_400(arrange: Arranger, suffix: str, what: str) -> None:
        done: Answered = arrange.acted()
        require_route_served(done.response, rid("ROUTE-ME-EVENTS"))  # a missing route fails its own case
        expect_status(done.response, rid(suffix), (400,), what)

    @pytest.mark.requirement(rid("PROPOSAL-NOT-ALLOWED"))
    @acts_ahead(proposing("PROPOSAL-NOT-ALLOWED", False, True))
    def not_allowed(graph: Graph, arrange: Arranger) -> None:
        """proposedNewTime on a meeting with allowNewTimeProposals false: HTTP 400."""
        refused_400(arrange, "PROPOSAL-NOT-ALLOWED", "a proposal on a meeting refusing proposals")

    @pytest.mark.requirement(rid("PROPOSAL-NEEDS-RESPONSE"))
    @acts_ahead(proposing("PROPOSAL-NEEDS-RESPONSE", True, False))
    def needs_response(graph: Graph, arrange: Arranger) -> None:
        """proposedNewTime with sendResponse false: HTTP 400."""
        refused_400(arrange, "PROPOSAL-NEEDS-RESPONSE", "a proposal with sendResponse false")

    @pytest.mark.requirement(rid("PROPOSAL-DELIVERED"))
    @acts_ahead(proposing("PROPOSAL-DELIVERED", True, True))
    def delivered(graph: Graph, arrange: Arranger) -> None:
        """The organizer's response message carries the proposedNewTime."""
        done: Answered = arrange.acted()
        what = "a proposal on a meeting allowing it"
        expect_success(contract, done.response, rid("PROPOSAL-DELIVERED"), what)
        within = arrange.effect(Effect.PROPOSAL, "to deliver a proposed new time to the organizer")
        wanted = done.body["proposedNewTime"]["start"]["dateTime"][:16]

        def fetch() -> Seen[list[Item]]:
            seen = responses_about(graph, done.event.owner_role, done.event.subject)
            carrying = [message for message in seen.value if proposed_start(message) == wanted]
            return Seen(bool(carrying), seen.value, seen.response)

        seen = poll(fetch, within)
        expect(seen.value, rid("PROPOSAL-DELIVERED"),
               f"no response message carrying the proposal reached the organizer ({within.text})",
               seen.response)
        found = [proposed_start(message) for message in seen.value]
        expect(seen.found, rid("PROPOSAL-DELIVERED"),
               f"the organizer's response message carries proposedNewTime starting {found}, not {wanted!r} "
               f"({within.text})", seen.response)

    return {
        f"test_{name}_proposal_refused_where_not_allowed": not_allowed,
        f"test_{name}_proposal_needs_a_response": needs_response,
        f"test_{name}_proposal_reaches_the_organizer": delivered,
    }


def proposed_start(message: Item) -> str | None:
    """The start of a message's proposedNewTime, to the minute (None when it carries none)."""
    slot = message.get("proposedNewTime")
    start = slot.get("start") if isinstance(slot, dict) else None
    return str(start.get("dateTime", ""))[:16] if isinstance(start, dict) else None

