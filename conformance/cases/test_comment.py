"""The cancel comment: accepted in any form the page allows, and delivered to every attendee as a notice."""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest
import requests

from conformance.cases._expect import expect
from conformance.cases._mailbox import (
    await_notice,
    expect_cancellation_notices,
    message_text,
    notices_about,
    require_route_served,
)
from conformance.outcomes import not_verified
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.provision import ProvisionedEvent, Provisioner

JSON = "application/json"
_ABSENT = object()  # "send no body at all"


def _cancel(
    graph: Graph, event: ProvisionedEvent, body: Any = _ABSENT, headers: dict[str, str | None] | None = None
) -> requests.Response:
    """POST the cancel action on `event` as its organizer: `body` as JSON, or no body at all."""
    if body is _ABSENT:
        return require_route_served(graph.as_(event.owner_role).post(f"{event.path}/cancel", headers=headers))
    response = graph.as_(event.owner_role).post(
        f"{event.path}/cancel",
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": JSON, **(headers or {})},
    )
    return require_route_served(response)


def _all_attendees(target: TargetConfig) -> int:
    """How many attendees to invite: every configured attendee identity (at least one is needed)."""
    return max(1, len(target.attendee_roles))


def _expect_accepted(response: requests.Response, requirement_id: str, what: str) -> None:
    expect(
        200 <= response.status_code < 300,
        requirement_id,
        f"{what}: expected the cancel to be accepted (2xx), got HTTP {response.status_code}",
        response,
    )


def _unique_comment(label: str) -> str:
    return f"graph-conformance {label} comment {secrets.token_hex(4)}"


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
    comment_key: str, graph: Graph, target: TargetConfig, provision: Provisioner
) -> None:
    """The comment (under the table's or the example's key) is in every attendee's cancellation notice."""
    requirement_id = (
        "CANCEL-COMMENT-DELIVERED" if comment_key == "comment" else "CANCEL-COMMENT-DELIVERED-PASCAL"
    )
    event = provision.event(attendees=_all_attendees(target))
    comment = _unique_comment(comment_key)
    response = _cancel(graph, event, {comment_key: comment})
    _expect_accepted(response, requirement_id, f"cancel with {{{comment_key!r}: ...}}")
    for role in event.attendee_roles:
        notice = await_notice(graph.as_(role), event.subject, target.poll_timeout_s, target.poll_interval_s)
        expect(
            notice.found is not None,
            requirement_id,
            f"attendee {role!r} received no cancellation notice within {target.poll_timeout_s:g}s",
            notice.response or response,
        )
        expect(
            comment in message_text(notice.found),
            requirement_id,
            f"{role}'s cancellation notice does not contain the comment {comment!r} sent as {comment_key!r}",
            notice.response or response,
        )


@pytest.mark.requirement("CANCEL-SENDS-MESSAGE")
def test_every_attendee_gets_a_meeting_cancelled_message(
    graph: Graph, target: TargetConfig, provision: Provisioner
) -> None:
    """Each attendee's notice is an eventMessage with meetingMessageType `meetingCancelled`."""
    event = provision.event(attendees=_all_attendees(target))
    response = _cancel(graph, event, {"comment": _unique_comment("message-type")})
    _expect_accepted(response, "CANCEL-SENDS-MESSAGE", "cancel with a comment")
    expect_cancellation_notices(
        graph,
        target,
        event.attendee_roles,
        event.subject,
        "CANCEL-SENDS-MESSAGE",
        "the cancelled meeting",
        response,
    )


_DEFAULT_NOTICE_BODIES = [
    pytest.param(_ABSENT, id="no-body"),
    pytest.param({}, id="empty-object"),
    pytest.param({"comment": None}, id="null-comment"),
    pytest.param({"Comment": None}, id="null-Comment"),
]


@pytest.mark.requirement("GRAPH-COMMENT-DEFAULT-NOTICE")
@pytest.mark.parametrize("body", _DEFAULT_NOTICE_BODIES)
def test_cancel_without_comment_sends_the_default_notice(
    body: Any, graph: Graph, target: TargetConfig, provision: Provisioner
) -> None:
    """Without a comment (absent, null, `{}`, no body) attendees still get a cancellation notice."""
    event = provision.event(attendees=1)
    response = _cancel(graph, event, body)
    _expect_accepted(response, "GRAPH-COMMENT-DEFAULT-NOTICE", "cancel without a comment")
    role = event.attendee_roles[0]
    notice = await_notice(graph.as_(role), event.subject, target.poll_timeout_s, target.poll_interval_s)
    expect(
        notice.found is not None,
        "GRAPH-COMMENT-DEFAULT-NOTICE",
        f"attendee {role!r} received no default cancellation notice within {target.poll_timeout_s:g}s",
        notice.response or response,
    )


