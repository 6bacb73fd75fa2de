"""The run's budget as a cap: every request, created event and meeting message is taken from it before it is
sent, so a run can never spend more than its target file's `budget` (xdist workers share one count).

What a request costs is read from the request itself and what earlier answers showed:

    any request                    1 request (each retry of a 429/503 or broken connection another)
    POST .../events (create)       1 event, 2N messages for N attendees (their invitations now and the
                                   notices its cancel or its clean-up's delete will cause), 2 requests kept
                                   back for its clean-up (a look-up and a delete)
    POST .../calendars|calendarGroups  2 requests kept back for its clean-up
    POST .../cancel, DELETE .../events/{id}  N messages for an event with N attendees whose notices were not
                                   paid for at its creation (an occurrence of a series, an event the
                                   suite did not create; an unseen id counts as the most attendees seen)
    POST .../forward               2K + 1 messages for K recipients (their meeting requests now, the notices
                                   the meeting's removal will send them, the organizer's notice)
    POST .../accept|tentativelyAccept|decline  1 message (the response) unless `sendResponse` is false

An answer that shows nothing was created or sent (any non-2xx to a create or a cancel) gives back what its
request took beyond the request itself. What cannot be taken raises BudgetExhausted before anything is
sent: the case ends not-verified ("budget: ..."), the run's verdict says so, never a false pass or fail.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from conformance.errors import BudgetExhausted
from conformance.target.config import Budget
from conformance.target.footprint import (
    ANSWERS,
    attendee_count,
    events_shown,
    json_body,
    recipient_count,
    sends_response,
)

CLEANUP_REQUESTS = 2  # kept back per created object: one look-up, one delete
_CREATED_CONTAINERS = frozenset({"calendars", "calendargroups"})
_REMOVABLE_PARENTS = frozenset({"events", "instances", "calendars", "calendargroups"})


@dataclass(frozen=True)
class Cost:
    """Requests sent, events created and meeting messages caused (what a request, or a plan, costs)."""

    requests: int = 0
    events: int = 0
    messages: int = 0

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.requests + other.requests, self.events + other.events,
                    self.messages + other.messages)

    def __sub__(self, other: Cost) -> Cost:
        return Cost(self.requests - other.requests, self.events - other.events,
                    self.messages - other.messages)

    def fits(self, room: Cost) -> bool:
        """Whether this spending stays within `room` on every count."""
        return (self.requests <= room.requests and self.events <= room.events
                and self.messages <= room.messages)


UNLIMITED = 10**9


def describe(budget: Budget) -> str:
    """`events 150, messages 100`: the limits a budget sets."""
    limits = {"events": budget.events, "messages": budget.messages, "requests": budget.requests}
    return ", ".join(f"{name} {limit}" for name, limit in limits.items() if limit is not None)


class _Count:
    """The run's spending so far: in this process, or in a file every xdist worker locks in turn."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._spent = Cost()

    @contextmanager
    def locked(self) -> Iterator[list[Cost]]:
        """The count, read under a lock and written back when the block ends."""
        with self._lock:
            if self.path is None:
                box = [self._spent]
                yield box
                self._spent = box[0]
                return
            import fcntl  # POSIX: the only platform the shared count is used on (see share_path)

            with open(self.path, "a+", encoding="ascii") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                handle.seek(0)
                text = handle.read().strip()
                values = json.loads(text) if text else [0, 0, 0]
                box = [Cost(*values)]
                yield box
                handle.seek(0)
                handle.truncate()
                handle.write(json.dumps([box[0].requests, box[0].events, box[0].messages]))
                handle.flush()


def new_share_file(directory: str | None = None) -> str:
    """A fresh file for the workers of one run to share their count in (the controller removes it)."""
    import tempfile

    handle, path = tempfile.mkstemp(prefix="graph-conformance-budget-", suffix=".json", dir=directory)
    os.close(handle)
    return path


def remove_share_file(path: str) -> None:
    """Remove a share file (gone already: fine)."""
    with suppress(OSError):
        Path(path).unlink()


def _segments(url: str) -> list[str]:
    return [unquote(segment).lower() for segment in urlsplit(url).path.split("/") if segment]


def _raw_segments(url: str) -> list[str]:
    return [unquote(segment) for segment in urlsplit(url).path.split("/") if segment]


@dataclass
class _Pending:
    """What one request took, to settle once its answer is known."""

    taken: Cost
    kind: str = ""  # "create" (an event), "container", "notify" (a cancel or delete), "message" (a forward,
    # an answer), "" (nothing else)
    event_id: str = ""
    attendees: int = 0
    prepaid: bool = False  # a notify on an event whose notices were paid for at its creation
    from_reserve: bool = False


