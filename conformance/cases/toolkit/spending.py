"""What the run has spent on the target so far (the ledger), and how long a meeting message may take to come.

The counting is the reports' own (`conformance.report.footprint`) over the exchanges every test records. The
Schemathesis cases plan within a target's budget from the ledger; every case that waits for a meeting message
allows for the queue the target's sending limit builds from it (`message_wait`).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance._stash import EXCHANGES_KEY
from conformance.report.footprint import FootprintCounter
from conformance.target.config import Budget, TargetConfig


@dataclass(frozen=True)
class Footprint:
    """Requests sent, events created and meeting messages caused."""

    requests: int = 0
    events: int = 0
    messages: int = 0

    def __add__(self, other: Footprint) -> Footprint:
        return Footprint(self.requests + other.requests, self.events + other.events,
                         self.messages + other.messages)

    def fits(self, room: Footprint) -> bool:
        """Whether this spending stays within `room` on every count."""
        return (self.requests <= room.requests and self.events <= room.events
                and self.messages <= room.messages)


UNLIMITED = 10**9


def _field(exchange: Any, name: str) -> Any:
    """A field of a recorded exchange (the typed Exchange, or a dict)."""
    return exchange.get(name) if isinstance(exchange, dict) else getattr(exchange, name, None)


@dataclass
class Ledger:
    """Adds up the footprint of exchanges as tests finish (per process; under xdist each worker its own)."""

    spent: Footprint = Footprint()
    first_message_at: float | None = None  # when the first exchange that caused a meeting message was sent
    _counter: FootprintCounter = field(default_factory=FootprintCounter)
    _elapsed_ms: list[float] = field(default_factory=list)

    def add(self, exchanges: Iterable[Any]) -> None:
        """Count one test's exchanges (the counter remembers each event's attendees for later cancels)."""
        self.spent = self.spent + self._count(self._counter, exchanges, learn=True)

    def with_pending(self, exchanges: Iterable[Any]) -> tuple[int, float | None]:
        """(meeting messages caused, when the first was) counting also a running test's `exchanges`."""
        pending = Ledger(first_message_at=self.first_message_at)
        extra = pending._count(copy.deepcopy(self._counter), exchanges, learn=False)
        return self.spent.messages + extra.messages, pending.first_message_at

    def _count(self, counter: FootprintCounter, exchanges: Iterable[Any], *, learn: bool) -> Footprint:
        total = Footprint()
        for exchange in exchanges:
            counted = counter.count([exchange])
            total = total + Footprint(counted.requests, counted.events_created, counted.messages)
            sent_at = _field(exchange, "sent_at")
            if counted.messages and isinstance(sent_at, int | float) and sent_at > 0:
                self.first_message_at = min(self.first_message_at or float(sent_at), float(sent_at))
            elapsed = _field(exchange, "elapsed_ms")
            if learn and isinstance(elapsed, int | float):
                self._elapsed_ms.append(float(elapsed))
        return total

    @property
    def median_latency_ms(self) -> float | None:
        """The median time the target took to answer so far (None before any answer)."""
        if not self._elapsed_ms:
            return None
        ordered = sorted(self._elapsed_ms)
        return ordered[len(ordered) // 2]

    def room(self, budget: Budget, workers: int = 1) -> Footprint:
        """What is left of `budget` for this process (a worker gets its share of the run's budget)."""
        def left(limit: int | None, used: int) -> int:
            return UNLIMITED if limit is None else max(0, limit // max(workers, 1) - used)

        return Footprint(left(budget.requests, self.spent.requests), left(budget.events, self.spent.events),
                         left(budget.messages, self.spent.messages))


def describe(budget: Budget) -> str:
    """`events 150, messages 100`: the limits a target file set."""
    limits = {"events": budget.events, "messages": budget.messages, "requests": budget.requests}
    return ", ".join(f"{name} {limit}" for name, limit in limits.items() if limit is not None)


LEDGER_KEY = pytest.StashKey[Ledger]()


def ledger_of(config: pytest.Config) -> Ledger:
    """What the tests of this process have spent on the target so far (fed by the Schemathesis plugin)."""
    if LEDGER_KEY not in config.stash:
        config.stash[LEDGER_KEY] = Ledger()
    return config.stash[LEDGER_KEY]


def message_wait(item: pytest.Item, target: TargetConfig) -> tuple[float, str | None]:
    """(how long a meeting-message check in `item` must wait, why it cannot: None if it can).

    Under the target's sending limit the organizer's messages queue up: the bound grows with the messages
    the run has caused so far (tests finished in this process plus `item`'s own exchanges) and shrinks with
    the time since the first (TargetConfig.mail_wait_s). Beyond `mail_wait_max_s` the check should end
    not-verified with the reason rather than wait or fail.
    """
    running: list[dict[str, Any]] = item.stash.get(EXCHANGES_KEY, [])
    messages, first_at = ledger_of(item.config).with_pending(running)
    elapsed_s = time.time() - first_at if first_at is not None else 0.0
    wait_s = target.mail_wait_s(messages, elapsed_s)
    if wait_s <= target.mail_wait_max_s:
        return wait_s, None
    return wait_s, (
        f"sending limit: the run has caused {messages} meeting messages in {elapsed_s:.0f} s; at "
        f"{target.send_limit} a minute this one may arrive only after {wait_s:.0f} s, beyond the "
        f"{target.mail_wait_max_s:.0f} s the suite waits (polling.mail_wait_max_s)"
    )
