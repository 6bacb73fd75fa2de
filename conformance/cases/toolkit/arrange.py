"""Arranging a case: what it needs besides the cancel, each need a prerequisite recorded as ok or failed.

A need the target does not meet raises PrerequisiteFailed: the case is not-verified, naming the prerequisite
and showing the exchange, never failed (only what a requirement states may fail it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from conformance.cases.toolkit.checks import Seen, json_of, poll
from conformance.cases.toolkit.observe import Item, listed, messages_about, unreadable_mailbox, window
from conformance.errors import TargetUnreachable
from conformance.target.client import Graph
from conformance.target.config import TargetConfig
from conformance.target.prerequisites import DELETED_ITEMS, EVENT_READ, MAILBOX_MESSAGES
from conformance.target.provision import ProvisionedEvent, Provisioner
from conformance.target.resolve import probe_reachable

SERIES_DAYS = 3  # the occurrences of the series Arranger.series makes


class Arranger:
    """The arranging step of a case: the Provisioner's creations and reads, and the reads a case adds."""

    def __init__(self, graph: Graph, target: TargetConfig, provision: Provisioner) -> None:
        self.graph, self.target, self.provision = graph, target, provision
        self.log = provision.log

    @contextmanager
    def _trying(self, prerequisite_id: str) -> Iterator[None]:
        """A request that gets no answer while arranging: not-verified (a lost target stops the run)."""
        try:
            yield
        except TargetUnreachable as error:
            probe_reachable(self.target)  # raises: the plugin stops the run (exit 3)
            raise self.log.failed(prerequisite_id, f"a request got no answer: {error}") from None

    def event(self, **options: Any) -> tuple[ProvisionedEvent, Item]:
        """A new tagged event (Provisioner.event's options) and how it reads back (EVENT-READ)."""
        event = self.provision.event(**options)
        return event, self.read_back(event)

    def series(self, *, attendees: int = 1) -> tuple[ProvisionedEvent, list[Item]]:
        """A new daily series of SERIES_DAYS occurrences and its occurrences (INSTANCES: at least two)."""
        series = self.provision.series(attendees=attendees, occurrences=SERIES_DAYS)
        return series, self.provision.instances(series, at_least=2)

    def read_back(self, event: ProvisionedEvent) -> Item:
        """The event as its owner reads it now (EVENT-READ: 200, the same id and subject): the 'before'."""
        with self._trying(EVENT_READ):
            response = self.graph.as_(event.owner_role).get(event.path)
        body = json_of(response)
        if response.status_code != 200 or not isinstance(body, dict):
            detail = f"GET on the event just created answered HTTP {response.status_code}"
            raise self.log.failed(EVENT_READ, detail, response)
        if body.get("id") != event.id or event.subject not in str(body.get("subject", "")):
            detail = (
                f"GET on the event just created answered another event (id {body.get('id')!r}, "
                f"subject {body.get('subject')!r})"
            )
            raise self.log.failed(EVENT_READ, detail, response)
        self.log.ok(EVENT_READ, "a created event reads back with its id and subject", response)
        return body

    def attendee_copy(self, event: ProvisionedEvent, role: str) -> Item:
        """`role`'s copy of `event` in their calendarView, once it shows (ATTENDEE-COPY)."""
        return self.provision.find_attendee_copy(event, role)

    def mailboxes_deliver(self, event: ProvisionedEvent) -> None:
        """Each attendee's mailbox can be read and holds the invitation (MAILBOX-MESSAGES).

        Without it the absence of a cancellation message says nothing: the mailbox may never receive one.
        """
        for role in event.attendee_roles:
            self._invitation_reaches(event, role)

    def _invitation_reaches(self, event: ProvisionedEvent, role: str) -> None:
        """`role`'s mailbox holds a message about `event` (the invitation), polled (MAILBOX-MESSAGES)."""
        client = self.graph.as_(role)

        def fetch() -> Seen[list[Item]]:
            seen = messages_about(client, event.subject)
            if not seen.found:
                unreadable = unreadable_mailbox(role, seen.response)
                raise self.log.failed(MAILBOX_MESSAGES, unreadable.detail, seen.response)
            return Seen(bool(seen.value), seen.value, seen.response)

        with self._trying(MAILBOX_MESSAGES):
            seen = poll(fetch, self.target)
        if not seen.found:
            raise self.log.failed(
                MAILBOX_MESSAGES,
                f"the invitation never reached {role!r}'s mailbox (GET /me/messages) within "
                f"{self.target.poll_timeout_s:g}s, so whether a cancellation message arrives cannot be "
                "observed",
                seen.response,
            )
        self.log.ok(MAILBOX_MESSAGES, f"the invitation reached {role}'s mailbox", seen.response)

    def deleted_items_without(self, event: ProvisionedEvent) -> None:
        """The organizer's Deleted Items folder can be read and does not hold `event` yet (DELETED-ITEMS)."""
        if listed(self.provision.deleted_items(event.owner_role), event):
            detail = "the Deleted Items folder lists the event before it was cancelled"
            raise self.log.failed(DELETED_ITEMS, detail)


def series_window(series: ProvisionedEvent) -> dict[str, str]:
    """The instances window of a series made by Arranger.series (a day before to two days after)."""
    if series.start is None:
        raise ValueError("the series was not made by a Provisioner (no start)")
    last = series.start + timedelta(days=SERIES_DAYS - 1)
    return window(series.start, last, pad=timedelta(days=1))