class Allowance:
    """What the run may still spend; `take` before sending, `settle` with the answer (thread-safe)."""

    def __init__(self, budget: Budget, share_path: str | None = None) -> None:
        self.budget = budget
        self._count = _Count(share_path)
        self._lock = threading.Lock()
        self._reserve = 0  # clean-up requests paid for, not yet used (this process)
        self._prepaid: set[str] = set()  # events whose notices were paid for at their creation
        self._attendees: dict[str, int] = {}  # event id -> attendees, learnt from creations and reads
        self._most_attendees = 0
        self._cleaning = 0

    @property
    def limited(self) -> bool:
        """Whether the budget limits anything."""
        return self.budget.limited

    def spent(self) -> Cost:
        """What the run (every worker) has taken so far."""
        with self._count.locked() as box:
            return box[0]

    def room(self) -> Cost:
        """What the run may still take on each count (UNLIMITED where the budget sets no limit)."""
        spent = self.spent()

        def left(limit: int | None, used: int) -> int:
            return UNLIMITED if limit is None else max(0, limit - used)

        return Cost(left(self.budget.requests, spent.requests), left(self.budget.events, spent.events),
                    left(self.budget.messages, spent.messages))

    @contextmanager
    def cleaning(self) -> Iterator[None]:
        """While the block runs, requests (from any thread) use the clean-up requests kept back first."""
        with self._lock:
            self._cleaning += 1
        try:
            yield
        finally:
            with self._lock:
                self._cleaning -= 1

    def take(self, method: str, url: str, body: Any = None) -> _Pending:
        """Take what sending this request costs, or raise BudgetExhausted (nothing is sent then)."""
        pending = self._price(method.upper(), url, body)
        with self._lock:
            use_reserve = self._reserve > 0 and (self._cleaning > 0 or pending.kind == "notify"
                                                 and method.upper() == "DELETE")
            if use_reserve:
                self._reserve -= 1
                pending.from_reserve = True
                pending.taken = pending.taken - Cost(requests=1)
        try:
            self._take(pending.taken, f"{method.upper()} {urlsplit(url).path}")
        except BudgetExhausted:
            if pending.from_reserve:
                with self._lock:
                    self._reserve += 1
            raise
        return pending

    def take_retry(self) -> bool:
        """Take one more request for a retry; False when the budget has none left (the retry is not sent)."""
        try:
            self._take(Cost(requests=1), "a retry")
        except BudgetExhausted:
            return False
        return True

    def settle(self, pending: _Pending, status: int | None, response_body: Any = None) -> None:
        """Give back what the answer shows was not spent; learn the attendees of the events it shows."""
        if status is None:  # no answer: what it took stays taken (it may have been applied)
            if pending.kind in ("create", "container"):
                with self._lock:
                    self._reserve += CLEANUP_REQUESTS
            return
        succeeded = 200 <= status < 300
        if pending.kind in ("create", "container") and not succeeded:
            self._give_back(pending.taken - Cost(requests=0 if pending.from_reserve else 1))
            return
        if pending.kind in ("notify", "message") and not succeeded and pending.taken.messages:
            self._give_back(Cost(messages=pending.taken.messages))
            return
        body = json_body(response_body) if succeeded else None
        with self._lock:
            if pending.kind in ("create", "container"):
                self._reserve += CLEANUP_REQUESTS
            if pending.kind in ("create", "container") and isinstance(body, Mapping) \
                    and isinstance(body.get("id"), str):
                self._prepaid.add(body["id"])  # its removal costs no message beyond what was paid
                self._note(body["id"], pending.attendees)
            if pending.kind == "notify" and succeeded:
                self._prepaid.add(pending.event_id)  # its notices went out: nothing more to pay for it
                self._attendees[pending.event_id] = 0
            if pending.kind != "create" and body is not None:
                self._learn(body)

    def _price(self, method: str, url: str, body: Any) -> _Pending:
        segments, raw = _segments(url), _raw_segments(url)
        last = segments[-1] if segments else ""
        if method == "POST" and last == "events":
            attendees = attendee_count(json_body(body)) or 0
            return _Pending(Cost(requests=1 + CLEANUP_REQUESTS, events=1, messages=2 * attendees), "create",
                            attendees=attendees)
        if method == "POST" and last in _CREATED_CONTAINERS:
            return _Pending(Cost(requests=1 + CLEANUP_REQUESTS), "container")
        if method == "POST" and last == "forward":
            return _Pending(Cost(requests=1, messages=2 * recipient_count(body) + 1), "message")
        if method == "POST" and last in ANSWERS:
            return _Pending(Cost(requests=1, messages=1 if sends_response(body) else 0), "message")
        event_id = ""
        if method == "POST" and last == "cancel" and len(raw) > 1:
            event_id = raw[-2]
        elif method == "DELETE" and len(segments) > 1 and segments[-2] in _REMOVABLE_PARENTS:
            event_id = raw[-1]
        if not event_id:
            return _Pending(Cost(requests=1))
        with self._lock:
            if event_id in self._prepaid:
                return _Pending(Cost(requests=1), "notify", event_id, prepaid=True)
            attendees = self._attendees.get(event_id, self._most_attendees)
        return _Pending(Cost(requests=1, messages=attendees), "notify", event_id, attendees)

    def _take(self, cost: Cost, what: str) -> None:
        with self._count.locked() as box:
            after = box[0] + cost
            over = [f"{name} {used} of {limit}" for name, limit, used in (
                ("requests", self.budget.requests, after.requests),
                ("events", self.budget.events, after.events),
                ("meeting messages", self.budget.messages, after.messages),
            ) if limit is not None and used > limit and getattr(cost, _FIELD[name]) > 0]
            if over:
                raise BudgetExhausted(
                    f"budget: {what} would bring the run to {', '.join(over)} (the target file's budget: "
                    f"{describe(self.budget)}), so it was not sent"
                )
            box[0] = after

    def _give_back(self, cost: Cost) -> None:
        if cost == Cost():
            return
        with self._count.locked() as box:
            box[0] = box[0] - cost

    def _note(self, event_id: str, attendees: int) -> None:
        self._attendees.setdefault(event_id, attendees)
        self._most_attendees = max(self._most_attendees, attendees)

    def _learn(self, body: Any) -> None:
        """Remember the attendees of the events an answer shows (a read, a listing, a series' instances)."""
        for event_id, attendees, organizer in events_shown(body):
            self._note(event_id, attendees if organizer else 0)


_FIELD = {"requests": "requests", "events": "events", "meeting messages": "messages"}
