"""Only the organizer may cancel: an attendee gets the page's 400, and attendees' copies show the cancel."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from conformance._paths import openapi_dir
from conformance.cases.toolkit import (
    ATTENDEE_COPY,
    Arranger,
    Effect,
    Item,
    Seen,
    acts_ahead,
    expect,
    expect_eventually,
    expect_status,
    expect_untouched,
    find_copy,
    json_of,
    notices_about,
    organizer_cancels,
    require_route_served,
    send,
    stays_absent,
    watches_quiet,
)
from conformance.spec.catalog import load_catalog
from conformance.spec.page import parse_page
from conformance.target.client import Graph, GraphClient
from conformance.target.config import TargetConfig
from conformance.target.prerequisites import PrerequisiteFailed
from conformance.target.provision import ProvisionedEvent
from conformance.target.urls import quote_id

ATTENDEE_STATUS = 400


@functools.cache
def _organizer_only_message() -> str:
    """The attendee error message as the page quotes it (parsed from the requirement's source page)."""
    source = load_catalog()["CANCEL-ATTENDEE-MESSAGE"].source
    page_path = (
        openapi_dir() / Path(source).relative_to("openapi") if source.startswith("openapi/") else Path(source)
    )
    quoted = [error.message for error in parse_page(page_path).errors if error.status == ATTENDEE_STATUS]
    if not quoted:
        raise LookupError(f"{page_path} quotes no message for HTTP {ATTENDEE_STATUS}; check the spec parser")
    return quoted[0]


def _normalised(text: Any) -> str:
    return " ".join(str(text).split())


def attendee_cancels(
    arrange: Arranger, graph: Graph, event: ProvisionedEvent, requirement_id: str
) -> tuple[str, Item, requests.Response]:
    """The first attendee calls cancel on their own copy of `event`: (role, the copy before, the answer)."""
    role = event.attendee_roles[0]
    copy = arrange.attendee_copy(event, role)
    path = f"/me/events/{quote_id(copy['id'])}/cancel"
    response = send(graph.as_(role), path, requirement_id, body={"comment": "An attendee trying to cancel"})
    require_route_served(response)
    return role, copy, response


@watches_quiet
def _attendee_tries_a_read_meeting(
    graph: Graph, target: TargetConfig, arrange: Arranger
) -> tuple[ProvisionedEvent, Item, str, Item, requests.Response]:
    """A new meeting as read back, and its attendee's cancel: (event, before, role, copy before, answer)."""
    event, before = arrange.event(attendees=1)
    role, copy, response = attendee_cancels(arrange, graph, event, "CANCEL-ATTENDEE-400")
    return event, before, role, copy, response


@pytest.mark.requirement("CANCEL-ATTENDEE-400")
@acts_ahead(_attendee_tries_a_read_meeting)
def test_attendee_cancelling_gets_400_and_changes_nothing(graph: Graph, arrange: Arranger) -> None:
    """An attendee calling cancel gets HTTP 400; the meeting stays as it was for everyone."""
    event, before, role, copy, response = arrange.acted()
    expect_status(response, "CANCEL-ATTENDEE-400", (ATTENDEE_STATUS,), f"attendee {role!r} calling cancel")
    what = "the attendee's refused cancel"
    quiet = arrange.quiet(Effect.APPLIED, "to change the meeting after a refused cancel")
    organizer = graph.as_(event.owner_role)
    expect_untouched(organizer, event.path, before, "CANCEL-ATTENDEE-400", what, quiet=quiet)
    copy_path = f"/me/events/{quote_id(copy['id'])}"
    expect_untouched(graph.as_(role), copy_path, copy, "CANCEL-ATTENDEE-400", what, quiet=quiet)
    silent = arrange.quiet(Effect.NOTICE, "to send a notice after a refused cancel")
    client = graph.as_(role)

    def sent_notices() -> Seen[list[Item]]:
        seen = notices_about(client, event.subject)  # a mailbox that cannot be read: not judged
        return Seen(seen.found and bool(seen.value), seen.value, seen.response)

    notices = stays_absent(sent_notices, silent)
    expect(
        not (notices.found and notices.value),
        "CANCEL-ATTENDEE-400",
        f"the refused cancel still sent {len(notices.value)} cancellation message(s) to {role!r}",
        notices.response,
    )


def _attendee_tries(graph: Graph, target: TargetConfig, arrange: Arranger) -> requests.Response:
    """The answer to an attendee's cancel of a new meeting."""
    event = arrange.create(attendees=1)
    return attendee_cancels(arrange, graph, event, "CANCEL-ATTENDEE-MESSAGE")[2]


@pytest.mark.requirement("CANCEL-ATTENDEE-MESSAGE")
@acts_ahead(_attendee_tries)
def test_attendee_error_carries_the_page_message(
    graph: Graph, arrange: Arranger, record_property: Callable[[str, object], None]
) -> None:
    """The attendee's error message is the page's, word for word (whitespace normalised)."""
    expected = _organizer_only_message()
    response: requests.Response = arrange.acted()
    body = json_of(response)
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    record_property("attendee_error_status", response.status_code)
    record_property("attendee_error_code", str(error.get("code")))  # information only: the page gives no code
    expect(
        _normalised(error.get("message", "")) == _normalised(expected),
        "CANCEL-ATTENDEE-MESSAGE",
        f"the attendee's error.message is {error.get('message')!r}; the page says {expected!r}",
        response,
    )


def _cancel_a_meeting_with_copies(graph: Graph, target: TargetConfig, arrange: Arranger) -> ProvisionedEvent:
    """A new meeting whose attendees' copies exist, not cancelled, cancelled by its organizer."""
    event = arrange.create(attendees=max(1, len(target.attendee_roles)))
    for role in event.attendee_roles:  # the copies must exist, not cancelled, before the cancel
        if arrange.attendee_copy(event, role).get("isCancelled") is True:
            detail = f"{role}'s copy showed isCancelled: true before the cancel: no effect to judge"
            raise PrerequisiteFailed(ATTENDEE_COPY, detail)
    organizer_cancels(graph, event, "GRAPH-ATTENDEE-COPY-CANCELLED", about_answer=False)
    return event


@pytest.mark.requirement("GRAPH-ATTENDEE-COPY-CANCELLED")
@acts_ahead(_cancel_a_meeting_with_copies)
def test_each_attendee_copy_shows_is_cancelled(graph: Graph, target: TargetConfig, arrange: Arranger) -> None:
    """After the organizer cancels, every attendee's copy of the meeting shows `isCancelled: true`."""
    event: ProvisionedEvent = arrange.acted()
    for role in event.attendee_roles:
        client = graph.as_(role)

        def fetch(client: GraphClient = client) -> Seen[Item | None]:
            seen = find_copy(client, event)
            return Seen(bool(seen.value and seen.value.get("isCancelled") is True), seen.value, seen.response)

        within = arrange.effect(Effect.COPY_CANCELLED, "to show the cancel on an attendee's copy")
        message = f"{role}'s copy did not show isCancelled: true"
        expect_eventually(fetch, "GRAPH-ATTENDEE-COPY-CANCELLED", message, within)
