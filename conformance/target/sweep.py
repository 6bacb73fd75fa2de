"""`graph-conformance sweep`: remove what aborted runs left behind, found by the `[gc <run id>]` tag only."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, TextIO

import requests

from conformance.errors import TargetConfigError
from conformance.outcomes import ExitCode
from conformance.target.client import Graph, GraphClient
from conformance.target.config import load_target_file
from conformance.target.listing import odata_literal, pages
from conformance.target.redact import Redactor
from conformance.target.tags import TAG_START, is_tagged, is_valid_run_id, tag
from conformance.target.transcript import Transcript
from conformance.target.urls import quote_id

MAX_PAGES = 1000  # pages of a collection the sweep follows: bounded, yet past any aborted run's leftovers
EVENT_OWNER_ROLES = ("organizer", "personal")


def _pages(
    client: GraphClient,
    path: str,
    params: dict[str, str] | None = None,
    on_filter_refused: Callable[[requests.Response], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """The items of a collection, following @odata.nextLink (bounded; unfiltered where $filter is refused)."""
    return pages(client, path, params, max_pages=MAX_PAGES, on_filter_refused=on_filter_refused)


class Sweeper:
    """Finds tagged events, calendars and calendar groups and deletes them (or lists them, on a dry run)."""

    def __init__(self, graph: Graph, run_id: str | None, dry_run: bool, out: TextIO) -> None:
        self.graph, self.run_id, self.dry_run, self.out = graph, run_id, dry_run, out
        self.removed = 0
        self._done: set[str] = set()
        self.prefix = tag(run_id) if run_id else TAG_START
        self._told_filter_refused = False

    def _remove(self, client: GraphClient, path: str, what: str) -> None:
        if path in self._done:
            return
        self._done.add(path)
        verb = "would remove" if self.dry_run else "removed"
        if not self.dry_run:
            response = client.delete(path)
            if response.status_code >= 300 and response.status_code not in (404, 410):
                print(f"could not remove {what}: HTTP {response.status_code}", file=self.out)
                return
        self.removed += 1
        print(f"{verb} {what}", file=self.out)

    def _tagged_events(self, client: GraphClient, events_path: str) -> Iterator[dict[str, Any]]:
        params = {
            "$filter": f"startswith(subject,{odata_literal(self.prefix)})",
            "$select": "id,subject",
        }
        for event in _pages(client, events_path, params, self._filter_refused):
            if is_tagged(event.get("subject"), self.run_id):  # never trust the server's filter alone
                yield event

    def _filter_refused(self, response: requests.Response) -> None:
        if not self._told_filter_refused:
            self._told_filter_refused = True
            print(f"$filter refused (HTTP {response.status_code}): listing every event and matching the tag "
                  "here", file=self.out)

    def sweep_mailbox(self, role: str) -> None:
        """Tagged events in every calendar of `role`'s mailbox, then tagged calendars and calendar groups."""
        client = self.graph.as_(role)
        for calendar in list(_pages(client, "/me/calendars", {"$select": "id,name"})):
            calendar_path = f"/me/calendars/{quote_id(calendar['id'])}"
            for event in list(self._tagged_events(client, f"{calendar_path}/events")):
                self._remove(
                    client, f"/me/events/{quote_id(event['id'])}", f"event {event['subject']!r} ({role})"
                )
        for group in list(_pages(client, "/me/calendarGroups", {"$select": "id,name"})):
            if not is_tagged(group.get("name"), self.run_id):
                continue
            group_path = f"/me/calendarGroups/{quote_id(group['id'])}"
            for calendar in list(_pages(client, f"{group_path}/calendars", {"$select": "id,name"})):
                self._remove(
                    client,
                    f"/me/calendars/{quote_id(calendar['id'])}",
                    f"calendar {calendar.get('name')!r} ({role})",
                )
            self._remove(client, group_path, f"calendar group {group['name']!r} ({role})")
        for calendar in list(_pages(client, "/me/calendars", {"$select": "id,name"})):
            if is_tagged(calendar.get("name"), self.run_id):
                self._remove(
                    client,
                    f"/me/calendars/{quote_id(calendar['id'])}",
                    f"calendar {calendar['name']!r} ({role})",
                )

    def sweep_group(self) -> None:
        """Tagged events of the group's calendar (as the organizer, a member)."""
        group_id = self.graph.identity("group").group_id or ""
        client = self.graph.as_("organizer")
        events_path = f"/groups/{quote_id(group_id)}/events"
        for event in list(self._tagged_events(client, events_path)):
            self._remove(
                client, f"{events_path}/{quote_id(event['id'])}", f"group event {event['subject']!r}"
            )

    def sweep_attendee_copies(self, role: str) -> None:
        """Tagged copies of meetings in an attendee's default calendar."""
        client = self.graph.as_(role)
        for event in list(self._tagged_events(client, "/me/events")):
            self._remove(
                client, f"/me/events/{quote_id(event['id'])}", f"event copy {event['subject']!r} ({role})"
            )


def run_sweep(target_file: str, run_id: str | None, dry_run: bool, out: TextIO = sys.stdout) -> int:
    """Remove (or list) the tagged leftovers of aborted runs; exit code 0 (ExitCode.CONFORMANT)."""
    if run_id is not None and not is_valid_run_id(run_id):
        raise TargetConfigError(f"--run-id {run_id!r}: use letters, digits, '.', '_' or '-' (max 64)")
    target = load_target_file(target_file, environ=dict(os.environ))
    graph = Graph(target, Transcript(Redactor(target.secrets())))
    sweeper = Sweeper(graph, run_id, dry_run, out)
    try:
        for role in EVENT_OWNER_ROLES:
            if graph.has(role):
                sweeper.sweep_mailbox(role)
        if graph.has("group"):
            sweeper.sweep_group()
        for role in target.attendee_roles:
            sweeper.sweep_attendee_copies(role)
    finally:
        graph.close()
    scope = f"run {run_id}" if run_id else "all runs"
    print(f"{'would remove' if dry_run else 'removed'} {sweeper.removed} item(s) tagged by {scope}", file=out)
    return ExitCode.CONFORMANT
