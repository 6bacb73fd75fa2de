"""The cancel comment: accepted in any form the page allows, and delivered to every attendee as a notice."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
import requests

from conformance.cases.toolkit import (
    ABSENT,
    CANCELLED,
    JSON_TYPE,
    Arranger,
    Effect,
    Item,
    Seen,
    acts_ahead,
    await_notice,
    excerpt,
    expect,
    expect_accepted,
    expect_notices,
    last_act_at,
    message_text,
    not_verified,
    notices_about,
    organizer_cancels,
    send,
    stays_absent,
    waited,
    watches_quiet,
)
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.provision import ProvisionedEvent


def _all_attendees(target: TargetConfig) -> int:
    """How many attendees to invite: every configured attendee identity (at least one is needed)."""
    return max(1, len(target.attendee_roles))


def _unique_comment(label: str) -> str:
    return f"graph-conformance {label} comment {secrets.token_hex(4)}"


def _delivering_meeting(arrange: Arranger, attendees: int) -> ProvisionedEvent:
    """A new meeting whose invitation has reached every attendee's mailbox (MAILBOX-MESSAGES)."""
    event = arrange.create(attendees=attendees)
    arrange.mailboxes_deliver(event)
    return event


def _cancel_with_a_comment(
    graph: Graph, target: TargetConfig, arrange: Arranger, comment_key: str
) -> tuple[ProvisionedEvent, str]:
    """A meeting delivered to every attendee, cancelled with a unique comment under `comment_key`."""
    requirement_id = (
        "CANCEL-COMMENT-DELIVERED" if comment_key == "comment" else "CANCEL-COMMENT-DELIVERED-PASCAL"
    )
    event = _delivering_meeting(arrange, _all_attendees(target))
    comment = _unique_comment(comment_key)
    organizer_cancels(graph, event, requirement_id, body={comment_key: comment}, about_answer=False)
    return event, comment


@acts_ahead(_cancel_with_a_comment)
@pytest.mark.parametrize(
    "comment_key",
    [
        pytest.param(
            "comment", marks=pytest.mark.requirement("CANCEL-COMMENT-DELIVERED"), id="table-comment"
        ),
        pytest.param(
            "Comment", marks=pytest.mark.requirement("CANCEL-COMMENT-DELIVERED-PASCAL"), id="example-Comment"
        ),
    ],
)
def test_comment_reaches_every_attendee(
    comment_key: str, graph: Graph, target: TargetConfig, arrange: Arranger
) -> None:
    """The comment (under the table's or the example's key) is in every attendee's cancellation notice."""
    requirement_id = (
        "CANCEL-COMMENT-DELIVERED" if comment_key == "comment" else "CANCEL-COMMENT-DELIVERED-PASCAL"
    )
    event, comment = arrange.acted()
    within = arrange.notice_wait()
    notices = expect_notices(graph, event.attendee_roles, event.subject, requirement_id, within)
    for role, notice in notices.items():
        expect(
            comment in message_text(notice),
            requirement_id,
            f"{role}'s cancellation notice does not contain the comment {comment!r} sent as {comment_key!r}; "
            f"it reads {excerpt(notice)!r}",
            getattr(notice, "response", None),
        )


def _cancel_a_delivered_meeting(graph: Graph, target: TargetConfig, arrange: Arranger) -> ProvisionedEvent:
    """A meeting delivered to every attendee, cancelled with a comment."""
    event = _delivering_meeting(arrange, _all_attendees(target))
    body = {"comment": _unique_comment("message-type")}
    organizer_cancels(graph, event, "CANCEL-SENDS-MESSAGE", body=body, about_answer=False)
    arrange.calibrate_on(event)  # the run's notice and applied latencies, measured on this cancel
    return event


@pytest.mark.requirement("CANCEL-SENDS-MESSAGE")
@acts_ahead(_cancel_a_delivered_meeting)
def test_every_attendee_gets_a_meeting_cancelled_message(
    graph: Graph, target: TargetConfig, arrange: Arranger
) -> None:
    """Each attendee's notice is an eventMessage with meetingMessageType `meetingCancelled`."""
    event: ProvisionedEvent = arrange.acted()
    within = arrange.notice_wait()
    expect_notices(
        graph, event.attendee_roles, event.subject, "CANCEL-SENDS-MESSAGE", within, of_type=CANCELLED
    )


