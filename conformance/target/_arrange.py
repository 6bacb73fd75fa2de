"""Arranging requests that record their prerequisite: send, "created", instances, attendee copies, reads."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import requests

from conformance.errors import TargetUnreachable, TokenError
from conformance.target import prerequisites as prereq
from conformance.target.client import GraphClient
from conformance.target.listing import value_of
from conformance.target.polling import eventually
from conformance.target.prerequisites import PrerequisiteLog, answer_line

COPY_PAGE = {"$top": "50"}

Item = dict[str, Any]


def iso(moment: datetime) -> str:
    """Graph's dateTime text (no offset; the time zone is given beside it)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def send(
    log: PrerequisiteLog, prerequisite_id: str, client: GraphClient, method: str, path: str, **kwargs: Any
) -> requests.Response:
    """One arranging request; a token that cannot be had or a target that does not answer fails it."""
    try:
        return client.request(method, path, **kwargs)
    except TokenError as error:
        raise log.failed(prereq.IDENTITY_TOKENS, f"no token for {client.role!r}: {error}") from error
    except TargetUnreachable as error:
        raise log.failed(prerequisite_id, str(error)) from error


def created_object(response: requests.Response) -> Item | None:
    """The JSON object of a 2xx answer when it holds a non-empty `id` (what "created" means here)."""
    if not 200 <= response.status_code < 300:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("id"), str | int) or body["id"] == "":
        return None
    return body


def read_instances(
    log: PrerequisiteLog,
    client: GraphClient,
    series_path: str,
    start: datetime,
    *,
    at_least: int,
    occurrences: int | None,
    days: int = 60,
) -> list[Item]:
    """GET the series' instances over its window: at least `at_least` of them, else PrerequisiteFailed."""
    window_start = start - timedelta(days=1)
    window = {"startDateTime": iso(window_start), "endDateTime": iso(window_start + timedelta(days=days))}
    response = send(log, prereq.INSTANCES, client, "GET", f"{series_path}/instances", params=window)
    items = value_of(response)
    if items is None:
        raise log.failed(prereq.INSTANCES, f"{answer_line(response)}: occurrences cannot be listed", response)
    if len(items) < at_least:
        raise log.failed(
            prereq.INSTANCES,
            f"{answer_line(response)}: the new {occurrences or '?'}-occurrence series lists {len(items)} "
            f"instance(s), at least {at_least} needed",
            response,
        )
    log.ok(prereq.INSTANCES, f"{len(items)} occurrences listed ({answer_line(response)})", response)
    return items


def find_copy(
    log: PrerequisiteLog,
    client: GraphClient,
    meeting: tuple[str | None, str, datetime, datetime],
    *,
    timeout_s: float,
    interval_s: float,
) -> Item:
    """The client's copy of `meeting` (iCalUId, subject, start, end) in its calendarView, polled (bounded)."""
    ical_uid, subject, start, end = meeting
    window = {
        "startDateTime": iso(start - timedelta(hours=1)),
        "endDateTime": iso(end + timedelta(hours=1)),
        **COPY_PAGE,
    }
    last: list[requests.Response] = []

    def attempt() -> Item | bool | None:
        response = send(log, prereq.ATTENDEE_COPY, client, "GET", "/me/calendarView", params=window)
        last[:] = [response]
        items = value_of(response)
        if items is None:
            return True  # unreadable: waiting longer will not help
        same = [item for item in items if ical_uid and item.get("iCalUId") == ical_uid]
        by_subject = [item for item in items if subject in str(item.get("subject", ""))]
        return next(iter(same + by_subject), None)

    found = eventually(attempt, timeout_s=timeout_s, interval_s=interval_s)
    response = last[0]
    if isinstance(found, dict):
        log.ok(prereq.ATTENDEE_COPY, f"{client.role}'s copy found ({answer_line(response)})", response)
        return found
    why = "cannot be read" if found else f"lists no copy of the meeting after {timeout_s:g} s"
    raise log.failed(
        prereq.ATTENDEE_COPY, f"{answer_line(response)}: {client.role}'s calendarView {why}", response
    )


def read_collection(
    log: PrerequisiteLog, prerequisite_id: str, client: GraphClient, path: str, top: int
) -> list[Item]:
    """The first `top` items of a collection; PrerequisiteFailed(`prerequisite_id`) when it is not one."""
    response = send(log, prerequisite_id, client, "GET", path, params={"$top": str(top)})
    items = value_of(response)
    if items is None:
        raise log.failed(prerequisite_id, f"{answer_line(response)}: not a readable collection", response)
    log.ok(prerequisite_id, f"{answer_line(response)}: {len(items)} item(s)", response)
    return items