@pytest.mark.requirement("GRAPH-COMMENT-EMPTY-NO-NOTICE")
def test_empty_comment_sends_no_notice(graph: Graph, target: TargetConfig, provision: Provisioner) -> None:
    """`"comment": ""` cancels without a notice; judged once a later cancel's notice has arrived."""
    silent = provision.event(attendees=1)
    sentinel = provision.event(
        attendees=1
    )  # cancelled after `silent`: once its notice is in, `silent`'s would be
    response = _cancel(graph, silent, {"comment": ""})
    _expect_accepted(response, "GRAPH-COMMENT-EMPTY-NO-NOTICE", 'cancel with {"comment": ""}')
    sentinel_response = _cancel(graph, sentinel, {"comment": _unique_comment("sentinel")})
    role = silent.attendee_roles[0]
    client = graph.as_(role)
    arrived = await_notice(client, sentinel.subject, target.poll_timeout_s, target.poll_interval_s)
    if arrived.found is None:
        not_verified(
            f"the notice of a later cancel (HTTP {sentinel_response.status_code}) never reached {role!r}, "
            "so the absence of a notice for the empty comment cannot be judged"
        )
    notices, listing = notices_about(client, silent.subject)
    expect(
        not notices,
        "GRAPH-COMMENT-EMPTY-NO-NOTICE",
        f"attendee {role!r} got {len(notices)} notice(s) for a cancel with an empty comment; expected none "
        f"(a later cancel's notice has already arrived)",
        listing,
    )


@pytest.mark.requirement("CANCEL-COMMENT-OPTIONAL")
@pytest.mark.parametrize("body", [pytest.param(_ABSENT, id="no-body"), pytest.param({}, id="empty-object")])
def test_cancel_without_comment_is_accepted(body: Any, graph: Graph, provision: Provisioner) -> None:
    """`comment` is optional: no body and `{}` are both accepted."""
    event = provision.event(attendees=1)
    _expect_accepted(_cancel(graph, event, body), "CANCEL-COMMENT-OPTIONAL", "cancel without a comment")


_COMMENT_STRINGS = [
    pytest.param("Отмена встречи — 会议取消 — إلغاء 🎉🚫", id="non-ascii-and-emoji"),
    pytest.param("x" * 8000, id="8000-chars"),
    pytest.param("", id="empty-string"),
    pytest.param("line one\nline two\r\n\tindented line", id="newlines"),
    pytest.param('<b>Cancelled</b> & <script>alert("x")</script> "quoted" \\ back', id="html-ish"),
]


@pytest.mark.requirement("CANCEL-COMMENT-STRING")
@pytest.mark.parametrize("comment", _COMMENT_STRINGS)
def test_any_string_comment_is_accepted(comment: str, graph: Graph, provision: Provisioner) -> None:
    """`comment` is a String: any string is accepted."""
    event = provision.event(attendees=1)
    _expect_accepted(
        _cancel(graph, event, {"comment": comment}),
        "CANCEL-COMMENT-STRING",
        f"cancel with a {len(comment)}-character comment",
    )


@pytest.mark.requirement("CANCEL-CONTENT-TYPE")
@pytest.mark.parametrize(
    ("header_name", "media_type"),
    [
        pytest.param("Content-Type", JSON, id="Content-Type"),
        pytest.param("Content-type", JSON, id="Content-type-as-in-the-example"),
        pytest.param("Content-Type", "application/json; charset=utf-8", id="charset-utf-8"),
    ],
)
def test_json_body_with_json_content_type_is_accepted(
    header_name: str, media_type: str, graph: Graph, provision: Provisioner
) -> None:
    """A JSON body sent with a JSON `Content-Type` (as the page and its example spell it) is accepted."""
    event = provision.event(attendees=1)
    response = graph.as_(event.owner_role).post(
        f"{event.path}/cancel",
        data=json.dumps({"comment": _unique_comment("content-type")}).encode(),
        headers={header_name: media_type},
    )
    require_route_served(response)
    _expect_accepted(response, "CANCEL-CONTENT-TYPE", f"cancel sent with '{header_name}: {media_type}'")