_DEFAULT_NOTICE_BODIES = [
    pytest.param(ABSENT, id="no-body"),
    pytest.param({}, id="empty-object"),
    pytest.param({"comment": None}, id="null-comment"),
    pytest.param({"Comment": None}, id="null-Comment"),
]


def _cancel_without_a_comment(
    graph: Graph, target: TargetConfig, arrange: Arranger, body: Any
) -> ProvisionedEvent:
    """A meeting delivered to one attendee, cancelled with `body` (no comment in it)."""
    event = _delivering_meeting(arrange, 1)
    organizer_cancels(graph, event, "GRAPH-COMMENT-DEFAULT-NOTICE", body=body, about_answer=False)
    return event


@pytest.mark.requirement("GRAPH-COMMENT-DEFAULT-NOTICE")
@acts_ahead(_cancel_without_a_comment)
@pytest.mark.parametrize("body", _DEFAULT_NOTICE_BODIES)
def test_cancel_without_comment_sends_the_default_notice(
    body: Any, graph: Graph, target: TargetConfig, arrange: Arranger
) -> None:
    """Without a comment (absent, null, `{}`, no body) attendees still get a cancellation notice."""
    event: ProvisionedEvent = arrange.acted()
    expect_notices(
        graph,
        event.attendee_roles,
        event.subject,
        "GRAPH-COMMENT-DEFAULT-NOTICE",
        arrange.notice_wait(),
        what="the meeting cancelled without a comment",
    )


@watches_quiet
def _cancel_silently_then_not(
    graph: Graph, target: TargetConfig, arrange: Arranger
) -> tuple[ProvisionedEvent, ProvisionedEvent]:
    """A delivered meeting cancelled with `"comment": ""`, then another cancelled with a comment."""
    silent = _delivering_meeting(arrange, 1)
    # cancelled after `silent`: once the sentinel's notice is in, a notice of `silent` would be too
    sentinel = arrange.create(attendees=1)
    empty = {"comment": ""}
    organizer_cancels(graph, silent, "GRAPH-COMMENT-EMPTY-NO-NOTICE", body=empty, about_answer=False)
    later = {"comment": _unique_comment("sentinel")}
    client = graph.as_(sentinel.owner_role)
    send(client, f"{sentinel.path}/cancel", "GRAPH-COMMENT-EMPTY-NO-NOTICE", body=later, about_answer=False)
    return silent, sentinel


@pytest.mark.requirement("GRAPH-COMMENT-EMPTY-NO-NOTICE")
@acts_ahead(_cancel_silently_then_not)
def test_empty_comment_sends_no_notice(graph: Graph, target: TargetConfig, arrange: Arranger) -> None:
    """`"comment": ""` cancels without a notice; judged once a later cancel's notice has arrived."""
    silent, sentinel = arrange.acted()
    cause = last_act_at()  # the later cancel's answer (after the empty one's): the quiet period's start
    role = silent.attendee_roles[0]
    within = arrange.notice_wait()
    if not await_notice(graph, role, sentinel.subject, within).found:
        not_verified(
            f"the notice of a later cancel never reached {role!r} ({waited(within)}), so the absence of a "
            "notice for the empty comment cannot be judged"
        )
    client = graph.as_(role)

    def notices_of_silent() -> Seen[list[Item]]:
        seen = notices_about(client, silent.subject)
        return Seen(bool(seen.value), seen.value, seen.response)

    quiet = arrange.quiet(Effect.NOTICE, "to send a notice for an empty comment", cause)
    notices = stays_absent(notices_of_silent, quiet)
    expect(
        not notices.value,
        "GRAPH-COMMENT-EMPTY-NO-NOTICE",
        f"attendee {role!r} got {len(notices.value)} notice(s) for a cancel with an empty comment; expected "
        "none (a later cancel's notice has already arrived)",
        notices.response,
    )


