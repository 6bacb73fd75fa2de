"""What the run has spent on the target so far, and what the Schemathesis cases may still spend.

The counting is the reports' own (`conformance.report.footprint`) over the exchanges every test records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from conformance.report.footprint import FootprintCounter
from conformance.target.config import Budget


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


@dataclass
class Ledger:
    """Adds up the footprint of exchanges as tests finish (per process; under xdist each worker its own)."""

    spent: Footprint = Footprint()
    _counter: FootprintCounter = field(default_factory=FootprintCounter)
    _elapsed_ms: list[float] = field(default_factory=list)

    def add(self, exchanges: Iterable[Any]) -> None:
        """Count one test's exchanges (the counter remembers each event's attendees for later cancels)."""
        exchanges = list(exchanges)
        counted = self._counter.count(exchanges)
        self.spent = self.spent + Footprint(counted.requests, counted.events_created, counted.messages)
        for exchange in exchanges:
            elapsed = exchange.get("elapsed_ms") if isinstance(exchange, dict) else getattr(
                exchange, "elapsed_ms", None)
            if isinstance(elapsed, int | float):
                self._elapsed_ms.append(float(elapsed))

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
