"""Removing what a Provisioner made: meetings cancelled silently first, cancelled events confirmed gone by one
listing per calendar, the rest deleted (events concurrently within the mailbox cap); warnings, never failures.

A meeting's organizer deleting it sends each attendee a cancellation notice; a cancel with `"comment": ""`
sends none on the real service (GRAPH-COMMENT-EMPTY-NO-NOTICE, observed), so a meeting with attendees is
removed that way, and deleted only if the cancel is refused or leaves it listed.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import requests

from conformance.errors import BudgetExhausted, TargetUnreachable
from conformance.target.client import GraphClient
from conformance.target.conventions import GONE
from conformance.target.listing import FilterRefused, complete_listing, odata_literal

LISTING_MAX_PAGES = 20  # a calendar's tagged events, read to confirm cancelled events are gone
NOT_TRIED = "not tried: the target stopped answering"

Made = tuple[GraphClient, str]  # who made it, and its path
Outcome = str | TargetUnreachable | None
T = TypeVar("T")


class CleanupWarning(UserWarning):
    """Something the run created could not be removed; `graph-conformance sweep` will find it."""


def still_listed(
    presumed: dict[Made, dict[str, str]],
    tag_text: str,
    lost: threading.Event,
    on_filter_refused: FilterRefused,
) -> list[Made]:
    """The presumed-gone events (paths by id, per calendar) that their calendar still lists.

    All of a calendar's events count as still there when its listing cannot be read whole; for a single
    event a DELETE costs what a listing does, so it is not listed. A $filter the target refuses is
    replaced by the unfiltered listing (only the ids asked about matter).
    """
    survivors: list[Made] = []
    for (client, events_path), paths_by_id in presumed.items():
        listed = None
        if len(paths_by_id) > 1 and not lost.is_set():
            tagged = f"startswith(subject,{odata_literal(tag_text)})"
            params = {"$filter": tagged, "$select": "id", "$top": "100"}
            try:
                listed = complete_listing(
                    client,
                    events_path,
                    params,
                    max_pages=LISTING_MAX_PAGES,
                    on_filter_refused=on_filter_refused,
                )
            except TargetUnreachable:
                lost.set()  # the deletes then count everything as left behind
            except BudgetExhausted:
                pass  # no request left for the look-up: each delete (kept back at creation) goes instead
        listed_ids = None if listed is None else {str(item.get("id")) for item in listed}
        survivors += [
            (client, path)
            for event_id, path in paths_by_id.items()
            if listed_ids is None or event_id in listed_ids
        ]
    return survivors


SILENT_CANCEL = {"comment": ""}  # a cancel that sends the attendees no notice (GRAPH-COMMENT-EMPTY-NO-NOTICE)


def cancel_silently(meetings: list[Made], mailbox_cap: int, lost: threading.Event) -> list[bool]:
    """Cancel each meeting with `"comment": ""`, several at a time: whether each was accepted (2xx)."""

    def cancelled(client: GraphClient, path: str) -> bool:
        answer = _sent(lost, lambda: client.post(f"{path}/cancel", json=SILENT_CANCEL), "")
        return isinstance(answer, requests.Response) and 200 <= answer.status_code < 300

    return _each(meetings, mailbox_cap, cancelled)


def delete_all(events: list[Made], mailbox_cap: int, lost: threading.Event) -> list[Outcome]:
    """DELETE every event, several at a time but no more than the per-mailbox cap allows."""
    return _each(events, mailbox_cap, lambda client, path: delete(client, path, lost))


def _each(made: list[Made], mailbox_cap: int, one: Callable[[GraphClient, str], T]) -> list[T]:
    """`one(client, path)` for every item, several at a time but no more than the per-mailbox cap allows."""
    workers = max(1, min(mailbox_cap, len(made)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cleanup") as pool:
        return list(pool.map(lambda item: one(item[0], item[1]), made))


def _sent(
    lost: threading.Event, send: Callable[[], requests.Response], what: str
) -> requests.Response | Outcome:
    """The answer to `send()`, else what went wrong (`what` and the error, or the target's loss)."""
    if lost.is_set():
        return NOT_TRIED
    try:
        return send()
    except TargetUnreachable as error:
        lost.set()
        return error
    except Exception as error:  # noqa: BLE001 - cleanup must go on whatever happens
        return f"{what}: {error}"


def delete(client: GraphClient, path: str, lost: threading.Event) -> Outcome:
    """DELETE `path`: None when gone, else what went wrong (a message, or the target's loss)."""
    answer = _sent(lost, lambda: client.delete(path), f"could not delete {path}")
    if not isinstance(answer, requests.Response):
        return answer
    if answer.status_code >= 300 and answer.status_code not in GONE:
        return f"DELETE {path} answered {answer.status_code}; run graph-conformance sweep"
    return None


def warn_about(outcomes: list[Outcome]) -> None:
    """One CleanupWarning per failed delete; one for everything the lost target left behind."""
    unreachable = [outcome for outcome in outcomes if isinstance(outcome, TargetUnreachable)]
    left = sum(1 for outcome in outcomes if outcome is NOT_TRIED) + len(unreachable)
    if unreachable:
        warnings.warn(
            CleanupWarning(f"{left} item(s) left behind ({unreachable[0]}); run graph-conformance sweep"),
            stacklevel=3,
        )
    for outcome in outcomes:
        if isinstance(outcome, str) and outcome is not NOT_TRIED:
            warnings.warn(CleanupWarning(outcome), stacklevel=3)