Answered = tuple[ProvisionedEvent, requests.Response]  # a new event, and the answer to its cancel


def _cancel_new_event(
    graph: Graph,
    arrange: Arranger,
    requirement_id: str,
    body: Any,
    headers: dict[str, str | None] | None = None,
) -> Answered:
    """A new event (inviting nobody) cancelled by its organizer with `body` (and `headers`): acted ahead."""
    event = arrange.create()
    client = graph.as_(event.owner_role)
    return event, send(client, f"{event.path}/cancel", requirement_id, body=body, headers=headers)


def _accepted(arrange: Arranger, requirement_id: str, what: str) -> None:
    """The cancel acted ahead was accepted (a refusal first checked against CANCEL-WITHOUT-ATTENDEES)."""
    event, response = arrange.acted()
    arrange.judge_refusal(event, response)
    expect_accepted(response, requirement_id, what)


def _without_comment(graph: Graph, target: TargetConfig, arrange: Arranger, body: Any) -> Answered:
    return _cancel_new_event(graph, arrange, "CANCEL-COMMENT-OPTIONAL", body)


@pytest.mark.requirement("CANCEL-COMMENT-OPTIONAL")
@pytest.mark.parametrize("body", [pytest.param(ABSENT, id="no-body"), pytest.param({}, id="empty-object")])
@acts_ahead(_without_comment)
def test_cancel_without_comment_is_accepted(body: Any, graph: Graph, arrange: Arranger) -> None:
    """`comment` is optional: no body and `{}` are both accepted."""
    _accepted(arrange, "CANCEL-COMMENT-OPTIONAL", "cancel without a comment")


_COMMENT_STRINGS = [
    pytest.param("Отмена встречи — 会议取消 — إلغاء 🎉🚫", id="non-ascii-and-emoji"),
    pytest.param("x" * 8000, id="8000-chars"),
    pytest.param("", id="empty-string"),
    pytest.param("line one\nline two\r\n\tindented line", id="newlines"),
    pytest.param('<b>Cancelled</b> & <script>alert("x")</script> "quoted" \\ back', id="html-ish"),
]


def _with_comment(graph: Graph, target: TargetConfig, arrange: Arranger, comment: str) -> Answered:
    return _cancel_new_event(graph, arrange, "CANCEL-COMMENT-STRING", {"comment": comment})


@pytest.mark.requirement("CANCEL-COMMENT-STRING")
@pytest.mark.parametrize("comment", _COMMENT_STRINGS)
@acts_ahead(_with_comment)
def test_any_string_comment_is_accepted(comment: str, graph: Graph, arrange: Arranger) -> None:
    """`comment` is a String: any string is accepted."""
    _accepted(arrange, "CANCEL-COMMENT-STRING", f"cancel with a {len(comment)}-character comment")


def _typed(
    graph: Graph, target: TargetConfig, arrange: Arranger, header_name: str, media_type: str
) -> Answered:
    body = {"comment": _unique_comment("content-type")}
    return _cancel_new_event(graph, arrange, "CANCEL-CONTENT-TYPE", body, {header_name: media_type})


@pytest.mark.requirement("CANCEL-CONTENT-TYPE")
@acts_ahead(_typed)
@pytest.mark.parametrize(
    ("header_name", "media_type"),
    [
        pytest.param("Content-Type", JSON_TYPE, id="Content-Type"),
        pytest.param("Content-type", JSON_TYPE, id="Content-type-as-in-the-example"),
        pytest.param("Content-Type", "application/json; charset=utf-8", id="charset-utf-8"),
    ],
)
def test_json_body_with_json_content_type_is_accepted(
    header_name: str, media_type: str, graph: Graph, arrange: Arranger
) -> None:
    """A JSON body sent with a JSON `Content-Type` (as the page and its example spell it) is accepted."""
    _accepted(arrange, "CANCEL-CONTENT-TYPE", f"cancel sent with '{header_name}: {media_type}'")
