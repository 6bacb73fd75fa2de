"""Only the organizer may cancel: an attendee gets the page's 400, and attendees' copies show the cancel."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from conformance._paths import openapi_dir
from conformance.cases._expect import expect
from conformance.cases._mailbox import Poll, find_copy, notices_about, poll, require_route_served
from conformance.spec.catalog import load_catalog
from conformance.spec.page import parse_page
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.provision import ProvisionedEvent, Provisioner
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


def _error_object(response: requests.Response) -> dict[str, Any]:
    """The `error` object of a JSON error envelope, or {} when the body is not one."""
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _normalised(text: Any) -> str:
    return " ".join(str(text).split())


def _attendee_copy(
    graph: Graph,
    target: TargetConfig,
    event: ProvisionedEvent,
    role: str,
    ready: Callable[[dict[str, Any]], bool] = lambda copy: True,
) -> Poll:
    """Poll `role`'s calendar until their copy of `event` appears (and satisfies `ready`)."""
    client = graph.as_(role)

    def fetch() -> tuple[dict[str, Any] | None, requests.Response]:
        copy, response = find_copy(client, event)
        return (copy if copy is not None and ready(copy) else None), response

    return poll(fetch, target.poll_timeout_s, target.poll_interval_s)


def _attendee_cancels(
    graph: Graph, target: TargetConfig, event: ProvisionedEvent, requirement_id: str
) -> tuple[str, dict[str, Any], requests.Response]:
    """The first attendee calls cancel on their own copy of `event`: (role, copy, response)."""
    role = event.attendee_roles[0]
    found = _attendee_copy(graph, target, event, role)
    expect(
        found.found is not None,
        requirement_id,
        f"attendee {role!r} never got a copy of the meeting to cancel (within {target.poll_timeout_s:g}s)",
        found.response,
    )
    copy: dict[str, Any] = found.found
    response = graph.as_(role).post(
        f"/me/events/{quote_id(copy['id'])}/cancel", json={"comment": "An attendee trying to cancel"}
    )
    return role, copy, require_route_served(response)


@pytest.mark.requirement("CANCEL-ATTENDEE-400")
def test_attendee_cancelling_gets_400_and_changes_nothing(
    graph: Graph, target: TargetConfig, provision: Provisioner
) -> None:
    """An attendee calling cancel gets HTTP 400; the meeting stays as it was for everyone."""
    event = provision.event(attendees=1)
    role, copy, response = _attendee_cancels(graph, target, event, "CANCEL-ATTENDEE-400")
    expect(
        response.status_code == ATTENDEE_STATUS,
        "CANCEL-ATTENDEE-400",
        f"attendee {role!r} calling cancel got HTTP {response.status_code}, expected {ATTENDEE_STATUS}",
        response,
    )
    organizer_view = graph.as_(event.owner_role).get(event.path)
    expect(
        organizer_view.status_code == 200,
        "CANCEL-ATTENDEE-400",
        f"after the attendee's refused cancel the organizer's GET answers {organizer_view.status_code}, "
        "expected 200 (the event must be untouched)",
        organizer_view,
    )
    expect(
        organizer_view.json().get("isCancelled") is not True,
        "CANCEL-ATTENDEE-400",
        "after the attendee's refused cancel the organizer's event shows isCancelled: true",
        organizer_view,
    )
    attendee_view = graph.as_(role).get(f"/me/events/{quote_id(copy['id'])}")
    expect(
        attendee_view.status_code == 200 and attendee_view.json().get("isCancelled") is not True,
        "CANCEL-ATTENDEE-400",
        f"after the refused cancel {role}'s own copy is gone or cancelled (HTTP {attendee_view.status_code})",
        attendee_view,
    )
    notices, listing = notices_about(graph.as_(role), event.subject)
    expect(
        not notices,
        "CANCEL-ATTENDEE-400",
        f"the refused cancel still sent {len(notices)} cancellation message(s) to {role!r}",
        listing,
    )


@pytest.mark.requirement("CANCEL-ATTENDEE-MESSAGE")
def test_attendee_error_carries_the_page_message(
    graph: Graph, target: TargetConfig, provision: Provisioner, record_property: Callable[[str, object], None]
) -> None:
    """The attendee's error message is the page's, word for word (whitespace normalised)."""
    expected = _organizer_only_message()
    event = provision.event(attendees=1)
    _, _, response = _attendee_cancels(graph, target, event, "CANCEL-ATTENDEE-MESSAGE")
    error = _error_object(response)
    record_property("attendee_error_status", response.status_code)
    record_property("attendee_error_code", str(error.get("code")))  # information only: the page gives no code
    expect(
        _normalised(error.get("message", "")) == _normalised(expected),
        "CANCEL-ATTENDEE-MESSAGE",
        f"the attendee's error.message is {error.get('message')!r}; the page says {expected!r}",
        response,
    )


@pytest.mark.requirement("GRAPH-ATTENDEE-COPY-CANCELLED")
def test_each_attendee_copy_shows_is_cancelled(
    graph: Graph, target: TargetConfig, provision: Provisioner
) -> None:
    """After the organizer cancels, every attendee's copy of the meeting shows `isCancelled: true`."""
    event = provision.event(attendees=max(1, len(target.attendee_roles)))
    for (
        role
    ) in event.attendee_roles:  # the copies must exist before the cancel for the check to mean anything
        found = _attendee_copy(graph, target, event, role)
        expect(
            found.found is not None,
            "GRAPH-ATTENDEE-COPY-CANCELLED",
            f"attendee {role!r} never got a copy of the meeting",
            found.response,
        )
    response = graph.as_(event.owner_role).post(
        f"{event.path}/cancel", json={"comment": "Cancelled by the suite"}
    )
    require_route_served(response)
    expect(
        200 <= response.status_code < 300,
        "GRAPH-ATTENDEE-COPY-CANCELLED",
        f"the organizer's cancel answered HTTP {response.status_code}",
        response,
    )
    for role in event.attendee_roles:
        marked = _attendee_copy(
            graph, target, event, role, ready=lambda copy: copy.get("isCancelled") is True
        )
        expect(
            marked.found is not None,
            "GRAPH-ATTENDEE-COPY-CANCELLED",
            f"{role}'s copy did not show isCancelled: true within {target.poll_timeout_s:g}s",
            marked.response,
        )
