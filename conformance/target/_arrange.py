"""Arranging requests that record their prerequisite: send, "created", instances, attendee copies, reads."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import requests

from conformance.errors import TokenError
from conformance.target import prerequisites as prereq
from conformance.target.client import GraphClient
from conformance.target.conventions import iso
from conformance.target.listing import FILTER_REFUSED_STATUSES, next_link_of, odata_literal, value_of
from conformance.target.polling import eventually
from conformance.target.prerequisites import CATALOG, PrerequisiteLog, answer_line, unanswered_fails
from conformance.target.tags import is_tagged, tag

COPY_PAGE = {"$top": "50"}

Item = dict[str, Any]


def send(
    log: PrerequisiteLog, prerequisite_id: str, client: GraphClient, method: str, path: str, **kwargs: Any
) -> requests.Response:
    """One arranging request; a token that cannot be had, or one request left unanswered, fails it.

    An unanswered request is one bad answer, not a lost target: only when a health probe of the base URL
    also goes unanswered does TargetUnreachable go on (the plugin then stops the run, exit 3).
    """
    try:
        with unanswered_fails(log, prerequisite_id, client.graph.target):
            return client.request(method, path, **kwargs)
    except TokenError as error:
        raise log.failed(prereq.IDENTITY_TOKENS, f"no token for {client.role!r}: {error}") from error


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


def check_filter(log: PrerequisiteLog, client: GraphClient, run_id: str, created_ids: list[str]) -> bool:
    """ODATA-FILTER: the run's tag as a `startswith(subject, ...)` filter; True when the server applies it."""
    params = {"$filter": f"startswith(subject,{odata_literal(tag(run_id))})", "$select": "id,subject"}
    response = send(log, prereq.ODATA_FILTER, client, "GET", "/me/events", params=params)
    used_instead = CATALOG[prereq.ODATA_FILTER].fallback
    if response.status_code in FILTER_REFUSED_STATUSES:
        log.filter_refused(response)
        return False
    items = value_of(response)
    if items is None:
        raise log.failed(prereq.ODATA_FILTER, f"{answer_line(response)}: not a readable listing", response)
    listed = {str(item.get("id")) for item in items}
    if any(not is_tagged(str(item.get("subject", "")), run_id) for item in items):
        log.fallback(
            prereq.ODATA_FILTER, f"{answer_line(response)}: $filter ignored (other events listed)",
            used_instead, response,
        )
        return False
    if missing := [event_id for event_id in created_ids if event_id not in listed]:
        raise log.failed(
            prereq.ODATA_FILTER,
            f"{answer_line(response)}: the filtered listing leaves out {len(missing)} matching event(s)",
            response,
        )
    log.ok(prereq.ODATA_FILTER, f"{answer_line(response)}: {len(items)} matching event(s)", response)
    return True


def check_paging(
    log: PrerequisiteLog, client: GraphClient, run_id: str, created_ids: list[str], filtered: bool
) -> None:
    """ODATA-PAGING: `$top=1` over the run's events, then the `@odata.nextLink` it gives."""
    params = {"$top": "1", "$select": "id,subject"}
    if filtered:
        params["$filter"] = f"startswith(subject,{odata_literal(tag(run_id))})"
    first = send(log, prereq.ODATA_PAGING, client, "GET", "/me/events", params=params)
    items = value_of(first)
    if items is None:
        raise log.failed(prereq.ODATA_PAGING, f"{answer_line(first)}: not a readable listing", first)
    next_link = next_link_of(first)
    if len(items) > 1:
        log.fallback(prereq.ODATA_PAGING, f"{answer_line(first)}: $top=1 ignored ({len(items)} items)",
                     CATALOG[prereq.ODATA_PAGING].fallback, first)
        return
    if next_link is None:
        if len(created_ids) > 1 or not items:
            raise log.failed(prereq.ODATA_PAGING, f"{answer_line(first)}: {len(items)} item(s) and no "
                             "@odata.nextLink, although more events exist", first)
        log.ok(prereq.ODATA_PAGING, f"{answer_line(first)}: one event, nothing more to page", first)
        return
    following = send(log, prereq.ODATA_PAGING, client, "GET", next_link)
    rest = value_of(following)
    if rest is None or any(item.get("id") == items[0].get("id") for item in rest):
        why = "not a readable page" if rest is None else "the same item again"
        raise log.failed(prereq.ODATA_PAGING, f"following @odata.nextLink: {answer_line(following)}: {why}",
                         following)
    log.ok(prereq.ODATA_PAGING, f"{answer_line(following)}: @odata.nextLink followed", following)
